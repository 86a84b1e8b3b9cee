/** Why a test could not run; shown to the user and mapped to `callprobe run` exit code 2. */
export type SetupFailureReason =
  'config-unavailable' | 'signaling-failed' | 'relay-unreachable' | 'relay-refused' | 'ice-failed' | 'channel-not-lossy' | 'reflector-error' | 'cancelled';

export class SetupError extends Error {
  constructor(
    readonly reason: SetupFailureReason,
    message: string,
  ) {
    super(message);
    this.name = 'SetupError';
  }
}
