import type { SuspectInterval } from '../../analysis/measure/records.js';

/**
 * When this device fell behind the test, as the sender saw it: a probe sent more than one
 * interval after it was due (the page's main thread was busy: a timer-late warning), ticks the
 * pacer skipped (missed-ticks), and probes dropped because the channel's buffer was full
 * (dropped-at-sender). Each marks the time it covers as 'sender-stall', so every such warning
 * has its suspect interval: windows touching it pass only on a bound (measure/windows.ts) and
 * round trips of probes sent in it are left out, so a busy device is never graded as the network.
 */
export type StallEvent =
  /** A probe due at `scheduledMs` left at `sendMs`. */
  | { kind: 'late'; scheduledMs: number; sendMs: number }
  /** `ticks` ticks skipped before the tick due at `atMs`. */
  | { kind: 'missed'; atMs: number; ticks: number }
  /** A probe due at `atMs` dropped at the sender. */
  | { kind: 'dropped'; atMs: number };

/**
 * The stall intervals of `events`, merged, on the sender's clock. A stretch starts `leadMs`
 * early (an echo that came back while the device was stalled was sent up to one round trip
 * before: its round trip includes the stall) and ends one interval late. Pure.
 */
export function senderStallIntervals(events: readonly StallEvent[], intervalMs: number, leadMs: number): SuspectInterval[] {
  const spans: Array<[number, number]> = [];
  for (const e of events) {
    if (e.kind === 'late') {
      if (e.sendMs - e.scheduledMs > intervalMs) spans.push([e.scheduledMs - leadMs, e.sendMs + intervalMs]);
    } else if (e.kind === 'missed') {
      if (e.ticks > 0) spans.push([e.atMs - e.ticks * intervalMs - leadMs, e.atMs + intervalMs]);
    } else {
      spans.push([e.atMs - leadMs, e.atMs + intervalMs]);
    }
  }
  spans.sort((a, b) => a[0] - b[0]);
  const out: SuspectInterval[] = [];
  for (const [startMs, endMs] of spans) {
    const last = out[out.length - 1];
    if (last && startMs <= last.endMs) last.endMs = Math.max(last.endMs, endMs);
    else out.push({ startMs, endMs, reason: 'sender-stall' });
  }
  return out;
}
