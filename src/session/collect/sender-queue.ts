import type { SuspectInterval } from '../../analysis/measure/records.js';

/** One probe as its sender put it on the wire: when, and how much was queued ahead of it. */
export interface QueuedSend {
  sendMs: number;
  bufferedBytes: number;
}

/**
 * Where the sender's own SCTP queue (congestion control still runs on a data channel) held
 * more than `thresholdBytes` ahead of a probe: each such probe marks [send - padMs,
 * send + padMs], overlapping marks merge. Windows touching these intervals never fail on them
 * and pass only on a bound (measure/windows.ts), so queueing on the sending device is never
 * graded as network delay or loss. Pure.
 */
export function senderQueueIntervals(sends: readonly QueuedSend[], thresholdBytes: number, padMs: number): SuspectInterval[] {
  const out: SuspectInterval[] = [];
  const sorted = sends.filter((s) => s.bufferedBytes > thresholdBytes).sort((a, b) => a.sendMs - b.sendMs);
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.sendMs - padMs <= last.endMs) last.endMs = Math.max(last.endMs, s.sendMs + padMs);
    else out.push({ startMs: s.sendMs - padMs, endMs: s.sendMs + padMs, reason: 'sender-queue' });
  }
  return out;
}
