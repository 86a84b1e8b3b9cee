/**
 * A test that could not run, as words a person can paste or read out: what failed, the detail,
 * when and where. Pure: no DOM, and light (the page loads it before the first click).
 */
import { finishReasonOf, sideOf, type FinishReason, type Side } from '../../protocol/could-not-finish.js';
import { SERVER_BUSY_WORDS } from '../../protocol/api.js';

/** What the page knows of a test that could not run (the could-not-test record, read loosely: any stored version). */
export interface CouldNotTestFacts {
  reason: string;
  message: string;
  atMs: number;
  /** Whose side, when the record says (evidence decided it); absent: the reason's own (src/protocol/could-not-finish.ts). */
  side?: string | null;
  meta: { startedAt?: string; server?: string; browser?: string; site?: string | null; ticket?: string | null };
}

/** What failed, in words, by reason (every reason of the one list, src/protocol/could-not-finish.ts). */
const FAILURE_WORDS: { readonly [R in FinishReason]: string } = {
  'config-unavailable': 'The page could not get the test settings from the server.',
  'signaling-failed': "The page could not open the connection to the server's reflector (WebSocket signalling).",
  'could-not-connect':
    "No relay port answered: UDP, TCP and TLS to the test server's relay were all blocked or timed out. The page did reach the server itself; nothing about call quality was measured.",
  'relay-refused':
    "The test server's relay refused this test the relayed addresses it needs (its allocation quota, or it is full): that is the server's limit, not this network or this device.",
  'ice-failed': 'The media connection through the relay could not be set up (ICE failed).',
  'channel-not-lossy': 'The browser would not open an unreliable data channel, so loss could not be measured.',
  'reflector-error': "The server's reflector reported an error during the test.",
  'version-mismatch': 'This page and the test server are different releases of callprobe: reload the page.',
  'connection-lost': 'The connection to the test server was lost, so this says nothing about your calls yet.',
  'server-busy': SERVER_BUSY_WORDS,
  'browser-unsupported': 'This browser lacks something the test needs, so nothing was measured: this says nothing about the network.',
  'internal-error': 'The page hit an internal error.',
  'bad-parameters': 'The test link has a bad setting.',
  'reflector-silent':
    "The test server's reflector did not answer: the relay carried the probes, but the reflector counted none. This says nothing about your network.",
  'browser-failed': 'The probe could not start its browser, so nothing was measured: this says nothing about the network.',
  'page-failed': 'The browser could not load the test page from the server.',
  timeout: 'The test did not end in the time it was given.',
  'server-unreachable': 'The test server could not be reached at all (its web address did not answer).',
  'not-callprobe': 'The address given is not a callprobe test server.',
  interrupted: "The probe was stopped in the middle of the test (its schedule was stopped): nobody's network.",
  error: 'The probe hit an error of its own.',
};

const SIDE_WORDS: { readonly [S in Side]: string } = {
  network:
    "Where to look: this network's firewall. Other tests reached this test server's relay in the last minutes, so it is this network that blocks the ports calls use: ask its IT team to allow them.",
  browser: 'Where to look: this browser, not the network. Try another browser (a current Chrome, Edge, Firefox or Safari).',
  server: 'Where to look: the test server, not the network. Try again later; if it stays, tell whoever runs this test server.',
  'network-or-server':
    "Where to look: this network's firewall or proxy, or the test server. If other people can run the test against this server, it is this network: calls may be blocked the same way.",
  link: 'Where to look: the test link. Ask for a new one.',
  unknown: 'Where to look: not known for this reason.',
};

/** Whose side a could-not-test record points to: the side it was stored with, else its reason's (src/protocol/could-not-finish.ts). */
export const couldNotTestSide = (reason: string, stored?: string | null): Side => sideOf(reason, stored);

/** The "where to look" sentence for a side. */
export const sideWords = (side: Side): string => SIDE_WORDS[side];

/** The title of a test that could not run: a browser that cannot run it is named as the cause, never the network. */
function couldNotRunTitle(reason: string): string {
  return reason === 'browser-unsupported' ? 'This browser cannot run the test' : 'The test could not run';
}

/** The headline of a could-not-test record: what failed, as a sentence. */
export function failureWords(reason: string): string {
  const known = finishReasonOf(reason);
  return known === null ? `The test could not run (${reason}).` : FAILURE_WORDS[known];
}

/** A could-not-test record as plain lines: what failed, the detail, when and where. */
export function couldNotTestLines(r: CouldNotTestFacts): string[] {
  const when = r.meta.startedAt ?? new Date(r.atMs).toISOString();
  return [
    `${couldNotRunTitle(r.reason)}.`,
    failureWords(r.reason),
    sideWords(couldNotTestSide(r.reason, r.side)),
    `Detail: ${r.message} (reason: ${r.reason})`,
    `Started ${when}${r.meta.server ? ` against ${r.meta.server}` : ''}`,
    ...siteLines(r.meta),
    ...(r.meta.browser ? [`Browser: ${r.meta.browser}`] : []),
  ];
}

/** The site and ticket lines, when set. */
export function siteLines(meta: { site?: string | null; ticket?: string | null }): string[] {
  return [...(meta.site ? [`Site: ${meta.site}`] : []), ...(meta.ticket ? [`Ticket: ${meta.ticket}`] : [])];
}

/** A could-not-test record as plain text (what "Copy details" puts on the clipboard). */
export const couldNotTestText = (r: CouldNotTestFacts): string => couldNotTestLines(r).join('\n');
