import { TypedError } from '../../src/protocol/typed-error.js';

/** The one error type of the test kit: every failure says what was awaited and why it failed. */
export type TestKitReason =
  /** A waited-for state did not hold before the deadline. */
  | 'timeout'
  /** A process exited before the awaited output appeared. */
  | 'exited'
  /** A process could not be started (e.g. the command is not installed). */
  | 'spawn-failed'
  /** No free port could be found. */
  | 'no-free-port'
  /** A suite needs a tool this machine lacks, and the run requires every tool (CI). */
  | 'missing-tool'
  /** A server said it listens but has no TCP address. */
  | 'not-listening'
  /** A file of the inner loop (the unit, mocking and components projects) started a process. */
  | 'process-in-unit';

export class TestKitError extends TypedError<TestKitReason> {
  override readonly name = 'TestKitError';
}
