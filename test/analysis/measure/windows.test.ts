import { describe, expect, it } from 'vitest';
import { analyzeDirection } from '../../../src/analysis/measure/direction.js';
import { lossPctMetric, meanJitterMetric, scanWindows, type WindowMetric, type WindowSeries, windowValue } from '../../../src/analysis/measure/windows.js';
import { mulberry32, stream } from './fixtures.js';

const LENGTHS = { burstMs: 200, sustainedMs: 15_000 };

function series(sendMs: number[], lost: number[], jitterMs?: number[]): WindowSeries {
  return { sendMs, lost, received: lost.map((l) => 1 - l), jitterMs: jitterMs ?? sendMs.map(() => 0) };
}

describe('worst sliding window', () => {
  it('finds the exact worst 200 ms window of a burst of 3 lost probes', () => {
    // 100/s for 10 s, probes 300..302 (sent at 3000..3020 ms) lost. Every 200 ms window
    // holds 20 probes; those holding all three start at 2830..3000 ms. The earliest wins ties.
    const r = stream({ count: 1000, intervalMs: 10, lost: (i) => i >= 300 && i <= 302 });
    const a = analyzeDirection(r, 1000, LENGTHS);
    const w = a.windows.burst;
    expect(w.worstClean).toEqual({ startMs: 2830, packets: 20, lost: 3, received: 17, value: 15, suspect: false });
    // Windows start at 0..9800 ms (span 190 ms >= 200 - 10): 981 evaluable contents.
    expect(w.evaluable).toBe(981);
  });

  it('evaluates no 15 s window in a 10 s test', () => {
    const a = analyzeDirection(stream({ count: 1000, intervalMs: 10 }), 1000, LENGTHS);
    expect(a.windows.lossSustained.evaluable).toBe(0);
    expect(a.windows.lossSustained.worstClean).toBeNull();
    expect(a.windows.jitterSustained.worstAny).toBeNull();
  });

  it('evaluates exactly one 15 s window in a 15 s test', () => {
    const a = analyzeDirection(stream({ count: 1500, intervalMs: 10 }), 1000, LENGTHS);
    expect(a.windows.lossSustained.evaluable).toBe(1);
    expect(a.windows.lossSustained.worstClean?.packets).toBe(1500);
  });

  it('marks windows touching a suspect interval', () => {
    // Suspect [5000, 5100]: [s, s+200) touches it for s in (4800, 5100]: 30 window starts.
    const r = stream({ count: 1000, intervalMs: 10, suspect: [{ startMs: 5000, endMs: 5100, reason: 'page-hidden' }], lost: (i) => i === 505 });
    const w = analyzeDirection(r, 1000, LENGTHS).windows.burst;
    expect(w.evaluableSuspect).toBe(30);
    // The only loss lies inside the suspect span: the worst clean window has none.
    expect(w.worstClean?.value).toBe(0);
    expect(w.worstAny).toMatchObject({ startMs: 4860, value: 5, suspect: true });
  });

  it("bounds a suspect window's loss from below by the probes lost outside suspect time", () => {
    // 1500 probes at 10 ms (one 15 s window), every 50th lost: 30 of 1500 (2 %). Suspect
    // [5000, 5990] holds probes 500-599, of which 500 and 550 were lost: counting both as
    // arrived leaves 28 of 1500, 1.8667 %.
    const r = stream({ count: 1500, intervalMs: 10, suspect: [{ startMs: 5000, endMs: 5990, reason: 'sender-stall' }], lost: (i) => i % 50 === 0 });
    const w = analyzeDirection(r, 1000, LENGTHS).windows.lossSustained;
    expect(w.worstClean).toBeNull();
    expect(w.worstAny).toMatchObject({ packets: 1500, lost: 30, value: 2, suspect: true });
    expect(w.worstBound).toMatchObject({ startMs: 0, packets: 1500, lost: 28, suspect: true });
    expect(w.worstBound?.value).toBeCloseTo((28 / 1500) * 100, 12);
    // Jitter has no bound; a scan without suspect time has none either.
    expect(analyzeDirection(r, 1000, LENGTHS).windows.jitterSustained.worstBound).toBeNull();
    expect(analyzeDirection(stream({ count: 1500, intervalMs: 10, lost: (i) => i % 50 === 0 }), 1000, LENGTHS).windows.lossSustained.worstBound).toBeNull();
  });

  it("bounds a suspect window's loss from above by counting the probes missing from its schedule as lost", () => {
    // 2000 probes at 10 ms, none lost; the sender skipped 9010-9290 ms (29 probes) in a stall
    // spanning [9000, 9300]. A 15 s window holding the stretch lacks 29 of its 1500 probes:
    // at most 29 lost (1.93 %). A 200 ms window inside the stretch holds none: at most 100 %,
    // though too sparse to be evaluable.
    const r = stream({ count: 2000, intervalMs: 10, suspect: [{ startMs: 9000, endMs: 9300, reason: 'sender-stall' }] });
    const skipped = (x: { sendMs: number }) => x.sendMs < 9005 || x.sendMs > 9295;
    const gap = { ...r, sent: r.sent.filter(skipped), arrivals: r.arrivals.filter(skipped) };
    const a = analyzeDirection(gap, 1000, LENGTHS);
    expect(a.windows.lossSustained.worstUpper).toMatchObject({ packets: 1500, lost: 29, suspect: true });
    expect(a.windows.burst.worstUpper).toMatchObject({ packets: 20, lost: 20, value: 100 });
    // Without the skipped stretch nothing is missing: the bound is the loss itself, 0.
    expect(analyzeDirection(r, 1000, LENGTHS).windows.lossSustained.worstUpper).toMatchObject({ packets: 1500, lost: 0, value: 0 });
  });

  it('counts as missing only probes never sent: a stream sent late, in a bunch, hid nothing', () => {
    // 2000 probes at 10 ms, none lost; the page stalled over [9000, 9030] and sent probes 900-902
    // (due 9000-9020) at 9031, 9031.5 and 9032. Schedule-wise the 200 ms window ending at 9031
    // holds 17 probes of its 20, but every number was sent: nothing is missing, the bound is 0.
    const r = stream({ count: 2000, intervalMs: 10, suspect: [{ startMs: 9000, endMs: 9030, reason: 'sender-stall' }] });
    const late = (x: { seq: number; sendMs: number }) => (x.seq >= 900 && x.seq <= 902 ? { ...x, sendMs: 9031 + (x.seq - 900) * 0.5 } : x);
    const bunched = { ...r, sent: r.sent.map(late), arrivals: r.arrivals.map((a) => ({ ...late(a), recvMs: a.recvMs + (late(a).sendMs - a.sendMs) })) };
    const a = analyzeDirection(bunched, 1000, LENGTHS);
    expect(a.windows.burst.worstUpper).toMatchObject({ lost: 0, value: 0 });
    // Probes 900-902 never sent instead: the same windows now miss up to 3 (3 of 20, 15 %).
    const skipped = (x: { seq: number }) => x.seq < 900 || x.seq > 902;
    const gap = analyzeDirection({ ...r, sent: r.sent.filter(skipped), arrivals: r.arrivals.filter(skipped) }, 1000, LENGTHS);
    expect(gap.windows.burst.worstUpper).toMatchObject({ packets: 20, lost: 3, value: 15 });
    // A skipped number far from a window is not its miss: probe 1500 (15 s) skipped leaves the bunched windows at 0.
    const far = analyzeDirection(
      { ...bunched, sent: bunched.sent.filter((x) => x.seq !== 1500), arrivals: bunched.arrivals.filter((x) => x.seq !== 1500) },
      1000,
      LENGTHS,
    );
    expect(far.windows.burst.worstUpper).toMatchObject({ lost: 0, value: 0 });
  });

  it('averages J over the received probes of a window', () => {
    const s = series([0, 10, 20, 30], [0, 1, 0, 0], [2, 100, 4, 6]);
    const w = scanWindows(s, { windowMs: 30, intervalMs: 10, suspect: [] }, meanJitterMetric);
    // Windows [0,30): probes 0,1,2 -> received 0,2 -> (2+4)/2 = 3; [10,40): 1,2,3 -> (4+6)/2 = 5.
    expect(w.worstClean).toMatchObject({ startMs: 10, value: 5, packets: 3, received: 2 });
  });

  it("bounds a suspect window's jitter from above by the mean of its probes' bound of J", () => {
    // W = 30, interval 10, suspect [15, 16]. J 2, 4, 6, 8 at 0..30; its bound 2, 10, 6, 8.
    // Suspect windows start in (-15, 16]: [0,30) holds probes 0-2, mean bound (2+10+6)/3 = 6
    // against a mean J of 4; [10,40) holds 1-3, (10+6+8)/3 = 8 against 6: the worst is 8.
    const s = { ...series([0, 10, 20, 30], [0, 0, 0, 0], [2, 4, 6, 8]), jitterUpperMs: [2, 10, 6, 8] };
    const spec = { windowMs: 30, intervalMs: 10, suspect: [{ startMs: 15, endMs: 16 }] };
    const w = scanWindows(s, spec, meanJitterMetric);
    expect(w.worstUpper).toMatchObject({ startMs: 10, value: 8, received: 3, measured: { packets: 3, lost: 0, jitterMs: 6 } });
    // Without a bound per probe, or on loss, jitter has none.
    expect(scanWindows(series([0, 10, 20, 30], [0, 0, 0, 0], [2, 4, 6, 8]), spec, meanJitterMetric).worstUpper).toBeNull();
    // A probe sent in suspect time and lost may have crossed in time at any delay: no window is bounded.
    const lostInside = { ...series([0, 10, 15.5, 20, 30], [0, 0, 1, 0, 0], [2, 4, 0, 6, 8]), jitterUpperMs: [2, 10, 0, 6, 8] };
    expect(scanWindows(lostInside, spec, meanJitterMetric).worstUpper).toBeNull();
  });

  it('gives the pass basis of jitter its bound where the page stalled', () => {
    // 1500 probes at 10 ms, one 15 s window; the page's sender stalled over [5000, 5290] and its
    // 30 probes (500-529) took 8 ms more (less than the spacing: no reordering). Measured J: a jump
    // of 8 ms in (probe 500) and out (530), 16 ms of J summed over the window, about 0.01 ms mean.
    // Bound: each of those probes may have crossed at the floor or 8 ms later, so |D| may have been
    // 8 at every arrival from 500 to 530: J climbs toward 8 through them and decays after.
    const r = stream({
      count: 1500,
      intervalMs: 10,
      suspect: [{ startMs: 5000, endMs: 5290, reason: 'sender-stall' }],
      extraDelayMs: (i) => (i >= 500 && i < 530 ? 8 : 0),
    });
    // Attribution lists the stall as the device's time (report/attribution.ts); the pass basis is scanned with it.
    const a = analyzeDirection(r, 1000, LENGTHS, { attributed: [{ startMs: 5000, endMs: 5290 }], provenLossSuspect: null });
    const basis = a.passBasis?.jitterSustained;
    expect(basis?.worstClean).toBeNull();
    const measured = a.windows.jitterSustained.worstAny?.value ?? Number.NaN;
    expect(measured).toBeLessThan(0.011);
    expect(basis?.worstUpper?.measured?.jitterMs).toBe(measured);
    // The oracle: RFC 3550's J run over |D| = 8 at arrivals 500-530 and 0 elsewhere, averaged.
    let j = 0;
    let sum = 0;
    for (let i = 1; i < 1500; i++) {
      j += ((i >= 500 && i <= 530 ? 8 : 0) - j) / 16;
      sum += j;
    }
    expect(basis?.worstUpper?.value).toBeCloseTo(sum / 1500, 9);
    expect(sum / 1500).toBeGreaterThan(0.15);
    // The scan of every suspect time gives no bound: only the pass basis, of the page's own time, has one.
    expect(a.windows.jitterSustained.worstUpper).toBeNull();
  });

  it('also evaluates windows ending at a send time (uneven pacing)', () => {
    // W = 100, interval 10. Probes at 0..90 and 99, then 110..190; the first five lost.
    // [0,100) holds 11 probes (5/11 = 45.5 %); [-1,99) holds 10 (5/10 = 50 %), span 90: evaluable.
    const t = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99, 110, 120, 130, 140, 150, 160, 170, 180, 190];
    const lost = t.map((_, i) => (i < 5 ? 1 : 0));
    const w = scanWindows(series(t, lost), { windowMs: 100, intervalMs: 10, suspect: [] }, lossPctMetric);
    expect(w.worstClean).toMatchObject({ startMs: -1, packets: 10, lost: 5, value: 50 });
  });

  it('equals a brute-force scan over every position on random uneven input', () => {
    // Oracle: the content of every window placed at a breakpoint and at every midpoint
    // between breakpoints, computed directly.
    const metrics: Array<[string, WindowMetric]> = [
      ['loss', lossPctMetric],
      ['jitter', meanJitterMetric],
    ];
    for (let seed = 1; seed <= 20; seed++) {
      const rnd = mulberry32(seed);
      const n = 120;
      const t: number[] = [];
      let now = 0;
      for (let i = 0; i < n; i++) {
        now += rnd() < 0.1 ? 0 : 5 + rnd() * 10;
        t.push(now);
      }
      const lost = t.map(() => (rnd() < 0.2 ? 1 : 0));
      const jit = t.map(() => rnd() * 10);
      const W = 100;
      const interval = 10;
      // Three spans, two of them overlapping (merged for the bound), one ending on a send time.
      const suspect = [
        { startMs: t[40] ?? 0, endMs: (t[40] ?? 0) + 5 },
        { startMs: (t[70] ?? 0) - 3, endMs: t[78] ?? 0 },
        { startMs: t[75] ?? 0, endMs: (t[84] ?? 0) + 1 },
      ];
      const inSuspect = (x: number): boolean => suspect.some((sp) => x >= sp.startMs && x <= sp.endMs);
      const s = series(t, lost, jit);
      const points = [...new Set([...t, ...t.map((x) => x - W)])].sort((x, y) => x - y);
      const positions = [...points];
      for (let i = 0; i + 1 < points.length; i++) positions.push(((points[i] ?? 0) + (points[i + 1] ?? 0)) / 2);
      for (const [name, metric] of metrics) {
        let bestClean = Number.NEGATIVE_INFINITY;
        let bestAny = Number.NEGATIVE_INFINITY;
        let bestBound = Number.NEGATIVE_INFINITY;
        for (const p of positions) {
          const idx = t.map((x, i) => (x >= p && x < p + W ? i : -1)).filter((i) => i >= 0);
          if (idx.length === 0) continue;
          const span = (t[idx[idx.length - 1] ?? 0] ?? 0) - (t[idx[0] ?? 0] ?? 0);
          if (span < W - interval) continue;
          const v = windowValue(
            metric,
            idx.length,
            idx.reduce((acc, i) => acc + (lost[i] ?? 0), 0),
            idx.reduce((acc, i) => acc + 1 - (lost[i] ?? 0), 0),
            idx.reduce((acc, i) => acc + ((lost[i] ?? 0) === 0 ? (jit[i] ?? 0) : 0), 0),
          );
          if (Number.isNaN(v)) continue;
          const touches = suspect.some((x) => x.startMs < p + W && x.endMs >= p);
          bestAny = Math.max(bestAny, v);
          if (!touches) bestClean = Math.max(bestClean, v);
          if (touches && metric === lossPctMetric) {
            const lostOutside = idx.reduce((acc, i) => acc + ((lost[i] ?? 0) === 1 && !inSuspect(t[i] ?? 0) ? 1 : 0), 0);
            bestBound = Math.max(bestBound, (lostOutside / idx.length) * 100);
          }
        }
        // Upper bound: every window placed at a send time or ending at one (the scan's positions),
        // inside the sending time, touching a suspect span, evaluable or not.
        let bestUpper = Number.NEGATIVE_INFINITY;
        if (metric === lossPctMetric) {
          const scheduled = Math.round(W / interval);
          const lastMs = (t[t.length - 1] ?? 0) + interval;
          for (const p of [...new Set([...t, ...t.map((x) => x - W)])]) {
            if (p < (t[0] ?? 0) || p + W > lastMs || !suspect.some((x) => x.startMs < p + W && x.endMs >= p)) continue;
            const idx = t.map((x, i) => (x >= p && x < p + W ? i : -1)).filter((i) => i >= 0);
            const missing = Math.max(0, scheduled - idx.length);
            const lostHere = idx.reduce((acc, i) => acc + (lost[i] ?? 0), 0);
            if (idx.length + missing > 0) bestUpper = Math.max(bestUpper, ((lostHere + missing) / (idx.length + missing)) * 100);
          }
        }
        const scan = scanWindows(s, { windowMs: W, intervalMs: interval, suspect }, metric);
        expect(scan.worstUpper?.value ?? Number.NEGATIVE_INFINITY, `${name} seed ${String(seed)} upper`).toBeCloseTo(bestUpper, 9);
        expect(scan.worstAny?.value ?? Number.NEGATIVE_INFINITY, `${name} seed ${String(seed)}`).toBeCloseTo(bestAny, 9);
        expect(scan.worstClean?.value ?? Number.NEGATIVE_INFINITY, `${name} seed ${String(seed)} clean`).toBeCloseTo(bestClean, 9);
        expect(scan.worstBound?.value ?? Number.NEGATIVE_INFINITY, `${name} seed ${String(seed)} bound`).toBeCloseTo(bestBound, 9);
      }
    }
  });
});
