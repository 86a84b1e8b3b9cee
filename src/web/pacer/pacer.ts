import type { PacerStart, PacerToPage } from './messages.js';
import type { PacerLike, PacerOptions, PacerResult } from '../../session/pacer/types.js';

/**
 * Runs the pacing worker. Tick times arrive as epoch ms and are handed to `onTick` on the
 * page's own performance.now() clock (worker and page have different time origins).
 */
export class Pacer implements PacerLike {
  private readonly worker: Worker;
  private readonly stopFlag: Int32Array | null;
  readonly done: Promise<PacerResult>;
  private finish: (r: PacerResult) => void = () => undefined;
  private missedTicks = 0;

  constructor(opts: PacerOptions) {
    this.worker = new Worker(new URL('./pacer.worker.ts', import.meta.url), { type: 'module', name: 'callprobe-pacer' });
    this.stopFlag = globalThis.crossOriginIsolated ? new Int32Array(new SharedArrayBuffer(4)) : null;
    const pageOrigin = performance.timeOrigin;
    this.done = new Promise<PacerResult>((resolve, reject) => {
      this.finish = resolve;
      this.worker.onmessage = (ev: MessageEvent<PacerToPage>) => {
        const msg = ev.data;
        if (msg.type === 'tick') {
          this.missedTicks += msg.missedBefore;
          opts.onTick(msg.index, msg.scheduledEpochMs - pageOrigin, msg.missedBefore);
        } else {
          this.worker.terminate();
          resolve({ method: msg.method, missedTicks: msg.missedTicks });
        }
      };
      this.worker.onerror = (ev) => {
        this.worker.terminate();
        reject(new Error(`pacing worker failed: ${ev.message}`));
      };
    });
    const start: PacerStart = {
      type: 'start',
      intervalMs: opts.intervalMs,
      count: opts.count,
      startDelayMs: 5,
      stopFlag: this.stopFlag,
    };
    this.worker.postMessage(start);
  }

  /** Stops early (the test was cancelled). */
  stop(): void {
    if (this.stopFlag) {
      Atomics.store(this.stopFlag, 0, 1);
      Atomics.notify(this.stopFlag, 0);
    } else {
      this.worker.terminate();
      this.finish({ method: 'timeout', missedTicks: this.missedTicks });
    }
  }
}
