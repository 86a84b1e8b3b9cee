import type { SenderDiagnostics, SentRecord } from '../../analysis/measure/records.js';
import type { QueuedSend } from './sender-queue.js';
import { senderStallIntervals, type StallEvent } from './sender-stall.js';

/**
 * The sender's own log: every probe it put on the wire with its actual send time, how late
 * the send was against the schedule, and the channel's queue before the send. Probe
 * numbering here is the offset from the stream's first probe (0..count-1); on the wire it
 * is `(base + offset) mod 2^32` with a random base, like RTP.
 */
export class SentLog {
  readonly base: number;
  private readonly sendMs: Float64Array;
  private readonly bufferedBytes: Float64Array;
  private readonly order: number[] = [];
  private readonly timerErrorMs: number[] = [];
  private missedTicks = 0;
  private maxBufferedAmountBytes = 0;
  private droppedAtSender = 0;
  /** Late sends, skipped ticks and drops, with their times: where this device fell behind. */
  private readonly stalls: StallEvent[] = [];

  /** `lateAfterMs`: a send later than this after it was due is kept as a stall (one probe interval). */
  constructor(
    readonly count: number,
    base?: number,
    private readonly lateAfterMs = Number.POSITIVE_INFINITY,
  ) {
    this.base = (base ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;
    this.sendMs = new Float64Array(count).fill(Number.NaN);
    this.bufferedBytes = new Float64Array(count);
  }

  wireSeq(offset: number): number {
    return (this.base + offset) >>> 0;
  }

  /** Offset of a wire sequence number, or -1 when it is not one of ours. */
  offsetOf(wireSeq: number): number {
    const offset = (wireSeq - this.base) >>> 0;
    return offset < this.count ? offset : -1;
  }

  recordSent(offset: number, sendMs: number, scheduledMs: number, bufferedAmountBytes: number): void {
    this.sendMs[offset] = sendMs;
    this.bufferedBytes[offset] = bufferedAmountBytes;
    this.order.push(offset);
    this.timerErrorMs.push(sendMs - scheduledMs);
    if (sendMs - scheduledMs > this.lateAfterMs) this.stalls.push({ kind: 'late', scheduledMs, sendMs });
    if (bufferedAmountBytes > this.maxBufferedAmountBytes) this.maxBufferedAmountBytes = bufferedAmountBytes;
  }

  /** A probe due at `atMs` not sent: the channel's buffer was full. */
  recordDropped(bufferedAmountBytes: number, atMs: number): void {
    this.droppedAtSender++;
    this.stalls.push({ kind: 'dropped', atMs });
    if (bufferedAmountBytes > this.maxBufferedAmountBytes) this.maxBufferedAmountBytes = bufferedAmountBytes;
  }

  /** `n` ticks skipped before the tick due at `atMs`. */
  recordMissed(n: number, atMs: number): void {
    this.missedTicks += n;
    this.stalls.push({ kind: 'missed', atMs, ticks: n });
  }

  /** Where this device fell behind, as suspect intervals on the sender's clock (see sender-stall.ts). */
  stallIntervals(intervalMs: number, leadMs: number): ReturnType<typeof senderStallIntervals> {
    return senderStallIntervals(this.stalls, intervalMs, leadMs);
  }

  /** Send time of a probe, NaN when it was never sent. */
  sendTimeOf(offset: number): number {
    return this.sendMs[offset] ?? Number.NaN;
  }

  /** The i-th probe in send order. */
  nthSent(i: number): SentRecord | null {
    const seq = this.order[i];
    return seq === undefined ? null : { seq, sendMs: this.sendTimeOf(seq) };
  }

  get sentCount(): number {
    return this.order.length;
  }

  get lastSendMs(): number {
    const last = this.order[this.order.length - 1];
    return last === undefined ? Number.NaN : this.sendTimeOf(last);
  }

  /** Each probe sent, with the channel's queue ahead of it (see sender-queue.ts). */
  queuedSends(): QueuedSend[] {
    return this.order.map((seq) => ({ sendMs: this.sendTimeOf(seq), bufferedBytes: this.bufferedBytes[seq] ?? 0 }));
  }

  records(): SentRecord[] {
    return this.order.map((seq) => ({ seq, sendMs: this.sendTimeOf(seq) }));
  }

  diagnostics(): SenderDiagnostics {
    return {
      timerErrorMs: this.timerErrorMs.slice(),
      missedTicks: this.missedTicks,
      maxBufferedAmountBytes: this.maxBufferedAmountBytes,
      droppedAtSender: this.droppedAtSender,
    };
  }
}
