import type { PacerLike, PacerOptions, PacerResult } from '../../src/session/pacer/types.js';
import { dueAt, tooLate } from '../../src/session/pacer/schedule.js';

/**
 * A pacer on plain timers, for Node clients (bench:load) where there is no worker to use.
 * Same rule as the worker (src/session/pacer/schedule.ts: drift-free, too-late ticks skipped and
 * counted). setTimeout wakes 1-2 ms early; a setImmediate loop finishes the wait.
 */
export class TimerPacer implements PacerLike {
  readonly done: Promise<PacerResult>;
  private stopped = false;

  constructor(opts: PacerOptions) {
    this.done = this.run(opts);
  }

  private async run(o: PacerOptions): Promise<PacerResult> {
    const start = performance.now() + 20;
    let missed = 0;
    let missedSinceLast = 0;
    for (let i = 0; i < o.count && !this.stopped; i++) {
      const due = dueAt(start, i, o.intervalMs);
      let wait = due - performance.now();
      if (tooLate(-wait, o.intervalMs)) {
        missed++;
        missedSinceLast++;
        continue;
      }
      while (wait > 0 && !this.stopped) {
        await new Promise<void>((resolve) => (wait > 2 ? setTimeout(resolve, wait - 1.5) : setImmediate(resolve)));
        wait = due - performance.now();
      }
      if (this.stopped) break;
      o.onTick(i, due, missedSinceLast);
      missedSinceLast = 0;
    }
    return { method: 'timer', missedTicks: missed };
  }

  stop(): void {
    this.stopped = true;
  }
}
