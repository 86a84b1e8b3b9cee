/** Typed errors of the impairment proxy: every failure says which rule it broke. */
import { TypedError } from '../../src/protocol/typed-error.js';

export type ImpairConfigReason =
  /** A listen or target address is outside 127.0.0.0/8 and ::1 (the traffic rule). */
  | 'not-loopback'
  /** An address, port or port range could not be parsed. */
  | 'bad-address'
  /** --listen and --target lists do not pair up. */
  | 'listen-target-mismatch'
  /** A scenario file or object failed validation. */
  | 'bad-scenario'
  /** A CLI flag value is malformed or conflicts with another flag. */
  | 'bad-flag'
  /** The run would not be bounded in time. */
  | 'unbounded-duration';

/** Bad configuration: nothing was started. */
export class ImpairConfigError extends TypedError<ImpairConfigReason> {
  override readonly name = 'ImpairConfigError';
}

export type ImpairRuntimeReason =
  /** A listening socket could not be bound. (Errors while running go to the truth's `errors`.) */
  'socket';

/** A failure while the proxy runs. */
export class ImpairRuntimeError extends TypedError<ImpairRuntimeReason> {
  override readonly name = 'ImpairRuntimeError';
}
