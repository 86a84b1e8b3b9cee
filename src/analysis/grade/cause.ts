/**
 * Why a verdict is `insufficient`, as one code (`summary.insufficientCause`), read from the
 * grades that could not be judged, the suspect intervals' reasons and whose time the suspect
 * windows mostly were. Used by the analysis and, for reports written before the code existed,
 * by the migration (which has no attribution: `busy` null). Pure.
 *
 * Order: a test our side could not finish; then a test planned shorter than a grading window
 * (no quiet device or server could have answered it, and a longer test is what helps); then
 * evidence that was someone's time (the page in the background first, then this device or the
 * server, then a path change); then a channel that hid loss; then too few probes; then a window
 * not filled (a test of the window's length that ended a little early: this device's or the
 * server's time when it shows, else the length); then a target the rate or clock cannot resolve.
 */
import type { GradeEntry, InsufficientCause, Verdict } from '../schema/report-schema.js';

export interface CauseInput {
  verdict: Verdict;
  /** The test could not connect or lost its connection. */
  unfinished: boolean;
  grades: ReadonlyArray<Pick<GradeEntry, 'status' | 'reason'>>;
  /** The reasons of every direction's suspect intervals (repeats allowed). */
  suspectReasons: readonly string[];
  /** Whose time most suspect windows were (measure/attribution.ts); null when unknown or none. */
  busy: 'device-busy' | 'server-busy' | null;
  /** The test was planned shorter than its longest grading window (meta.durationS). */
  plannedShort: boolean;
}

/** Suspect reasons that are this device falling behind. */
const DEVICE_REASONS: ReadonlySet<string> = new Set(['sender-stall', 'sender-queue', 'receiver-stall']);

export function insufficientCause(input: CauseInput): InsufficientCause | null {
  if (input.verdict !== 'insufficient') return null;
  if (input.unfinished) return 'could-not-finish';
  const reasons = new Set(input.grades.filter((g) => g.status === 'insufficient').map((g) => g.reason));
  // A loss that failed partly past the relay, in our reflector (grade/witness-gap.ts): ours, said first.
  if (reasons.has('server-missed')) return 'server-missed';
  const tooShort = reasons.has('window-not-filled');
  if (input.plannedShort && tooShort && !reasons.has('no-data') && !reasons.has('too-few-packets')) return 'too-short';
  if (reasons.has('device-busy') || reasons.has('server-busy') || reasons.has('suspect-windows')) {
    if (input.suspectReasons.includes('page-hidden')) return 'page-hidden';
    if (input.busy !== null) return input.busy;
    if (reasons.has('device-busy')) return 'device-busy';
    if (reasons.has('server-busy')) return 'server-busy';
    if (input.suspectReasons.some((r) => DEVICE_REASONS.has(r))) return 'device-busy';
    if (input.suspectReasons.includes('path-change')) return 'path-changed';
  }
  if (reasons.has('reliable-channel')) return 'reliable-channel';
  if (reasons.has('no-data') || reasons.has('too-few-packets')) return 'too-few-probes';
  // A window not filled in a test planned long enough to fill it: its sender fell short of the
  // schedule. Where someone's time shows, that is why, not the test's length (every other grade
  // may have passed on its bounds).
  if (tooShort && !input.plannedShort) {
    if (input.suspectReasons.includes('page-hidden')) return 'page-hidden';
    if (input.busy !== null) return input.busy;
    if (input.suspectReasons.some((r) => DEVICE_REASONS.has(r))) return 'device-busy';
  }
  if (tooShort) return 'too-short';
  if (reasons.has('not-resolvable')) return 'not-resolvable';
  return 'too-few-probes';
}
