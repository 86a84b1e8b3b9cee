/** Why a test could not run; shown to the user and mapped to `callprobe run` exit code 2. */
import { TypedError } from '../../protocol/typed-error.js';
import type { FinishReason } from '../../protocol/could-not-finish.js';
/**
 * The reasons the page itself can fail with, before or while it tests: each one of the one list
 * (src/protocol/could-not-finish.ts, where its side is), and `cancelled` (the user stopped it: no
 * record is kept).
 */
export type SetupFailureReason =
  | Extract<
      FinishReason,
      | 'config-unavailable'
      | 'signaling-failed'
      | 'could-not-connect'
      | 'relay-refused'
      | 'ice-failed'
      | 'channel-not-lossy'
      | 'reflector-error'
      /** The test server refused the test at its capacity, before it measured (src/protocol/api.ts SERVER_BUSY). */
      | 'server-busy'
      /** The page and the server are different releases (src/protocol/api.ts SIGNAL_PROTOCOL). */
      | 'version-mismatch'
      /** The test server stopped answering the page before the test measured anything (the page's code, its settings or its signalling). */
      | 'connection-lost'
      /** This browser lacks an API the test needs (src/session/browser-support.ts). */
      | 'browser-unsupported'
    >
  | 'cancelled';

export class SetupError extends TypedError<SetupFailureReason> {
  override readonly name = 'SetupError';
}

/** An error as one line: its name and message (a DOMException carries the telling part in its name). */
export function errorLine(err: unknown): string {
  if (err instanceof Error) return err.message === '' ? err.name : `${err.name}: ${err.message}`;
  return String(err);
}

/**
 * The entries of an icecandidateerror list ("URL: code text") where a TURN server refused us
 * (RFC 8656 §7.2, RFC 8489 §14.8: 401, 403, 437, 438, 441, 442, 486 Allocation Quota Reached,
 * 508 Insufficient Capacity), as opposed to one that did not answer (701): a fact about the test
 * server or its limits, never about this device.
 */
export function relayRefusals(iceErrors: readonly string[]): string[] {
  return iceErrors.filter((e) => / (401|403|437|438|441|442|486|508) /.test(` ${e} `));
}
