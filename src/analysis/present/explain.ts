/**
 * The explanation: a few plain sentences telling a non-expert what the verdict means and
 * which target drove it, for one test and for the P90 aggregate over many.
 */
import { CALL_IMPACT, RECOMMENDED_SPAN_DAYS, RECOMMENDED_TESTS } from '../grade/targets.js';
import { browserEngine, loopbackRelayPolicy } from '../grade/engine.js';
import type { AggregateReport } from '../schema/aggregate-schema.js';
import type { Caution, GradedPathOut, Diagnostics, GradeEntry, Hint, MosReport, Outcome, TeamsPoorStream, Verdict } from '../schema/report-schema.js';
import { count, num, plural } from './format.js';
import { pathText } from './ports.js';
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

export function explain(input: ExplainInput): string[] {
  const out: string[] = [];
  const { grades } = input;
  const failed = grades.filter((g) => g.status === 'fail');
  const lacking = grades.filter((g) => g.status === 'insufficient');
  if (input.outcome) {
    out.push(
      `NO VERDICT: ${outcomeSentence(
        input.outcome,
        (input.hints ?? []).map((h) => h.code),
        loopbackRelayPolicy(browserEngine(input.userAgent ?? '')),
      )}`,
    );
    const silent = (input.hints ?? []).find((h) => h.code === 'relay-silent');
    if (input.outcome.reason === 'could-not-connect' && silent) out.push(silent.sentence);
    out.push(
      input.outcome.reason === 'connection-lost'
        ? 'The figures below cover only the part of the test before that moment, for the record.'
        : 'The relay ports below show what each one answered.',
    );
    return out;
  }
  if (input.verdict === 'fail') {
    // Ranked as the answer ranks it: by what the miss does to a call, then by how far it missed.
    const worst = failed.reduce((a, b) => {
      const byImpact = CALL_IMPACT[b.target] - CALL_IMPACT[a.target];
      return byImpact < 0 || (byImpact === 0 && margin(b) > margin(a)) ? b : a;
    });
    out.push(
      `FAIL: this connection does not meet the "${input.profileLabel}" targets Microsoft sets for Teams and Skype media (${String(failed.length)} of ${String(grades.length)} checks failed). Calls may break up, lag or freeze.`,
      `The main problem (what hurts a call most): ${worst.sentence}`,
    );
    if (lacking.length > 0) out.push(`${String(lacking.length)} other checks could not be judged; see the grades for why.`);
  } else if (input.verdict === 'insufficient') {
    const first = lacking[0];
    out.push(
      `NO VERDICT: no check failed, but ${String(lacking.length)} of ${String(grades.length)} could not be judged from this test, so it cannot say the connection meets the "${input.profileLabel}" targets.`,
    );
    if (input.causeText) out.push(input.causeText);
    if (first !== undefined) out.push(first.sentence);
  } else {
    const closest = grades.reduce((a, b) => (margin(b) > margin(a) ? b : a));
    out.push(
      input.caution === 'fallback-path'
        ? `PASS (only over a fallback path): this connection met every "${input.profileLabel}" target Microsoft sets for Teams and Skype media during this test, but only over ${input.path ? pathText(input.path) : 'TCP or TLS'}: UDP to the relay did not answer.`
        : `PASS: this connection met every "${input.profileLabel}" target Microsoft sets for Teams and Skype media during this test.`,
    );
    // The grade's sentence begins with its direction ("Upstream (you to the relay): ..."): said once.
    const who = closest.direction === 'round-trip' ? null : `${directionPhrase(closest.direction)}: `;
    const said = who !== null && closest.sentence.startsWith(who) ? closest.sentence.slice(who.length) : closest.sentence;
    if (grades.length > 0) out.push(`The closest call was ${targetWhere(closest.label, closest.direction).toLowerCase()}: ${said}`);
  }
  out.push(input.mos.sentence, input.teams.sentence);
  const warnings = input.diagnostics.warnings;
  // What the ladder shows about the network first; a warning already saying it is not repeated,
  // and a server without TLS is the operator's business (it stays in `hints`), not the caller's.
  for (const h of input.hints ?? []) {
    if (h.code !== 'tls-not-offered' && !warnings.some((w) => w.code === h.code)) out.push(`Worth knowing: ${h.sentence}`);
  }
  for (const w of warnings.slice(0, 2)) out.push(`Worth knowing: ${w.message}`);
  if (warnings.length > 2) out.push(`${plural(warnings.length - 2, 'more note')} in diagnostics.`);
  out.push(
    'One test is one sample: Microsoft recommends testing every 10 minutes for at least a week and comparing the 90th percentile of the results with the targets.',
  );
  return out;
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
      `Microsoft recommends a test every 10 minutes for at least a week (about ${count(RECOMMENDED_TESTS)} tests, every business day and peak hour); this set has ${plural(a.tests, 'test')}${a.spanDays === null ? '' : ` over ${num(a.spanDays)} days`}.`,
    );
  }
  return out;
}
