/** What the probe stream needs from a pacer: ticks on schedule, a result, a way to stop. */
export interface PacerOptions {
  intervalMs: number;
  count: number;
  /** Called for every due probe, with its due time on the caller's performance.now() clock. */
  onTick(index: number, scheduledMs: number, missedBefore: number): void;
}

export interface PacerResult {
  /** 'atomics' (worker, cross-origin isolated), 'timeout' (worker setTimeout) or 'timer' (Node). */
  method: 'atomics' | 'timeout' | 'timer';
  missedTicks: number;
}

export interface PacerLike {
  readonly done: Promise<PacerResult>;
  stop(): void;
}
