/**
 * The answer layer of a report: one sentence for everyone ("Calls should work well here"),
 * the one or two findings that matter most for a call, ranked by their impact on a call (loss
 * and burst loss, then jitter, then latency, then reorder; not by ratio to the target), and
 * what to try, ordered by likely cause, each tied to the evidence that supports it. Pure: it
 * reads a report (of any stored version, once upgraded), so the page, the shared result page
 * and the CLI give the same answer.
 */
import { clopperPearson } from '../measure/confidence.js';
import type { GradeEntry, Report, TargetId } from '../schema/report-schema.js';
import { figureMs, figurePct, ms, pct, seconds } from './format.js';
import { outcomeSentence } from './sentences.js';

export type AnswerTone = 'good' | 'bad' | 'unsure';

/** A finding: what a caller would notice, with the figure behind it. */
export interface Finding {
  kind: 'loss' | 'burst-loss' | 'jitter' | 'latency' | 'reorder';
  sentence: string;
}

/** One thing to try, and the evidence in this report that makes it the thing to try. */
export interface Advice {
  id: 'allow-udp' | 'wifi-or-cable' | 'pause-uploads' | 'pause-downloads' | 'vpn-or-route' | 'tell-it' | 'run-longer' | 'run-again';
  text: string;
  because: string;
}

/** A target that passed on its estimate while its 95 % upper bound is above the limit. */
export interface Unconfirmed {
  target: TargetId;
  label: string;
  /** Probes at this rate that would confirm it if the rate seen holds, and that test length. */
  probesNeeded: number | null;
  secondsNeeded: number | null;
}

export interface AnswerView {
  tone: AnswerTone;
  /** The answer in one sentence. */
  sentence: string;
  /** At most two, most harmful to a call first. */
  findings: Finding[];
  /** Ordered by likely cause; empty when there is nothing to do. */
  advice: Advice[];
  unconfirmed: Unconfirmed[];
  /** Status words per grade, "pass, not confirmed" where the bound says so. */
  statusText(g: Pick<GradeEntry, 'status' | 'target' | 'direction'>): string;
}

/** Call impact of each target: lower is worse for a call. */
const IMPACT: Readonly<Record<TargetId, number>> = {
  'loss-15s': 0,
  'burst-loss-200ms': 1,
  'jitter-15s': 2,
  'latency-one-way': 3,
  'latency-rtt': 3,
  reorder: 4,
};

/** Targets whose pass a longer test can confirm: ratios over many probes. */
const CONFIRMABLE: ReadonlySet<TargetId> = new Set<TargetId>(['loss-15s', 'reorder']);

/** Why a target could not be judged, as advice words. */
const INSUFFICIENT_BECAUSE: Readonly<Record<NonNullable<GradeEntry['reason']>, string>> = {
  'no-data': 'no probe came back to judge it',
  'too-few-packets': 'too few probes arrived to judge it',
  'window-not-filled': 'the test was shorter than the 15 s window the targets are judged over',
  'suspect-windows': 'the page was busy or hidden, or its own sender queued probes, during the windows that matter',
  'not-resolvable': 'this probe rate cannot resolve the target',
  'reliable-channel': 'the probe channel retransmitted lost packets, which hides loss',
};

/** Smallest n (at most 1e6) whose 95 % upper bound at the same event rate is below `thresholdPct`. */
export function probesToConfirm(events: number, n: number, thresholdPct: number): number | null {
  const rate = n > 0 ? events / n : 0;
  if (rate * 100 >= thresholdPct) return null;
  const upperAt = (m: number): number => 100 * clopperPearson(Math.round(rate * m), m).upper;
  let hi = Math.max(1, n);
  while (upperAt(hi) >= thresholdPct) {
    hi *= 2;
    if (hi > 1_000_000) return null;
  }
  let lo = Math.max(1, Math.floor(hi / 2));
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (upperAt(mid) < thresholdPct) hi = mid;
    else lo = mid + 1;
  }
  return hi;
}

function unconfirmed(r: Report): Unconfirmed[] {
  const out: Unconfirmed[] = [];
  for (const g of r.grades) {
    const c = g.confidence;
    // Whole-test ratios only: a 200 ms window's bound says how coarse the window is, not
    // whether a longer test would change the answer.
    if (!CONFIRMABLE.has(g.target)) continue;
    if (g.status !== 'pass' || c.upperPct === null || c.upperPct < g.threshold) continue;
    const needed = probesToConfirm(c.events ?? 0, c.packetsEvaluated, g.threshold);
    if (out.some((u) => u.target === g.target)) continue;
    out.push({
      target: g.target,
      label: g.label,
      probesNeeded: needed,
      secondsNeeded: needed === null || r.summary.ratePps <= 0 ? null : Math.ceil(needed / r.summary.ratePps),
    });
  }
  return out;
}

type Side = 'up' | 'down' | 'both' | 'other';

function sideOf(failed: readonly GradeEntry[]): Side {
  const up = failed.some((g) => g.direction === 'up');
  const down = failed.some((g) => g.direction === 'down');
  return up && down ? 'both' : up ? 'up' : down ? 'down' : 'other';
}

const SIDE_WORDS: Readonly<Record<Side, string>> = {
  both: 'in both directions',
  up: 'on the way out (what you send)',
  down: 'on the way in (what you receive)',
  other: 'on the path to the relay',
};

function finding(kind: Finding['kind'], failed: readonly GradeEntry[]): Finding {
  const side = sideOf(failed);
  const worst = failed.reduce((a, b) => ((b.value ?? 0) > (a.value ?? 0) ? b : a));
  const value = worst.value ?? 0;
  switch (kind) {
    case 'loss':
      return {
        kind,
        sentence: `Packets are lost ${SIDE_WORDS[side]}: up to ${pct(value, worst.threshold)} over 15 s, where calls need under ${pct(worst.threshold)}.`,
      };
    case 'burst-loss':
      return {
        kind,
        sentence: `Packets are lost in bursts ${SIDE_WORDS[side]}: ${pct(value, worst.threshold)} in the worst 200 ms, which a caller hears as a dropout.`,
      };
    case 'jitter':
      return {
        kind,
        sentence: `Packet timing varies too much ${SIDE_WORDS[side]}: jitter up to ${ms(value, worst.threshold)}, where calls need under ${ms(worst.threshold)}.`,
      };
    case 'latency':
      return { kind, sentence: `The delay to the relay is too long: ${ms(value, worst.threshold)} where calls need under ${ms(worst.threshold)}.` };
    case 'reorder':
      return { kind, sentence: `Packets arrive out of order ${SIDE_WORDS[side]} (${pct(value, worst.threshold)}): rarely audible on its own.` };
  }
}

const KIND_OF: Readonly<Record<TargetId, Finding['kind']>> = {
  'loss-15s': 'loss',
  'burst-loss-200ms': 'burst-loss',
  'jitter-15s': 'jitter',
  'latency-one-way': 'latency',
  'latency-rtt': 'latency',
  reorder: 'reorder',
};

function failSentence(top: Finding['kind'], side: Side): string {
  switch (top) {
    case 'loss':
    case 'burst-loss':
      return side === 'up'
        ? 'Calls will likely break up for the people you talk to: your connection loses packets on the way out.'
        : side === 'down'
          ? 'Calls will likely break up: your connection loses packets on the way in.'
          : 'Calls will likely break up: your connection loses packets in both directions.';
    case 'jitter':
      return 'Calls will likely sound choppy: the timing of packets varies too much.';
    case 'latency':
      return 'Calls will likely lag: the delay to the relay is too long for a natural conversation.';
    case 'reorder':
      return 'Calls should mostly work, with occasional small glitches: packets arrive out of order.';
  }
}

/** A direction's figure, printed as the key figures print it (same precision rule, same target). */
function dirFigure(r: Report, side: 'upstream' | 'downstream', field: 'lossPct' | 'jitterMs'): string {
  const target: TargetId = field === 'lossPct' ? 'loss-15s' : 'jitter-15s';
  const threshold = r.meta.targets.find((t) => t.target === target)?.threshold;
  return field === 'lossPct' ? figurePct(r.summary[side]?.[field] ?? null, threshold) : figureMs(r.summary[side]?.[field] ?? null, threshold);
}

function adviceFor(r: Report, failedKinds: ReadonlyMap<Finding['kind'], GradeEntry[]>): Advice[] {
  const out: Advice[] = [];
  const hint = (code: string): boolean => r.hints.some((h) => h.code === code);
  // Only when UDP really failed: a test told to use TCP (?turn=tcp) says nothing about UDP.
  if (hint('udp-blocked')) {
    out.push({
      id: 'allow-udp',
      text: 'Tell your IT team: UDP 3478-3481 to the relay is blocked here, so calls fall back to TCP, which turns every lost packet into delay.',
      because: `this test ran over ${r.path.transport === 'unknown' ? 'TCP or TLS' : r.path.transport.toUpperCase()}, not UDP`,
    });
  }
  const loss = [...(failedKinds.get('loss') ?? []), ...(failedKinds.get('burst-loss') ?? [])];
  const lossSide = loss.length > 0 ? sideOf(loss) : null;
  const lossBecause = `lost ${dirFigure(r, 'upstream', 'lossPct')} upstream and ${dirFigure(r, 'downstream', 'lossPct')} downstream`;
  const burstOnly = (failedKinds.get('burst-loss')?.length ?? 0) > 0 && (failedKinds.get('loss')?.length ?? 0) === 0;
  // One side only points at that side's link first; both sides, or bursts on both, at the radio or the access line.
  if (lossSide === 'both' || (burstOnly && lossSide !== 'up' && lossSide !== 'down')) {
    out.push({
      id: 'wifi-or-cable',
      text: 'If you are on Wi-Fi, move closer to the access point or use a network cable: losses both ways, or in short bursts, usually come from the radio link or the access line.',
      because: burstOnly ? `the worst 200 ms lost ${pct(r.summary.burstLossPctMax200ms ?? 0)} while the 15 s average stayed within target` : lossBecause,
    });
  }
  if (lossSide === 'up') {
    out.push({
      id: 'pause-uploads',
      text: 'Pause uploads on this network (cloud backup, file sync, video uploads) and test again: loss only on the way out points at a full upload link.',
      because: lossBecause,
    });
  }
  if (lossSide === 'down') {
    out.push({
      id: 'pause-downloads',
      text: 'Pause downloads and streaming on this network and test again: loss only on the way in points at a full download link or the access line.',
      because: lossBecause,
    });
  }
  if (burstOnly && (lossSide === 'up' || lossSide === 'down')) {
    out.push({
      id: 'wifi-or-cable',
      text: 'If it keeps happening, try a network cable instead of Wi-Fi: short dropouts often come from the radio link.',
      because: `the worst 200 ms lost ${pct(r.summary.burstLossPctMax200ms ?? 0)} while the 15 s average stayed within target`,
    });
  }
  const jitter = failedKinds.get('jitter') ?? [];
  if (jitter.length > 0 && !out.some((a) => a.id === 'wifi-or-cable')) {
    const side = sideOf(jitter);
    out.push({
      id: side === 'up' ? 'pause-uploads' : side === 'down' ? 'pause-downloads' : 'wifi-or-cable',
      text:
        side === 'up'
          ? 'Pause uploads and test again: uneven timing on the way out comes from a busy upload link or Wi-Fi.'
          : side === 'down'
            ? 'Pause downloads and streaming and test again: uneven timing on the way in comes from a busy download link or Wi-Fi.'
            : 'Use a network cable instead of Wi-Fi if you can: uneven timing both ways usually comes from the radio link.',
      because: `jitter ${dirFigure(r, 'upstream', 'jitterMs')} upstream, ${dirFigure(r, 'downstream', 'jitterMs')} downstream`,
    });
  }
  if ((failedKinds.get('latency')?.length ?? 0) > 0) {
    out.push({
      id: 'vpn-or-route',
      text: 'If you are on a VPN, ask your IT team to let Teams media bypass it (split tunnelling); otherwise the route to the relay is long: tell your IT team.',
      because: `round trip ${r.summary.rttMsP50 === null ? '–' : ms(r.summary.rttMsP50)} (median)`,
    });
  }
  if (out.length > 0 || failedKinds.size > 0) {
    out.push({
      id: 'tell-it',
      text: 'If it stays like this, give your IT team the result code: they see this same report.',
      because: 'a repeated result is what they can act on',
    });
  }
  return out;
}

export function answerView(r: Report): AnswerView {
  const conf = unconfirmed(r);
  const isUnconfirmed = (g: Pick<GradeEntry, 'status' | 'target'>): boolean => g.status === 'pass' && conf.some((u) => u.target === g.target);
  const statusText = (g: Pick<GradeEntry, 'status' | 'target' | 'direction'>): string =>
    isUnconfirmed(g) ? 'pass, not confirmed' : g.status === 'insufficient' ? 'not judged' : g.status;
  const hintCodes = r.hints.map((h) => h.code);
  if (r.outcome) {
    const sentence =
      r.outcome.reason === 'connection-lost'
        ? 'The test could not finish: the connection to the test server was lost, so this says nothing about your calls yet.'
        : hintCodes.includes('loopback-refused')
          ? 'The test could not start: this browser refuses a relay on a local address.'
          : 'Calls cannot get through from here: the ports calls use are blocked on the way to the relay.';
    const advice: Advice[] =
      r.outcome.reason === 'connection-lost'
        ? [{ id: 'run-again', text: 'Run the test again.', because: outcomeSentence(r.outcome, hintCodes) }]
        : hintCodes.includes('loopback-refused')
          ? []
          : [
              {
                id: 'tell-it',
                text: 'Give your IT team the result code: UDP 3478-3481 and TCP/TLS 443 to the relay must be allowed outbound.',
                because: 'no relay port connected',
              },
            ];
    return { tone: 'unsure', sentence, findings: [], advice, unconfirmed: conf, statusText };
  }
  const failed = r.grades.filter((g) => g.status === 'fail');
  const byKind = new Map<Finding['kind'], GradeEntry[]>();
  for (const g of [...failed].sort((a, b) => IMPACT[a.target] - IMPACT[b.target])) {
    const k = KIND_OF[g.target];
    byKind.set(k, [...(byKind.get(k) ?? []), g]);
  }
  if (r.summary.verdict === 'fail' && byKind.size > 0) {
    const kinds = [...byKind.keys()];
    const top = kinds[0] ?? 'loss';
    const topSide = sideOf(
      [...(byKind.get('loss') ?? []), ...(byKind.get('burst-loss') ?? [])].length > 0
        ? [...(byKind.get('loss') ?? []), ...(byKind.get('burst-loss') ?? [])]
        : (byKind.get(top) ?? []),
    );
    const findings = kinds.slice(0, 2).map((k) => finding(k, byKind.get(k) ?? []));
    return { tone: 'bad', sentence: failSentence(top, topSide), findings, advice: adviceFor(r, byKind), unconfirmed: conf, statusText };
  }
  if (r.summary.verdict === 'pass') {
    const longest = conf.reduce<number | null>((a, u) => (u.secondsNeeded === null ? a : a === null || u.secondsNeeded > a ? u.secondsNeeded : a), null);
    // Only an unconfirmed figure a caller would hear qualifies the answer; reorder alone is a note.
    const audible = conf.some((u) => IMPACT[u.target] < IMPACT.reorder);
    const advice: Advice[] = [];
    if (conf.length > 0) {
      advice.push({
        id: 'run-longer',
        text:
          longest === null
            ? 'Run a longer test to confirm every target.'
            : `Run a ${seconds(longest * 1000)} test to confirm ${conf.map((u) => u.label.toLowerCase()).join(' and ')}.`,
        because: `${conf.map((u) => u.label.toLowerCase()).join(' and ')} passed on this test's figures, but too few probes to be sure at 95 %`,
      });
    }
    if (r.hints.some((h) => h.code === 'udp-blocked')) advice.unshift(...adviceFor(r, new Map()).filter((a) => a.id === 'allow-udp'));
    return {
      tone: 'good',
      sentence: audible ? 'Calls should work well here, though this test was too short to confirm it.' : 'Calls should work well here.',
      findings: [],
      advice,
      unconfirmed: conf,
      statusText,
    };
  }
  const lacking = r.grades.find((g) => g.status === 'insufficient');
  const firstReason = lacking?.reason ?? null;
  const firstLabel = lacking?.label ?? '';
  return {
    tone: 'unsure',
    sentence: 'No answer yet: this test could not judge every target, and none failed.',
    findings: [],
    advice: [
      {
        id: 'run-again',
        text: `Run the full ${seconds(15_000)} test again with this page in front, without other heavy use of the network.`,
        because:
          firstReason === null ? 'some targets could not be judged' : `${firstLabel.toLowerCase()} could not be judged: ${INSUFFICIENT_BECAUSE[firstReason]}`,
      },
    ],
    unconfirmed: conf,
    statusText,
  };
}
