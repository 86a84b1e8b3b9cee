/**
 * What a start opened, closed in the reverse order it was opened: the one path `serve` takes on
 * a failed start and on close alike, so nothing a failed start opened stays open (a store and
 * its purge timer, the relay's sockets, an HTTP listener).
 */
import { TypedError } from '../src/protocol/typed-error.js';

/** Closing one or more of the things a start opened failed; every other one was still closed. */
export class TeardownError extends TypedError<'close-failed'> {
  override readonly name = 'TeardownError';
  constructor(readonly failures: ReadonlyArray<{ what: string; error: unknown }>) {
    super('close-failed', failures.map((f) => `closing ${f.what} failed: ${f.error instanceof Error ? f.error.message : String(f.error)}`).join('; '));
  }
}

export class Teardown {
  private readonly steps: Array<{ what: string; close: () => Promise<void> | void }> = [];

  /** Records something just opened and how to close it. */
  add(what: string, close: () => Promise<void> | void): void {
    this.steps.push({ what, close });
  }

  /** What is open, oldest first. */
  get open(): string[] {
    return this.steps.map((s) => s.what);
  }

  /**
   * Closes everything recorded, newest first, each once. A step that fails does not stop the
   * ones after it; the failures come back in the order they happened (empty: all closed).
   */
  async close(): Promise<Array<{ what: string; error: unknown }>> {
    const failures: Array<{ what: string; error: unknown }> = [];
    for (let step = this.steps.pop(); step !== undefined; step = this.steps.pop()) {
      try {
        await step.close();
      } catch (error) {
        failures.push({ what: step.what, error });
      }
    }
    return failures;
  }
}
