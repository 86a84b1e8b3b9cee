import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MISSED_LISTED, nextSample, slotMs, type NextSample, type SchedulePlan, type ScheduleState } from '../../../client/schedule/plan.js';

const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);
const TEN_MIN = 600_000;

/**
 * Drives the plan over a fake clock the way the scheduler does: ask, wait until the start,
 * run a sample that lasts `durations[i]` ms, ask again. Returns every answer in order.
 */
function simulate(plan: SchedulePlan, durations: (i: number) => number, maxSteps = 10_000): { answers: NextSample[]; starts: number[] } {
  let now = plan.anchorMs;
  const state: ScheduleState = { samples: 0, lastSlot: null };
  const answers: NextSample[] = [];
  const starts: number[] = [];
  for (let step = 0; step < maxSteps; step++) {
    const next = nextSample(plan, state, now);
    answers.push(next);
    if (next.kind === 'done') return { answers, starts };
    now = Math.max(now, next.startMs);
    starts.push(now);
    state.samples++;
    state.lastSlot = next.slot;
    now += durations(state.samples - 1);
  }
  throw new Error('the plan never ended');
}

describe('schedule plan (fake clock)', () => {
  it('starts on the grid when samples fit their interval: --every 10m --count 6', () => {
    const plan: SchedulePlan = { anchorMs: T0, everyMs: TEN_MIN, count: 6, endMs: null };
    const { answers, starts } = simulate(plan, () => 20_000);
    expect(starts).toEqual([0, 1, 2, 3, 4, 5].map((k) => T0 + k * TEN_MIN));
    expect(answers.filter((a) => a.kind === 'sample').every((a) => a.kind === 'sample' && a.lateMs === 0 && a.missed.length === 0)).toBe(true);
    expect(answers.at(-1)).toEqual({ kind: 'done', missed: [] });
  });

  it('a sample that overruns makes the next start at once, late in the slot the clock is in, and names the slots it missed', () => {
    const plan: SchedulePlan = { anchorMs: T0, everyMs: TEN_MIN, count: null, endMs: null };
    // Sample 0 ends 5 s into slot 1: sample 1 starts at once, 5 s late, nothing missed.
    expect(nextSample(plan, { samples: 1, lastSlot: 0 }, T0 + TEN_MIN + 5_000)).toEqual({
      kind: 'sample',
      slot: 1,
      slotMs: T0 + TEN_MIN,
      startMs: T0 + TEN_MIN + 5_000,
      lateMs: 5_000,
      missed: [],
    });
    // Sample 0 ran 25 minutes: slots 1 is missed, sample 1 starts at once in slot 2, 5 min late.
    expect(nextSample(plan, { samples: 1, lastSlot: 0 }, T0 + 25 * 60_000)).toEqual({
      kind: 'sample',
      slot: 2,
      slotMs: T0 + 2 * TEN_MIN,
      startMs: T0 + 25 * 60_000,
      lateMs: 5 * 60_000,
      missed: [{ slot: 1, atMs: T0 + TEN_MIN }],
    });
    // Ending exactly on the next slot's start is on time.
    expect(nextSample(plan, { samples: 1, lastSlot: 0 }, T0 + TEN_MIN)).toMatchObject({ slot: 1, lateMs: 0, missed: [] });
    // Early: wait for the slot.
    expect(nextSample(plan, { samples: 1, lastSlot: 0 }, T0 + 30_000)).toMatchObject({ slot: 1, startMs: T0 + TEN_MIN, lateMs: 0 });
  });

  it('--count counts samples taken, not slots: missed slots do not use it up', () => {
    const plan: SchedulePlan = { anchorMs: T0, everyMs: 5_000, count: 6, endMs: null };
    // The third sample takes 17 s (three slots and a bit).
    const { answers, starts } = simulate(plan, (i) => (i === 2 ? 17_000 : 3_000));
    expect(starts).toHaveLength(6);
    const samples = answers.filter((a): a is Extract<NextSample, { kind: 'sample' }> => a.kind === 'sample');
    expect(samples.map((a) => a.slot)).toEqual([0, 1, 2, 5, 6, 7]);
    expect(samples[3]).toMatchObject({ slot: 5, lateMs: 2_000, missed: [{ slot: 3 }, { slot: 4 }] });
  });

  it('--for stops starting samples at the end; slots missed before the end are still named', () => {
    const plan: SchedulePlan = { anchorMs: T0, everyMs: TEN_MIN, count: null, endMs: T0 + 7 * 86_400_000 };
    const { starts } = simulate(plan, () => 20_000);
    // A week of 10-minute samples: 1,008 (Microsoft's "every 10 minutes for a week").
    expect(starts).toHaveLength(1008);
    expect(starts.at(-1)).toBe(T0 + 1007 * TEN_MIN);
    const short: SchedulePlan = { anchorMs: T0, everyMs: TEN_MIN, count: null, endMs: T0 + 30 * 60_000 };
    // Sample 1 (slot 1) runs 40 minutes, past the end: slot 2 is missed, then done.
    expect(nextSample(short, { samples: 2, lastSlot: 1 }, T0 + 50 * 60_000)).toEqual({ kind: 'done', missed: [{ slot: 2, atMs: T0 + 2 * TEN_MIN }] });
  });

  it('--until: a sample that would start after the end (its slot before it, the last one overran) is not started', () => {
    // The end falls between slots 2 and 3; sample 1 ran long: slot 2 began before the end, but now is 1.7 s past it.
    const end = T0 + 25 * 60_000;
    const plan: SchedulePlan = { anchorMs: T0, everyMs: TEN_MIN, count: null, endMs: end };
    expect(nextSample(plan, { samples: 2, lastSlot: 1 }, end + 1_700)).toEqual({ kind: 'done', missed: [{ slot: 2, atMs: T0 + 2 * TEN_MIN }] });
    // A moment before the end it still starts, late, in slot 2.
    expect(nextSample(plan, { samples: 2, lastSlot: 1 }, end - 1_000)).toMatchObject({ kind: 'sample', slot: 2, startMs: end - 1_000 });
  });

  it('never starts before its slot, never twice in a slot, never skips a slot without naming it (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5_000, max: 3_600_000 }),
        fc.array(fc.integer({ min: 0, max: 4 * 3_600_000 }), { minLength: 1, maxLength: 40 }),
        (everyMs, durations) => {
          const plan: SchedulePlan = { anchorMs: T0, everyMs, count: durations.length, endMs: null };
          const { answers, starts } = simulate(plan, (i) => durations[i] ?? 0);
          const samples = answers.filter((a): a is Extract<NextSample, { kind: 'sample' }> => a.kind === 'sample');
          expect(samples).toHaveLength(durations.length);
          const seen: number[] = [];
          samples.forEach((a, i) => {
            expect(starts[i]).toBeGreaterThanOrEqual(slotMs(plan, a.slot));
            expect(a.lateMs).toBe((starts[i] ?? 0) - a.slotMs);
            // Late only within its own slot.
            expect(a.lateMs).toBeLessThan(everyMs);
            // Beyond MISSED_LISTED, the rest of the missed slots (those just before this one) are counted, not listed.
            const counted = Array.from({ length: a.missedMore ?? 0 }, (_, k) => a.slot - (a.missedMore ?? 0) + k);
            expect(a.missed.length).toBeLessThanOrEqual(MISSED_LISTED);
            seen.push(...a.missed.map((m) => m.slot), ...counted, a.slot);
          });
          // Every slot up to the last sample's is either sampled or named missed, once.
          expect(seen).toEqual(Array.from({ length: (samples.at(-1)?.slot ?? 0) + 1 }, (_, k) => k));
        },
      ),
      { seed: 12, numRuns: 200 },
    );
  });
});
