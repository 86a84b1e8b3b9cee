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

  it('takes time off the network (this device or the server) as suspect too, and is busy while it touches the last second judged', () => {
    const r = at(stream({ count: 1600, intervalMs: 10, lost: (i) => i === 50 || i === 51 }), 7000);
    const clean = soFarDirection({ name: 'up', records: r, senderNowMs: 7000, testStartMs: 0 }, 1000, LENGTHS);
    expect(clean).toMatchObject({ suspect: false, busyNow: false, blocks: 6 });
    expect(clean.worstShortMissing?.lost).toBe(2);
    const off = soFarDirection({ name: 'up', records: r, senderNowMs: 7000, testStartMs: 0, offNetwork: [{ startMs: 400, endMs: 600 }] }, 1000, LENGTHS);
    expect(off).toMatchObject({ suspect: true, busyNow: false });
    expect(off.worstShortMissing?.lost).toBe(0);
    expect(off.firstLong?.suspect).toBe(true);
    // Judged until 6000 ms: time at 5.5 s touches its last second.
    const now = soFarDirection({ name: 'up', records: r, senderNowMs: 7000, testStartMs: 0, offNetwork: [{ startMs: 5500, endMs: 5600 }] }, 1000, LENGTHS);
    expect(now.busyNow).toBe(true);
  });

  it('reads the loss design effect from its whole seconds (blocks.ts): 5 lost in one second of six', () => {
    // Probes 50-54 lost, all in the first second: blocks of 100 with losses 5, 0, 0, 0, 0, 0.
    const r = at(stream({ count: 1600, intervalMs: 10, lost: (i) => i >= 50 && i <= 54 }), 7000);
    const d = soFarDirection({ name: 'up', records: r, senderNowMs: 7000, testStartMs: 0 }, 1000, LENGTHS);
    // N = 600 (0-5990 ms; the probe at 6000 ms starts a seventh, unfinished second), p = 5/601 judged overall but
    // 5/600 over the blocks: sum (l - p n)^2 = (5 - 5/6)^2 + 5 (5/6)^2 = 20.833; between = (6/5) x 20.833 / 600^2;
    // binomial = p (1 - p) / 600.
    const p = 5 / 600;
    const expected = ((6 / 5) * ((5 - 5 / 6) ** 2 + 5 * (5 / 6) ** 2)) / 600 ** 2 / ((p * (1 - p)) / 600);
    expect(d.blocks).toBe(6);
    expect(d.blockDesignEffect).toBeCloseTo(expected, 9);
  });
});

describe('round trips so far', () => {
  /** 100 round trips a second from 0 ms, each second's at `perSecondMs[k]` ms (+0..0.99 ms across the second). */
  const seconds = (perSecondMs: readonly number[]) =>
    perSecondMs.flatMap((base, k) => Array.from({ length: 100 }, (_, i) => ({ seq: k * 100 + i, sendMs: k * 1000 + i * 10, rttMs: base + i / 100 })));

  it('gives the nearest-rank median, and bounds over whole seconds from a sign test over their medians', () => {
    const samples = seconds([10, 12, 11, 14, 13, 15]);
    // Judged until 5500 ms (551 round trips, 0-5500 ms): 5 whole seconds; the sixth has not ended.
    const rt = soFarRoundTrip(samples, 5500, []);
    expect(rt.samples).toBe(551);
    expect(rt.blocks).toBe(5);
    // Block medians (rank 50 of 100): 10.49, 12.49, 11.49, 14.49, 13.49. With 5 blocks the one-sided
    // 95 % bounds are the smallest and the largest.
    expect(rt.lowerMs).toBeCloseTo(10.49, 9);
    expect(rt.upperMs).toBeCloseTo(14.49, 9);
    // Mann-Kendall S over 10.49, 12.49, 11.49, 14.49, 13.49: 8 concordant, 2 discordant.
    expect(rt.trend?.s).toBe(6);
    expect(rt.busyNow).toBe(false);
  });

  it('has no bounds before 5 whole seconds, however many round trips', () => {
    const rt = soFarRoundTrip(seconds([3, 3, 3, 3, 3]), 4999, []);
    expect(rt.samples).toBe(500);
    expect(rt.blocks).toBe(4);
    expect(rt.lowerMs).toBeNull();
    expect(rt.upperMs).toBeNull();
  });

  it('sees a delay that fell second by second as a trend (the start-up that settles)', () => {
    const rt = soFarRoundTrip(seconds([220, 200, 180, 150, 120, 90]), 5000, []);
    expect(rt.lowerMs).toBeCloseTo(120.49, 9);
    expect(rt.trend?.pFalling).toBeCloseTo(1 / 120, 12);
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
      [{ startMs: 20, endMs: 25 }],
    );
    expect(rt.samples).toBe(1);
    expect(rt.p50Ms).toBe(2);
  });

  it('counts a second mostly left out as no block, and is busy while suspect time touches the last second judged', () => {
    // A stall from 2.05 to 2.95 s: with the horizon (the 90th-percentile round trip, ~5 ms) the
    // probes of 2.0-2.95 s are left out and the third second keeps 5 round trips: below 10, no block.
    const samples = seconds([5, 5, 5, 5, 5, 5, 5]);
    const rt = soFarRoundTrip(samples, 6000, [{ startMs: 2050, endMs: 2950 }]);
    expect(rt.blocks).toBe(5);
    expect(rt.busyNow).toBe(false);
    const now = soFarRoundTrip(samples, 6000, [{ startMs: 5200, endMs: 5300 }]);
    expect(now.busyNow).toBe(true);
    // Time off the network that has not been judged yet (after 6 s) is busy now too.
    expect(soFarRoundTrip(samples, 6000, [{ startMs: 6400, endMs: 6500 }]).busyNow).toBe(true);
  });
});
