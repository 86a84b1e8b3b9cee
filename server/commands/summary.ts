import type { Report } from '../../src/analysis/schema/report-schema.js';
import { directionRows, directionText, keyFiguresText, testContext, verdictRows } from '../../src/analysis/present/view.js';

/** The short human summary `callprobe run` prints without --json: the page's view models as plain text. */
export function formatSummary(r: Report): string {
  const lines = [
    `Verdict: ${r.summary.verdict.toUpperCase()}`,
    ...r.explanation.map((e) => `  ${e}`),
    '',
    `  ${testContext(r)}`,
    `  ${keyFiguresText(r)}`,
    ...directionRows(r).map((d) => `  ${directionText(d)}`),
    '',
    ...verdictRows(r).map((row) => `  ${row.status.toUpperCase().padEnd(12)} ${row.sentence}`),
    '',
  ];
  return lines.join('\n');
}
