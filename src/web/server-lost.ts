/**
 * Whether the test server still serves this page, asked when the page could not go on with it:
 * a chunk of its code would not load, or a test could not start. Only a server that answers
 * without this page's own code (404: it runs another release, whose files have other names) makes
 * it `version-mismatch`; a server that does not answer is a lost connection (`connection-lost`),
 * never another release, so a server killed mid-test is said as what it is.
 */
import { SetupError, type SetupFailureReason } from '../session/net/errors.js';

/** What the server says of this page's code: it has it, it runs another release, or it did not answer. */
export type ServerState = 'this-release' | 'other-release' | 'unreachable';

/** How long the question waits for the server. */
const ASK_TIMEOUT_MS = 5000;

/**
 * Asks the server for `moduleUrl`, a module of this page (its hashed file): HEAD, past every
 * cache. A proxy's error for a server behind it (5xx) is a server that did not answer.
 */
export async function serverState(moduleUrl: string, fetchImpl: typeof fetch = fetch, timeoutMs = ASK_TIMEOUT_MS): Promise<ServerState> {
  let status: number;
  try {
    status = (await fetchImpl(moduleUrl, { method: 'HEAD', cache: 'no-store', signal: AbortSignal.timeout(timeoutMs) })).status;
  } catch {
    // No answer (a refused or reset connection, the timeout): that is the state asked about.
    return 'unreachable';
  }
  if (status === 404) return 'other-release';
  return status >= 200 && status < 300 ? 'this-release' : 'unreachable';
}

/** Reasons a test gives up before it measured that a lost server also causes: asked about, each told as `connection-lost` when the server does not answer. */
const MAYBE_LOST: ReadonlySet<SetupFailureReason> = new Set(['config-unavailable', 'signaling-failed', 'ice-failed', 'could-not-connect', 'reflector-error']);

/**
 * The page's code could not load (`err`): `version-mismatch` when the server answers with another
 * release, else `connection-lost`; `words` says each in the page's language.
 */
export async function codeNotLoaded(
  err: string,
  moduleUrl: string,
  words: { mismatch(detail: string): string; lost(detail: string): string },
): Promise<SetupError> {
  return (await serverState(moduleUrl)) === 'other-release'
    ? new SetupError('version-mismatch', words.mismatch(err))
    : new SetupError('connection-lost', words.lost(err));
}

/**
 * A test that could not start (`err`), as `connection-lost` when a lost server may have caused it
 * (one of those reasons, or an error of our code: a worker or a fetch that failed) and the server
 * does not answer now; else `err` as it is.
 */
export async function lostOr(err: unknown, moduleUrl: string, lost: (detail: string) => string): Promise<unknown> {
  if (err instanceof SetupError && !MAYBE_LOST.has(err.reason)) return err;
  if ((await serverState(moduleUrl)) !== 'unreachable') return err;
  return new SetupError('connection-lost', lost(err instanceof Error ? err.message : String(err)));
}
