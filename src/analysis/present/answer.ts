/**
 * The answer layer of a report: one sentence for everyone ("Calls should work well here"),
 * the one or two findings that matter most for a call, ranked by their impact on a call (loss
 * and burst loss, then jitter, then latency, then reorder; not by ratio to the target), and
 * what to try (advice.ts), ordered by likely cause, each tied to the evidence that supports it.
 * Every measured figure is printed as the key figures and the tables print it (view.ts). Pure:
 * it reads a report (of any stored version, once upgraded), so the page, the shared result
 * page, the CLI and the help desk console give the same answer.
 */
import { clopperPearson } from '../measure/confidence.js';
import { cautionOfReport } from '../grade/caution.js';
import { CALL_IMPACT } from '../grade/targets.js';
import type { GradeEntry, Report, TargetId } from '../schema/report-schema.js';
import { adviceFor, allowUdpAdvice, couldNotConnectAdvice, runAgainText, sideOf, type Advice, type FindingKind } from './advice.js';
import { figure, fixed, limitValue, plural, seconds } from './format.js';
import { pathText, silentUdpText } from './ports.js';
import { fallbackClause, insufficientCauseText } from './cause-text.js';
import { pathFacts, type PathFact } from './facts.js';

/** good: calls work; caution: they work, at a cost (a fallback path); bad: they will suffer; unsure: no answer. */
export type AnswerTone = 'good' | 'caution' | 'bad' | 'unsure';

/** A finding: what a caller would notice, with the figure behind it. */
interface Finding {
  /** A failed target's kind, or `busy-line`: calls suffer when the line is busy (the load phase). */
  kind: FindingKind | 'busy-line';
  sentence: string;
}

/** A target that passed on its estimate while its 95 % upper bound is above the limit. */
interface Unconfirmed {
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
  /** Why a pass is not a plain one, naming what this test tried (shown right under the sentence); null when none. */
  caution: string | null;
  /**
   * What holds whatever the verdict (a fallback path, ports that did not answer, a relay that
   * refused, a busy device or server), each with its action: shown on top, under the sentence.
   * None repeats the sentence or the caution.
   */
  facts: PathFact[];
  /**
   * A settled fail shown while the test ran that the final verdict did not keep: said on top,
   * with why; null when none was shown or it held.
   */
  withdrawn: string | null;
  /** At most two, most harmful to a call first. */
  findings: Finding[];
  /** Ordered by likely cause; empty when there is nothing to do. */
  advice: Advice[];
  unconfirmed: Unconfirmed[];
  /** Status words per grade, "pass, not confirmed" where the bound says so. */
  statusText(g: Pick<GradeEntry, 'status' | 'target' | 'direction'>): string;
}

/** The answer before the facts that hold whatever the verdict are added (answerView). */
type CoreAnswer = Omit<AnswerView, 'facts' | 'withdrawn'>;

/**
 * What "pass, not confirmed" means, word for word wherever it is shown (the page, the CLI, the
 * README): the verdict counts the target as met.
 */
export const UNCONFIRMED_MEANING =
  'pass, not confirmed: the measured value is below the limit, so the verdict counts it as met, but the test was too short to rule out, at 95 % confidence, that the true value is at or above the limit; a longer test can confirm it.';

/** Targets whose pass a longer test can confirm: ratios over many probes. */
const CONFIRMABLE: ReadonlySet<TargetId> = new Set<TargetId>(['loss-15s', 'reorder']);

/** Why a target could not be judged, as advice words. */
const INSUFFICIENT_BECAUSE: Readonly<Record<NonNullable<GradeEntry['reason']>, string>> = {
  'no-data': 'no probe came back to judge it',
  'too-few-packets': 'too few probes arrived to judge it',
  'window-not-filled': 'the test was shorter than the 15 s window the targets are judged over',
  'suspect-windows': 'the page was busy or hidden, or its own sender queued probes, during the windows that matter',
  'not-resolvable': 'the measurement cannot resolve the target this finely (too few probes per window, or a coarse browser clock)',
  'reliable-channel': 'the probe channel retransmitted lost packets, which hides loss',
  'device-busy': "this device was busy for most of the test, or its own figures disagreed with the browser's network thread",
  'server-busy': 'the test server was busy for most of the test',
};

/** Warnings that say this device (not the network) fell behind. */
const BUSY_WARNINGS: ReadonlySet<string> = new Set(['dropped-at-sender', 'timer-late', 'missed-ticks', 'send-buffer']);
/** Suspect intervals where this device (not the network) fell behind. */
const BUSY_REASONS: ReadonlySet<string> = new Set(['sender-stall', 'sender-queue', 'receiver-stall']);

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

const SIDE_WORDS: Readonly<Record<ReturnType<typeof sideOf>, string>> = {
  both: 'in both directions',
  up: 'on the way out (what you send)',
  down: 'on the way in (what you receive)',
  other: 'on the path to the relay',
};

/** The worst graded value of a kind, printed as the targets table and the key figures print it. */
function worstFigure(failed: readonly GradeEntry[]): { value: string; limit: string } {
  const worst = failed.reduce((a, b) => ((b.value ?? 0) > (a.value ?? 0) ? b : a));
  return { value: figure(worst.value, worst.unit, worst.threshold), limit: limitValue(worst.threshold, worst.unit) };
}

function finding(kind: FindingKind, failed: readonly GradeEntry[]): Finding {
  const side = SIDE_WORDS[sideOf(failed)];
  const { value, limit: under } = worstFigure(failed);
  switch (kind) {
    case 'loss':
      return { kind, sentence: `Packets are lost ${side}: up to ${value} over 15 s, where calls need under ${under}.` };
    case 'burst-loss':
      return { kind, sentence: `Packets are lost in bursts ${side}: ${value} in the worst 200 ms, which a caller hears as a dropout.` };
    case 'jitter':
      return { kind, sentence: `Packet timing varies too much ${side}: jitter up to ${value}, where calls need under ${under}.` };
    case 'latency':
      return { kind, sentence: `The delay to the relay is too long: ${value} where calls need under ${under}.` };
    case 'reorder':
      return { kind, sentence: `Packets arrive out of order ${side} (${value}): rarely audible on its own.` };
  }
}

const KIND_OF: Readonly<Record<TargetId, FindingKind>> = {
  'loss-15s': 'loss',
  'burst-loss-200ms': 'burst-loss',
  'jitter-15s': 'jitter',
  'latency-one-way': 'latency',
  'latency-rtt': 'latency',
  reorder: 'reorder',
};

/**
 * The answer of a failed test, as sure as what the page said while it ran: a loss the test had
 * already settled ("Calls will break up here") stays that sure; anything else is "likely", like
 * a likely fail while it ran.
 */
function failSentence(top: FindingKind, side: ReturnType<typeof sideOf>, settled: boolean): string {
  switch (top) {
    case 'loss':
    case 'burst-loss':
      if (settled) {
        return side === 'up'
          ? 'Calls will break up here for the people you talk to: your connection loses packets on the way out.'
          : side === 'down'
            ? 'Calls will break up here: your connection loses packets on the way in.'
            : 'Calls will break up here: your connection loses packets in both directions.';
      }
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

/** The caution line of a fallback path: what this test tried, what it ran over, and what that costs a call. */
function fallbackLine(r: Pick<Report, 'connectivity' | 'path'>): string {
  return `${silentUdpText(r.connectivity) || 'UDP'} to the relay did not answer, so this test ran over ${pathText(r.path)}: calls get through, but a lost packet there is resent and arrives late instead of missing, so calls lag and stutter when the network is busy.`;
}

/** The stretches, on the sending side, where this device fell behind (the busy suspect intervals). */
function busyStretches(r: Report): { count: number; totalMs: number } | null {
  const side = r.diagnostics.suspectIntervals.filter((s) => (s.direction === 'up' || s.direction === 'loop') && BUSY_REASONS.has(s.reason));
  const warned = r.diagnostics.warnings.some((w) => BUSY_WARNINGS.has(w.code));
  if (side.length === 0 && !warned) return null;
  return { count: side.length, totalMs: side.reduce((a, s) => a + Math.max(0, s.endMs - s.startMs), 0) };
}

function closeAppsAdvice(busy: { count: number; totalMs: number }): Advice {
  return {
    id: 'close-apps',
    text: 'Close other programs and browser tabs, keep this page in front, and run the test again: this device could not keep up with the test.',
    because:
      busy.count > 0
        ? `this device fell behind ${plural(busy.count, 'time')} (${seconds(busy.totalMs)} in all); those moments were left out, not graded as your network`
        : 'this device fell behind during the test (see Worth knowing)',
  };
}

/**
 * A planned audio stream that the test server refused, or that did not connect: the server's or
 * the path's fact, with what to do about it (never this device's, whatever the data-channel
 * stream that stood in for it showed). Null when the probe path is the one planned.
 */
function fallbackAdvice(r: Pick<Report, 'probe'>): Advice | null {
  const clause = fallbackClause(r.probe);
  if (clause === null) return null;
  return {
    id: 'rtp-fallback',
    text:
      r.probe.fallback === 'relay-refused'
        ? "Run the test again; if the test server refuses the audio stream again, give the result code to whoever runs the test server: its relay's limit, not your network, turned it away."
        : 'Run the test again; if the audio stream fails again, give the result code to whoever runs the test server, with this network named: calls need that stream.',
    because: `${clause}, so this test measured on a data-channel stream instead`,
  };
}

function outcomeAnswer(r: Report, base: Pick<AnswerView, 'unconfirmed' | 'statusText'>): CoreAnswer {
  const codes = r.hints.map((h) => h.code);
  const o = r.outcome;
  if (o === null) throw new Error('outcomeAnswer needs an outcome');
  if (o.reason === 'connection-lost') {
    return {
      ...base,
      tone: 'unsure',
      sentence: 'The test could not finish: the connection to the test server was lost, so this says nothing about your calls yet.',
      caution: null,
      findings: [],
      advice: [
        {
          id: 'run-again',
          text: 'Run the test again; if it stops again, the test server or the path to it is failing: tell your IT team.',
          because:
            o.atMs === null
              ? 'the test server stopped answering before the first echo'
              : `the test server stopped answering ${fixed(o.atMs / 1000, 1)} s into the test, so nothing after that is evidence about your network`,
        },
      ],
    };
  }
  const sentence = codes.includes('loopback-refused')
    ? 'The test could not start: this browser refuses a relay on a local address.'
    : codes.includes('relay-silent')
      ? 'The test could not reach the relay: none of the ports it tried answered.'
      : 'The test could not start: the relay answered but let no media through.';
  return { ...base, tone: 'unsure', sentence, caution: null, findings: [], advice: couldNotConnectAdvice(r) };
}

/** The answer for everyone: the idle test's, what a busy line does to a call when the test loaded it, and the facts that hold whatever the verdict. */
export function answerView(r: Report): AnswerView {
  const a = withBusyLine(idleAnswer(r), r);
  // A fact the sentence or the caution already says is not said twice; its action is then the first advice.
  const facts = pathFacts(r).filter((f) => f.text !== a.sentence && !(a.tone === 'caution' && f.id === 'fallback-path'));
  // The fact carries the action: the same advice is not repeated below it.
  const advice = facts.some((f) => f.id === 'fallback-path') ? a.advice.filter((x) => x.id !== 'allow-udp') : a.advice;
  return { ...a, advice, facts, withdrawn: withdrawnLine(r) };
}

const CLAIM_WHO: Readonly<Record<GradeEntry['direction'], string>> = {
  up: 'you to the relay',
  down: 'the relay to you',
  loop: 'through the relay and back',
  'round-trip': 'round trip',
};

/** The first settled fail shown while the test ran (the headline it kept), as the report stores it; null when none. */
function firstSettledFail(r: Pick<Report, 'provisional'>): NonNullable<Report['provisional']>[number]['claims'][number] | null {
  for (const a of r.provisional ?? []) for (const c of a.claims) if (c.kind === 'settled-fail') return c;
  return null;
}

/**
 * The early finding withdrawn, said on top with why: a settled fail the page showed ("Calls will
 * break up here") that the final verdict, not a fail, did not keep. Null when none was shown, it
 * held, or the verdict is a fail all the same.
 */
function withdrawnLine(r: Report): string | null {
  const c = firstSettledFail(r);
  if (c === null || c.held !== false || (r.summary.verdict === 'fail' && r.outcome === null)) return null;
  const g = r.grades.find((x) => x.target === c.metric && x.direction === c.direction);
  const why =
    r.outcome !== null
      ? 'the test could not finish, so nothing it measured is graded'
      : g?.status === 'insufficient' && g.reason !== null
        ? `in the end it could not be judged: ${INSUFFICIENT_BECAUSE[g.reason]}`
        : 'the full analysis, with a longer wait for late packets and with the moments this device or the test server fell behind left out, found no window over the limit';
  const what = c.evidence.replace(/; limit .*$/, '');
  return `Withdrawn: the early answer "Calls will break up here" (${what}, ${CLAIM_WHO[c.direction]}) did not hold: ${why}.`;
}

/** Whether a loss the test had settled while it ran (a settled fail that held) backs the final fail. */
const settledLossHeld = (r: Pick<Report, 'provisional'>): boolean =>
  (r.provisional ?? []).some((a) => a.claims.some((c) => c.kind === 'settled-fail' && c.held === true));

/**
 * A busy line that harms calls is a finding of its own (its verdict's sentence) with its advice,
 * and turns a good answer into a bad one: a line that passes idle and breaks calls while someone
 * uploads is the commonest complaint. Any other busy-line result leaves the answer as it is.
 */
function withBusyLine(a: CoreAnswer, r: Report): CoreAnswer {
  const v = r.load?.verdict;
  if (v?.kind !== 'suffers') return a;
  const side = v.directions.includes('up') ? (v.directions.includes('down') ? 'both' : 'up') : 'down';
  const advice: Advice = {
    id: 'smart-queue',
    text:
      side === 'down'
        ? 'Ask whoever runs this network (or your internet provider) to turn on smart queue management (SQM, "bufferbloat" control) on the router; until then, pause large downloads and streaming during calls.'
        : 'Ask whoever runs this network (or your internet provider) to turn on smart queue management (SQM, "bufferbloat" control) on the router; until then, pause uploads (cloud backup, file sync) during calls.',
    because: v.text.replace(/\.$/, '').replace(/^Calls will suffer when the line is busy: /, ''),
  };
  const finding: Finding = { kind: 'busy-line', sentence: v.text };
  return {
    ...a,
    tone: a.tone === 'unsure' ? 'unsure' : 'bad',
    sentence: a.tone === 'good' ? 'Calls should work well while the line is quiet, but will suffer when it is busy.' : a.sentence,
    findings: [...a.findings.slice(0, 1), finding],
    advice: [...a.advice.filter((x) => x.id !== 'tell-it' && x.id !== 'run-longer'), advice, ...a.advice.filter((x) => x.id === 'tell-it')],
  };
}

function idleAnswer(r: Report): CoreAnswer {
  const conf = unconfirmed(r);
  const isUnconfirmed = (g: Pick<GradeEntry, 'status' | 'target'>): boolean => g.status === 'pass' && conf.some((u) => u.target === g.target);
  const statusText = (g: Pick<GradeEntry, 'status' | 'target' | 'direction'>): string =>
    isUnconfirmed(g) ? 'pass, not confirmed' : g.status === 'insufficient' ? 'not judged' : g.status;
  const base = { unconfirmed: conf, statusText };
  if (r.outcome) return outcomeAnswer(r, base);
  const busy = busyStretches(r);
  const failed = r.grades.filter((g) => g.status === 'fail');
  const byKind = new Map<FindingKind, GradeEntry[]>();
  for (const g of [...failed].sort((a, b) => CALL_IMPACT[a.target] - CALL_IMPACT[b.target])) {
    const k = KIND_OF[g.target];
    byKind.set(k, [...(byKind.get(k) ?? []), g]);
  }
  if (r.summary.verdict === 'fail' && byKind.size > 0) {
    const kinds = [...byKind.keys()];
    const top = kinds[0] ?? 'loss';
    const loss = [...(byKind.get('loss') ?? []), ...(byKind.get('burst-loss') ?? [])];
    const topSide = sideOf(loss.length > 0 ? loss : (byKind.get(top) ?? []));
    const findings = kinds.slice(0, 2).map((k) => finding(k, byKind.get(k) ?? []));
    const advice = adviceFor(r, byKind);
    const fallback = fallbackAdvice(r);
    // A busy device never makes the network fail (its stretches are left out), but it is worth fixing first;
    // on a data channel standing in for a refused audio stream, the stand-in is the thing to say.
    if (fallback) advice.push(fallback);
    else if (busy) advice.splice(Math.max(0, advice.length - 1), 0, closeAppsAdvice(busy));
    return { ...base, tone: 'bad', sentence: failSentence(top, topSide, settledLossHeld(r)), caution: null, findings, advice };
  }
  if (r.summary.verdict === 'pass') {
    const longest = conf.reduce<number | null>((a, u) => (u.secondsNeeded === null ? a : a === null || u.secondsNeeded > a ? u.secondsNeeded : a), null);
    // Only an unconfirmed figure a caller would hear qualifies the answer; reorder alone is a note.
    const audible = conf.some((u) => CALL_IMPACT[u.target] < CALL_IMPACT.reorder);
    const advice: Advice[] = [];
    const fallback = fallbackAdvice(r);
    if (fallback) advice.push(fallback);
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
    if (cautionOfReport(r) === 'fallback-path') {
      return {
        ...base,
        tone: 'caution',
        sentence: 'Calls work here only over a fallback path; give your IT team the result code.',
        caution: fallbackLine(r),
        findings: [],
        advice: [allowUdpAdvice(r), ...advice],
      };
    }
    if (r.hints.some((h) => h.code === 'udp-blocked')) advice.unshift(allowUdpAdvice(r));
    return {
      ...base,
      tone: 'good',
      sentence: audible ? 'Calls should work well here, though this test was too short to confirm it.' : 'Calls should work well here.',
      caution: null,
      findings: [],
      advice,
    };
  }
  const lacking = r.grades.find((g) => g.status === 'insufficient');
  const firstReason = lacking?.reason ?? null;
  const firstLabel = lacking?.label ?? '';
  const cause = r.summary.insufficientCause;
  // The server's own time: said as what it is, never as the network.
  if (cause === 'server-busy') {
    return {
      ...base,
      tone: 'unsure',
      sentence: insufficientCauseText(r) ?? 'No verdict: the test server was too busy to measure the network.',
      caution: null,
      findings: [],
      advice: [{ id: 'run-again', text: runAgainText, because: 'the test server was busy during this test; its busy moments were not graded as your network' }],
    };
  }
  const fallback = fallbackAdvice(r);
  // Windows left out because this device fell behind: said as what it is, never as the network.
  if (
    cause === 'device-busy' ||
    (busy && r.grades.some((g) => g.status === 'insufficient' && (g.reason === 'suspect-windows' || g.reason === 'too-few-packets')))
  ) {
    // Unless the data channel stood in for a refused or failed audio stream: that is the cause,
    // said first, and how evenly this device sent the stand-in is no finding about the device.
    const sentence = fallback
      ? `No answer yet: ${fallbackClause(r.probe) ?? ''}, so this test fell back to a data-channel stream, which was sent too unevenly here to judge.`
      : 'No answer yet: this device could not keep up with the test, so the moments it fell behind were not graded as your network.';
    return {
      ...base,
      tone: 'unsure',
      sentence: (cause === 'device-busy' ? insufficientCauseText(r) : null) ?? sentence,
      caution: null,
      findings: [],
      advice: [fallback ?? closeAppsAdvice(busy ?? { count: 0, totalMs: 0 })],
    };
  }
  return {
    ...base,
    tone: 'unsure',
    sentence: 'No answer yet: this test could not judge every target, and none failed.',
    caution: null,
    findings: [],
    advice: [
      ...(fallback ? [fallback] : []),
      {
        id: 'run-again',
        text: runAgainText,
        because:
          firstReason === null ? 'some targets could not be judged' : `${firstLabel.toLowerCase()} could not be judged: ${INSUFFICIENT_BECAUSE[firstReason]}`,
      },
    ],
  };
}

/** The CLI's and the console's verdict words: "PASS", or "PASS (only over a fallback path)". */
export function verdictWords(r: Pick<Report, 'summary' | 'hints' | 'path' | 'outcome'>): string {
  const v = r.summary.verdict.toUpperCase();
  return cautionOfReport(r) === 'fallback-path' ? `${v} (only over a fallback path)` : v;
}

/** The heading over the advice, the same on the page and in the CLI. */
export function adviceHeading(tone: AnswerTone): string {
  return tone === 'good' ? 'To be thorough' : tone === 'caution' ? 'What to do' : 'What to try';
}
