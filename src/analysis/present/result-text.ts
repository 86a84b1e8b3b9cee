/**
 * A result as words a person can paste or read out (issue 10): the summary a user copies when
 * the result could not be saved, and what failed when a test could not run. Pure: no DOM.
 */
import type { Report } from '../schema/report-schema.js';
import { directionRows, directionText, keyFiguresText, testContext, verdictRows, VERDICT_TITLE } from './view.js';

/** What the page knows of a test that could not run (the could-not-test record, read loosely: any stored version). */
export interface CouldNotTestFacts {
  reason: string;
  message: string;
  atMs: number;
  meta: { startedAt?: string; server?: string; browser?: string; site?: string | null; ticket?: string | null };
}

/** What failed, in words, by the session's reason codes; an unknown code gets a general sentence. */
const FAILURE_WORDS: Readonly<Record<string, string>> = {
  'config-unavailable': 'The page could not get the test settings from the server.',
  'signaling-failed': "The page could not open the connection to the server's reflector (WebSocket signalling).",
  'relay-unreachable': 'No relay port answered: UDP, TCP and TLS to the relay were all blocked or timed out on this network.',
  'relay-refused': 'The relay refused to allocate a relayed address for this test.',
  'ice-failed': 'The media connection through the relay could not be set up (ICE failed).',
  'channel-not-lossy': 'The browser would not open an unreliable data channel, so loss could not be measured.',
  'reflector-error': "The server's reflector reported an error during the test.",
  'internal-error': 'The page hit an internal error.',
  'bad-parameters': 'The test link has a bad setting.',
};

/** The headline of a could-not-test record: what failed, as a sentence. */
export function failureWords(reason: string): string {
  return FAILURE_WORDS[reason] ?? `The test could not run (${reason}).`;
}

/** A could-not-test record as plain lines: what failed, the detail, when and where. */
export function couldNotTestLines(r: CouldNotTestFacts): string[] {
  const when = r.meta.startedAt ?? new Date(r.atMs).toISOString();
  return [
    'The test could not run.',
    failureWords(r.reason),
    `Detail: ${r.message} (reason: ${r.reason})`,
    `Started ${when}${r.meta.server ? ` against ${r.meta.server}` : ''}`,
    ...siteLines(r.meta),
    ...(r.meta.browser ? [`Browser: ${r.meta.browser}`] : []),
  ];
}

function siteLines(meta: { site?: string | null; ticket?: string | null }): string[] {
  return [...(meta.site ? [`Site: ${meta.site}`] : []), ...(meta.ticket ? [`Ticket: ${meta.ticket}`] : [])];
}

/** A report as plain text for a help desk (what "Copy details" puts on the clipboard). */
export function reportSummaryText(r: Report): string {
  return [
    `callprobe result: ${VERDICT_TITLE[r.summary.verdict]}`,
    ...r.explanation,
    '',
    `Started ${r.meta.startedAt} against ${r.meta.server}`,
    ...siteLines(r.meta),
    testContext(r),
    keyFiguresText(r),
    ...directionRows(r).map(directionText),
    '',
    ...verdictRows(r).map((row) => `${row.status.toUpperCase()}: ${row.sentence}`),
    '',
    `Browser: ${r.meta.browser}; callprobe ${r.meta.callprobeVersion}`,
  ].join('\n');
}

/** A could-not-test record as plain text (what "Copy details" puts on the clipboard). */
export const couldNotTestText = (r: CouldNotTestFacts): string => couldNotTestLines(r).join('\n');
