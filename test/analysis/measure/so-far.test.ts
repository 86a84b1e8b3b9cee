import { describe, expect, it } from 'vitest';
import { clopperPearsonOneSided } from '../../../src/analysis/measure/confidence.js';
import { quantileInterval } from '../../../src/analysis/measure/order-statistics.js';
import { judgedUntil, soFarDirection, soFarRoundTrip } from '../../../src/analysis/measure/so-far.js';
import type { DirectionRecords } from '../../../src/analysis/measure/records.js';
import { stream } from './fixtures.js';

const LENGTHS = { shortMs: 200, longMs: 15_000 };

/** The probes of `r` sent by `nowMs`, and the arrivals that came by then: the records a collector holds at that moment. */
function at(r: DirectionRecords, nowMs: number): DirectionRecords {
  return { ...r, sent: r.sent.filter((s) => s.sendMs <= nowMs), arrivals: r.arrivals.filter((a) => a.recvMs <= nowMs) };
}

describe('one-sided Clopper-Pearson bounds', () => {
  // Oracle: scipy.stats.beta.ppf(0.95, k + 1, n - k) (upper) and beta.ppf(0.05, k, n - k + 1)
  // (lower), scipy 1.17.1; the same as binomtest(k, n).proportion_ci(0.90, 'exact').
  it.each([
    [0, 355, 0, 0.008403176723952554],
    [0, 299, 0, 0.009969146792899269],
    [0, 298, 0, 0.010002432437677691],
    [3, 355, 0.002307204547828206, 0.02169543820339747],
    [8, 355, 0.011261696645831149, 0.04029283471094035],
    [16, 1500, 0.006701752542126479, 0.01615593298525572],
    [2, 20, 0.018065203085418632, 0.28261852488586087],
  ])('%d of %d: [%f, %f]', (k, n, lower, upper) => {
    const b = clopperPearsonOneSided(k, n);
    expect(b.lower).toBeCloseTo(lower, 9);
    expect(b.upper).toBeCloseTo(upper, 9);
  });

  it('needs 299 clean probes before the 95 % upper bound is under 1 %', () => {
    // 1 - 0.05^(1/n) < 0.01 first at n = 299 (hand: ln 0.05 / ln 0.99 = 298.07).
    expect(clopperPearsonOneSided(0, 298).upper).toBeGreaterThan(0.01);
    expect(clopperPearsonOneSided(0, 299).upper).toBeLessThan(0.01);
  });
});

describe('distribution-free interval of the median', () => {
  // Oracle: the largest r with binom.cdf(r - 1, n, 0.5) <= 0.025 and the smallest s with
  // 1 - binom.cdf(s - 1, n, 0.5) <= 0.025 (scipy.stats.binom, scipy 1.17.1).
  it.each([
    [6, 1, 6, 0.96875],
    [20, 6, 15, 0.9586105346679688],
    [250, 110, 141, 0.9502932122097931],
    [355, 159, 197, 0.9564386888358558],
  ])('n = %d: ranks %d and %d, coverage %f', (n, r, s, coverage) => {
    const ci = quantileInterval(n, 0.5, 0.95);
    expect(ci).not.toBeNull();
    expect(ci?.lowerRank).toBe(r);
    expect(ci?.upperRank).toBe(s);
    expect(ci?.coverage).toBeCloseTo(coverage, 12);
  });
});

describe('what the probes so far say', () => {
  it('judges a probe only once it is older than the loss timeout', () => {
    // 100/s from 0 ms, 5 ms one way, nothing lost; at 2000 ms the probes sent by 1000 ms are judged: 0..100.
    const r = at(stream({ count: 1600, intervalMs: 10, baseDelayMs: 5 }), 2000);
    const d = soFarDirection({ name: 'up', records: r, senderNowMs: 2000, testStartMs: 0 }, 1000, LENGTHS);
    expect(d.judgedUntilMs).toBe(1000);
    expect(d.quiet).toBe(false);
    expect(d.judged).toBe(101);
    expect(d.lost).toBe(0);
    expect(d.jitterMeanMs).toBe(0);
  });

  it('stops at the last arrival when the path goes quiet: no loss counted for a server that is gone', () => {
    // Nothing sent from 2500 ms on comes back. At 4000 ms the timeout alone would judge up to
    // 3000 ms and count 50 of 301 as lost (16.6 %); the figures stay at the last arrival instead.
    const r = at(stream({ count: 1600, intervalMs: 10, baseDelayMs: 5, lost: (i) => i >= 250 }), 4000);
    expect(judgedUntil(r, 4000, 1000)).toEqual({ untilMs: 2490, quiet: true });
    const d = soFarDirection({ name: 'up', records: r, senderNowMs: 4000, testStartMs: 0 }, 1000, LENGTHS);
    expect(d.judged).toBe(250);
    expect(d.lost).toBe(0);
  });

  it('counts only probes that never arrived for a settled window, and only windows that have ended', () => {
    // Probes 100-102 (1000-1020 ms) never arrive; probe 105 (1050 ms) comes 1.5 s late, beyond
    // the 1 s loss timeout: lost now, but a longer final timeout might still count it.
    const r = at(stream({ count: 1600, intervalMs: 10, baseDelayMs: 5, lost: (i) => i >= 100 && i <= 102, extraDelayMs: (i) => (i === 105 ? 1500 : 0) }), 3000);
    const d = soFarDirection({ name: 'up', records: r, senderNowMs: 3000, testStartMs: -450 }, 1000, LENGTHS);
    expect(d.judgedUntilMs).toBe(2000);
    expect(d.judged).toBe(201);
    expect(d.lost).toBe(4);
    expect(d.missing).toBe(3);
    // Every lost probe: [860, 1060) holds 100-102 and 105, 4 of 20 (the earliest such start).
    expect(d.worstShort).toEqual({ fromMs: 1310, startMs: 860, endMs: 1060, packets: 20, lost: 4, pct: 20, suspect: false });
    // Never arrived only: [830, 1030) is the earliest holding 100-102, 3 of 20.
    expect(d.worstShortMissing).toEqual({ fromMs: 1280, startMs: 830, endMs: 1030, packets: 20, lost: 3, pct: 15, suspect: false });
    expect(d.firstLong).toEqual({ missing: 3, suspect: false, startMs: 0, endMs: 15_000 });
  });

  it('takes no window reaching past the judged time', () => {
    // Probes 195-198 never arrive: at 3000 ms only windows ending by 2000 ms count; [1790, 1990)
    // is the earliest holding all four, 4 of 20.
    const r = at(stream({ count: 1600, intervalMs: 10, lost: (i) => i >= 195 && i <= 198 }), 3000);
    const d = soFarDirection({ name: 'down', records: r, senderNowMs: 3000, testStartMs: 0 }, 1000, LENGTHS);
    expect(d.worstShortMissing).toMatchObject({ startMs: 1790, endMs: 1990, lost: 4, packets: 20 });
    // At 2970 ms probes up to 1970 ms (0-197) are judged: the windows that have ended by then
    // ([1770, 1970) the latest) hold only 195 and 196.
    const early = soFarDirection({ name: 'down', records: at(r, 2970), senderNowMs: 2970, testStartMs: 0 }, 1000, LENGTHS);
    expect(early.judged).toBe(198);
    expect(early.worstShortMissing).toMatchObject({ startMs: 1770, endMs: 1970, lost: 2, packets: 20 });
  });

  it('marks what a known suspect interval touches', () => {
    const r = at(
      stream({ count: 1600, intervalMs: 10, lost: (i) => i === 50 || i === 51, suspect: [{ startMs: 400, endMs: 600, reason: 'page-hidden' }] }),
      3000,
    );
    const d = soFarDirection({ name: 'up', records: r, senderNowMs: 3000, testStartMs: 0 }, 1000, LENGTHS);
    expect(d.suspect).toBe(true);
    expect(d.firstLong?.suspect).toBe(true);
    // The only windows holding the lost probes touch the interval: like the grade, the figure
    // shows the worst clean window, and no settled claim can rest on them.
    expect(d.worstShortMissing?.lost).toBe(0);
    expect(d.worstShort).toMatchObject({ lost: 0, suspect: false });
  });
});

describe('round trips so far', () => {
  it('gives the nearest-rank median and its order-statistics interval, over judged probes outside suspect intervals', () => {
    // 20 judged samples 1..20 ms (sent at 0..190 ms); one sample sent later is not judged, one in a suspect interval is left out.
    const samples = Array.from({ length: 20 }, (_, i) => ({ seq: i, sendMs: i * 10, rttMs: 20 - i }));
    // The horizon before the interval is the 19th of the 21 judged round trips, 19 ms: nothing sent before 231 ms is touched.
    samples.push({ seq: 20, sendMs: 500, rttMs: 99 }, { seq: 21, sendMs: 250, rttMs: 98 });
    const rt = soFarRoundTrip(samples, 400, [{ startMs: 250, endMs: 251, reason: 'receiver-stall' }]);
    // n = 20: median rank ceil(10) = 10 -> 10 ms; interval ranks 6 and 15 -> 6 ms and 15 ms.
    expect(rt).toEqual({
      samples: 20,
      p50Ms: 10,
      lowerMs: 6,
      upperMs: 15,
      ranks: { lower: 6, upper: 15, coverage: expect.closeTo(0.9586105346679688, 12) as unknown as number },
      // The later half by send time: probes 10..19, round trips 10..1 ms; n = 10: ranks 2 and 9.
      recent: { samples: 10, lowerMs: 2, upperMs: 9 },
    });
  });

  it('leaves out a round trip sent within the horizon before a suspect interval, as the final grade does', () => {
    // The horizon is the 90th-percentile round trip, 30 ms: sent at 0 ms, within 30 ms before the
    // stall at 20-25 ms, it is left out. Sent at 40 ms: after it.
    const rt = soFarRoundTrip(
      [
        { seq: 0, sendMs: 0, rttMs: 30 },
        { seq: 1, sendMs: 40, rttMs: 2 },
      ],
      100,
      [{ startMs: 20, endMs: 25, reason: 'sender-stall' }],
    );
    expect(rt.samples).toBe(1);
    expect(rt.p50Ms).toBe(2);
  });

  it('has no interval below six samples', () => {
    const rt = soFarRoundTrip(
      [1, 2, 3, 4, 5].map((v, i) => ({ seq: i, sendMs: i, rttMs: v })),
      100,
      [],
    );
    expect(rt.samples).toBe(5);
    expect(rt.p50Ms).toBe(3);
    expect(rt.lowerMs).toBeNull();
  });
});
