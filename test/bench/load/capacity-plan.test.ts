/** The capacity bench's decisions (bench/load/capacity-plan.ts), on hand-made levels. */
import { describe, expect, it } from 'vitest';
import { clientSaturated, idleShare, ladderResult, levelOutcome, nextN, rateWithin, type LevelFacts } from '../../../bench/load/capacity-plan.js';

const facts = (f: Partial<LevelFacts>): LevelFacts => ({
  n: 4,
  failures: [],
  refusedBusy: 0,
  clientTickFailures: 0,
  clientCores: 0.3,
  clientLoopMsP99: 0.5,
  clientCoreIdle: 0.5,
  ...f,
});

describe('the capacity ladder', () => {
  it('raises N by about 1.4x, at least by one', () => {
    const ladder = [1];
    while (ladder.length < 13) ladder.push(nextN(ladder.at(-1) ?? 1));
    expect(ladder).toEqual([1, 2, 3, 4, 6, 8, 11, 15, 21, 29, 41, 57, 80]);
  });
});

describe('a level', () => {
  it('held when every test was within tolerance and none refused', () => {
    expect(levelOutcome(facts({}))).toBe('held');
  });

  it("is the server's limit when a test fell out or was refused as busy, the client with room", () => {
    expect(levelOutcome(facts({ failures: ['RTT p50 3 ms vs 1 ms unloaded'] }))).toBe('server-limit');
    expect(levelOutcome(facts({ refusedBusy: 1 }))).toBe('server-limit');
  });

  it('is client-limited when the client used 0.8 of a core, its core had under 5 % idle, its loop ran over 5 ms late, or every failure was its ticks', () => {
    const failed = { failures: ['jitter 3 ms vs 1 ms unloaded'] };
    expect(levelOutcome(facts({ ...failed, clientCores: 0.8 }))).toBe('client-limited');
    expect(levelOutcome(facts({ ...failed, clientCoreIdle: 0.04 }))).toBe('client-limited');
    expect(levelOutcome(facts({ ...failed, clientLoopMsP99: 5.1 }))).toBe('client-limited');
    expect(levelOutcome(facts({ ...failed, clientLoopMsP99: 5 }))).toBe('server-limit');
    expect(levelOutcome(facts({ failures: ['200 missed pacing ticks (client overloaded)'], clientTickFailures: 1 }))).toBe('client-limited');
    expect(clientSaturated({ clientCores: 0.79, clientLoopMsP99: 5, clientCoreIdle: 0.05 })).toBe(false);
  });
});

describe("the run's result", () => {
  const held = (n: number) => ({ n, outcome: 'held' as const, failures: [], refusedBusy: 0 });
  const limit = (n: number, failures: string[], refusedBusy = 0) => ({ n, outcome: 'server-limit' as const, failures, refusedBusy });

  it('is the largest N held on the core, bounded by what failed first at the next level', () => {
    expect(ladderResult([held(1), held(2), held(3), limit(4, ['jitter 2.10 ms vs 0.40 ms unloaded'])], 'max-n')).toEqual({
      kind: 'capacity',
      testsPerCore: 3,
      boundBy: 'jitter',
      clientBound: false,
    });
    expect(ladderResult([held(1), limit(2, ['RTT p50 3 ms vs 1 ms unloaded'])], 'max-n')).toMatchObject({ testsPerCore: 1, boundBy: 'round trip' });
    expect(ladderResult([held(1), limit(2, ['loss 0.50 %'])], 'max-n')).toMatchObject({ boundBy: 'loss' });
    expect(ladderResult([held(1), limit(2, ['test failed: timed out'])], 'max-n')).toMatchObject({ boundBy: 'tests failed' });
    // A refusal names the bound even beside a failure: admission said the server was full.
    expect(ladderResult([held(1), limit(2, ['loss 0.50 %'], 1)], 'max-n')).toMatchObject({ boundBy: 'refused server-busy' });
  });

  it('says "too busy to measure" when the one-test level failed, and never a capacity when the client limited the run', () => {
    expect(ladderResult([limit(1, ['no RTT'])], 'max-n')).toEqual({
      kind: 'too-busy',
      why: 'no level held, the first at N=1',
      boundBy: 'round trip',
      clientBound: false,
    });
    expect(ladderResult([held(1), held(2), { n: 3, outcome: 'client-limited', failures: ['jitter'], refusedBusy: 0 }], 'max-n')).toEqual({
      kind: 'not-reached',
      largestN: 2,
      boundBy: 'client',
      clientBound: true,
    });
    expect(ladderResult([held(1), held(2)], 'time')).toEqual({ kind: 'not-reached', largestN: 2, boundBy: 'time', clientBound: false });
  });
});

describe('the readings', () => {
  it("reads a CPU's idle share from /proc/stat's line of that CPU (idle + iowait over all)", () => {
    // user nice system idle iowait irq softirq steal: +60 +0 +20 +100 +20 +0 +0 +0 = 200, idle 120.
    const before = 'cpu  100 0 50 1000 10 0 0 0\ncpu0 1 1 1 1 1 0 0 0\ncpu1 100 0 50 1000 10 0 0 0';
    const after = 'cpu  160 0 70 1100 30 0 0 0\ncpu0 2 2 2 2 2 0 0 0\ncpu1 190 0 60 1010 10 0 0 0';
    expect(idleShare(before, after)).toBeCloseTo(0.6, 12);
    // cpu1: +90 +0 +10 +10 +0 = 110, idle 10.
    expect(idleShare(before, after, 'cpu1')).toBeCloseTo(10 / 110, 12);
  });

  it("reads a counter's rate over a span from the first and last sample inside it", () => {
    const samples = [
      { atMs: 0, cpuS: 0 },
      { atMs: 1000, cpuS: 0.5 },
      { atMs: 2000, cpuS: 0.7 },
      { atMs: 3000, cpuS: 0.8 },
      { atMs: 4000, cpuS: 2 },
    ];
    expect(rateWithin(samples, 500, 3500)).toBeCloseTo(0.15, 12);
    expect(rateWithin(samples, 900, 1100)).toBeNull();
    expect(rateWithin([], 0, 10)).toBeNull();
  });
});
