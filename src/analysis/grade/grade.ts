/**
 * Grade a test against its profile: one entry per target (and per direction for loss,
 * burst loss, jitter and reorder), then the verdict.
 *
 * Rules (strict "<": value < threshold passes, value >= threshold fails):
 * - Latency: the RTT p50 of the test is its one "measurement" in the documents' sense;
 *   one-way latency is graded as RTT p50 / 2. Round trips sent during a suspect interval, or
 *   within the test's 90th-percentile round trip before one, are left out (by send time alone,
 *   so the median stays unbiased: measure/rtt.ts). Fewer than MIN_RTT_SAMPLES samples -> insufficient
 *   ('suspect-windows' when enough came back but the suspect time left too few).
 * - Burst loss / loss / jitter: the worst evaluable window over send time. A window
 *   touching a suspect interval cannot be the basis of a pass: fail if a clean window
 *   fails, otherwise insufficient when any evaluable window is suspect. With attribution, a
 *   pass may rest on time that can only have made the window worse (measure/direction.ts
 *   passBasis): the views' time, and for down loss the page's own (it only receives there).
 *   Loss windows touching the page's own time pass where they meet the target even with every
 *   probe missing from their schedule counted lost (measure/windows.ts: Upper bound); jitter
 *   windows touching it pass where the most jitter the network can have given there meets the
 *   target (measure/windows.ts: Upper bound, jitter): a busy device only adds to a probe's delay.
 * - Resolution: at R probes/s a window of W ms holds R*W/1000 probes, so one loss moves
 *   the ratio by 100 / (R*W/1000) %. A ratio target whose resolution is >= its threshold
 *   is not resolvable at that rate: insufficient, with the rate that would resolve it.
 * - Reorder: over the whole test per direction. Its resolution is 100 / packets. With no
 *   out-of-order packet it passes on its point estimate and states its 95 % upper bound;
 *   when the test is too short to resolve the target (resolution >= threshold) and some
 *   packets were reordered, it fails only if the 95 % lower bound is already at or above
 *   the threshold, otherwise it is insufficient (too few packets).
 * - A probe channel that was ordered or retransmitted hides loss and distorts jitter and
 *   reorder: those targets are insufficient.
 * - Attribution (measure/attribution.ts), when the analysis gives it: a window touching this
 *   device's or the server's time is suspect like any other, so a target fails only on the
 *   network's windows. Two exceptions and two more rules:
 *   - Up loss (loss, burst loss) in this device's time still fails where the page's sender kept
 *     its schedule (the device was busy receiving, or in the other direction): the page sent the
 *     probe on time and the server never received it, so it was lost on the path. Not where the
 *     sender itself stalled, queued or was hidden (the probe may never have left this device),
 *     nor in the server's time (a busy server can drop at its own socket), nor for down loss or
 *     jitter (report/attribution.ts).
 *   - Latency fails only when the clean round trips are at least half of those that came back,
 *     and when no round trip of the browser's network thread (the ICE or RTCP median) contradicts
 *     it: below the threshold and below the probes' p50 by more than 5 ms + 25 % (the second
 *     opinion's tolerance, grade/second-opinion.ts). Otherwise insufficient: device-busy or server-busy.
 *   - Latency passes, in a mostly suspect test or on fewer than half its round trips clean, only
 *     where the median of every round trip that came back is below the threshold too: the clean
 *     moments of such a test may be the path's quiet ones. Otherwise insufficient, the same way.
 *   - Mostly suspect (more than half the evaluable 200 ms windows of all directions were the
 *     device's or the server's): nothing fails but that proven up loss; what would have failed, and
 *     every suspect window grade, is insufficient with whose time it was.
 *   - A loss window touching suspect time still fails when its probes lost outside that time
 *     alone reach the target, every probe sent in it counted as arrived (measure/windows.ts:
 *     Lower bound): a one-second stall no longer leaves a 15 s test's loss ungraded. For up loss
 *     the suspect time is the proven scan's; otherwise not in a mostly suspect test.
 * - Clock: delay figures (round trip, one-way, jitter) are differences of times read from the
 *   browser's clock, uncertain by its step (1 ms in some browsers, W3C High Resolution Time
 *   §7.1). A value within one step of its threshold cannot be told apart from it:
 *   insufficient ('not-resolvable'), with the step as the grade's resolution.
 *
 * Grading returns data only: each result carries the facts its sentence is built from
 * (src/analysis/present/sentences.ts); analyze() joins the two into the report's entries.
 */
import { excusedMs } from '../measure/attribution.js';
import { clopperPearson } from '../measure/confidence.js';
import type { DirectionAnalysis } from '../measure/direction.js';
import type { SuspectInterval } from '../measure/records.js';
import type { RoundTripAnalysis } from '../measure/rtt.js';
import type { WindowScan, WindowStat } from '../measure/windows.js';
import type { Confidence, DirectionName, GradeEntry, InsufficientReason, TargetId, Verdict } from '../schema/report-schema.js';
import { delayResolutionMs, rateNeeded, windowResolutionPct } from './resolution.js';
import { statsToleranceMs } from './second-opinion.js';
import { BURST_WINDOW_MS, type ResolvedProfile, SUSTAINED_WINDOW_MS, TARGET_LABELS } from './targets.js';

/** Fewest round-trip samples a latency grade rests on. */
export const MIN_RTT_SAMPLES = 20;

export interface GradedDirection {
  name: DirectionName;
  analysis: DirectionAnalysis;
}

export interface GradingInput {
  profile: ResolvedProfile;
  ratePps: number;
  directions: readonly GradedDirection[];
  roundTrip: RoundTripAnalysis;
  /** True when the probe channel really was unordered with maxRetransmits 0 (loss visible). */
  channelOk: boolean;
  /** The step of the clock the probe times were read from, ms; null when unknown. */
  clockResolutionMs?: number | null;
  /** Whose time the windows were (measure/attribution.ts); absent: the rules without it. */
  attribution?: AttributionFacts | null;
}

/** Whose time the suspect evidence mostly was. */
export type BusyReason = 'device-busy' | 'server-busy';

/** What grading reads of the attribution (measure/attribution.ts). */
export interface AttributionFacts {
  /** More than half the evaluable 200 ms windows of all directions were the device's or the server's. */
  mostlySuspect: boolean;
  /** Whose time most suspect windows were (the device's on a tie or when none was). */
  busy: BusyReason;
  /** The network thread's round trip medians (ICE, RTCP) on the probes' scale, ms; null when not read. */
  networkRttMs: { ice: number | null; rtcp: number | null };
  /**
   * The largest lateness of the device's or the server's time (measure/attribution.ts), what the
   * latency's excuse by size reads; null (or absent) without such time, or where some of it carries
   * no lateness (a hidden page, the sender's own queue).
   */
  lateMsMax?: number | null;
}

export type SuspectReason = SuspectInterval['reason'];

/** What a latency grade rests on. */
export interface LatencyFacts {
  kind: 'latency';
  /** Graded as half the median round trip. */
  oneWay: boolean;
  /** Round trips the grade rests on (0 when none came back). */
  samples: number;
  /** Round trips measured but left out: sent while the evidence was suspect, or within the horizon before (measure/rtt.ts). */
  leftOut: number;
  /** Fewest round trips a latency grade rests on. */
  minSamples: number;
  /** Why a latency was not graded (attribution): a fail on too few clean round trips, in a mostly suspect test, or against the network thread's round trip; or a pass every round trip does not confirm. */
  notGraded?:
    | { kind: 'few-clean' }
    | { kind: 'mostly-suspect' }
    | { kind: 'network-thread'; source: 'ice-rtt' | 'rtcp-rtt'; rttMs: number }
    /**
     * A pass on the clean round trips of a mostly suspect test, or on fewer than half clean, that
     * the median of every round trip that came back (`allRttMsP50`, ms) does not confirm.
     */
    | { kind: 'pass-unconfirmed'; basis: 'mostly-suspect' | 'few-clean'; allRttMsP50: number };
  /**
   * A fail graded on every round trip that came back, since the device's or the server's time
   * cannot explain it (latencyBySize): the most that time excuses (ms), and the network thread's
   * round trip that shows the line's delay.
   */
  bySize?: { excusedMs: number; source: 'ice-rtt' | 'rtcp-rtt'; rttMs: number };
}

/** What a worst-window grade (burst loss, loss, jitter) rests on. */
export interface WindowFacts {
  kind: 'window';
  metric: 'burst-loss' | 'loss' | 'jitter';
  windowMs: number;
  ratePps: number;
  /** Ratio targets: the lowest probe rate whose window resolution is finer than the target. */
  rateNeeded: number | null;
  /** How long the direction sent probes: first send to last send plus one interval. */
  ranMs: number;
  /** Windows that could be graded, and how many of them touch a suspect interval. */
  evaluableWindows: number;
  suspectWindows: number;
  /** Why the evidence was suspect: each reason once, in the order the intervals came. */
  suspectReasons: SuspectReason[];
  /**
   * The window a pass or fail describes (the worst clean one). `fromMs` is its start from the
   * direction's first probe, negative for a window that ends at a probe's send time.
   */
  window: { fromMs: number; packets: number; lost: number } | null;
  /** Up loss in this device's time that the server proves was lost on the path. */
  provenOnBusyDevice?: boolean;
  /** Up loss withdrawn as this device's: the share (percentage points) of the probes that never left it (grade/witness-gap.ts). */
  unsentPct?: number;
  /**
   * A grade resting on a bound of a window touching suspect time (measure/windows.ts), `window`
   * being what it measured: 'at-least', a fail on the probes lost outside that time alone;
   * 'at-most', a pass with every probe missing from its schedule counted lost. `lost` of
   * `packets` is the bound's count, `valuePct` the bound. 'jitter-at-most': a jitter pass on the
   * most the network can have given in the window, `valueMs` (measure/windows.ts: Upper bound,
   * jitter), the window's `value` being the jitter measured.
   */
  bound?: { kind: 'at-least' | 'at-most'; lost: number; packets: number; valuePct: number } | { kind: 'jitter-at-most'; valueMs: number };
  /** A window that would have failed in a mostly suspect test (attribution), not graded. */
  mostlySuspect?: boolean;
}

/** What a reorder grade rests on. */
export interface ReorderFacts {
  kind: 'reorder';
  packets: number;
  reordered: number;
  /** A test needs more probes than this per direction to resolve the target. */
  probesToResolve: number;
}

type GradeFacts = LatencyFacts | WindowFacts | ReorderFacts;

/** One graded target: the report's entry without its words, and the facts they are built from. */
export type GradeResult = Omit<GradeEntry, 'statistic' | 'sentence'> & { facts: GradeFacts };

type Base = Pick<GradeResult, 'target' | 'label' | 'direction' | 'unit' | 'threshold' | 'comparator'>;

const NO_CONFIDENCE = (packets: number): Confidence => ({
  method: 'none',
  packetsEvaluated: packets,
  events: null,
  lowerPct: null,
  upperPct: null,
});

function ratioConfidence(events: number, packets: number): Confidence {
  if (packets <= 0) return NO_CONFIDENCE(0);
  const ci = clopperPearson(events, packets);
  return {
    method: 'clopper-pearson-95-two-sided',
    packetsEvaluated: packets,
    events,
    lowerPct: ci.lower * 100,
    upperPct: ci.upper * 100,
  };
}

function durationMs(a: DirectionAnalysis): number {
  const c = a.classified;
  if (c.n === 0) return 0;
  return (c.sendMs[c.n - 1] ?? 0) - (c.sendMs[0] ?? 0) + a.intervalMs;
}

/** Each comparator's rule: whether a value meets its threshold. */
const MEETS: Record<GradeEntry['comparator'], (value: number, threshold: number) => boolean> = { '<': (value, threshold) => value < threshold };

/**
 * The status a graded value earns against its threshold, by its comparator (module comment:
 * strict "<"): what every pass and fail here is, and what the upload door grades again
 * (report/consistency.ts). A pass on a bound shows a measured value within it (measure/windows.ts):
 * the rule holds there too.
 */
export function statusOf(value: number, comparator: GradeEntry['comparator'], threshold: number): 'pass' | 'fail' {
  return MEETS[comparator](value, threshold) ? 'pass' : 'fail';
}

function entry(target: TargetId, direction: GradeEntry['direction'], unit: '%' | 'ms', threshold: number): Base {
  return { target, label: TARGET_LABELS[target], direction, unit, threshold, comparator: '<' };
}

function insufficient(
  base: Base,
  reason: InsufficientReason,
  facts: GradeFacts,
  extra: Partial<Pick<GradeEntry, 'value' | 'worstWindow' | 'resolution' | 'confidence'>> = {},
): GradeResult {
  return {
    ...base,
    value: extra.value ?? null,
    worstWindow: extra.worstWindow ?? null,
    status: 'insufficient',
    reason,
    resolution: extra.resolution ?? null,
    confidence: extra.confidence ?? NO_CONFIDENCE(0),
    facts,
  };
}

function gradeLatency(input: GradingInput, oneWay: boolean): GradeResult {
  const t = input.profile.targets;
  const threshold = oneWay ? t.oneWayLatencyMs : t.rttMs;
  const base = entry(oneWay ? 'latency-one-way' : 'latency-rtt', 'round-trip', 'ms', threshold);
  const rt = input.roundTrip;
  const d = rt.gradedRttMs;
  const samples = d?.count ?? 0;
  const facts: LatencyFacts = { kind: 'latency', oneWay, samples, leftOut: Math.max(0, (rt.rttMs?.count ?? 0) - samples), minSamples: MIN_RTT_SAMPLES };
  // Too few round trips only because those of suspect time were left out: the suspect time is why.
  const shortBySuspect = samples < MIN_RTT_SAMPLES && (rt.rttMs?.count ?? 0) >= MIN_RTT_SAMPLES;
  const resolution = delayResolutionMs(input.clockResolutionMs ?? null, oneWay);
  // The device's or the server's time left out no more than its size: a fail it cannot explain is the line's.
  const bySize = latencyBySize(input, oneWay ? threshold * 2 : threshold);
  const sizedFail = (): GradeResult => {
    const all = rt.rttMs?.count ?? 0;
    const allValue = oneWay ? (bySize?.allRttMsP50 ?? 0) / 2 : (bySize?.allRttMsP50 ?? 0);
    const sized = { ...facts, samples: all, leftOut: 0, ...(bySize === null ? {} : { bySize: bySize.facts }) };
    return { ...base, value: allValue, worstWindow: null, status: 'fail', reason: null, resolution, confidence: NO_CONFIDENCE(all), facts: sized };
  };
  if (d === null || d.count === 0) return bySize !== null ? sizedFail() : insufficient(base, shortBySuspect ? 'suspect-windows' : 'no-data', facts);
  const value = oneWay ? d.p50 / 2 : d.p50;
  if (d.count < MIN_RTT_SAMPLES) {
    if (bySize !== null) return sizedFail();
    return insufficient(base, shortBySuspect ? 'suspect-windows' : 'too-few-packets', facts, { value, resolution, confidence: NO_CONFIDENCE(d.count) });
  }
  if (withinOneStep(value, threshold, resolution)) {
    return insufficient(base, 'not-resolvable', facts, { value, resolution, confidence: NO_CONFIDENCE(d.count) });
  }
  const att = input.attribution ?? null;
  if (att !== null) {
    const rttThreshold = oneWay ? threshold * 2 : threshold;
    const notGraded =
      value >= threshold
        ? latencyNotGraded(att, d.p50, rttThreshold, samples, rt.rttMs?.count ?? 0)
        : latencyPassUnconfirmed(att, rt.rttMs?.p50 ?? d.p50, rttThreshold, samples, rt.rttMs?.count ?? 0);
    // The network thread contradicting the fail stands; being the device's or the server's time excuses only its size.
    if (notGraded !== null && notGraded !== undefined && notGraded.kind !== 'network-thread' && bySize !== null) return sizedFail();
    if (notGraded !== null) return insufficient(base, att.busy, { ...facts, notGraded }, { value, resolution, confidence: NO_CONFIDENCE(d.count) });
  }
  return {
    ...base,
    value,
    worstWindow: null,
    status: statusOf(value, base.comparator, threshold),
    reason: null,
    resolution,
    confidence: NO_CONFIDENCE(d.count),
    facts,
  };
}

/**
 * The excuse by size for latency (measure/attribution.ts excusedMs): the median of every round
 * trip that came back, less what the largest lateness of the device's or the server's time can
 * explain, is still at or over the limit, and the network thread's own round trip (the ICE or
 * RTCP median, outside the page) is at or over it too. Then the round trips left out as their
 * time were the line's all the same, and latency is graded a fail on all of them. Null otherwise
 * (no such time, time that carries no lateness, too few round trips, or no view of the line).
 * `rttThreshold` is on the round-trip scale.
 */
function latencyBySize(input: GradingInput, rttThreshold: number): { allRttMsP50: number; facts: NonNullable<LatencyFacts['bySize']> } | null {
  const att = input.attribution ?? null;
  const late = att?.lateMsMax ?? null;
  const all = input.roundTrip.rttMs;
  if (att === null || late === null || all === null || all.count < MIN_RTT_SAMPLES) return null;
  const excused = excusedMs(late);
  if (all.p50 - excused < rttThreshold) return null;
  for (const [source, rttMs] of [
    ['ice-rtt', att.networkRttMs.ice],
    ['rtcp-rtt', att.networkRttMs.rtcp],
  ] as const) {
    if (rttMs !== null && rttMs >= rttThreshold) return { allRttMsP50: all.p50, facts: { excusedMs: excused, source, rttMs } };
  }
  return null;
}

/**
 * Why a failing latency is not graded (module comment: Attribution), or null. `rttThreshold` is
 * the target on the round-trip scale (twice the one-way target).
 */
function latencyNotGraded(att: AttributionFacts, p50: number, rttThreshold: number, clean: number, measured: number): LatencyFacts['notGraded'] | null {
  if (att.mostlySuspect) return { kind: 'mostly-suspect' };
  if (clean * 2 < measured) return { kind: 'few-clean' };
  for (const [source, rttMs] of [
    ['ice-rtt', att.networkRttMs.ice],
    ['rtcp-rtt', att.networkRttMs.rtcp],
  ] as const) {
    if (rttMs !== null && rttMs < rttThreshold && rttMs < p50 - statsToleranceMs(p50)) return { kind: 'network-thread', source, rttMs };
  }
  return null;
}

/**
 * Why a passing latency is not graded (module comment: Attribution), or null. When most of the
 * test was suspect, or fewer than half the round trips were clean, the clean ones are a choice
 * of moments, and not a fair one when what made the rest suspect came with the path's own
 * delay: a data channel's congestion control queues and drops probes at the sender exactly
 * while a bottleneck's queue is full, so its clean round trips are those of the empty queue.
 * Such a pass stands only where the median of every round trip that came back passes too: a
 * suspect round trip only adds this device's or the server's delay to the path's, so that
 * median cannot be lower than the path's. The network thread's round trips (ICE, RTCP) do not
 * confirm a pass: they are few, read every few seconds, and need not cross the probes' queue
 * (a 190 kbit/s bottleneck test read ICE at 27 ms while the probes' path held 120 ms).
 * `allP50` and `rttThreshold` are on the round-trip scale.
 */
function latencyPassUnconfirmed(
  att: AttributionFacts,
  allP50: number,
  rttThreshold: number,
  clean: number,
  measured: number,
): LatencyFacts['notGraded'] | null {
  if (!att.mostlySuspect && clean * 2 >= measured) return null;
  if (allP50 < rttThreshold) return null;
  return { kind: 'pass-unconfirmed', basis: att.mostlySuspect ? 'mostly-suspect' : 'few-clean', allRttMsP50: allP50 };
}

/** Whether a delay value read from a clock of this step cannot be told apart from its threshold. */
function withinOneStep(value: number, threshold: number, stepMs: number | null): boolean {
  return stepMs !== null && Math.abs(value - threshold) < stepMs;
}

/** Each suspect reason of a direction once, in the order its intervals came. */
function suspectReasons(a: DirectionAnalysis): SuspectReason[] {
  return [...new Set(a.suspect.map((s) => s.reason))];
}

/** A window as reported: start in ms from the direction's first probe (never before it). */
function windowOut(w: WindowStat, a: DirectionAnalysis): NonNullable<GradeEntry['worstWindow']> {
  return { startMs: Math.max(0, w.startMs - (a.originMs ?? 0)), packets: w.packets, suspect: w.suspect };
}

interface WindowGradeSpec {
  target: 'burst-loss-200ms' | 'loss-15s' | 'jitter-15s';
  windowMs: number;
  threshold: number;
  scan: WindowScan;
  /** Up loss with attribution: the scan where only the time loss is not proven the path's is suspect. */
  proven?: WindowScan | undefined;
  /** With attribution: the scan where only the page's own suspect intervals are suspect (a pass may rest on it). */
  passBasis?: WindowScan | undefined;
  /** Ratio targets have a resolution; jitter does not. */
  ratio: boolean;
}

const WINDOW_METRIC: Record<WindowGradeSpec['target'], WindowFacts['metric']> = {
  'burst-loss-200ms': 'burst-loss',
  'loss-15s': 'loss',
  'jitter-15s': 'jitter',
};

function gradeWindow(input: GradingInput, dir: GradedDirection, spec: WindowGradeSpec): GradeResult {
  const a = dir.analysis;
  const base = entry(spec.target, dir.name, spec.ratio ? '%' : 'ms', spec.threshold);
  const resolution = spec.ratio ? windowResolutionPct(input.ratePps, spec.windowMs) : delayResolutionMs(input.clockResolutionMs ?? null, false);
  const shown = spec.scan.worstClean ?? spec.scan.worstAny;
  const valueOf = (w: WindowStat | null): number | null => (w === null ? null : w.value);
  const confOf = (w: WindowStat | null): Confidence =>
    w === null ? NO_CONFIDENCE(0) : spec.ratio ? ratioConfidence(w.lost, w.packets) : NO_CONFIDENCE(w.received);
  const facts = (w: WindowStat | null = null): WindowFacts => ({
    kind: 'window',
    metric: WINDOW_METRIC[spec.target],
    windowMs: spec.windowMs,
    ratePps: input.ratePps,
    rateNeeded: spec.ratio ? rateNeeded(spec.windowMs, spec.threshold) : null,
    ranMs: durationMs(a),
    evaluableWindows: spec.scan.evaluable,
    suspectWindows: spec.scan.evaluableSuspect,
    suspectReasons: suspectReasons(a),
    window: w === null ? null : { fromMs: w.startMs - (a.originMs ?? 0), packets: w.packets, lost: w.lost },
  });

  if (!input.channelOk) return insufficient(base, 'reliable-channel', facts(), { resolution });
  if (a.classified.n === 0) return insufficient(base, 'no-data', facts(), { resolution });
  if (resolution !== null && (resolution >= spec.threshold || (!spec.ratio && shown !== null && withinOneStep(shown.value, spec.threshold, resolution)))) {
    return insufficient(base, 'not-resolvable', facts(), {
      value: valueOf(shown),
      worstWindow: shown === null ? null : windowOut(shown, a),
      resolution,
      confidence: confOf(shown),
    });
  }
  if (spec.scan.evaluable === 0) return insufficient(base, 'window-not-filled', facts(), { resolution });
  const att = input.attribution ?? null;
  const mostly = att?.mostlySuspect === true;
  const failing = (w: WindowStat | null | undefined): w is WindowStat => w !== null && w !== undefined && w.value >= spec.threshold;
  const fail = (w: WindowStat, extra: Partial<WindowFacts> = {}): GradeResult => ({
    ...base,
    value: w.value,
    worstWindow: windowOut(w, a),
    status: 'fail',
    reason: null,
    resolution,
    confidence: confOf(w),
    facts: { ...facts(w), ...extra },
  });
  // A grade on a bound: the value and window as measured, the bound in the facts; the confidence
  // is the bound's (a fail's lower end, a pass's upper end, each on the safe side).
  const onBound = (status: 'pass' | 'fail', kind: 'at-least' | 'at-most', b: WindowStat): GradeResult => {
    const m = b.measured ?? { packets: b.packets, lost: b.lost };
    if (!spec.ratio) {
      const jw: WindowStat = { ...b, value: m.jitterMs ?? b.value };
      return {
        ...base,
        value: jw.value,
        worstWindow: windowOut(jw, a),
        status,
        reason: null,
        resolution,
        confidence: confOf(jw),
        facts: { ...facts(jw), bound: { kind: 'jitter-at-most', valueMs: b.value } },
      };
    }
    const w: WindowStat = { ...b, packets: m.packets, lost: m.lost, value: m.packets > 0 ? (m.lost / m.packets) * 100 : b.value };
    return {
      ...base,
      value: w.value,
      worstWindow: windowOut(w, a),
      status,
      reason: null,
      resolution,
      confidence: confOf(b),
      facts: { ...facts(w), bound: { kind, lost: b.lost, packets: b.packets, valuePct: b.value } },
    };
  };
  const clean = spec.scan.worstClean;
  if (failing(clean) && !mostly) return fail(clean);
  const proven = spec.proven?.worstClean;
  if (failing(proven)) return fail(proven, { provenOnBusyDevice: !(failing(clean) && clean.startMs === proven.startMs) });
  // Loss outside the suspect time alone reaches the target (measure/windows.ts: Lower bound):
  // up loss on the proven scan (its suspect time is the least), otherwise unless mostly suspect.
  const bound = spec.proven !== undefined ? spec.proven.worstBound : mostly ? null : spec.scan.worstBound;
  if (failing(bound)) return onBound('fail', 'at-least', bound);
  if (failing(clean) && att !== null) {
    return insufficient(
      base,
      att.busy,
      { ...facts(clean), mostlySuspect: true },
      { value: clean.value, worstWindow: windowOut(clean, a), resolution, confidence: confOf(clean) },
    );
  }
  // The views' time only adds delay and loss to probes that were sent: where no window touches
  // the page's own suspect time and the worst window still meets the target, the network does too.
  // Loss windows touching the page's own time pass on their upper bound (measure/windows.ts:
  // Upper bound), never across a path change.
  const basis = spec.passBasis;
  const upper = basis !== undefined && basis.evaluableSuspect > 0 && !suspectReasons(a).includes('path-change') ? basis.worstUpper : null;
  const meets = (w: WindowStat | null): boolean => w === null || w.value < spec.threshold;
  if (
    spec.scan.evaluableSuspect > 0 &&
    basis !== undefined &&
    (basis.evaluableSuspect === 0 || upper !== null) &&
    (basis.worstClean !== null || upper !== null) &&
    meets(basis.worstClean) &&
    meets(upper)
  ) {
    if (upper !== null && (basis.worstClean === null || upper.value >= basis.worstClean.value)) return onBound('pass', 'at-most', upper);
    const w = basis.worstClean;
    if (w !== null) {
      return { ...base, value: w.value, worstWindow: windowOut(w, a), status: 'pass', reason: null, resolution, confidence: confOf(w), facts: facts(w) };
    }
  }
  if (spec.scan.evaluableSuspect > 0) {
    const w = spec.scan.worstAny;
    return insufficient(base, mostly && att !== null ? att.busy : 'suspect-windows', facts(), {
      value: valueOf(w),
      worstWindow: w === null ? null : windowOut(w, a),
      resolution,
      confidence: confOf(w),
    });
  }
  if (clean === null) return insufficient(base, 'window-not-filled', facts(), { resolution });
  return {
    ...base,
    value: clean.value,
    worstWindow: windowOut(clean, a),
    status: 'pass',
    reason: null,
    resolution,
    confidence: confOf(clean),
    facts: facts(clean),
  };
}

function gradeReorder(input: GradingInput, dir: GradedDirection): GradeResult {
  const threshold = input.profile.targets.reorderPct;
  const base = entry('reorder', dir.name, '%', threshold);
  const r = dir.analysis.reorder;
  const facts: ReorderFacts = { kind: 'reorder', packets: r.packets, reordered: r.reordered, probesToResolve: Math.floor(100 / threshold) };
  if (!input.channelOk) return insufficient(base, 'reliable-channel', facts);
  if (r.packets === 0 || r.ratioPct === null) return insufficient(base, 'no-data', facts);
  const resolution = 100 / r.packets;
  const conf = ratioConfidence(r.reordered, r.packets);
  // Too short to resolve the target: fail only when even the 95 % lower bound is at or above it.
  if (r.ratioPct >= threshold && resolution >= threshold && (conf.lowerPct ?? 0) < threshold) {
    return insufficient(base, 'too-few-packets', facts, { value: r.ratioPct, resolution, confidence: conf });
  }
  return {
    ...base,
    value: r.ratioPct,
    worstWindow: null,
    status: statusOf(r.ratioPct, base.comparator, threshold),
    reason: null,
    resolution,
    confidence: conf,
    facts,
  };
}

/** Every grade of a test, latency first, then each direction's targets. */
export function gradeTest(input: GradingInput): GradeResult[] {
  const t = input.profile.targets;
  const out: GradeResult[] = [gradeLatency(input, true), gradeLatency(input, false)];
  for (const dir of input.directions) {
    const w = dir.analysis.windows;
    out.push(
      gradeWindow(input, dir, {
        target: 'burst-loss-200ms',
        windowMs: BURST_WINDOW_MS,
        threshold: t.burstLossPct,
        scan: w.burst,
        proven: dir.analysis.provenLoss?.burst,
        passBasis: dir.analysis.passBasis?.burst,
        ratio: true,
      }),
      gradeWindow(input, dir, {
        target: 'loss-15s',
        windowMs: SUSTAINED_WINDOW_MS,
        threshold: t.lossPct,
        scan: w.lossSustained,
        proven: dir.analysis.provenLoss?.lossSustained,
        passBasis: dir.analysis.passBasis?.lossSustained,
        ratio: true,
      }),
      gradeWindow(input, dir, {
        target: 'jitter-15s',
        windowMs: SUSTAINED_WINDOW_MS,
        threshold: t.jitterMs,
        scan: w.jitterSustained,
        passBasis: dir.analysis.passBasis?.jitterSustained,
        ratio: false,
      }),
      gradeReorder(input, dir),
    );
  }
  return out;
}

/** fail if any target fails, else insufficient if any is insufficient, else pass. */
export function verdictOf(grades: readonly Pick<GradeEntry, 'status'>[]): Verdict {
  if (grades.length === 0) return 'insufficient';
  if (grades.some((g) => g.status === 'fail')) return 'fail';
  if (grades.some((g) => g.status === 'insufficient')) return 'insufficient';
  return 'pass';
}
