/**
 * Grading a busy line: the bufferbloat grade of the added delay, the profile's targets over
 * each loaded direction's working window, whether the load harms a call and how, and the room
 * the line has for a call's media. Facts only; the words are in present/load.ts.
 */
import type { BloatGrade, LoadTarget } from '../schema/load-schema.js';
import type { LoadStop } from '../schema/load-input.js';
import { TARGET_LABELS, type TargetThresholds } from './targets.js';

/**
 * DSLReports, "Bufferbloat Grades" (dslreports.com/faq/17930), the scale the Waveform
 * bufferbloat test uses too: the increase of round-trip delay when the connection is fully
 * used. A+ under 5 ms, A under 30, B under 60, C under 200, D under 400, F at 400 or more.
 * callprobe grades each direction's added one-way delay by it (DSLReports averages the two).
 */
const BLOAT_GRADES: ReadonlyArray<{ grade: BloatGrade; belowMs: number }> = [
  { grade: 'A+', belowMs: 5 },
  { grade: 'A', belowMs: 30 },
  { grade: 'B', belowMs: 60 },
  { grade: 'C', belowMs: 200 },
  { grade: 'D', belowMs: 400 },
];
export const BLOAT_GRADE_SOURCE =
  'DSLReports, "Bufferbloat Grades" (dslreports.com/faq/17930), also used by the Waveform bufferbloat test: A+ < 5 ms, A < 30 ms, B < 60 ms, C < 200 ms, D < 400 ms, F >= 400 ms of added delay';

export function bloatGrade(addedDelayMs: number | null): BloatGrade | null {
  if (addedDelayMs === null || !Number.isFinite(addedDelayMs)) return null;
  return BLOAT_GRADES.find((g) => addedDelayMs < g.belowMs)?.grade ?? 'F';
}

/**
 * Added delay at which a busy line harms a call: grade C or worse. From 60 ms on, the delay
 * the load adds alone is more than the client-to-edge one-way latency target (50 ms) and more
 * than half its round-trip target (100 ms): a conversation starts to talk over itself.
 */
export const HARMFUL_ADDED_DELAY_MS = 60;

/** What one loaded direction measured, as the grader reads it. */
export interface LoadedDirectionFacts {
  direction: 'up' | 'down';
  stop: LoadStop;
  saturated: boolean;
  goodputBitsPerS: number | null;
  addedDelayMs: number | null;
  loadedRttMs: number | null;
  jitterMs: number | null;
  lossPct: number | null;
  burstLossPctMax200ms: number | null;
  /** Probes left after the suspect ones were removed, and how many were suspect. */
  probesJudged: number;
  probesSuspect: number;
}

/** Fewer probes than this in a working window cannot judge it (a 4 s window holds 400 at 100/s). */
const MIN_LOADED_PROBES = 20;

/** A direction's evidence is the device's, not the line's, when more than this share of its probes was suspect. */
const DEVICE_BUSY_SUSPECT_SHARE = 0.5;

export function deviceBusy(f: Pick<LoadedDirectionFacts, 'probesJudged' | 'probesSuspect'>): boolean {
  const all = f.probesJudged + f.probesSuspect;
  return all > 0 && f.probesSuspect / all > DEVICE_BUSY_SUSPECT_SHARE;
}

/** Too few probes in the working window to judge harm (a direction the budget ended in a blink). */
export function tooFewProbes(f: Pick<LoadedDirectionFacts, 'probesJudged'>): boolean {
  return f.probesJudged < MIN_LOADED_PROBES;
}

/** The profile's targets over a loaded direction's working window (the 15 s targets over a shorter window: marked by the label). */
export function loadTargets(f: LoadedDirectionFacts, t: TargetThresholds): LoadTarget[] {
  const judge = (value: number | null, threshold: number): LoadTarget['status'] =>
    value === null || f.probesJudged < MIN_LOADED_PROBES ? 'insufficient' : value < threshold ? 'pass' : 'fail';
  return [
    { target: 'latency-rtt', label: TARGET_LABELS['latency-rtt'], value: f.loadedRttMs, unit: 'ms', threshold: t.rttMs, status: judge(f.loadedRttMs, t.rttMs) },
    { target: 'loss-15s', label: 'Packet loss (working window)', value: f.lossPct, unit: '%', threshold: t.lossPct, status: judge(f.lossPct, t.lossPct) },
    {
      target: 'burst-loss-200ms',
      label: TARGET_LABELS['burst-loss-200ms'],
      value: f.burstLossPctMax200ms,
      unit: '%',
      threshold: t.burstLossPct,
      status: judge(f.burstLossPctMax200ms, t.burstLossPct),
    },
    { target: 'jitter-15s', label: 'Jitter (working window)', value: f.jitterMs, unit: 'ms', threshold: t.jitterMs, status: judge(f.jitterMs, t.jitterMs) },
  ];
}

/** How a loaded direction harms a call, if it does: delay (grade C or worse), loss, jitter. */
export interface LoadHarm {
  direction: 'up' | 'down';
  delay: boolean;
  loss: boolean;
  jitter: boolean;
}

export function harmOf(f: LoadedDirectionFacts, t: TargetThresholds): LoadHarm | null {
  if (deviceBusy(f) || tooFewProbes(f)) return null;
  const delay = f.addedDelayMs !== null && f.addedDelayMs >= HARMFUL_ADDED_DELAY_MS;
  const loss = (f.lossPct !== null && f.lossPct >= t.lossPct) || (f.burstLossPctMax200ms !== null && f.burstLossPctMax200ms >= t.burstLossPct);
  const jitter = f.jitterMs !== null && f.jitterMs >= t.jitterMs;
  return delay || loss || jitter ? { direction: f.direction, delay, loss, jitter } : null;
}

export type LoadVerdictKind = 'suffers' | 'no-effect' | 'could-not-load';

/**
 * The verdict's kind: any harm is `suffers` (even on a line not filled: what was seen is real);
 * no harm with both directions saturated is `no-effect`; no harm on a line not filled (the time
 * cap or the budget came first, or the flows failed) is `could-not-load`, never a pass. Null
 * when a direction's evidence is this device's (it could not keep up) and nothing was harmed
 * elsewhere: neither "could not load the line" nor the network's fault.
 */
export function loadVerdictKind(facts: readonly LoadedDirectionFacts[], t: TargetThresholds): LoadVerdictKind | null {
  if (facts.some((f) => harmOf(f, t) !== null)) return 'suffers';
  if (facts.length === 0 || facts.some(deviceBusy)) return null;
  return facts.length === 2 && facts.every((f) => f.saturated) ? 'no-effect' : 'could-not-load';
}

/**
 * Microsoft, "Prepare your organization's network for Microsoft Teams", section "Bandwidth
 * requirements": the per-user table, "Recommended" column, one-to-one rows (kbit/s up/down).
 */
export const TEAMS_BANDWIDTH_SOURCE =
  'Microsoft, "Prepare your organization\'s network for Microsoft Teams", section "Bandwidth requirements": recommended bitrates of a one-to-one call';
export const TEAMS_RECOMMENDED_KBPS: ReadonlyArray<{ use: 'audio' | 'video' | 'screen-sharing'; label: string; upKbps: number; downKbps: number }> = [
  { use: 'audio', label: 'audio', upKbps: 58, downKbps: 58 },
  { use: 'video', label: 'HD video', upKbps: 1500, downKbps: 1500 },
  { use: 'screen-sharing', label: 'screen sharing', upKbps: 1500, downKbps: 1500 },
];

/**
 * Room for one use: yes when the goodput measured in both directions reaches Microsoft's
 * recommended bitrate, no when a saturated direction (the line's real capacity) falls short,
 * unknown when a direction was not measured. An unsaturated direction's goodput is a floor:
 * enough is enough, short says nothing.
 */
export function roomFor(
  need: { upKbps: number; downKbps: number },
  up: LoadedDirectionFacts | null,
  down: LoadedDirectionFacts | null,
): 'yes' | 'no' | 'unknown' {
  const one = (f: LoadedDirectionFacts | null, kbps: number): 'yes' | 'no' | 'unknown' => {
    if (f === null || f.goodputBitsPerS === null) return 'unknown';
    if (f.goodputBitsPerS >= kbps * 1000) return 'yes';
    return f.saturated ? 'no' : 'unknown';
  };
  const u = one(up, need.upKbps);
  const d = one(down, need.downKbps);
  return u === 'no' || d === 'no' ? 'no' : u === 'yes' && d === 'yes' ? 'yes' : 'unknown';
}
