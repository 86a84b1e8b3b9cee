/**
 * The evidence of the RTP probe stream, built like the data channel's (it is a
 * ReflectorCollector counting upstream by probe, see reflector-collector.ts): up = the stamped
 * probes and the reflector's records of their arrival (RTP receipts in the control messages,
 * the echoes, and the recent records echoes repeat, one arrival per probe number); down = the
 * echoes as the receipts list them and the echoes that came back; round trip = each probe's
 * first echo. Probe numbers are the sender transform's probeSeq, from 0 (no random base: the
 * SRTP stream already has its own), so loss is counted by probe and never by RTP sequence
 * number (Chromium inserts padding-only RTP packets into that sequence space).
 */
import type { DirectionRecords, RoundTripRecords, SuspectInterval } from '../../analysis/measure/records.js';
import type { RtpRecentRecord } from '../../protocol/rtp-probe.js';
import { decodeReceipts, ProbeKind, type ControlMessage, type ReceiptRecord } from '../../protocol/wire.js';
import type { ChartFigures } from './live.js';
import type { ViewSample } from '../../analysis/measure/views.js';
import { receiveLagSample, type StreamViews } from './outside-views.js';
import { ReflectorCollector, type EchoFacts } from './reflector-collector.js';
import { SentLog } from './sent-log.js';

/** One echo as the RTP transform worker reports it (src/session/rtp/messages.ts), arrival on this side's clock. */
export interface RtpEchoFacts extends EchoFacts {
  recent: readonly RtpRecentRecord[];
  arrivalMs: number;
  /** The frame's receiveTime (the network thread's clock), null without a plausible one. */
  receiveTimeMs: number | null;
  /** When the transform worker saw the frame. */
  seenMs: number;
}

export class RtpCollector {
  private readonly sentLog: SentLog;
  private readonly collector: ReflectorCollector;
  /** Stamped probes beyond the slots kept (`maxProbes`): not evidence, counted. */
  private overflow = 0;
  /** The receive lag of every echo with a receiveTime (outside-views.ts), as they came: one per echo received, so bounded like the echoes. */
  private readonly receiveLags: ViewSample[] = [];

  constructor(
    maxProbes: number,
    readonly intervalMs: number,
  ) {
    this.sentLog = new SentLog(maxProbes, 0);
    this.collector = new ReflectorCollector(this.sentLog, 'by-probe');
  }

  /** A batch of stamped probes: (probeSeq, send time on this side's clock). */
  onSent(probes: ReadonlyArray<readonly [number, number]>): void {
    for (const [seq, sendMs] of probes) {
      if (seq >= this.sentLog.count || !Number.isNaN(this.sentLog.sendTimeOf(seq))) {
        this.overflow++;
        continue;
      }
      // No schedule: the audio clock decides when a frame leaves, so there is no timer error.
      this.sentLog.recordSent(seq, sendMs, sendMs, 0);
    }
  }

  onEchoes(echoes: readonly RtpEchoFacts[]): void {
    for (const e of echoes) {
      this.collector.onEchoFacts(e, e.arrivalMs);
      const lag = receiveLagSample(e.receiveTimeMs, e.seenMs);
      if (lag !== null) this.receiveLags.push(lag);
      for (const r of e.recent) this.collector.onUpstream(r.probeSeq, r.reflectorRecvMs);
    }
  }

  /** A `ProbeKind.RtpReceipts` batch of the control messages. Throws ProbeDecodeError when malformed. */
  onReceipts(bytes: Uint8Array, recvMs: number): void {
    this.onReceiptRecords(decodeReceipts(bytes, ProbeKind.RtpReceipts), recvMs);
  }

  /** The RTP stream's records of a batch already decoded (the RTP part of a `ProbeKind.BothReceipts` batch). */
  onReceiptRecords(records: readonly ReceiptRecord[], recvMs: number): void {
    this.collector.onReceiptRecords(records, recvMs);
  }

  onFinal(msg: Extract<ControlMessage, { type: 'rtp-final' }>): void {
    this.collector.onFinal(msg);
  }

  /** Received frames that were not echo frames (the worker passed them through). */
  countNotEchoes(n: number): void {
    this.collector.countMalformed(n);
  }

  get sentCount(): number {
    return this.sentLog.sentCount;
  }

  get lastSendMs(): number {
    return this.sentLog.lastSendMs;
  }

  get lastHeardAtMs(): number {
    return this.collector.lastHeardAtMs;
  }

  rttValues(): number[] {
    return this.collector.rttValues();
  }

  liveFigures(nowMs: number, startMs: number): ChartFigures {
    return this.collector.liveFigures(nowMs, startMs);
  }

  /** reflector clock - client clock (see ReflectorCollector). */
  clockOffsetMs(): number {
    return this.collector.clockOffsetMs();
  }

  /** The records for the analysis (suspect intervals on this side's clock); see ReflectorCollector.build. */
  build(
    suspect: SuspectInterval[],
    cutAtLastEvidence: boolean,
  ): { up: DirectionRecords; down: DirectionRecords; roundTrip: RoundTripRecords; notes: string[]; views: StreamViews } {
    // No sender queue on this stream (an RTP sender never holds frames for congestion control): threshold 0, every queue reads 0.
    const b = this.collector.build(suspect, this.intervalMs, 0, cutAtLastEvidence);
    if (this.overflow > 0) b.notes.push(`${this.overflow} stamped RTP probes beyond the ${this.sentLog.count} kept were left out`);
    const receiveLagMs = this.receiveLags.slice().sort((a, c) => a.atMs - c.atMs);
    return { ...b, views: { ...b.views, receiveLagMs } };
  }
}
