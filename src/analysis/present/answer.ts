/**
 * The answer layer of a report: one sentence for everyone ("Calls should work well here"),
 * the one or two findings that matter most for a call, ranked by their impact on a call (loss
 * and burst loss, then jitter, then latency, then reorder; not by ratio to the target), and
 * what to try (advice.ts), ordered by likely cause, each tied to the evidence that supports it.
 * Every measured figure is printed as the key figures and the tables print it (view.ts). Pure:
 * it reads a report (of any stored version, once upgraded), so the page, the shared result
 * page, the CLI and the help desk console give the same answer.
 */
import { finishReasonOf } from '../../protocol/could-not-finish.js';
import { clopperPearson } from '../measure/confidence.js';
import { cautionOfReport } from '../grade/caution.js';
import { CALL_IMPACT } from '../grade/targets.js';
import { ownVerdict, regionLegOf } from '../grade/region-answer.js';
import type { GradeEntry, Report, TargetId } from '../schema/report-schema.js';
import { adviceFor, allowUdpAdvice, couldNotConnectAdvice, runAgainText, sideOf, type Advice, type FindingKind } from './advice.js';
import { blockedWords, pathText, silentUdpText } from './ports.js';
import { fallbackClause, insufficientCauseText } from './cause-text.js';
import { pathFacts, type PathFact } from './facts.js';
import { EN, type Messages } from './catalogue.js';
import { sufferingSentence, sufferingSide } from './load.js';

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
 * README): the verdict counts the target as met. English; another language's is the catalogue's
 * `status.unconfirmedMeaning`.
 */
export const UNCONFIRMED_MEANING = EN.t('status.unconfirmedMeaning');

/** Targets whose pass a longer test can confirm: ratios over many probes. */
const CONFIRMABLE: ReadonlySet<TargetId> = new Set<TargetId>(['loss-15s', 'reorder']);

/** Why a target could not be judged, as advice words. */
const insufficientBecause = (m: Messages, reason: NonNullable<GradeEntry['reason']>): string => m.t(`because.${reason}`);

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

/** The worst graded value of a kind, printed as the targets table and the key figures print it. */
function worstFigure(m: Messages, failed: readonly GradeEntry[]): { value: string; limit: string } {
  const worst = failed.reduce((a, b) => ((b.value ?? 0) > (a.value ?? 0) ? b : a));
  return { value: m.fmt.figure(worst.value, worst.unit, worst.threshold), limit: m.fmt.limitValue(worst.threshold, worst.unit) };
}

function finding(m: Messages, kind: FindingKind, failed: readonly GradeEntry[]): Finding {
  const side = m.t(`side.${sideOf(failed)}`);
  const { value, limit } = worstFigure(m, failed);
  switch (kind) {
    case 'loss':
    case 'jitter':
      return { kind, sentence: m.t(`finding.${kind}`, { side, value, limit }) };
    case 'burst-loss':
    case 'reorder':
      return { kind, sentence: m.t(`finding.${kind}`, { side, value }) };
    case 'latency':
      return { kind, sentence: m.t('finding.latency', { value, limit }) };
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
function failSentence(m: Messages, top: FindingKind, side: ReturnType<typeof sideOf>, settled: boolean): string {
  switch (top) {
    case 'loss':
    case 'burst-loss': {
      const s = side === 'up' || side === 'down' ? side : 'both';
      return m.t(settled ? `answer.lossSettled.${s}` : `answer.loss.${s}`);
    }
    case 'jitter':
    case 'latency':
    case 'reorder':
      return m.t(`answer.${top}`);
  }
}

/** The caution line of a fallback path: what this test tried, what it ran over, and what that costs a call. */
function fallbackLine(m: Messages, r: Pick<Report, 'connectivity' | 'path'>): string {
  return m.t('answer.fallbackLine', { udp: silentUdpText(r.connectivity, m) || 'UDP', path: pathText(r.path, m) });
}

/** The stretches, on the sending side, where this device fell behind (the busy suspect intervals). */
function busyStretches(r: Report): { count: number; totalMs: number } | null {
  const side = r.diagnostics.suspectIntervals.filter((s) => (s.direction === 'up' || s.direction === 'loop') && BUSY_REASONS.has(s.reason));
  const warned = r.diagnostics.warnings.some((w) => BUSY_WARNINGS.has(w.code));
  if (side.length === 0 && !warned) return null;
  return { count: side.length, totalMs: side.reduce((a, s) => a + Math.max(0, s.endMs - s.startMs), 0) };
}

function closeAppsAdvice(m: Messages, busy: { count: number; totalMs: number }): Advice {
  return {
    id: 'close-apps',
    text: m.t('advice.closeApps'),
    because:
      busy.count > 0
        ? m.plural(busy.count, 'advice.closeApps.because.one', 'advice.closeApps.because.other', {
            count: m.fmt.count(busy.count),
            seconds: m.fmt.seconds(busy.totalMs),
          })
        : m.t('advice.closeApps.becauseWarned'),
  };
}

/**
 * A planned audio stream that the test server refused, or that did not connect: the server's or
 * the path's fact, with what to do about it (never this device's, whatever the data-channel
 * stream that stood in for it showed). Null when the probe path is the one planned.
 */
function fallbackAdvice(m: Messages, r: Pick<Report, 'probe'>): Advice | null {
  const clause = fallbackClause(r.probe, m);
  if (clause === null) return null;
  return {
    id: 'rtp-fallback',
    text: m.t(r.probe.fallback === 'relay-refused' ? 'advice.rtpRefused' : 'advice.rtpFailed'),
    because: m.t('advice.rtp.because', { clause }),
  };
}

function outcomeAnswer(m: Messages, r: Report, base: Pick<AnswerView, 'unconfirmed' | 'statusText'>): CoreAnswer {
  const codes = r.hints.map((h) => h.code);
  const o = r.outcome;
  if (o === null) throw new Error('outcomeAnswer needs an outcome');
  if (o.reason === 'reflector-silent') {
    const w = r.witness?.upstream;
    const sent = r.directions.up?.packetsSent ?? 0;
    return {
      ...base,
      tone: 'unsure',
      sentence: m.t('answer.reflectorSilent', { relayed: m.fmt.count(w === undefined ? 0 : w.packets - w.duplicates), sent: m.fmt.count(sent) }),
      caution: null,
      findings: [],
      advice: [{ id: 'run-again', text: runAgainText(m), because: m.t('advice.runAgain.reflectorSilent') }],
    };
  }
  if (o.reason === 'connection-lost') {
    return {
      ...base,
      tone: 'unsure',
      sentence: m.t('answer.connectionLost'),
      caution: null,
      findings: [],
      advice: [
        {
          id: 'run-again',
          text: m.t('advice.runAgain.lost'),
          because:
            o.atMs === null
              ? m.t('advice.runAgain.lostBeforeEcho')
              : m.t('advice.runAgain.lostAt', { seconds: m.t('unit.s', { n: m.fmt.fixed(o.atMs / 1000, 1) }) }),
        },
      ],
    };
  }
  // This network blocked the relay's ports, and the relay was seen answering others: said as the network's, with what was not tried.
  const blocked = blockedWords(r, m);
  if (blocked !== null) {
    const sentence = blocked.untried === null ? blocked.sentence : `${blocked.sentence} ${blocked.untried}`;
    const advice: Advice[] = [{ id: 'allow-ports', text: m.t('advice.allowPorts'), because: m.t('advice.allowPorts.because') }];
    return { ...base, tone: r.summary.verdict === 'fail' ? 'bad' : 'unsure', sentence, caution: null, findings: [], advice };
  }
  const sentence = m.t(
    codes.includes('loopback-refused') ? 'answer.loopbackRefused' : codes.includes('relay-silent') ? 'answer.relaySilent' : 'answer.relayRefusedMedia',
  );
  return { ...base, tone: 'unsure', sentence, caution: null, findings: [], advice: couldNotConnectAdvice(r, m) };
}

/** The answer for everyone: the idle test's, what a busy line does to a call when the test loaded it, and the facts that hold whatever the verdict. */
export function answerView(r: Report, m: Messages = EN): AnswerView {
  const a = withBusyLine(m, idleAnswer(m, r), r);
  // A fact the sentence or the caution already says is not said twice; its action is then the first advice.
  const facts = pathFacts(r, m).filter((f) => f.text !== a.sentence && !(a.tone === 'caution' && f.id === 'fallback-path'));
  // The fact carries the action: the same advice is not repeated below it.
  const advice = facts.some((f) => f.id === 'fallback-path') ? a.advice.filter((x) => x.id !== 'allow-udp') : a.advice;
  return { ...a, advice, facts, withdrawn: withdrawnLine(m, r) };
}

type StoredClaim = NonNullable<Report['provisional']>[number]['claims'][number];

/** Kinds of claim the verdict may withdraw, most serious first, and the words each early answer was said in. */
const WITHDRAWABLE: ReadonlyArray<{ kind: StoredClaim['kind']; key: 'answer.withdrawn' | 'answer.withdrawn.likelyFail' | 'answer.withdrawn.likelyPass' }> = [
  { kind: 'settled-fail', key: 'answer.withdrawn' },
  { kind: 'likely-fail', key: 'answer.withdrawn.likelyFail' },
  { kind: 'likely-pass', key: 'answer.withdrawn.likelyPass' },
];

/**
 * The first settled or likely claim shown while the test ran that the verdict cannot confirm,
 * most serious first (a settled fail, then a likely fail, then a likely pass): its own target
 * and direction did not end as it claimed (a fail claim not a fail, a pass claim not a pass),
 * whatever the verdict. A settled fail whose target failed all the same on another window is not
 * withdrawn: what it said holds. Null when every claim held.
 */
function withdrawnClaim(r: Report): { claim: StoredClaim; key: (typeof WITHDRAWABLE)[number]['key'] } | null {
  const claims = (r.provisional ?? []).flatMap((a) => a.claims);
  for (const w of WITHDRAWABLE) {
    const claim = claims.find((c) => {
      if (c.kind !== w.kind || c.held !== false) return false;
      const status = r.grades.find((g) => g.target === c.metric && g.direction === c.direction)?.status;
      return r.outcome !== null || status !== (c.kind === 'likely-pass' ? 'pass' : 'fail');
    });
    if (claim !== undefined) return { claim, key: w.key };
  }
  return null;
}

/** Why the verdict did not confirm a claim: what its own grade became, with whose time it was. */
function withdrawnWhy(m: Messages, r: Report, c: StoredClaim): string {
  if (r.outcome !== null) return m.t('answer.withdrawn.outcome');
  const g = r.grades.find((x) => x.target === c.metric && x.direction === c.direction);
  const measured = m.t(`measured.${c.direction}`);
  if (g?.status === 'insufficient' && g.reason === 'device-busy') return m.t('answer.withdrawn.deviceBusy', { measured });
  if (g?.status === 'insufficient' && g.reason === 'server-busy') return m.t('answer.withdrawn.serverBusy', { measured });
  if (g?.status === 'insufficient' && g.reason !== null) return m.t('answer.withdrawn.notJudged', { because: insufficientBecause(m, g.reason) });
  if (c.kind === 'likely-pass' && g?.status === 'fail') return m.t('answer.withdrawn.failed');
  return m.t('answer.withdrawn.noWindow');
}

/**
 * An early answer withdrawn, said on top with why, in the verdict's words: a settled or likely
 * claim the page showed ("Calls will break up here", "Likely a fail so far", "Good so far") that
 * the verdict did not confirm, fail or not ("this device was busy while the downstream was
 * measured"). Null when every claim held.
 */
function withdrawnLine(m: Messages, r: Report): string | null {
  const w = withdrawnClaim(r);
  if (w === null) return null;
  const what = w.claim.evidence.replace(/; (limit|target) .*$/, '');
  return m.t(w.key, { what, who: m.t(`who.${w.claim.direction}`), why: withdrawnWhy(m, r, w.claim) });
}

/** Whether a loss the test had settled while it ran (a settled fail that held) backs the final fail. */
const settledLossHeld = (r: Pick<Report, 'provisional'>): boolean =>
  (r.provisional ?? []).some((a) => a.claims.some((c) => c.kind === 'settled-fail' && c.held === true));

/**
 * A busy line that harms calls is a finding of its own (its verdict's sentence) with its advice,
 * and turns a good answer into a bad one: a line that passes idle and breaks calls while someone
 * uploads is the commonest complaint. Any other busy-line result leaves the answer as it is.
 */
function withBusyLine(m: Messages, a: CoreAnswer, r: Report): CoreAnswer {
  const load = r.load;
  if (load?.verdict?.kind !== 'suffers') return a;
  const sentence = sufferingSentence(load);
  // Each direction whose load harms a call, the verdict's and any whose round trip rose as much (present/load.ts).
  const side = sufferingSide(load);
  // English says the stored sentence, with its figures; another language says it from the directions.
  const english = m.lang === 'en';
  const advice: Advice = {
    id: 'smart-queue',
    text: m.t(side === 'down' ? 'advice.smartQueue.down' : 'advice.smartQueue.up'),
    because: english ? sentence.replace(/\.$/, '').replace(/^Calls will suffer when the line is busy: /, '') : m.t(`busyLine.suffers.because.${side}`),
  };
  const finding: Finding = { kind: 'busy-line', sentence: english ? sentence : m.t(`busyLine.suffers.${side}`) };
  return {
    ...a,
    tone: a.tone === 'unsure' ? 'unsure' : 'bad',
    sentence: a.tone === 'good' ? m.t('answer.quietOnly') : a.sentence,
    findings: [...a.findings.slice(0, 1), finding],
    advice: [...a.advice.filter((x) => x.id !== 'tell-it' && x.id !== 'run-longer'), advice, ...a.advice.filter((x) => x.id === 'tell-it')],
  };
}

/**
 * Asked about an Azure region and answered on two edges (grade/region-answer.ts): the worse
 * answer first, each said of the edge it was measured to; a region whose test could not run or
 * judge leaves no verdict, never a pass.
 */
function regionIdleAnswer(m: Messages, r: Report, leg: NonNullable<Report['legs']>[number]): CoreAnswer {
  const near = idleAnswer(m, { ...r, meta: { ...r.meta, asked: undefined }, summary: { ...r.summary, ...ownSummary(r) } });
  const nearest = r.meta.edge?.azureRegion ?? '';
  const region = leg.edge.azureRegion;
  const there = leg.report === null ? null : idleAnswer(m, leg.report);
  if (there !== null && leg.report?.summary.verdict === 'fail') {
    return {
      ...there,
      sentence: m.t('answer.region.there', { region, sentence: there.sentence }),
      advice: [...there.advice, ...near.advice.filter((a) => !there.advice.some((b) => b.id === a.id))],
    };
  }
  if (near.tone === 'bad') return { ...near, sentence: m.t('answer.region.nearest', { nearest, sentence: near.sentence }) };
  if (there === null || leg.report?.summary.verdict === 'insufficient') {
    const because = leg.couldNotRun?.reason === 'edge-down' ? m.t('answer.region.down', { region }) : m.t('answer.region.notTested', { region });
    return {
      ...near,
      tone: 'unsure',
      sentence: because,
      advice: [{ id: 'run-again', text: runAgainText(m), because: m.t('advice.runAgain.region', { region }) }, ...near.advice],
    };
  }
  return near;
}

/** The nearest edge's own verdict and cause, without its region leg's. */
function ownSummary(r: Report): Pick<Report['summary'], 'verdict' | 'insufficientCause'> {
  const verdict = ownVerdict(r);
  return { verdict, insufficientCause: verdict === 'insufficient' ? r.summary.insufficientCause : null };
}

function idleAnswer(m: Messages, r: Report): CoreAnswer {
  const leg = r.meta.asked !== undefined ? regionLegOf(r) : null;
  if (leg !== null) return regionIdleAnswer(m, r, leg);
  const conf = unconfirmed(r);
  const isUnconfirmed = (g: Pick<GradeEntry, 'status' | 'target'>): boolean => g.status === 'pass' && conf.some((u) => u.target === g.target);
  const statusText = (g: Pick<GradeEntry, 'status' | 'target' | 'direction'>): string => m.t(isUnconfirmed(g) ? 'status.unconfirmed' : `status.${g.status}`);
  const base = { unconfirmed: conf, statusText };
  if (r.outcome) return outcomeAnswer(m, r, base);
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
    const findings = kinds.slice(0, 2).map((k) => finding(m, k, byKind.get(k) ?? []));
    const advice = adviceFor(r, byKind, m);
    const fallback = fallbackAdvice(m, r);
    // A busy device never makes the network fail (its stretches are left out), but it is worth fixing first;
    // on a data channel standing in for a refused audio stream, the stand-in is the thing to say.
    if (fallback) advice.push(fallback);
    else if (busy) advice.splice(Math.max(0, advice.length - 1), 0, closeAppsAdvice(m, busy));
    return { ...base, tone: 'bad', sentence: failSentence(m, top, topSide, settledLossHeld(r)), caution: null, findings, advice };
  }
  if (r.summary.verdict === 'pass') {
    // Only an unconfirmed figure a caller would hear qualifies the answer or asks for a longer
    // test; reorder alone is a note in the details (a longer test for it is no advice to a caller).
    const heard = conf.filter((u) => CALL_IMPACT[u.target] < CALL_IMPACT.reorder);
    const audible = heard.length > 0;
    const longest = heard.reduce<number | null>((a, u) => (u.secondsNeeded === null ? a : a === null || u.secondsNeeded > a ? u.secondsNeeded : a), null);
    const advice: Advice[] = [];
    const fallback = fallbackAdvice(m, r);
    if (fallback) advice.push(fallback);
    if (audible) {
      // English names the targets by their stored labels; another language by the catalogue's names.
      const named = m.lang === 'en' ? heard.map((u) => u.label.toLowerCase()).join(' and ') : m.fmt.andList(heard.map((u) => m.t(`target.${u.target}`)));
      advice.push({
        id: 'run-longer',
        text: longest === null ? m.t('advice.runLonger') : m.t('advice.runLongerFor', { duration: m.fmt.seconds(longest * 1000), targets: named }),
        because: m.t('advice.runLonger.because', { targets: named }),
      });
    }
    if (cautionOfReport(r) === 'fallback-path') {
      return {
        ...base,
        tone: 'caution',
        sentence: m.t('answer.fallbackOnly'),
        caution: fallbackLine(m, r),
        findings: [],
        advice: [allowUdpAdvice(r, m), ...advice],
      };
    }
    if (r.hints.some((h) => h.code === 'udp-blocked')) advice.unshift(allowUdpAdvice(r, m));
    return {
      ...base,
      tone: 'good',
      sentence: m.t(audible ? 'answer.goodUnconfirmed' : 'answer.good'),
      caution: null,
      findings: [],
      advice,
    };
  }
  const lacking = r.grades.find((g) => g.status === 'insufficient');
  const firstReason = lacking?.reason ?? null;
  const firstLabel = lacking === undefined ? '' : m.lang === 'en' ? lacking.label.toLowerCase() : m.t(`target.${lacking.target}`);
  const cause = r.summary.insufficientCause;
  // The server's own time, or its reflector's loss past the relay: said as what it is, never as the network.
  if (cause === 'server-busy' || cause === 'server-missed') {
    return {
      ...base,
      tone: 'unsure',
      sentence: insufficientCauseText(r, m) ?? m.t('answer.serverBusy'),
      caution: null,
      findings: [],
      advice: [{ id: 'run-again', text: runAgainText(m), because: m.t('advice.runAgain.serverBusy') }],
    };
  }
  const fallback = fallbackAdvice(m, r);
  // Windows left out because this device fell behind: said as what it is, never as the network.
  if (
    cause === 'device-busy' ||
    (busy && r.grades.some((g) => g.status === 'insufficient' && (g.reason === 'suspect-windows' || g.reason === 'too-few-packets')))
  ) {
    // Unless the data channel stood in for a refused or failed audio stream: that is the cause,
    // said first, and how evenly this device sent the stand-in is no finding about the device.
    const sentence = fallback ? m.t('answer.deviceBusyFallback', { clause: fallbackClause(r.probe, m) ?? '' }) : m.t('answer.deviceBusy');
    return {
      ...base,
      tone: 'unsure',
      sentence: (cause === 'device-busy' ? insufficientCauseText(r, m) : null) ?? sentence,
      caution: null,
      findings: [],
      advice: [fallback ?? closeAppsAdvice(m, busy ?? { count: 0, totalMs: 0 })],
    };
  }
  return {
    ...base,
    tone: 'unsure',
    sentence: m.t('answer.notJudged'),
    caution: null,
    findings: [],
    advice: [
      ...(fallback ? [fallback] : []),
      {
        id: 'run-again',
        text: runAgainText(m),
        because:
          firstReason === null
            ? m.t('advice.runAgain.someNotJudged')
            : m.t('advice.runAgain.notJudged', { target: firstLabel, because: insufficientBecause(m, firstReason) }),
      },
    ],
  };
}

/** A test that could not run, in one sentence in `m`'s language: what failed, as the page says it (every reason of src/protocol/could-not-finish.ts). */
export function couldNotTestAnswer(reason: string, m: Messages = EN): string {
  const known = finishReasonOf(reason);
  return known === null ? m.t('couldNotTest.other', { reason }) : m.t(`couldNotTest.${known}`);
}

/** The CLI's and the console's verdict words: "PASS", or "PASS (only over a fallback path)". */
export function verdictWords(r: Pick<Report, 'summary' | 'hints' | 'path' | 'outcome'>, m: Messages = EN): string {
  const v = m.t(`verdict.${r.summary.verdict}`);
  return cautionOfReport(r) === 'fallback-path' ? m.t('verdict.fallback', { verdict: v }) : v;
}

/** The heading over the advice, the same on the page and in the CLI. */
export function adviceHeading(tone: AnswerTone, m: Messages = EN): string {
  return m.t(tone === 'good' ? 'heading.good' : tone === 'caution' ? 'heading.caution' : 'heading.other');
}
