/**
 * Grade a test against its profile: one entry per target (and per direction for loss,
 * burst loss, jitter and reorder), then the verdict.
 *
 * Rules (strict "<": value < threshold passes, value >= threshold fails):
 * - Latency: the RTT p50 of the test is its one "measurement" in the documents' sense;
 *   one-way latency is graded as RTT p50 / 2. Round trips of probes sent inside a suspect
 *   interval are left out. Fewer than MIN_RTT_SAMPLES samples -> insufficient.
 * - Burst loss / loss / jitter: the worst evaluable window over send time. A window
 *   touching a suspect interval cannot be the basis of a pass: fail if a clean window
 *   fails, otherwise insufficient when any evaluable window is suspect.
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
 */
import { clopperPearson } from '../measure/confidence.js';
import type { DirectionAnalysis } from '../measure/direction.js';
import type { RoundTripAnalysis } from '../measure/rtt.js';
import type { WindowScan, WindowStat } from '../measure/windows.js';
import type {
  Confidence,
  DirectionName,
  GradeEntry,
  InsufficientReason,
  TargetId,
  Verdict,
} from '../schema/report-schema.js';
import { count, ms, num, pct, plural, seconds } from '../present/format.js';
import { rateNeeded, windowResolutionPct } from './resolution.js';
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
}


/** Plain name of a direction for sentences. */
export function directionPhrase(d: DirectionName): string {
  switch (d) {
    case 'up':
      return 'Upstream (you to the relay)';
    case 'down':
      return 'Downstream (relay to you)';
    case 'loop':
      return 'Through the relay and back';
  }
}

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

function verdictWord(status: 'pass' | 'fail'): string {
  return status === 'pass' ? 'so this passes' : 'so this fails';
}

function durationMs(a: DirectionAnalysis): number {
  const c = a.classified;
  if (c.n === 0) return 0;
  return (c.sendMs[c.n - 1] ?? 0) - (c.sendMs[0] ?? 0) + a.intervalMs;
}

function entry(
  target: TargetId,
  statistic: string,
  direction: GradeEntry['direction'],
  unit: '%' | 'ms',
  threshold: number,
): Pick<GradeEntry, 'target' | 'label' | 'statistic' | 'direction' | 'unit' | 'threshold' | 'comparator'> {
  return { target, label: TARGET_LABELS[target], statistic, direction, unit, threshold, comparator: '<' };
}

function insufficient(
  base: ReturnType<typeof entry>,
  reason: InsufficientReason,
  sentence: string,
  extra: Partial<Pick<GradeEntry, 'value' | 'worstWindow' | 'resolution' | 'confidence'>> = {},
): GradeEntry {
  return {
    ...base,
    value: extra.value ?? null,
    worstWindow: extra.worstWindow ?? null,
    status: 'insufficient',
    reason,
    resolution: extra.resolution ?? null,
    confidence: extra.confidence ?? NO_CONFIDENCE(0),
    sentence,
  };
}

function gradeLatency(input: GradingInput, oneWay: boolean): GradeEntry {
  const t = input.profile.targets;
  const threshold = oneWay ? t.oneWayLatencyMs : t.rttMs;
  const base = entry(
    oneWay ? 'latency-one-way' : 'latency-rtt',
    oneWay ? 'p50 of round trip / 2' : 'p50 of round trip',
    'round-trip',
    'ms',
    threshold,
  );
  const rt = input.roundTrip;
  const d = rt.gradedRttMs;
  const what = oneWay ? 'One-way delay' : 'Round-trip time';
  const left = (rt.rttMs?.count ?? 0) - (d?.count ?? 0);
  const leftOut = left > 0 ? ` (${plural(left, 'probe')} sent while the evidence was suspect were left out: the page was hidden, or the sender stalled or queued probes behind its own congestion control)` : '';
  if (d === null || d.count === 0) {
    return insufficient(base, 'no-data', `${what} could not be judged: no echo came back${leftOut}.`);
  }
  if (d.count < MIN_RTT_SAMPLES) {
    return insufficient(
      base,
      'too-few-packets',
      `${what} could not be judged: only ${plural(d.count, 'echo')} came back; at least ${count(MIN_RTT_SAMPLES)} are needed${leftOut}.`,
      { value: oneWay ? d.p50 / 2 : d.p50, confidence: NO_CONFIDENCE(d.count) },
    );
  }
  const value = oneWay ? d.p50 / 2 : d.p50;
  const status = value < threshold ? 'pass' : 'fail';
  const sentence = oneWay
    ? `One-way delay, estimated as half the median round trip, was ${ms(value, threshold)}; the target is below ${ms(threshold)}, ${verdictWord(status)}${leftOut}.`
    : `Round-trip time to the relay was ${ms(value, threshold)} (median of ${count(d.count)} probes); the target is below ${ms(threshold)}, ${verdictWord(status)}${leftOut}.`;
  return {
    ...base,
    value,
    worstWindow: null,
    status,
    reason: null,
    resolution: null,
    confidence: NO_CONFIDENCE(d.count),
    sentence,
  };
}

const SUSPECT_REASON_TEXT: Record<DirectionAnalysis['suspect'][number]['reason'], string> = {
  'page-hidden': 'the page was hidden',
  'sender-stall': 'the sender stalled',
  'sender-queue': "probes queued in the sender's own buffer (its congestion control), not only in the network",
  'receiver-stall': 'the receiving page was busy',
  'path-change': 'the network path changed',
};

function suspectReasons(a: DirectionAnalysis): string {
  const reasons = new Set<string>();
  for (const s of a.suspect) reasons.add(SUSPECT_REASON_TEXT[s.reason]);
  return [...reasons].join(' or ') || 'the evidence is suspect';
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
  /** Ratio targets have a resolution; jitter does not. */
  ratio: boolean;
}

function gradeWindow(input: GradingInput, dir: GradedDirection, spec: WindowGradeSpec): GradeEntry {
  const a = dir.analysis;
  const windowWords = spec.windowMs === BURST_WINDOW_MS ? '200 ms' : `${num(spec.windowMs / 1000)}-second`;
  const statistic = `worst ${spec.windowMs === BURST_WINDOW_MS ? '200 ms' : `${num(spec.windowMs / 1000)} s`} window${spec.ratio ? '' : ' (mean RFC 3550 jitter)'}`;
  const base = entry(spec.target, statistic, dir.name, spec.ratio ? '%' : 'ms', spec.threshold);
  const who = directionPhrase(dir.name);
  const metricWords = spec.target === 'jitter-15s' ? 'jitter' : spec.target === 'burst-loss-200ms' ? 'burst loss' : 'packet loss';
  const resolution = spec.ratio ? windowResolutionPct(input.ratePps, spec.windowMs) : null;
  const shown = spec.scan.worstClean ?? spec.scan.worstAny;
  const valueOf = (w: WindowStat | null): number | null => (w === null ? null : w.value);
  const confOf = (w: WindowStat | null): Confidence =>
    w === null ? NO_CONFIDENCE(0) : spec.ratio ? ratioConfidence(w.lost, w.packets) : NO_CONFIDENCE(w.received);

  if (!input.channelOk) {
    return insufficient(base, 'reliable-channel', `${who} ${metricWords} could not be judged: the probe channel was ordered or retransmitted lost packets, which hides loss and delay spikes.`, { resolution });
  }
  if (a.classified.n === 0) {
    return insufficient(base, 'no-data', `${who} ${metricWords} could not be judged: no probe was sent in this direction.`, { resolution });
  }
  if (resolution !== null && resolution >= spec.threshold) {
    return insufficient(
      base,
      'not-resolvable',
      `${who} ${metricWords} could not be judged: at ${num(input.ratePps)} probes per second one lost probe in ${windowWords === '200 ms' ? '200 ms' : `${windowWords.replace('-second', ' seconds')}`} is already ${pct(resolution)}, too coarse for the ${pct(spec.threshold)} target; test at ${count(rateNeeded(spec.windowMs, spec.threshold))} probes per second or more.`,
      { value: valueOf(shown), worstWindow: shown === null ? null : windowOut(shown, a), resolution, confidence: confOf(shown) },
    );
  }
  if (spec.scan.evaluable === 0) {
    const ran = durationMs(a);
    return insufficient(
      base,
      'window-not-filled',
      ran < spec.windowMs
        ? `${who} ${metricWords} could not be judged: the test ran ${seconds(ran)}, shorter than one full ${windowWords} window.`
        : `${who} ${metricWords} could not be judged: no full ${windowWords} window had enough probes.`,
      { resolution },
    );
  }
  const clean = spec.scan.worstClean;
  const describe = (w: WindowStat): string => {
    const from = w.startMs - (a.originMs ?? 0);
    const where = `from ${seconds(Math.max(0, from))} to ${seconds(from + spec.windowMs)} into the test`;
    if (spec.ratio) {
      return `the worst ${windowWords} stretch, ${where}, lost ${count(w.lost)} of ${plural(w.packets, 'probe')} (${pct(w.value, spec.threshold)})`;
    }
    return `jitter averaged ${ms(w.value, spec.threshold)} over the worst ${windowWords} stretch, ${where}`;
  };
  const target = spec.ratio ? pct(spec.threshold) : ms(spec.threshold);
  if (clean !== null && clean.value >= spec.threshold) {
    return {
      ...base,
      value: clean.value,
      worstWindow: windowOut(clean, a),
      status: 'fail',
      reason: null,
      resolution,
      confidence: confOf(clean),
      sentence: `${who}: ${describe(clean)}; the target is below ${target}, so this fails.`,
    };
  }
  if (spec.scan.evaluableSuspect > 0) {
    const w = spec.scan.worstAny;
    return insufficient(
      base,
      'suspect-windows',
      `${who} ${metricWords} could not be judged: ${plural(spec.scan.evaluableSuspect, 'window')} overlap times when ${suspectReasons(a)}, and no clean window failed.`,
      { value: valueOf(w), worstWindow: w === null ? null : windowOut(w, a), resolution, confidence: confOf(w) },
    );
  }
  if (clean === null) {
    return insufficient(base, 'window-not-filled', `${who} ${metricWords} could not be judged: no full ${windowWords} window had enough probes.`, { resolution });
  }
  const conf = confOf(clean);
  const bound =
    spec.target === 'loss-15s' && conf.upperPct !== null
      ? ` With 95% confidence the true loss there is below ${pct(conf.upperPct)}.`
      : '';
  return {
    ...base,
    value: clean.value,
    worstWindow: windowOut(clean, a),
    status: 'pass',
    reason: null,
    resolution,
    confidence: conf,
    sentence: `${who}: ${describe(clean)}; the target is below ${target}, so this passes.${bound}`,
  };
}

function gradeReorder(input: GradingInput, dir: GradedDirection): GradeEntry {
  const threshold = input.profile.targets.reorderPct;
  const base = entry('reorder', 'out-of-order packets over the test (RFC 4737)', dir.name, '%', threshold);
  const who = directionPhrase(dir.name);
  const r = dir.analysis.reorder;
  if (!input.channelOk) {
    return insufficient(base, 'reliable-channel', `${who} reordering could not be judged: the probe channel delivered packets in order, which hides reordering.`);
  }
  if (r.packets === 0 || r.ratioPct === null) {
    return insufficient(base, 'no-data', `${who} reordering could not be judged: no probe arrived.`);
  }
  const resolution = 100 / r.packets;
  const conf = ratioConfidence(r.reordered, r.packets);
  const measured = `${count(r.reordered)} of ${plural(r.packets, 'probe')} arrived out of order (${pct(r.ratioPct, threshold)})`;
  const needed = Math.floor(100 / threshold) + 1;
  if (r.ratioPct >= threshold) {
    if (resolution >= threshold && (conf.lowerPct ?? 0) < threshold) {
      return insufficient(
        base,
        'too-few-packets',
        `${who}: ${measured}, above the ${pct(threshold)} target, but a test this short cannot tell that from chance; run a longer test (more than ${count(needed - 1)} probes per direction).`,
        { value: r.ratioPct, resolution, confidence: conf },
      );
    }
    return {
      ...base,
      value: r.ratioPct,
      worstWindow: null,
      status: 'fail',
      reason: null,
      resolution,
      confidence: conf,
      sentence: `${who}: ${measured}; the target is below ${pct(threshold)}, so this fails.`,
    };
  }
  const coarse =
    resolution >= threshold
      ? ` The test was short: a single out-of-order probe would have been ${pct(resolution)}, so run more than ${count(needed - 1)} probes for a firmer answer.`
      : '';
  return {
    ...base,
    value: r.ratioPct,
    worstWindow: null,
    status: 'pass',
    reason: null,
    resolution,
    confidence: conf,
    sentence: `${who}: ${measured}; the target is below ${pct(threshold)}, so this passes. With 95% confidence the true rate is below ${pct(conf.upperPct ?? 100)}.${coarse}`,
  };
}

/** Every grade entry of a test, latency first, then each direction's targets. */
export function gradeTest(input: GradingInput): GradeEntry[] {
  const t = input.profile.targets;
  const out: GradeEntry[] = [gradeLatency(input, true), gradeLatency(input, false)];
  for (const dir of input.directions) {
    const w = dir.analysis.windows;
    out.push(
      gradeWindow(input, dir, { target: 'burst-loss-200ms', windowMs: BURST_WINDOW_MS, threshold: t.burstLossPct, scan: w.burst, ratio: true }),
      gradeWindow(input, dir, { target: 'loss-15s', windowMs: SUSTAINED_WINDOW_MS, threshold: t.lossPct, scan: w.lossSustained, ratio: true }),
      gradeWindow(input, dir, { target: 'jitter-15s', windowMs: SUSTAINED_WINDOW_MS, threshold: t.jitterMs, scan: w.jitterSustained, ratio: false }),
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
