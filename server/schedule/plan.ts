/**
 * When the samples of `callprobe run --every` start: a pure, clock-free plan (the caller
 * passes the time). Slots lie on a grid, slot k at `anchorMs + k * everyMs`, so a week of
 * samples stays on the same minutes of the hour. A sample that overruns its interval makes the
 * next one start at once, in the slot the clock is in; the slots it jumped over are missed
 * (no sample started in them) and the late start is recorded with how late it was.
 */

export interface SchedulePlan {
  /** The start of slot 0 (the first sample starts here). */
  anchorMs: number;
  everyMs: number;
  /** Stop after this many samples (--count), or null. */
  count: number | null;
  /** Start no sample at or after this time (--for: anchor + duration), or null. */
  endMs: number | null;
}

/** What has run so far. */
export interface ScheduleState {
  /** Samples started so far. */
  samples: number;
  /** The slot of the last sample, or null before the first. */
  lastSlot: number | null;
}

/** A slot that passed without a sample starting in it. */
export interface MissedSlot {
  slot: number;
  atMs: number;
}

export type NextSample =
  /** The next sample: in `slot`, which starts at `slotMs`; start it at `startMs` (now when late). */
  | { kind: 'sample'; slot: number; slotMs: number; startMs: number; lateMs: number; missed: MissedSlot[] }
  /** No more samples (count reached or --for over); `missed` are the slots skipped before the end. */
  | { kind: 'done'; missed: MissedSlot[] };

export function slotMs(plan: SchedulePlan, slot: number): number {
  return plan.anchorMs + slot * plan.everyMs;
}

/** The next sample after `state`, at `nowMs`. */
export function nextSample(plan: SchedulePlan, state: ScheduleState, nowMs: number): NextSample {
  if (plan.count !== null && state.samples >= plan.count) return { kind: 'done', missed: [] };
  const due = state.lastSlot === null ? 0 : state.lastSlot + 1;
  // The slot the clock is in (never before the one due).
  const current = Math.max(due, Math.floor((nowMs - plan.anchorMs) / plan.everyMs));
  const slot = nowMs <= slotMs(plan, due) ? due : current;
  const missed: MissedSlot[] = [];
  for (let s = due; s < slot; s++) {
    if (plan.endMs !== null && slotMs(plan, s) >= plan.endMs) break;
    missed.push({ slot: s, atMs: slotMs(plan, s) });
  }
  const at = slotMs(plan, slot);
  if (plan.endMs !== null && at >= plan.endMs) return { kind: 'done', missed };
  const startMs = Math.max(at, nowMs);
  return { kind: 'sample', slot, slotMs: at, startMs, lateMs: startMs - at, missed };
}
