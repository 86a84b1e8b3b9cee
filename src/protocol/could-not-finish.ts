/**
 * Why a test could not finish, and whose side each reason points to: one list, read by the page,
 * `callprobe run`, the scheduler, the server's console and the site reports. A reason is written
 * once here; its words live in each catalogue under its own key (typed by this list, so a reason
 * without words fails `tsc`), and its side in SIDE_OF below (typed the same way).
 *
 * A side is where a help desk should look, never a guess presented as a fact:
 * - `network`: the caller's network (its firewall blocked every relay port while this relay was
 *   seen answering other tests: the relay's health is the evidence, ./api.ts RelayEvidence);
 * - `server`: callprobe's own side (the test server, its relay or reflector, its capacity);
 * - `browser`: the browser or the probe machine that runs it;
 * - `link`: the test link or the command's settings;
 * - `network-or-server`: either the caller's network or our server, with no evidence to tell;
 * - `unknown`: a reason this release does not know, or one that points nowhere.
 */

export const SIDES = ['network', 'server', 'browser', 'link', 'network-or-server', 'unknown'] as const;
export type Side = (typeof SIDES)[number];

/** Every reason a test could not finish (a could-not-test record's `reason`, a report's `outcome.reason`). */
export const FINISH_REASONS = [
  // The page, before it measured (src/session/net/errors.ts SetupError).
  'config-unavailable',
  'signaling-failed',
  /** No relay port connected: every rung the server offers timed out or was refused (once also spelled `relay-unreachable`). */
  'could-not-connect',
  'relay-refused',
  'ice-failed',
  'channel-not-lossy',
  'reflector-error',
  'version-mismatch',
  'server-busy',
  'browser-unsupported',
  'internal-error',
  'bad-parameters',
  // A report cut short: the connection to the test server was lost mid-test.
  'connection-lost',
  // A report whose probes the relay carried upstream while our reflector counted none (src/analysis/grade/witness-gap.ts).
  'reflector-silent',
  // `callprobe run` and the scheduler, around the page (client/headless, client/server-check.ts).
  'browser-failed',
  'page-failed',
  'timeout',
  'server-unreachable',
  'not-callprobe',
  'interrupted',
  'error',
] as const;
export type FinishReason = (typeof FINISH_REASONS)[number];

/** Whose side each reason points to, when no evidence says more (./could-not-finish.ts sideOf). */
export const SIDE_OF: { readonly [R in FinishReason]: Side } = {
  'config-unavailable': 'server',
  'signaling-failed': 'network-or-server',
  'could-not-connect': 'network-or-server',
  'relay-refused': 'server',
  'ice-failed': 'network-or-server',
  'channel-not-lossy': 'browser',
  'reflector-error': 'server',
  'version-mismatch': 'server',
  'server-busy': 'server',
  'browser-unsupported': 'browser',
  'internal-error': 'server',
  'bad-parameters': 'link',
  'connection-lost': 'network-or-server',
  'reflector-silent': 'server',
  'browser-failed': 'browser',
  'page-failed': 'network-or-server',
  timeout: 'unknown',
  'server-unreachable': 'network-or-server',
  'not-callprobe': 'link',
  interrupted: 'unknown',
  error: 'unknown',
};

/** Spellings this list replaced, read as their successor in results stored before. */
const FORMER: Readonly<Record<string, FinishReason>> = { 'relay-unreachable': 'could-not-connect' };

/** A stored or received reason code as this list knows it; null for one it does not (a newer release's). */
export function finishReasonOf(code: string): FinishReason | null {
  const former = Object.hasOwn(FORMER, code) ? FORMER[code] : undefined;
  if (former !== undefined) return former;
  return (FINISH_REASONS as readonly string[]).includes(code) ? (code as FinishReason) : null;
}

export const isSide = (v: unknown): v is Side => typeof v === 'string' && (SIDES as readonly string[]).includes(v);

/** Whose side a reason points to: the side stored with it when there is one (evidence decided it), else the reason's own. */
export function sideOf(code: string, stored?: string | null): Side {
  if (isSide(stored)) return stored;
  const reason = finishReasonOf(code);
  return reason === null ? 'unknown' : SIDE_OF[reason];
}

/**
 * The evidence that this server's relay answers, which lets a test that reached the server but
 * none of its relay ports say the caller's network blocked them: `recent-test`, a test connected
 * through this relay at `atMs` (ms since the Unix epoch, the server's clock), within
 * RELAY_EVIDENCE_MAX_AGE_MS of the answer that carries it.
 */
export interface RelayEvidence {
  kind: 'recent-test';
  atMs: number;
}

/** How old a test through the relay may be and still speak for the relay's health (10 minutes). */
export const RELAY_EVIDENCE_MAX_AGE_MS = 10 * 60_000;

/** The evidence a server gives from when a test last connected through its relay: none when it never did, or longer ago than RELAY_EVIDENCE_MAX_AGE_MS. */
export function relayEvidenceOf(lastConnectedAtMs: number | null, nowMs: number): RelayEvidence | null {
  if (lastConnectedAtMs === null || nowMs - lastConnectedAtMs > RELAY_EVIDENCE_MAX_AGE_MS) return null;
  return { kind: 'recent-test', atMs: lastConnectedAtMs };
}
