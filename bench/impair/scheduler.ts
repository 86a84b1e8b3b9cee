/**
 * Sub-millisecond release timer for the socket layer.
 *
 * setTimeout alone is about 1 ms granular and often fires late, so items sit in a min-heap
 * by release time; a timer is armed `wakeEarlyMs` before the earliest item, and from there
 * the loop spins with setImmediate (which still lets socket I/O run between turns) until
 * the exact time. Each item is handed to `onDue` with its intended time and the clock
 * reading at the send, so the caller can record its own timing error.
 */
import { TimedHeap } from './heap.js';

export const DEFAULT_WAKE_EARLY_MS = 2;

export interface SchedulerOptions {
  /** Monotonic clock in ms (same clock as the scheduled times). */
  now: () => number;
  /** Arm the timer this long before the earliest release (default 2 ms). */
  wakeEarlyMs?: number;
}

export class ReleaseScheduler<T> {
  private readonly heap = new TimedHeap<T>();
  private readonly wakeEarlyMs: number;
  private timer: NodeJS.Timeout | null = null;
  private timerForMs: number | null = null;
  private spinning = false;
  private stopped = false;

  constructor(
    private readonly onDue: (item: T, intendedMs: number, nowMs: number) => void,
    private readonly options: SchedulerOptions,
  ) {
    this.wakeEarlyMs = options.wakeEarlyMs ?? DEFAULT_WAKE_EARLY_MS;
  }

  get size(): number {
    return this.heap.size;
  }

  schedule(atMs: number, item: T): void {
    if (this.stopped) throw new Error('ReleaseScheduler: schedule() after stop()');
    this.heap.push(atMs, item);
    this.arm();
  }

  /** Cancel everything; returns the items never released. */
  stop(): T[] {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    return this.heap.drain();
  }

  private arm(): void {
    if (this.stopped || this.spinning) return;
    const headMs = this.heap.peekTime();
    if (headMs === null) return;
    const leadMs = headMs - this.options.now();
    if (leadMs <= this.wakeEarlyMs) {
      this.clearTimer();
      this.spinning = true;
      setImmediate(this.spin);
      return;
    }
    if (this.timer !== null && this.timerForMs !== null && this.timerForMs <= headMs) return;
    this.clearTimer();
    this.timerForMs = headMs;
    this.timer = setTimeout(this.wake, Math.max(0, Math.floor(leadMs - this.wakeEarlyMs)));
  }

  private readonly wake = (): void => {
    this.timer = null;
    this.timerForMs = null;
    this.arm();
  };

  private readonly spin = (): void => {
    this.spinning = false;
    if (this.stopped) return;
    for (;;) {
      const headMs = this.heap.peekTime();
      if (headMs === null) break;
      const nowMs = this.options.now();
      if (headMs > nowMs) break;
      const due = this.heap.pop();
      if (due === null) break;
      this.onDue(due.item, due.atMs, nowMs);
    }
    this.arm();
  };

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerForMs = null;
  }
}
