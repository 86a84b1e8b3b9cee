/**
 * What a reflector session and its legs share: the logger they write to, the typed refusal a
 * page is told about, and the word a session's close gives the page.
 */
import { TypedError } from '../../src/protocol/typed-error.js';
import { SdpError, type SdpRefusal } from './sdp-lines.js';

export interface ReflectorLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** Why a session ended, when the page is told: its page sent no ICE check in time. */
export type ReflectorCloseCode = 'no-ice';

export class ReflectorSessionError extends TypedError<
  'bad-signal' | 'candidate-before-offer' | 'duplicate-offer' | 'unexpected-answer' | 'no-rtp-leg' | SdpRefusal
> {
  override readonly name = 'ReflectorSessionError';
}

/** Runs `check`; an SdpError becomes the ReflectorSessionError the page is told about. */
export function refusing<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof SdpError) throw new ReflectorSessionError(err.reason, err.message);
    throw err;
  }
}
