import { describe, expect, it } from 'vitest';
import { classifyDirection } from '../../../src/analysis/measure/classify.js';
import { directionIpdv, directionJitter, jitterUpperBound, networkJitter, reportedJitter } from '../../../src/analysis/measure/jitter.js';
import { mulberry32, stream } from './fixtures.js';

describe('RFC 3550 interarrival jitter', () => {
  it('runs in arrival order and excludes duplicates', () => {
    const base = stream({ count: 4, intervalMs: 20, clockOffsetMs: 100, extraDelayMs: (i) => [0, 5, 0, 5][i] ?? 0 });
    const copied = base.arrivals[1];
    if (copied === undefined) throw new Error('fixture has 4 arrivals');
    const withDup = { ...base, arrivals: [...base.arrivals, { ...copied, recvMs: 500 }] };
    const a = directionJitter(classifyDirection(base, 1000));
    const b = directionJitter(classifyDirection(withDup, 1000));
    expect(b.finalMs).toBe(a.finalMs);
    expect(a.finalMs).toBeCloseTo(0.880126953125, 12);
    expect(a.samples).toBe(4);
  });

  it('computes mean |IPDV| over consecutive sequence numbers only', () => {
    // Probe 2 lost: pairs (0,1) and (3,4) only. IPDV = +6 and -2.
    const r = stream({ count: 5, intervalMs: 20, lost: (i) => i === 2, extraDelayMs: (i) => [0, 6, 0, 3, 1][i] ?? 0 });
    const ipdv = directionIpdv(classifyDirection(r, 1000));
    expect(ipdv.pairs).toBe(2);
    expect(ipdv.meanAbsMs).toBe(4);
  });

  it('gives mean |IPDV| and mean J near 2a/3 for uniform +-a delay noise', () => {
    // Delay noise U(-a, a), a = 5 ms, probes every 20 ms (> 2a, so no reordering).
    // IPDV is the difference of two such delays: triangular on [-2a, 2a], E|IPDV| = 2a/3,
    // sd(|IPDV|) = a*sqrt(2)/3 = 0.47a. J averages |D| (gain 1/16): E[J] = 2a/3 too.
    // (The brief's "J near a/3" holds for noise of total width a, i.e. +-a/2.)
    // Standard error of a mean over 20,000 correlated-at-lag-1 samples <= 0.47a*sqrt(2/20000)
    // = 0.0047a = 0.7 % of 2a/3; tolerance 3 % is > 4 standard errors. The final J alone
    // has sd about 0.47a*sqrt(1/31) ~ 0.09a: tolerance 0.4a.
    const a = 5;
    const rnd = mulberry32(42);
    const noise = Array.from({ length: 20_000 }, () => (rnd() * 2 - 1) * a);
    const r = stream({ count: 20_000, intervalMs: 20, clockOffsetMs: 777, baseDelayMs: 30, extraDelayMs: (i) => noise[i] ?? 0 });
    const c = classifyDirection(r, 1000);
    const ipdv = directionIpdv(c);
    const jit = directionJitter(c);
    const expected = (2 * a) / 3;
    expect(Math.abs((ipdv.meanAbsMs ?? 0) - expected) / expected).toBeLessThan(0.03);
    expect(Math.abs((jit.meanMs ?? 0) - expected) / expected).toBeLessThan(0.03);
    expect(Math.abs((jit.finalMs ?? 0) - expected)).toBeLessThan(0.4 * a);
  });

  it('bounds J from above where this device may have added delay', () => {
    // One-way delays 32, 36, 34, 30 ms (the least, 30, is the floor); probe 1 uncertain: its delay
    // on the network lay in [30, 36]. Measured: |D| = 4, 2, 4, so J = 0.25, 0.359375, 0.5869140625.
    // Bound: |D| at most max(|36 - 32|, |30 - 32|) = 4, then max(|34 - 30|, |34 - 36|) = 4, then 4:
    // J = 0.25, 0.25 + 3.75/16 = 0.484375, 0.484375 + 3.515625/16 = 0.7041015625.
    const r = stream({ count: 4, intervalMs: 20, baseDelayMs: 30, extraDelayMs: (i) => [2, 6, 4, 0][i] ?? 0 });
    const c = classifyDirection(r, 1000);
    expect([...directionJitter(c).jBySent]).toEqual([0, 0.25, 0.359375, 0.5869140625]);
    expect([...jitterUpperBound(c, [0, 1, 0, 0])]).toEqual([0, 0.25, 0.484375, 0.7041015625]);
    // Nothing uncertain: the bound is J itself. A probe never received has none.
    expect([...jitterUpperBound(c, [0, 0, 0, 0])]).toEqual([...directionJitter(c).jBySent]);
    const lost = classifyDirection(stream({ count: 3, intervalMs: 20, lost: (i) => i === 1 }), 1000);
    expect(Number.isNaN(jitterUpperBound(lost, [0, 1, 0])[1])).toBe(true);
  });

  it('never bounds below the J of any delays the uncertain probes could have had (random oracle)', () => {
    // For random delays and random uncertain probes, J computed on any delays within the ranges
    // (each uncertain probe's network delay drawn in [floor, measured]) stays at or under the bound.
    const rnd = mulberry32(7);
    for (let trial = 0; trial < 200; trial++) {
      const n = 40;
      const extra = Array.from({ length: n }, () => rnd() * 20);
      const r = stream({ count: n, intervalMs: 20, baseDelayMs: 10, extraDelayMs: (i) => extra[i] ?? 0 });
      const c = classifyDirection(r, 1000);
      const uncertain = Array.from({ length: n }, () => (rnd() < 0.3 ? 1 : 0));
      const bound = jitterUpperBound(c, uncertain);
      const floor = c.minDelayMs ?? 0;
      // Probe i has seq i. Only the delays change: the arrivals stay in the order measured, as the bound reads them.
      const drawn = r.arrivals.map((a) => {
        const measured = a.recvMs - a.sendMs;
        const delay = uncertain[a.seq] === 1 ? floor + rnd() * (measured - floor) : measured;
        return { ...a, recvMs: a.sendMs + delay };
      });
      const j = directionJitter(classifyDirection({ ...r, arrivals: drawn }, 1000)).jBySent;
      for (let i = 0; i < n; i++) expect(j[i] ?? 0).toBeLessThanOrEqual((bound[i] ?? 0) + 1e-9);
    }
  });
});

describe("the jitter a direction reports: the network's time alone", () => {
  it('leaves out the probes sent while this device was busy, and marks a figure they moved by 30 % and 1 ms', () => {
    // 2000 probes, 10 ms apart; the network adds +-2 ms alternately (|D| = 4 ms), and a busy
    // device adds 40 ms of its own lateness to every tenth probe in [200, 1800).
    const busy = (i: number): boolean => i >= 200 && i < 1800 && i % 10 === 0;
    const r = stream({ count: 2000, intervalMs: 10, extraDelayMs: (i) => (i % 2 === 0 ? 2 : -2) + (busy(i) ? 40 : 0) });
    const c = classifyDirection(r, 1000);
    const all = directionJitter(c);
    const deviceTime = new Uint8Array(2000);
    for (let i = 200; i < 1800; i++) deviceTime[i] = 1;
    const network = networkJitter(c, deviceTime);
    expect(network?.samples).toBe(400);
    // Outside the device's time, D between consecutive arrivals is +-4 ms: J tends to 4 (its mean just under, from 0).
    expect(network?.meanMs).toBeGreaterThan(3.8);
    expect(network?.meanMs).toBeLessThanOrEqual(4);
    expect(all.meanMs ?? 0).toBeGreaterThan((network?.meanMs ?? 0) * 1.3 + 1);
    expect(reportedJitter(all, network, true)).toEqual({ meanMs: network?.meanMs, device: true });
    // Without device time: every arrival's, as always.
    expect(reportedJitter(all, null, false)).toEqual({ meanMs: all.meanMs, device: false });
    // A device time that moves nothing: the network's, unmarked.
    expect(reportedJitter({ meanMs: 4.2 }, { meanMs: 4, samples: 1000 }, true)).toEqual({ meanMs: 4, device: false });
    // Too few arrivals of the network's own: every arrival's, marked where over 1 ms.
    expect(reportedJitter({ meanMs: 4.2 }, { meanMs: 4, samples: 99 }, true)).toEqual({ meanMs: 4.2, device: true });
    expect(reportedJitter({ meanMs: 0.9 }, null, true)).toEqual({ meanMs: 0.9, device: false });
  });
});
