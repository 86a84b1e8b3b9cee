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

/** What one answer of the plan says was missed: the slots listed (at most `MISSED_LISTED`), and how many more there were. */
interface Missed {
  missed: MissedSlot[];
  /** Missed slots beyond those listed (a scheduler down for long); absent when none. */
  missedMore?: number;
}

/** Missed slots listed one by one in one answer: a week of 10-minute slots; beyond, only counted. */
export const MISSED_LISTED = 1008;

export type NextSample =
  /** The next sample: in `slot`, which starts at `slotMs`; start it at `startMs` (now when late). */
  | ({ kind: 'sample'; slot: number; slotMs: number; startMs: number; lateMs: number } & Missed)
  /** No more samples (count reached, or the end of --for or --until); `missed` are the slots skipped before the end. */
  | ({ kind: 'done' } & Missed);

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
  const at = slotMs(plan, slot);
  const startMs = Math.max(at, nowMs);
  // The end is when a sample would start, not its slot: a late start past the end (an overrun) starts none.
  const over = plan.endMs !== null && startMs >= plan.endMs;
  // Slots before the end that passed without a sample (at the end, every slot before it): listed up to MISSED_LISTED, the rest counted.
  const endSlot = over && plan.endMs !== null ? Math.max(due, Math.ceil((plan.endMs - plan.anchorMs) / plan.everyMs)) : slot;
  const missed: MissedSlot[] = [];
  for (let s = due; s < endSlot && missed.length < MISSED_LISTED; s++) missed.push({ slot: s, atMs: slotMs(plan, s) });
  const more = endSlot - due - missed.length;
  const m: Missed = more > 0 ? { missed, missedMore: more } : { missed };
  if (over) return { kind: 'done', ...m };
  return { kind: 'sample', slot, slotMs: at, startMs, lateMs: startMs - at, ...m };
}

/** What makes a schedule the same one across restarts: where it sends, for which site, how often, until when. */
export interface ScheduleIdentity {
  /** The server's origin. */
  server: string;
  /** The site's canonical key (src/protocol/site-name.ts). */
  siteKey: string;
  everyMs: number;
  /** --for, or null. */
  forMs: number | null;
  /** --until, or null. */
  untilMs: number | null;
}

/** A schedule as kept in its spool folder between runs (./state.ts). */
export interface SavedSchedule extends ScheduleIdentity {
  /** The grid's origin: slot k starts at anchorMs + k * everyMs. */
  anchorMs: number;
  /** No slot starts at or after this (--until, or the first start + --for), or null. */
  endMs: number | null;
  /** The next slot not yet sampled nor named missed. */
  nextSlot: number;
  /** The slot whose sample was running when this was written (null between samples): a scheduler killed then took no sample in it. */
  runningSlot: number | null;
}

/** How a run continues the schedule kept in its spool folder, or starts one. */
export interface Resumed {
  saved: SavedSchedule;
  /** True when the saved schedule goes on (same identity), false when a new grid starts. */
  resumed: boolean;
  /** Why a saved schedule was not resumed (another server, site, interval or end), or null. */
  replaced: string | null;
}

function sameIdentity(a: ScheduleIdentity, b: ScheduleIdentity): string | null {
  if (a.server !== b.server) return `it was for ${a.server}`;
  if (a.siteKey !== b.siteKey) return `it was for the site "${a.siteKey}"`;
  if (a.everyMs !== b.everyMs) return `it sampled every ${a.everyMs} ms`;
  if (a.forMs !== b.forMs || a.untilMs !== b.untilMs) return 'it had another --for or --until';
  return null;
}

/**
 * The schedule a run follows: the saved one when the same command runs again (same server, site,
 * interval, --for and --until: after a crash, a kill -9 or a reboot), on its grid and towards its
 * end, else a new grid from `nowMs` (a --for ends that long after this first start).
 */
export function resumeSchedule(saved: SavedSchedule | null, want: ScheduleIdentity, nowMs: number): Resumed {
  const differs = saved === null ? null : sameIdentity(saved, want);
  if (saved !== null && differs === null) return { saved, resumed: true, replaced: null };
  const endMs = want.untilMs ?? (want.forMs === null ? null : nowMs + want.forMs);
  return { saved: { ...want, anchorMs: nowMs, endMs, nextSlot: 0, runningSlot: null }, resumed: false, replaced: differs };
}

/** Whether the schedule has reached its end: its next slot starts at or after endMs. */
export function scheduleOver(s: Pick<SavedSchedule, 'anchorMs' | 'everyMs' | 'endMs' | 'nextSlot'>): boolean {
  return s.endMs !== null && s.anchorMs + s.nextSlot * s.everyMs >= s.endMs;
}
