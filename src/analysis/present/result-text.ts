/**
 * A report as words a person can paste or read out: the summary a user copies when the result
 * could not be saved. Pure: no DOM. A test that could not run has its words in
 * ./could-not-test-text.ts (the page loads those before any click; these only with a result).
 */
import type { Report } from '../schema/report-schema.js';
import { siteLines } from './could-not-test-text.js';
import { directionRows, directionText, keyFiguresText, testContext, verdictRows, verdictView } from './view.js';

/** A report as plain text for a help desk (what "Copy details" puts on the clipboard). */
export function reportSummaryText(r: Report): string {
  return [
    `callprobe result: ${verdictView(r).title}`,
    ...r.explanation,
    '',
    `Started ${r.meta.startedAt} against ${r.meta.server}`,
    ...siteLines(r.meta),
    testContext(r),
    keyFiguresText(r),
    ...directionRows(r).map((d) => directionText(d)),
    '',
    ...verdictRows(r).map((row) => `${row.status.toUpperCase()}: ${row.sentence}`),
    '',
    `Browser: ${r.meta.browser}; callprobe ${r.meta.callprobeVersion}`,
  ].join('\n');
}
