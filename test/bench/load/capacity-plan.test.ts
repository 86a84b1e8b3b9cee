/** The capacity bench's decisions (bench/load/capacity-plan.ts), on hand-made levels. */
import { describe, expect, it } from 'vitest';
import { bothCores, capacityPerCore, capPeriodUs, fractionResult, idleShare, levelOutcome, nextN, type LevelFacts } from '../../../bench/load/capacity-plan.js';

const facts = (f: Partial<LevelFacts>): LevelFacts => ({ n: 4, failures: [], refusedBusy: 0, clientTickFailures: 0, clientCores: 0.3, machineIdle: 0.5, ...f });

describe('the capacity ladder', () => {
  it('caps at a 10 ms period, and at the shortest period with a 1 ms quota below 10 % (20 ms for 5 %)', () => {
    expect([capPeriodUs(20), capPeriodUs(10), capPeriodUs(5), capPeriodUs(4)]).toEqual([10_000, 10_000, 20_000, 25_000]);
  });

  it('raises N by about 1.4x, at least by one', () => {
    const ladder = [1];
    while (ladder.length < 10) ladder.push(nextN(ladder.at(-1) ?? 1));
    expect(ladder).toEqual([1, 2, 3, 4, 6, 8, 11, 15, 21, 29]);
  });
});

describe('a level', () => {
  it('held when every test was within tolerance and none refused', () => {
    expect(levelOutcome(facts({}))).toBe('held');
  });

  it("is the server's limit when a test fell out or was refused as busy, the client and the machine with room", () => {
    expect(levelOutcome(facts({ failures: ['RTT p50 3 ms vs 1 ms unloaded'] }))).toBe('server-limit');
    expect(levelOutcome(facts({ refusedBusy: 1 }))).toBe('server-limit');
  });

  it('is client-limited when the client used 0.8 of a core, the machine had under 5 % idle, or every failure was the client’s ticks', () => {
    const failed = { failures: ['jitter 3 ms vs 1 ms unloaded'] };
    expect(levelOutcome(facts({ ...failed, clientCores: 0.8 }))).toBe('client-limited');
    expect(levelOutcome(facts({ ...failed, machineIdle: 0.04 }))).toBe('client-limited');
    expect(levelOutcome(facts({ failures: ['200 missed pacing ticks (client overloaded)'], clientTickFailures: 1 }))).toBe('client-limited');
  });
});

describe('a cap’s result and the capacity per core', () => {
  it('is the largest N held over the fraction, "too busy to measure" when none held, never a capacity when the client limited it', () => {
    const held = (n: number) => ({ n, outcome: 'held' as const });
    expect(fractionResult(10, [held(1), held(2), held(3), { n: 4, outcome: 'server-limit' }], 'max-n')).toEqual({
      kind: 'capacity',
      pctOfCore: 10,
      largestN: 3,
      perCore: 30,
    });
    expect(fractionResult(5, [{ n: 1, outcome: 'server-limit' }], 'max-n')).toMatchObject({ kind: 'too-busy' });
    expect(fractionResult(20, [held(1), { n: 2, outcome: 'client-limited' }], 'max-n')).toEqual({
      kind: 'not-reached',
      pctOfCore: 20,
      largestN: 1,
      why: 'client-limited',
    });
    expect(fractionResult(20, [held(1), held(2)], 'time')).toEqual({ kind: 'not-reached', pctOfCore: 20, largestN: 2, why: 'time' });
  });

  it('takes the median of the caps that measured one, and says whether they agree (within 1.5x)', () => {
    const cap = (pctOfCore: number, perCore: number) => ({ kind: 'capacity' as const, pctOfCore, largestN: 1, perCore });
    expect(capacityPerCore([cap(20, 40), cap(10, 50), cap(5, 60)])).toEqual({ perCore: 50, agree: true, spread: 1.5 });
    expect(capacityPerCore([cap(20, 40), cap(10, 70)])).toEqual({ perCore: 55, agree: false, spread: 1.75 });
    expect(capacityPerCore([cap(20, 40), { kind: 'too-busy', pctOfCore: 5, why: 'x' }])).toEqual({ perCore: 40, agree: null, spread: 1 });
    expect(capacityPerCore([])).toEqual({ perCore: null, agree: null, spread: null });
  });

  it('says whether 2 cores (200 %) hold 1.8x the tests of one (100 %), and nothing when either cap measured none', () => {
    const cap = (pctOfCore: number, largestN: number) => ({ kind: 'capacity' as const, pctOfCore, largestN, perCore: largestN / (pctOfCore / 100) });
    expect(bothCores([cap(100, 20), cap(200, 36)], 100)).toEqual({ ratio: 1.8, holds: true });
    expect(bothCores([cap(200, 35), cap(100, 20)], 100)).toEqual({ ratio: 1.75, holds: false });
    expect(bothCores([cap(100, 20), { kind: 'not-reached', pctOfCore: 200, largestN: 40, why: 'client-limited' }], 100)).toEqual({ ratio: null, holds: null });
    // Two cores of 20 % each: the result of 40 % of a core against 20 %.
    expect(bothCores([cap(20, 4), cap(40, 8)], 20)).toEqual({ ratio: 2, holds: true });
    expect(bothCores([cap(20, 4), cap(40, 6)], 20)).toEqual({ ratio: 1.5, holds: false });
    expect(bothCores([cap(20, 4), cap(10, 2)], 20)).toEqual({ ratio: null, holds: null });
  });

  it("reads the machine's idle share from /proc/stat's cpu line (idle + iowait over all)", () => {
    // user nice system idle iowait irq softirq steal: +60 +0 +20 +100 +20 +0 +0 +0 = 200, idle 120.
    expect(idleShare('cpu  100 0 50 1000 10 0 0 0\ncpu0 1', 'cpu  160 0 70 1100 30 0 0 0\ncpu0 2')).toBeCloseTo(0.6, 12);
  });
});
