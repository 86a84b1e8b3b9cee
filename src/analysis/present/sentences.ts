/**
 * Every sentence of the report, built from the facts grading returns. Grading decides;
 * this module only words the decision (and never changes it). Numbers go through format.ts.
 */
import type { GradeResult, LatencyFacts, ReorderFacts, SuspectReason, WindowFacts } from '../grade/grade.js';
import type { LoopbackRelayPolicy } from '../grade/engine.js';
import type { WarningFacts } from '../grade/diagnostics.js';
import { REASSURING_MOS, satisfaction, type MosFacts } from '../grade/mos.js';
import type { TargetResolution } from '../grade/resolution.js';
import { STATS_TOLERANCE_ABS_MS, STATS_TOLERANCE_REL, type Disagreement, type SecondOpinionCaveat } from '../grade/second-opinion.js';
import { BURST_WINDOW_MS } from '../grade/targets.js';
import type { TeamsTierFacts } from '../grade/teams-tier.js';
import type { RungFacts } from '../grade/connectivity.js';
import type { HintFacts } from '../grade/hints.js';
import type { WorstFacts } from '../grade/compare.js';
import type { AggregateEntry } from '../schema/aggregate-schema.js';
import type { EarlyFail } from '../site/p90.js';
import type { DirectionName, GradeDirection, Outcome, Verdict } from '../schema/report-schema.js';
import type { StatsGap } from '../schema/input.js';
import { count, figure, fixed, ms, num, pct, plural, portSpan, rungName, seconds } from './format.js';

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

/** A target with its direction, e.g. "Packet loss (any 15 s), upstream (you to the relay)". */
export function targetWhere(label: string, direction: GradeDirection): string {
  return direction === 'round-trip' ? label : `${label}, ${directionPhrase(direction).toLowerCase()}`;
}

/** Whose time it was, for the busy reasons. */
const BUSY_WHO: Readonly<Record<'device-busy' | 'server-busy', string>> = { 'device-busy': 'this device', 'server-busy': 'the test server' };

const SUSPECT_REASON_TEXT: Record<SuspectReason, string> = {
  'page-hidden': 'the page was hidden',
  'sender-stall': 'the sender stalled',
  'sender-queue': "probes queued in the sender's own buffer (its congestion control), not only in the network",
  'receiver-stall': 'the receiving page was busy',
  'path-change': 'the network path changed',
};

// ---- Grades ----

/** What a grade measured, e.g. "worst 15 s window (mean RFC 3550 jitter)". */
export function gradeStatistic(f: GradeResult['facts']): string {
  switch (f.kind) {
    case 'latency':
      return f.oneWay ? 'p50 of round trip / 2' : 'p50 of round trip';
    case 'window':
      return `worst ${f.windowMs === BURST_WINDOW_MS ? '200 ms' : `${num(f.windowMs / 1000)} s`} window${f.metric === 'jitter' ? ' (mean RFC 3550 jitter)' : ''}`;
    case 'reorder':
      return 'out-of-order packets over the test (RFC 4737)';
  }
}

const so = (status: GradeResult['status']): string => (status === 'pass' ? 'so this passes' : 'so this fails');

function latencySentence(g: GradeResult, f: LatencyFacts): string {
  const what = f.oneWay ? 'One-way delay' : 'Round-trip time';
  const why = 'the page was hidden, or this device stalled or queued probes behind its own congestion control';
  const leftOut =
    f.leftOut > 0
      ? ` (${plural(f.leftOut, 'round trip')} sent while the evidence was suspect, shortly before or in the second after, were left out: ${why})`
      : '';
  if (g.reason === 'no-data' || (g.reason === 'suspect-windows' && f.samples === 0)) {
    return f.leftOut > 0
      ? `${what} could not be judged: every round trip that came back (${count(f.leftOut)}) was sent while the evidence was suspect, shortly before or in the second after (${why}).`
      : `${what} could not be judged: no echo came back.`;
  }
  if (g.reason === 'too-few-packets' || g.reason === 'suspect-windows') {
    return `${what} could not be judged: only ${plural(f.samples, 'echo')} came back; at least ${count(f.minSamples)} are needed${leftOut}.`;
  }
  const value = ms(g.value ?? Number.NaN, g.threshold);
  if (g.reason === 'not-resolvable') return `${what} was ${value}, ${tooClose(g)}${leftOut}.`;
  if ((g.reason === 'device-busy' || g.reason === 'server-busy') && f.notGraded !== undefined) {
    const whose = BUSY_WHO[g.reason];
    const n = f.notGraded;
    if (n.kind === 'pass-unconfirmed') return unconfirmedPassSentence(what, value, g, f, n, whose);
    const why =
      n.kind === 'network-thread'
        ? `the browser's own ${n.source === 'ice-rtt' ? 'ICE' : 'RTCP'} round trip, timed outside the page, was ${ms(n.rttMs)}, so the extra delay was ${whose}'s, not the network's`
        : n.kind === 'few-clean'
          ? `only ${count(f.samples)} of ${plural(f.samples + f.leftOut, 'round trip')} were sent while ${whose} kept up, fewer than half`
          : `${whose} was busy for most of the test`;
    return `${what} was ${value} on the probes, but it is not graded: ${why}.`;
  }
  return f.oneWay
    ? `One-way delay, estimated as half the median round trip, was ${value}; the target is below ${ms(g.threshold)}, ${so(g.status)}${leftOut}.`
    : `Round-trip time to the relay was ${value} (median of ${count(f.samples)} probes); the target is below ${ms(g.threshold)}, ${so(g.status)}${leftOut}.`;
}

/** A clean pass every round trip does not confirm (grade/grade.ts: latencyPassUnconfirmed). */
function unconfirmedPassSentence(
  what: string,
  value: string,
  g: GradeResult,
  f: LatencyFacts,
  n: Extract<NonNullable<LatencyFacts['notGraded']>, { kind: 'pass-unconfirmed' }>,
  whose: string,
): string {
  const clean =
    n.basis === 'few-clean'
      ? `only ${count(f.samples)} of ${plural(f.samples + f.leftOut, 'round trip')} were sent while ${whose} kept up`
      : `${whose} was busy or queueing for most of the test`;
  const all = f.oneWay
    ? `half the median of every round trip that came back is ${ms(n.allRttMsP50 / 2, g.threshold)}`
    : `the median of every round trip that came back is ${ms(n.allRttMsP50, g.threshold)}`;
  return `${what} was ${value} on the probes sent while ${whose} kept up, but it is not graded: ${clean}, and those moments may have been the path's quiet ones; ${all}.`;
}

function windowSentence(g: GradeResult, f: WindowFacts, who: string): string {
  const windowWords = f.windowMs === BURST_WINDOW_MS ? '200 ms' : `${num(f.windowMs / 1000)}-second`;
  const metricWords = { jitter: 'jitter', 'burst-loss': 'burst loss', loss: 'packet loss' }[f.metric];
  const ratio = f.metric !== 'jitter';
  const cannot = `${who} ${metricWords} could not be judged`;
  const noFullWindow = `${cannot}: no full ${windowWords} window had enough probes.`;
  switch (g.reason) {
    case 'reliable-channel':
      return `${cannot}: the probe channel was ordered or retransmitted lost packets, which hides loss and delay spikes.`;
    case 'no-data':
      return `${cannot}: no probe was sent in this direction.`;
    case 'not-resolvable': {
      if (!ratio) return `${cannot}: it averaged ${ms(g.value ?? Number.NaN, g.threshold)} over the worst ${windowWords} stretch, ${tooClose(g)}.`;
      const span = windowWords === '200 ms' ? '200 ms' : windowWords.replace('-second', ' seconds');
      return `${cannot}: at ${num(f.ratePps)} probes per second one lost probe in ${span} is already ${pct(g.resolution ?? Number.POSITIVE_INFINITY)}, too coarse for the ${pct(g.threshold)} target; test at ${count(f.rateNeeded ?? 0)} probes per second or more.`;
    }
    case 'window-not-filled':
      return f.evaluableWindows === 0 && f.ranMs < f.windowMs
        ? `${cannot}: the test ran ${seconds(f.ranMs)}, shorter than one full ${windowWords} window.`
        : noFullWindow;
    case 'device-busy':
    case 'server-busy': {
      if (g.reason === 'device-busy' && f.unsentPct !== undefined)
        return `${cannot}: about ${pct(f.unsentPct)} of the probes never left this device, which was too busy to send them (the audio reached the relay with no gap where they belonged, and our server received everything the relay passed on), so that loss is not your network's.`;
      const whose = BUSY_WHO[g.reason];
      const w = f.window;
      if (f.mostlySuspect === true && w !== null && g.value !== null) {
        const worst = ratio
          ? `lost ${count(w.lost)} of ${plural(w.packets, 'probe')} (${pct(g.value, g.threshold)})`
          : `averaged ${ms(g.value, g.threshold)} of jitter`;
        return `${cannot}: its worst ${windowWords} stretch ${worst}, but ${whose} was busy for most of the test, so no stretch of it is graded as the network.`;
      }
      return `${cannot}: ${plural(f.suspectWindows, 'window')} of ${count(f.evaluableWindows)} fell in ${whose}'s busy time, most of the test.`;
    }
    case 'server-missed':
      return `${cannot}: part of its loss happened past the relay, in the test server's reflector (the relay's witness saw less lost), so the failure is ours, not your network's.`;
    case 'suspect-windows': {
      const reasons = f.suspectReasons.map((r) => SUSPECT_REASON_TEXT[r]).join(' or ') || 'the evidence is suspect';
      return `${cannot}: ${plural(f.suspectWindows, 'window')} overlap times when ${reasons}, and no clean window failed.`;
    }
    case 'too-few-packets':
    case null:
      break;
  }
  const w = f.window;
  if (w === null || g.value === null) return noFullWindow;
  const where = `from ${seconds(Math.max(0, w.fromMs))} to ${seconds(w.fromMs + f.windowMs)} into the test`;
  if (f.bound?.kind === 'jitter-at-most') {
    const measured = `jitter averaged ${ms(g.value, g.threshold)} over the worst ${windowWords} stretch, ${where}`;
    const reasons = f.suspectReasons.map((r) => SUSPECT_REASON_TEXT[r]).join(' or ');
    const bounded = `For moments in it ${reasons}; whatever the network did with the probes of those moments, jitter there was at most ${ms(f.bound.valueMs, g.threshold)}`;
    return `${who}: ${measured}. ${bounded}; the target is below ${ms(g.threshold)}, ${so(g.status)}.`;
  }
  if (f.bound !== undefined) {
    const b = f.bound;
    const measured = `the worst ${windowWords} stretch, ${where}, lost ${count(w.lost)} of ${plural(w.packets, 'probe')} (${pct(g.value, g.threshold)})`;
    const missing = b.packets - w.packets;
    const bounded =
      b.kind === 'at-least'
        ? `Even counting every probe sent while the evidence was in doubt as arrived, it lost at least ${count(b.lost)} (${pct(b.valuePct, g.threshold)})`
        : missing === 0
          ? 'This device was busy in it but sent every probe due, so no loss can have hidden there'
          : `Even counting as lost the ${plural(missing, 'probe')} this device should have sent but did not while it was busy, it lost at most ${count(b.lost)} of ${count(b.packets)} (${pct(b.valuePct, g.threshold)})`;
    return `${who}: ${measured}. ${bounded}; the target is below ${pct(g.threshold)}, ${so(g.status)}.`;
  }
  const described = ratio
    ? `the worst ${windowWords} stretch, ${where}, lost ${count(w.lost)} of ${plural(w.packets, 'probe')} (${pct(g.value, g.threshold)})`
    : `jitter averaged ${ms(g.value, g.threshold)} over the worst ${windowWords} stretch, ${where}`;
  const target = ratio ? pct(g.threshold) : ms(g.threshold);
  const bound =
    g.status === 'pass' && f.metric === 'loss' && g.confidence.upperPct !== null
      ? ` With 95% confidence the true loss there is below ${pct(g.confidence.upperPct)}.`
      : '';
  const proven =
    f.provenOnBusyDevice === true
      ? ' This device was busy then, but the server never received these probes, so they were lost on the way, not on this device.'
      : '';
  return `${who}: ${described}; the target is below ${target}, ${so(g.status)}.${bound}${proven}`;
}

function reorderSentence(g: GradeResult, f: ReorderFacts, who: string): string {
  if (g.reason === 'reliable-channel') return `${who} reordering could not be judged: the probe channel delivered packets in order, which hides reordering.`;
  if (g.reason === 'no-data' || g.value === null) return `${who} reordering could not be judged: no probe arrived.`;
  const measured = `${count(f.reordered)} of ${plural(f.packets, 'probe')} arrived out of order (${pct(g.value, g.threshold)})`;
  if (g.reason === 'too-few-packets') {
    return `${who}: ${measured}, above the ${pct(g.threshold)} target, but a test this short cannot tell that from chance; run a longer test (more than ${count(f.probesToResolve)} probes per direction).`;
  }
  if (g.status === 'fail') return `${who}: ${measured}; the target is below ${pct(g.threshold)}, so this fails.`;
  const resolution = g.resolution ?? 0;
  const coarse =
    resolution >= g.threshold
      ? ` The test was short: a single out-of-order probe would have been ${pct(resolution)}, so run more than ${count(f.probesToResolve)} probes for a firmer answer.`
      : '';
  return `${who}: ${measured}; the target is below ${pct(g.threshold)}, so this passes. With 95% confidence the true rate is below ${pct(g.confidence.upperPct ?? 100)}.${coarse}`;
}

/** Why a delay figure cannot be graded: it is within one step of the browser's clock of its limit. */
function tooClose(g: GradeResult): string {
  return `within one step of the browser's clock (${ms(g.resolution ?? Number.NaN)}) of the ${ms(g.threshold)} target, so it cannot be told apart from it`;
}

/** The plain sentence of one grade. */
export function gradeSentence(g: GradeResult): string {
  const f = g.facts;
  if (f.kind === 'latency') return latencySentence(g, f);
  const who = g.direction === 'round-trip' ? 'Round trip' : directionPhrase(g.direction);
  return f.kind === 'window' ? windowSentence(g, f, who) : reorderSentence(g, f, who);
}

// ---- Target resolutions ----

/** How finely a target can be measured at the rate and length of the test. */
export function targetNote(t: TargetResolution): string {
  switch (t.target) {
    case 'latency-one-way':
      return `half the median round trip; ${clockWords(t)}`;
    case 'latency-rtt':
      return `median round trip; ${clockWords(t)}`;
    case 'jitter-15s':
      return `mean RFC 3550 jitter of the probes received in the window; ${clockWords(t)}`;
    case 'reorder': {
      const res = t.resolutionExact ?? Number.POSITIVE_INFINITY;
      return res < t.threshold
        ? `one out-of-order probe in ${count(t.packets)} moves the value by ${pct(res)}`
        : `a test of ${count(t.packets)} probes per direction cannot resolve ${pct(t.threshold)}: it passes only with no out-of-order probe`;
    }
    case 'burst-loss-200ms':
    case 'loss-15s': {
      const res = t.resolutionExact ?? Number.POSITIVE_INFINITY;
      const what = t.target === 'burst-loss-200ms' ? '200 ms' : '15 s';
      return res < t.threshold
        ? `one lost probe in ${what} moves the value by ${pct(res)}`
        : `one lost probe in ${what} is already ${pct(res)}, not finer than the ${pct(t.threshold)} target: not resolvable at ${num(t.ratePps)} probes/s`;
    }
  }
}

/** How finely the browser's clock resolved a delay target. */
function clockWords(t: TargetResolution): string {
  return t.resolutionExact === null
    ? 'limited by the browser clock (its step was not recorded)'
    : `limited by the browser clock, which stepped ${ms(t.resolutionExact)} here (a value within one step of the target is not judged)`;
}

// ---- What informs but does not grade ----

/** The MOS estimate in words; beside a failed verdict it says why a good figure does not contradict it. */
export function mosSentence(m: MosFacts, verdict: Verdict = 'pass'): string {
  if (m.value === null || m.rFactor === null) return 'No call-quality estimate: there were no round trips or no probes to base it on.';
  const estimate = `Estimated call quality on this path: MOS ${figure(m.value, 'mos')} of 4.41 possible for a narrowband call (R ${num(m.rFactor)}, "${satisfaction(m.rFactor)}" in ITU-T G.109 terms).`;
  return verdict === 'fail' && m.value >= REASSURING_MOS
    ? `${estimate} ${MOS_BESIDE_FAIL}`
    : `${estimate} This estimate informs; it does not change the verdict.`;
}

/** What a MOS estimate means beside a failed target (the page's key figures say it too). */
const MOS_BESIDE_FAIL = 'It averages the whole test, so it cannot see the short stretches where a target failed: a good estimate does not make this test pass.';

export function teamsSentence(t: TeamsTierFacts): string {
  if (t.classification === 'poor') {
    const parts = t.checks
      .filter((c) => c.poor === true)
      .map((c) => {
        const v = c.value ?? 0;
        if (c.unit === 'ms') return `${c.metric} ${ms(v)} > ${ms(c.threshold)}`;
        if (c.unit === '%') return `${c.metric} ${pct(v)} > ${pct(c.threshold)}`;
        return `${c.metric} ${num(v)} > ${num(c.threshold)}`;
      });
    return `Teams' Call Quality Dashboard would classify audio on this path as poor (${parts.join('; ')}).`;
  }
  if (t.classification === 'unclassified') return "Not enough data to say how Teams' Call Quality Dashboard would classify audio on this path.";
  return "Teams' Call Quality Dashboard would not classify audio on this path as poor. (That tier is far looser than the targets graded above.)";
}

/** The second opinion's tolerance rule in words. */
export function toleranceText(): string {
  return `${String(STATS_TOLERANCE_ABS_MS)} ms + ${String(STATS_TOLERANCE_REL * 100)}% of the probe value`;
}

export function disagreementSentence(d: Disagreement, statsRttScale: number): string {
  const halved = statsRttScale === 1 ? '' : ' (halved)';
  const what = { 'ice-rtt': `ICE round trip${halved}`, 'rtcp-rtt': `RTCP round trip${halved}`, 'inbound-jitter': 'audio jitter' }[d.source];
  return `The browser's ${what} (${ms(d.statsValue)}, ${plural(d.samples, 'sample')}) differs from the probes' ${ms(d.probeValue)} by more than ${ms(d.toleranceMs)}.`;
}

/** A second opinion this browser cannot give, and why (the getStats field it never reports). */
export function unavailableSentence(source: StatsGap): string {
  switch (source) {
    case 'ice-rtt':
      return 'This browser cannot give the ICE round trip: its getStats reports no candidate-pair currentRoundTripTime, so the round trip has no ICE second opinion here.';
    case 'rtcp-rtt':
      return 'This browser cannot give the RTCP round trip: its getStats reports no remote-inbound-rtp roundTripTime.';
    case 'concealment':
      return 'This browser cannot give the concealed-audio share: its getStats reports no inbound-rtp concealedSamples.';
  }
}

export function caveatText(c: SecondOpinionCaveat): string {
  switch (c.kind) {
    case 'not-collected':
      return "The browser's own statistics (getStats) were not collected for this test.";
    case 'loopback-halved':
      return 'Loopback mode: getStats round trips cross the relay twice, so they are halved before comparing with the probes.';
    case 'few-rtcp-samples':
      return `RTCP round trip rests on ${plural(c.samples, 'sample')} (RTCP reports arrive about every 5 s).`;
    case 'few-ice-samples':
      return `ICE round trip rests on ${plural(c.samples, 'sample')} (updated about every 2.5 s).`;
    case 'webaudio-floor':
      return "The audio came from a WebAudio source, which adds a 2-3 ms jitter floor to the browser's jitter figure.";
    case 'no-audio':
      return 'No audio track was sent, so the browser reported no audio jitter or concealment.';
    case 'padding-inflates-jitter':
      return 'Under loss Chromium sends padding-only RTP probes that inflate its jitter figure; the probe jitter is the primary measure.';
    case 'rtcp-fraction-lost':
      return `RTCP reported ${pct(c.fractionLost * 100)} lost in its last report interval only.`;
  }
}

export function warningMessage(w: WarningFacts): string {
  switch (w.code) {
    case 'reliable-channel':
      return `The probe channel was not unordered with no retransmissions (ordered: ${String(w.ordered)}, maxRetransmits: ${String(w.maxRetransmits)}): lost probes may have been resent, hiding loss, so loss, jitter and reorder were not graded.`;
    case 'dropped-at-sender':
      return `${plural(w.probes, 'probe')} were never sent because the browser's send buffer was full; this device or its uplink could not keep up (they are not counted as network loss).`;
    case 'timer-late':
      return `The sender's timer ran late (99th percentile ${ms(w.timerErrorMsP99)}, more than one probe interval of ${ms(w.intervalMs)}): a busy device sends probes in bunches, which can add jitter.`;
    case 'missed-ticks':
      return `The sender skipped ${plural(w.ticks, 'tick')} because it fell behind; the device was busy or throttled.`;
    case 'send-buffer':
      return `Up to ${count(w.bytes)} bytes waited in the browser before leaving (about ${count(w.probes)} probes): delay and jitter include queueing on this device.`;
    case 'page-hidden-no-intervals':
      return 'The page was hidden during the test but the times were not recorded, so the whole test is treated as suspect: browsers slow down hidden pages.';
    case 'page-hidden':
      return 'The page was hidden during part of the test; browsers slow down hidden pages, so a stretch overlapping those times passes only on the worst the network can have done there.';
    case 'path-changed':
      return `The network path changed ${plural(w.changes, 'time')} during the test (for example a NAT rebinding or a switch of relay candidate); real calls may drop or glitch when that happens.`;
    case 'tcp-fallback':
      return `Media went to the relay over ${w.transport.toUpperCase()} instead of UDP. It works, but adds delay: open UDP for the best experience.`;
    case 'unknown-arrivals':
      return `${plural(w.packets, 'packet')} arrived with sequence numbers that were never sent; they were ignored.`;
    case 'duplicates':
      return `${plural(w.packets, 'duplicate packet')} arrived; duplicates are counted apart and never as received twice.`;
    case 'stats-disagree':
      return disagreementSentence(w.disagreement, w.statsRttScale);
    case 'low-rate':
      return `${w.target.label}: ${targetNote(w.target)}.`;
  }
}

/** How each figure was measured, for the report's methods. */
export function methodSentences(lossTimeoutMs: number): string[] {
  return [
    'Percentiles: nearest rank (the value at rank ceil(p/100 x n), always a measured value).',
    'Round trip: client receive - client send - reflector hold time (loopback: the pc1 -> relay -> pc2 transit); one-way latency = median round trip / 2.',
    `Loss: a probe is lost when it never arrived or arrived more than ${String(lossTimeoutMs)} ms later than the fastest probe of its direction (relative one-way delay, so clock offsets cancel).`,
    "Jitter: RFC 3550 interarrival jitter J, in arrival order, over the probes received in time; a window's jitter is the mean J of the probes sent in it.",
    "Windows: every position over send time (windows starting and ending at each probe's send time); a window counts when its probes span at least its length minus one probe interval; a window touching a suspect interval passes only on a bound: its loss with every probe never sent counted lost, its jitter with every probe of that time given the delay that makes it worst.",
    'Reorder: RFC 4737 (sequence number below the highest seen + 1 at arrival) over unique probes received in time; duplicates counted apart.',
    'Confidence: Clopper-Pearson exact 95% two-sided interval for every ratio.',
    'Grades: strict "<" (value < threshold passes, value >= threshold fails); verdict fails if any grade fails, else is insufficient if any grade is.',
  ];
}

// ---- The P90 aggregate ----

/** What an aggregate entry grades, from what each test graded. */
export const aggregateStatistic = (perTest: string): string => `P90 over tests of: ${perTest}`;

/**
 * "fails already: 5 of 14 samples missed the target, so even the lower end of the P90's
 * interval (sample 10 of 14, 1.3%) is not below 1% (97.5% sure); a P90 fails this early from
 * 4 samples and passes only from 54." Shared by the site report and `aggregate` (`noun`: sample or test).
 */
export function earlyFailText(e: EarlyFail, minPass: number, noun: 'sample' | 'test', show: (v: number) => string, target: string): string {
  const lower =
    e.lower === null ? `${noun} ${count(e.lowerRank)} of ${count(e.samples)}` : `${noun} ${count(e.lowerRank)} of ${count(e.samples)}, ${show(e.lower)}`;
  return `fails already: ${count(e.missed)} of ${plural(e.samples, noun)} missed the target, so even the lower end of the P90's interval (${lower}) is not below ${target} (${pct(e.level * 100)} sure); a P90 fails this early from ${count(e.minSamples)} ${noun}s and passes only from ${count(minPass)}.`;
}

/** The sentence of one aggregate entry (P90 over tests of one target and direction); `minTests` grades a P90, `interval` is its order-statistic interval. */
export function aggregateEntrySentence(
  e: Omit<AggregateEntry, 'sentence'>,
  rule: { minTests: number; interval: { level: number; lower: number; upper: number } | null },
): string {
  const where = targetWhere(e.label, e.direction);
  const apart =
    e.testsInsufficient > 0
      ? ` ${plural(e.testsInsufficient, 'test')} could not be judged on this and ${e.testsInsufficient === 1 ? 'is' : 'are'} not counted.`
      : '';
  if (e.p90 === null) return `${where}: no test could be judged.${apart}`;
  const show = (v: number, t?: number): string => (e.unit === 'ms' ? ms(v, t) : pct(v, t));
  const value = show(e.p90, e.threshold);
  const target = show(e.threshold);
  const over = `${where}: the 90th percentile over ${plural(e.testsGraded, 'test')} was ${value}`;
  if (e.earlyFail !== null) return `${over}; ${earlyFailText(e.earlyFail, rule.minTests, 'test', show, target)}${apart}`;
  if (rule.interval === null)
    return `${over}; a P90 is graded from ${String(rule.minTests)} tests or more, so this is not graded (${String(e.testsGraded)} of ${String(rule.minTests)}).${apart}`;
  const ci = `${pct(rule.interval.level * 100)} interval of the P90: ${show(rule.interval.lower)} to ${show(rule.interval.upper)}`;
  return `${over}; the target is below ${target}, so this ${e.status === 'pass' ? 'passes' : 'fails'} (${ci}).${apart}`;
}

/** One sentence a help desk understands for a rung that could not be used; null when it worked. */
export function rungErrorText(r: RungFacts): string | null {
  const name = rungName(r);
  const code = r.error;
  if (code === null) return null;
  switch (code) {
    case 'not-offered':
      return r.transport === 'tls'
        ? 'This server does not offer TURN over TLS, so TLS was not tested.'
        : `This server does not offer ${name}, so it was not tested.`;
    case 'timeout':
      // Only what was seen: several causes look the same from here (see the relay-silent hint).
      return `${name} did not answer.`;
    case 'tls-handshake':
      return `${name} answered, but the TLS handshake failed: a proxy may be inspecting TLS, or the certificate is not trusted.`;
    case 'loopback-refused':
      return `The relay is on a loopback address, which this browser refuses to use for media (started without --allow-loopback-in-peer-connection).`;
    case 'gather-failed':
      return `The browser could not try ${name} at all.`;
    case 'not-tried':
      return `${name} was not tried.`;
    case 'server-busy':
      return `${name} was not measured: the test server was too busy to take this stream, the server's limit, not your network.`;
    default: {
      const turn = /^turn-(\d{3})$/.exec(code)?.[1];
      if (turn === '401') return `${name} refused the credentials (TURN 401): the test server's secret or clock may be wrong.`;
      if (turn === '403') return `${name} refused the request (TURN 403): the relay's policy forbids it.`;
      // Our relay's own limits: the server's fact, never the network's (the port answered).
      if (turn === '486')
        return `${name} answered, but the test server's relay refused this test an allocation there (TURN 486: its allocation quota, for this test or this address): the server's limit, not your network.`;
      if (turn === '508') return `${name} answered, but the test server's relay is full (TURN 508): the server's limit, not your network.`;
      return `${name} answered with TURN error ${turn ?? code}.`;
    }
  }
}

/**
 * What a test cut short by our side means, in words a help desk reads out: when, what was
 * seen, and that it says nothing about the user's network.
 */
export function outcomeSentence(
  o: Pick<Outcome, 'reason' | 'atMs' | 'detail'> & Partial<Pick<Outcome, 'side'>>,
  hintCodes: readonly string[] = [],
  loopback: LoopbackRelayPolicy = 'unknown',
): string {
  // A hub's edge that stopped beating or failed its own relay check: ours, said so (plan/edge-side.ts).
  if (o.reason === 'could-not-connect' && o.side === 'server')
    return `Our test server did not let this test through on any port: ${o.detail}. That is our side, not your network: try again later.`;
  if (o.reason === 'could-not-connect' && hintCodes.includes('loopback-refused')) {
    return `This browser could not use the relay: it is on a loopback address (one that reaches only the same machine), ${LOOPBACK_WHY[loopback]}. That says nothing about your network: start the server on an address clients can reach (--host, --relay-ip, --advertise)${loopback === 'refused-unless-flag' ? ', or start the browser with that flag for a local test' : ''}.`;
  }
  if (o.reason === 'could-not-connect') {
    return hintCodes.includes('relay-silent')
      ? `The relay did not answer on any port this test tried: ${o.detail}.`
      : `The relay answered but no port it offered let this test through: ${o.detail}. Each port's answer is listed with the relay ports; give your IT team the result code.`;
  }
  if (o.reason === 'reflector-silent') {
    return `The test server's reflector did not answer: ${o.detail}. This says nothing about your network: the failure is ours. Run the test again.`;
  }
  // To a tenth of a second: the moment is known to the receipt batch, not to the millisecond.
  const when = o.atMs === null ? 'before the first echo' : `${fixed(o.atMs / 1000, 1)} s into the test`;
  const serverGone = o.detail.startsWith('the server closed');
  return (
    (serverGone ? `The test server stopped answering ${when}` : `The connection to the test server was lost ${when}`) +
    `: ${o.detail}. The test could not finish, so there is no verdict: the probes after that moment are not counted as loss and nothing here grades your network. Run the test again; if it stops again, the test server or the path to it is failing.`
  );
}

/** Why a browser does not use a relay on a loopback address, by what its engine does (grade/engine.ts). */
const LOOPBACK_WHY: Readonly<Record<LoopbackRelayPolicy, string>> = {
  'refused-unless-flag': 'which Chrome, Edge and other Chromium browsers refuse unless started with --allow-loopback-in-peer-connection',
  refused: 'which Firefox refuses whatever its settings',
  unknown: 'which browsers may refuse for media',
};
const LOOPBACK_FIX: Readonly<Record<LoopbackRelayPolicy, string>> = {
  'refused-unless-flag': 'start the browser with --allow-loopback-in-peer-connection for a local test, or give the server an address clients can reach',
  refused: 'give the server an address clients can reach (for a local test, a LAN address of this machine)',
  unknown: 'give the server an address clients can reach',
};

/** What one network hint means for a call, in one or two sentences a help desk can act on. */
export function hintSentence(h: HintFacts): string {
  switch (h.code) {
    case 'udp-blocked':
      return `UDP to the relay is blocked from here (UDP ${portSpan(h.udpPorts)} did not answer), so calls fall back to TCP or TLS: there a lost packet is resent and arrives late instead of missing, which turns loss into delay and stutter. Ask the network team to allow UDP ${portSpan(h.udpPorts)} outbound.`;
    case 'udp-port-blocked':
      return `UDP port${h.blockedPorts.length > 1 ? 's' : ''} ${portSpan(h.blockedPorts)} did not answer while UDP ${portSpan(h.openPorts)} did: a firewall filters by port. Calls use each of these ports, so ask the network team to allow UDP ${portSpan([...h.blockedPorts, ...h.openPorts])} outbound.`;
    case 'tcp-fallback':
      return `This test ran over ${h.transport.toUpperCase()}, not UDP: its figures are what calls get on this fallback, which is worse for media than UDP under loss.`;
    case 'tls-not-offered':
      return 'This server offers no TURN over TLS (no certificate configured), so the TLS fallback was not tested; that says nothing about your network.';
    case 'tls-blocked':
      return `TURN over TLS ${h.error === 'tls-handshake' ? 'failed its handshake' : 'did not answer'} while plain TCP worked: a proxy on the way may be inspecting or blocking TLS, which would break the last fallback calls have.`;
    case 'path-changed':
      return `The network path changed ${h.changes === 1 ? 'once' : plural(h.changes, 'time')} during the test (a Wi-Fi roam, a VPN or a NAT rebinding): calls drop audio for a moment when that happens.`;
    case 'far-relay':
      return `The relay is far from here for ${h.region}: a round trip of ${ms(h.rttMsP50, h.thresholdMs)} against the region's ${ms(h.thresholdMs)} target. Calls will lag; check that traffic to ${h.region} leaves the network locally (no VPN hairpin or distant proxy) and that the nearest relay is used.`;
    case 'symmetric-nat':
      return 'Each destination seems to get its own public port from here (a symmetric NAT; a proxy in front of the test server that remaps ports would look the same): if so, direct peer-to-peer media between call participants fails from here, so calls need the relay, and its ports must stay reachable.';
    case 'relay-silent':
      return h.loopback
        ? 'No port of the relay answered. The relay is on a loopback address, on this machine: check that the test server is running, and that this browser may use a relay on a loopback address (Chromium only when started with --allow-loopback-in-peer-connection).'
        : 'No port of the relay answered, so this test cannot tell a network that blocks them from a relay that is down: try the test from another network (a phone hotspot, say); if it fails on every network, tell your IT team, the relay itself is not answering.';
    case 'loopback-refused':
      return `The browser did not use the relay on a loopback address (one that reaches only the same machine), ${LOOPBACK_WHY[h.policy]}: ${LOOPBACK_FIX[h.policy]}.`;
  }
}

/** Why the worst rung of compare mode is the worst, in one sentence. */
export function worstRungReason(w: WorstFacts): string {
  const name = rungName(w.rung);
  switch (w.by) {
    case 'unreachable':
      return `${name} could not carry a stream while other rungs could: a firewall treats it differently.`;
    case 'loss':
      return `${name} lost ${pct(w.rung.lossPct ?? 0)} of its probes, against at best ${pct(w.bestOtherValue ?? 0)} on the other rungs: something on the way polices or drops this port or transport.`;
    case 'jitter':
      return `${name} had ${ms(w.rung.jitterMs ?? 0)} jitter, against at best ${ms(w.bestOtherValue ?? 0)} on the other rungs: this port or transport is queued or shaped differently.`;
    case 'rtt':
      return `${name} had a round trip of ${ms(w.rung.rttMsP50 ?? 0)}, against at best ${ms(w.bestOtherValue ?? 0)} on the other rungs${w.rung.transport === 'udp' ? '' : ': TCP and TLS add delay when packets are lost'}.`;
  }
}
