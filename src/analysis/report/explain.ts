/**
 * The explanation: a few plain sentences telling a non-expert what the verdict means and
 * which target drove it.
 */
import { plural } from '../present/format.js';
import { directionPhrase } from '../grade/grade.js';
import type { Diagnostics, GradeEntry, MosReport, TeamsPoorStream, Verdict } from '../schema/report-schema.js';

export interface ExplainInput {
  verdict: Verdict;
  profileLabel: string;
  grades: readonly GradeEntry[];
  mos: MosReport;
  teams: TeamsPoorStream;
  diagnostics: Diagnostics;
}

function where(g: GradeEntry): string {
  return g.direction === 'round-trip' ? g.label.toLowerCase() : `${g.label.toLowerCase()}, ${directionPhrase(g.direction).toLowerCase()}`;
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
  if (input.verdict === 'fail') {
    const worst = failed.reduce((a, b) => (margin(b) > margin(a) ? b : a));
    out.push(
      `FAIL: this connection does not meet the "${input.profileLabel}" targets Microsoft sets for Teams and Skype media (${String(failed.length)} of ${String(grades.length)} checks failed). Calls may break up, lag or freeze.`,
      `The main problem (the check failed by the widest margin): ${worst.sentence}`,
    );
    if (lacking.length > 0) out.push(`${String(lacking.length)} other checks could not be judged; see the grades for why.`);
  } else if (input.verdict === 'insufficient') {
    const first = lacking[0];
    out.push(
      `NO VERDICT: no check failed, but ${String(lacking.length)} of ${String(grades.length)} could not be judged from this test, so it cannot say the connection meets the "${input.profileLabel}" targets.`,
    );
    if (first !== undefined) out.push(first.sentence);
  } else {
    const closest = grades.reduce((a, b) => (margin(b) > margin(a) ? b : a));
    out.push(`PASS: this connection met every "${input.profileLabel}" target Microsoft sets for Teams and Skype media during this test.`);
    if (grades.length > 0) out.push(`The closest call was ${where(closest)}: ${closest.sentence}`);
  }
  out.push(input.mos.sentence, input.teams.sentence);
  const warnings = input.diagnostics.warnings;
  for (const w of warnings.slice(0, 2)) out.push(`Worth knowing: ${w.message}`);
  if (warnings.length > 2) out.push(`${plural(warnings.length - 2, 'more note')} in diagnostics.`);
  out.push('One test is one sample: Microsoft recommends testing every 10 minutes for at least a week and comparing the 90th percentile of the results with the targets.');
  return out;
}
