import type { Report } from '../../src/analysis/schema/report-schema.js';
import { directionRows, directionText, keyFiguresText, testContext, verdictRows } from '../../src/analysis/present/view.js';
import { answerView } from '../../src/analysis/present/answer.js';

/** The short human summary `callprobe run` prints without --json: the page's view models as plain text, the answer first. */
export function formatSummary(r: Report): string {
  const a = answerView(r);
  const lines = [
    `Verdict: ${r.summary.verdict.toUpperCase()}`,
    `  ${a.sentence}`,
    ...a.findings.map((f) => `  - ${f.sentence}`),
    ...(a.advice.length > 0
      ? [a.tone === 'good' ? '  To be thorough:' : '  What to try:', ...a.advice.map((x, i) => `    ${String(i + 1)}. ${x.text} (why: ${x.because})`)]
      : []),
    '',
    ...r.explanation.map((e) => `  ${e}`),
    '',
    `  ${testContext(r)}`,
    `  ${keyFiguresText(r)}`,
    ...directionRows(r).map((d) => `  ${directionText(d)}`),
    '',
    ...verdictRows(r).map((row) => `  ${a.statusText(row).toUpperCase().padEnd(20)} ${row.sentence}`),
    '',
  ];
  return lines.join('\n');
}
