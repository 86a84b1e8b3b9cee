import type { PacerLike, PacerOptions, PacerResult } from '../../src/pacer/types.js';

/**
 * A pacer on plain timers, for Node clients (bench:load) where there is no worker to use.
 * Drift-free like the worker: tick i is due at start + i x interval; a tick more than one
 * interval late is skipped and counted. setTimeout wakes 1-2 ms early; a setImmediate loop
 * finishes the wait.
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
      const due = start + i * o.intervalMs;
      let wait = due - performance.now();
      if (wait < -o.intervalMs) {
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
