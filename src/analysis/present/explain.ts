/**
 * The explanation: a few plain sentences telling a non-expert what the verdict means and
 * which target drove it, for one test and for the P90 aggregate over many.
 */
import { CALL_IMPACT, RECOMMENDED_SPAN_DAYS, RECOMMENDED_TESTS } from '../grade/targets.js';
import { browserEngine, loopbackRelayPolicy } from '../grade/engine.js';
import type { AggregateReport } from '../schema/aggregate-schema.js';
import type {
  Caution,
  GradedPathOut,
  Diagnostics,
  GradeEntry,
  Hint,
  MosReport,
  Outcome,
  Report,
  Rung,
  TeamsPoorStream,
  Verdict,
} from '../schema/report-schema.js';
import { count, plural, spanWords } from './format.js';
import { EN, type Messages } from './catalogue.js';
import { insufficientCauseText } from './cause-text.js';
import { meansOf, mosText, profileName, targetName, teamsText } from './it-words.js';
import { blockedWords, pathText } from './ports.js';
import { regionSentences } from './region.js';
import { ownVerdict, regionLegOf } from '../grade/region-answer.js';
import { silentFigures } from '../grade/witness-gap.js';
import { directionPhrase, outcomeSentence, targetWhere } from './sentences.js';

export interface ExplainInput {
  verdict: Verdict;
  profileLabel: string;
  grades: readonly GradeEntry[];
  mos: MosReport;
  teams: TeamsPoorStream;
  diagnostics: Diagnostics;
  /** Set when the test could not finish (our side failed, not the user's network). */
  outcome?: Outcome | null;
  /** Network hints from the ladder and the path, already worded. */
  hints?: readonly Hint[];
  /** The connectivity ladder: what a test that could not connect tried (its blocked ports). */
  connectivity?: ReadonlyArray<Pick<Rung, 'transport' | 'port' | 'error' | 'reachable'>>;
  /** The browser (meta.browser): what it refuses is said for its engine. */
  userAgent?: string;
  /** Why a pass is not a plain one (summary.caution), and the path the graded stream used. */
  caution?: Caution | null;
  path?: Pick<GradedPathOut, 'transport' | 'port'>;
  /** Why there is no verdict, in words (present/cause-text.ts); absent or null when there is one. */
  causeText?: string | null;
}

/** How far past (or short of) its threshold a graded value is: value / threshold. */
function margin(g: GradeEntry): number {
  return g.value === null || g.threshold === 0 ? 0 : g.value / g.threshold;
}

/**
 * The explanation in `m`'s language. English is what the report stores (analysis/report/analyze.ts
 * calls this with English); another language words the same decisions from the report's codes
 * and figures at read time (`explanationOf`), its grades, MOS and Teams tier through it-words.ts.
 * The hints' and warnings' sentences, and the server's detail of a test cut short, are quoted as
 * stored (English) or left out: the report keeps no code to word them from.
 */
export function explain(input: ExplainInput, m: Messages = EN): string[] {
  const out: string[] = [];
  const en = m.lang === 'en';
  const { grades } = input;
  const failed = grades.filter((g) => g.status === 'fail');
  const lacking = grades.filter((g) => g.status === 'insufficient');
  const count = (n: number): string => m.fmt.count(n);
  if (input.outcome) {
    // This network blocked the relay's ports (ports.ts blockedWords): a fail said as such, or no verdict with what was not tried.
    const blocked = blockedWords({ outcome: input.outcome, connectivity: input.connectivity ?? [], summary: { verdict: input.verdict } }, m);
    if (blocked !== null) {
      out.push(input.verdict === 'fail' ? blocked.sentence : m.t('explain.noVerdict', { sentence: blocked.sentence }));
      if (blocked.untried !== null) out.push(blocked.untried);
      out.push(m.t('explain.portsBelow'));
      return out;
    }
    const hintCodes = (input.hints ?? []).map((h) => h.code);
    out.push(
      m.t('explain.noVerdict', {
        sentence: en
          ? outcomeSentence(input.outcome, hintCodes, loopbackRelayPolicy(browserEngine(input.userAgent ?? '')))
          : outcomeWords(input.outcome, hintCodes, m),
      }),
    );
    const silent = (input.hints ?? []).find((h) => h.code === 'relay-silent');
    if (input.outcome.reason === 'could-not-connect' && silent && en) out.push(silent.sentence);
    if (input.outcome.reason !== 'reflector-silent') out.push(m.t(input.outcome.reason === 'connection-lost' ? 'explain.lostFigures' : 'explain.portsBelow'));
    return out;
  }
  const profile = input.profileLabel;
  if (input.verdict === 'fail') {
    // Ranked as the answer ranks it: by what the miss does to a call, then by how far it missed.
    const worst = failed.reduce((a, b) => {
      const byImpact = CALL_IMPACT[b.target] - CALL_IMPACT[a.target];
      return byImpact < 0 || (byImpact === 0 && margin(b) > margin(a)) ? b : a;
    });
    out.push(
      m.t('explain.fail', { profile, failed: count(failed.length), all: count(grades.length) }),
      m.t('explain.mainProblem', { sentence: meansOf(worst, m) }),
    );
    if (lacking.length > 0) out.push(m.t('explain.othersNotJudged', { count: count(lacking.length) }));
  } else if (input.verdict === 'insufficient') {
    const first = lacking[0];
    out.push(m.t('explain.insufficient', { lacking: count(lacking.length), all: count(grades.length), profile }));
    if (input.causeText) out.push(input.causeText);
    if (first !== undefined) out.push(meansOf(first, m));
  } else {
    const closest = grades.reduce((a, b) => (margin(b) > margin(a) ? b : a));
    out.push(
      input.caution === 'fallback-path'
        ? m.t('explain.passFallback', { profile, path: input.path ? pathText(input.path) : m.t('path.tcpOrTls') })
        : m.t('explain.pass', { profile }),
    );
    // The grade's sentence begins with its direction ("Upstream (you to the relay): ..."): said once.
    const sentence = meansOf(closest, m);
    const who = closest.direction === 'round-trip' ? null : `${en ? directionPhrase(closest.direction) : m.t(`it.who.${closest.direction}`)}: `;
    const said = who !== null && sentence.startsWith(who) ? sentence.slice(who.length) : sentence;
    const target = en
      ? targetWhere(closest.label, closest.direction).toLowerCase()
      : closest.direction === 'round-trip'
        ? targetName(closest, m)
        : m.t('explain.where', { label: targetName(closest, m), direction: m.t(`it.dir.${closest.direction}`) });
    if (grades.length > 0) out.push(m.t('explain.closest', { target, sentence: said }));
  }
  out.push(mosText(input.mos, input.verdict, m), teamsText(input.teams, m));
  const warnings = input.diagnostics.warnings;
  // What the ladder shows about the network first; a warning already saying it is not repeated,
  // and a server without TLS is the operator's business (it stays in `hints`), not the caller's.
  for (const h of input.hints ?? []) {
    if (h.code !== 'tls-not-offered' && !warnings.some((w) => w.code === h.code)) out.push(m.t('explain.worth', { sentence: h.sentence }));
  }
  for (const w of warnings.slice(0, 2)) out.push(m.t('explain.worth', { sentence: w.message }));
  if (warnings.length > 2) out.push(m.plural(warnings.length - 2, 'explain.moreNotes.one', 'explain.moreNotes.other', { count: count(warnings.length - 2) }));
  out.push(m.t('explain.oneSample'));
  return out;
}

/** A test our side cut short, in another language than English (outcomeSentence's decisions, without the server's English detail). */
function outcomeWords(o: Outcome, hintCodes: readonly string[], m: Messages): string {
  if (o.reason === 'could-not-connect') {
    if (hintCodes.includes('loopback-refused')) return m.t('explain.outcome.loopback');
    return m.t(hintCodes.includes('relay-silent') ? 'explain.outcome.silent' : 'explain.outcome.filtered');
  }
  if (o.reason === 'reflector-silent') {
    const f = silentFigures(o.detail);
    return m.t('explain.outcome.reflectorSilent', { relayed: m.fmt.count(f?.relayed ?? 0), sent: m.fmt.count(f?.sent ?? 0) });
  }
  const when = o.atMs === null ? m.t('explain.when.beforeEcho') : m.t('explain.when.at', { seconds: m.t('unit.s', { n: m.fmt.fixed(o.atMs / 1000, 1) }) });
  return m.t(o.detail.startsWith('the server closed') ? 'explain.outcome.serverGone' : 'explain.outcome.lost', { when });
}

/** A stored report's explanation in `m`'s language: as stored in English, else worded from its codes and figures. */
export function explanationOf(r: Report, m: Messages = EN): string[] {
  if (m.lang === 'en') return [...r.explanation];
  return r.meta.asked !== undefined ? regionExplanation(r, m) : ownExplanation(r, m);
}

/**
 * A report asked about an Azure region and answered on two edges (grade/region-answer.ts): the
 * verdict first, said of the edge that decided it; then each edge's figure (region.ts); then the
 * nearest edge's own explanation on its client-to-edge targets, without its verdict line when the
 * first line says the verdict.
 */
export function regionExplanation(r: Report, m: Messages = EN): string[] {
  const leg = regionLegOf(r);
  if (leg === null) return ownExplanation(r, m);
  const own = ownVerdict(r);
  const near = ownExplanation(
    {
      ...r,
      meta: { ...r.meta, asked: undefined },
      summary: { ...r.summary, verdict: own, insufficientCause: own === 'insufficient' ? r.summary.insufficientCause : null },
    },
    m,
  );
  const words = { region: leg.edge.azureRegion, nearest: r.meta.edge?.azureRegion ?? '' };
  const sentences = regionSentences(r, m);
  if (r.summary.verdict === 'insufficient' && own === 'insufficient') return [...near, ...sentences];
  const head =
    r.summary.verdict === 'fail'
      ? m.t(leg.report?.summary.verdict === 'fail' ? 'explain.region.failThere' : 'explain.region.failNearest', words)
      : r.summary.verdict === 'pass'
        ? m.t('explain.region.pass', words)
        : (insufficientCauseText(r, m) ?? '');
  return [head, ...sentences, ...near.slice(1)];
}

/** A report's own explanation in `m`'s language, from its codes and figures. */
function ownExplanation(r: Report, m: Messages): string[] {
  return explain(
    {
      verdict: r.summary.verdict,
      profileLabel: profileName(r.meta.profile, m),
      grades: r.grades,
      mos: r.mos,
      teams: r.teamsPoorStream,
      diagnostics: r.diagnostics,
      outcome: r.outcome,
      hints: r.hints,
      connectivity: r.connectivity,
      userAgent: r.meta.browser,
      caution: r.summary.caution ?? null,
      path: r.path,
      causeText: insufficientCauseText(r, m),
    },
    m,
  );
}

/** The explanation of a P90 aggregate: the verdict, its main reason, and whether the set is large enough. */
export function explainAggregate(a: Omit<AggregateReport, 'explanation'>): string[] {
  const out: string[] = [];
  const label = a.profile?.label ?? 'no profile';
  if (a.verdict === 'fail') {
    const failed = a.entries.filter((e) => e.status === 'fail');
    const worst = failed.reduce((x, y) => ((y.p90 ?? 0) / y.threshold > (x.p90 ?? 0) / x.threshold ? y : x));
    out.push(
      `FAIL: over ${plural(a.tests, 'test')}, the 90th percentile misses ${plural(failed.length, 'target')} of the "${label}" profile.`,
      `The main problem: ${worst.sentence}`,
    );
  } else if (a.verdict === 'insufficient') {
    out.push(
      a.tests === 0
        ? 'NO VERDICT: there are no tests to aggregate.'
        : a.entries.some((e) => e.status === 'insufficient' && e.p90 !== null)
          ? `NO VERDICT: ${plural(a.entries.filter((e) => e.status === 'insufficient' && e.p90 !== null).length, 'target')} had too few tests for a graded 90th percentile (each line says how many it needs).`
          : `NO VERDICT: no 90th percentile failed, but ${plural(a.entries.filter((e) => e.status === 'insufficient').length, 'target')} had no test that could be judged.`,
    );
  } else {
    out.push(`PASS: over ${plural(a.tests, 'test')}, the 90th percentile of every target of the "${label}" profile is within its limit.`);
  }
  if (a.tests < RECOMMENDED_TESTS || a.spanDays === null || a.spanDays < RECOMMENDED_SPAN_DAYS) {
    out.push(
      `Microsoft recommends a test every 10 minutes for at least a week (about ${count(RECOMMENDED_TESTS)} tests, every business day and peak hour); this set has ${plural(a.tests, 'test')}${a.spanDays === null ? '' : ` over ${spanWords(a.spanDays * 86_400_000)}`}.`,
    );
  }
  return out;
}
