/** Messages between the page and the pacing worker. */

export interface PacerStart {
  type: 'start';
  /** Spacing between probes. */
  intervalMs: number;
  /** How many probes to schedule. */
  count: number;
  /**
   * Probe 0 is due this long after the worker receives this message (not after the page sent
   * it: a worker can take tens of ms to start, and ticks due before it ran would be skipped).
   */
  startDelayMs: number;
  /** A 1-element Int32Array on a SharedArrayBuffer: the page writes 1 to stop. Null without isolation. */
  stopFlag: Int32Array | null;
}

interface PacerTick {
  type: 'tick';
  index: number;
  /** When this probe was due, epoch ms. */
  scheduledEpochMs: number;
  /** Ticks skipped since the previous tick because the worker fell behind by more than one interval. */
  missedBefore: number;
}

interface PacerDone {
  type: 'done';
  /** 'atomics' when Atomics.wait paced the stream, 'timeout' when setTimeout did. */
  method: 'atomics' | 'timeout';
  missedTicks: number;
}

export type PacerToPage = PacerTick | PacerDone;
