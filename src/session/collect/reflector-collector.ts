import type { ArrivalRecord, DirectionRecords, RoundTripRecords, RttSample, SentRecord, SuspectInterval } from '../../analysis/measure/records.js';
import { decodeEcho, decodeOrNull, decodeReceipts, type ControlMessage, type ReceiptRecord } from '../../protocol/wire.js';
import type { ViewSample } from '../../analysis/measure/views.js';
import { LiveMeter, type ChartFigures } from './live.js';
import { arrivalBins, holdSample, type StreamViews } from './outside-views.js';
import type { SentLog } from './sent-log.js';
import { senderQueueIntervals, type QueuedSend } from './sender-queue.js';

/** Final tally from the reflector (see wire.ts): `final`, or `rtp-final` for the RTP stream; null until it arrives. */
type FinalTally = Extract<ControlMessage, { type: 'final' | 'rtp-final' }>;

/** What an echo says, whichever stream it came on (a data-channel echo datagram, or an RTP echo frame). */
export interface EchoFacts {
  upSeq: number;
  downSeq: number;
  clientSendMs: number;
  reflectorRecvMs: number;
  reflectorSendMs: number;
}

/** An upstream arrival as the reflector recorded it: the probe's number on the wire and when it came. */
interface UpArrival {
  seq: number;
  recvMs: number;
}

/**
 * Collects the evidence of a reflector-mode test: echoes (downstream + round trip) and the
 * reflector's receipts (upstream), keyed by the sender's probe offsets. One class for both
 * probe streams: the data channel's (datagrams decoded here) and the RTP one's (
 * records from the transform worker, fed through onEchoFacts/onReceiptRecords/onUpstream).
 *
 * `upstream: 'by-probe'` (the RTP stream): the reflector's records of a probe (its receipt,
 * the echo itself, the recent records later echoes carry) are one arrival, counted once by
 * probe number, in the reflector's arrival order; SRTP replay protection has already dropped
 * network duplicates, so none can be seen here. `'as-received'` (the data channel): every
 * receipt is an arrival, duplicates included, in receipt order.
 */
export class ReflectorCollector {
  private readonly echoed: Uint8Array;
  /** Which probe offsets already have their reflector hold (one per probe: its first echo's or receipt's stamps). */
  private readonly held: Uint8Array;
  private readonly holds: ViewSample[] = [];
  private readonly rttSamples: RttSample[] = [];
  private readonly downArrivals: ArrivalRecord[] = [];
  private readonly upArrivals: UpArrival[] = [];
  /** 'by-probe': which probe offsets already have an upstream arrival, which echoes a receipt already listed. */
  private readonly upSeen: Uint8Array | null;
  private readonly downSeen: Set<number> | null;
  private readonly downSent: SentRecord[] = [];
  private readonly downQueued: QueuedSend[] = [];
  private readonly live: LiveMeter;
  private finalTally: FinalTally | null = null;
  private foreign = 0;
  private malformed = 0;
  private echoesReceived = 0;
  /** The last time anything came from the reflector (echo or receipts), local clock; NaN until then. */
  private lastHeardMs = Number.NaN;
  /**
   * The reach of the receipts: the highest probe offset and echo seq they cover. Receipts are
   * the only upstream evidence (an echo without its receipt proves arrival but not its time),
   * and the only record of echoes sent.
   */
  private lastReceiptUpOffset = -1;
  private lastReceiptDownSeq = -1;

  constructor(
    private readonly sent: SentLog,
    upstream: 'as-received' | 'by-probe' = 'as-received',
  ) {
    this.echoed = new Uint8Array(sent.count);
    this.held = new Uint8Array(sent.count);
    this.upSeen = upstream === 'by-probe' ? new Uint8Array(sent.count) : null;
    this.downSeen = upstream === 'by-probe' ? new Set() : null;
    this.live = new LiveMeter(sent);
  }

  /** One echo datagram arrived at local time `recvMs`. */
  onEcho(bytes: Uint8Array, recvMs: number): void {
    const echo = decodeOrNull(decodeEcho, bytes);
    if (!echo) {
      this.malformed++;
      return;
    }
    this.onEchoFacts(echo, recvMs);
  }

  /** Frames that were not echoes (counted by whoever decoded them). */
  countMalformed(n: number): void {
    this.malformed += n;
  }

  /** One echo (already decoded) arrived at local time `recvMs`. */
  onEchoFacts(echo: EchoFacts, recvMs: number): void {
    const offset = this.sent.offsetOf(echo.upSeq);
    if (offset < 0) {
      this.foreign++;
      return;
    }
    this.echoesReceived++;
    this.addHold(offset, echo.clientSendMs, echo.reflectorRecvMs, echo.reflectorSendMs);
    this.lastHeardMs = Math.max(recvMs, Number.isNaN(this.lastHeardMs) ? recvMs : this.lastHeardMs);
    // The echo is the reflector's record of the probe's arrival too.
    if (this.upSeen) this.addUp(offset, echo.reflectorRecvMs);
    this.downArrivals.push({ seq: echo.downSeq, sendMs: echo.reflectorSendMs, recvMs });
    this.live.addTransit(recvMs - echo.reflectorSendMs);
    if (this.echoed[offset] === 0) {
      this.echoed[offset] = 1;
      const rttMs = recvMs - echo.clientSendMs - (echo.reflectorSendMs - echo.reflectorRecvMs);
      this.rttSamples.push({ seq: offset, sendMs: echo.clientSendMs, rttMs });
      this.live.addRtt(recvMs, rttMs);
    }
  }

  /** A binary control message: a batch of receipts (of the data-channel stream). */
  onReceipts(bytes: Uint8Array, recvMs: number): void {
    this.onReceiptRecords(decodeReceipts(bytes), recvMs);
  }

  /** Records of an earlier probe's arrival the reflector repeated (an RTP echo's recent records): upstream evidence only. */
  onUpstream(upSeq: number, reflectorRecvMs: number): void {
    const offset = this.sent.offsetOf(upSeq);
    if (offset < 0) {
      this.foreign++;
      return;
    }
    if (this.upSeen) this.addUp(offset, reflectorRecvMs);
  }

  /** The reflector's hold of the probe at `offset`, once, at its send time on this side's clock. */
  private addHold(offset: number, sendMs: number, reflectorRecvMs: number, reflectorSendMs: number): void {
    if (this.held[offset] === 1) return;
    const sample = holdSample(sendMs, reflectorRecvMs, reflectorSendMs);
    if (sample === null) return;
    this.held[offset] = 1;
    this.holds.push(sample);
  }

  private addUp(offset: number, recvMs: number): void {
    this.lastReceiptUpOffset = Math.max(this.lastReceiptUpOffset, offset);
    if (this.upSeen) {
      if (this.upSeen[offset] === 1) return;
      this.upSeen[offset] = 1;
    }
    this.upArrivals.push({ seq: offset, recvMs });
  }

  /** A batch of receipts, decoded, received at local time `recvMs`. */
  onReceiptRecords(records: readonly ReceiptRecord[], recvMs: number): void {
    this.lastHeardMs = Math.max(recvMs, Number.isNaN(this.lastHeardMs) ? recvMs : this.lastHeardMs);
    for (const r of records) {
      const offset = this.sent.offsetOf(r.upSeq);
      if (offset < 0) {
        this.foreign++;
        continue;
      }
      this.lastReceiptDownSeq = Math.max(this.lastReceiptDownSeq, r.downSeq);
      this.addUp(offset, r.reflectorRecvMs);
      // A receipt of an echo sent (downSeq >= 0) holds its stamps too: the hold is known even when the echo was lost.
      if (r.downSeq >= 0) this.addHold(offset, this.sent.sendTimeOf(offset), r.reflectorRecvMs, r.reflectorSendMs);
      if (r.downSeq >= 0 && !this.downSeen?.has(r.downSeq)) {
        this.downSeen?.add(r.downSeq);
        this.downSent.push({ seq: r.downSeq, sendMs: r.reflectorSendMs });
        this.downQueued.push({ sendMs: r.reflectorSendMs, bufferedBytes: r.reflectorBufferedBytes });
      }
    }
  }

  onFinal(msg: FinalTally): void {
    this.finalTally = msg;
  }

  /** When the reflector was last heard from (local clock), NaN if never. */
  get lastHeardAtMs(): number {
    return this.lastHeardMs;
  }

  /** Round-trip times seen so far (for the loss timeout: max(1 s, 4 x p99)). */
  rttValues(): number[] {
    return this.rttSamples.map((s) => s.rttMs);
  }

  liveFigures(nowMs: number, startMs: number): ChartFigures {
    return this.live.figures(nowMs, startMs, this.echoesReceived);
  }

  /**
   * The records for the analysis. `suspectClient` is on the client clock; the reflector's
   * clock is mapped from the client's with the offset seen at the smallest round trip. Each
   * sender's own queue above `queueThresholdBytes` marks its direction's suspect intervals.
   * `cutAtLastEvidence` (the connection was lost, or the final tally could not be asked for): only probes and echoes up to the last ones
   * the reflector's receipts cover are evidence; what was sent after them may have met a dead
   * server, not the network, and is left out.
   */
  build(
    suspectClient: SuspectInterval[],
    intervalMs: number,
    queueThresholdBytes: number,
    cutAtLastEvidence = false,
  ): {
    up: DirectionRecords;
    down: DirectionRecords;
    roundTrip: RoundTripRecords;
    notes: string[];
    views: StreamViews;
  } {
    const notes: string[] = [];
    if (!this.finalTally) notes.push('the reflector never sent its final tally: upstream counts may be incomplete');
    else if (this.finalTally.upReceived !== this.upArrivals.length) {
      notes.push(`reflector counted ${this.finalTally.upReceived} arrivals but reported ${this.upArrivals.length}`);
    }
    if (this.foreign > 0) notes.push(`${this.foreign} datagrams did not belong to this test`);
    if (this.malformed > 0) {
      // RTP: frames that are not echo frames go to the decoder as they came; data channel: undecodable datagrams are dropped.
      notes.push(
        this.upSeen
          ? `${this.malformed} received RTP frames were not echo frames (passed to the decoder as they came)`
          : `${this.malformed} malformed echoes dropped`,
      );
    }
    const offsetMs = this.clockOffsetMs();
    const suspectReflector = [
      ...suspectClient.map((s) => ({ ...s, startMs: s.startMs + offsetMs, endMs: s.endMs + offsetMs })),
      ...senderQueueIntervals(this.downQueued, queueThresholdBytes, intervalMs),
    ];
    const suspectUp = [...suspectClient, ...senderQueueIntervals(this.sent.queuedSends(), queueThresholdBytes, intervalMs)];
    const upCut = cutAtLastEvidence ? this.lastReceiptUpOffset : Number.POSITIVE_INFINITY;
    const downCut = cutAtLastEvidence ? this.lastReceiptDownSeq : Number.POSITIVE_INFINITY;
    const sentRecords = this.sent.records().filter((r) => r.seq <= upCut);
    const upArrivals: ArrivalRecord[] = this.upArrivals
      .filter((a) => a.seq <= upCut)
      .map((a) => ({ seq: a.seq, sendMs: this.sent.sendTimeOf(a.seq), recvMs: a.recvMs }));
    // By probe: records came from receipts and echoes in any order; the reflector's clock gives its arrival order (stable sort).
    if (this.upSeen) upArrivals.sort((a, b) => a.recvMs - b.recvMs);
    if (cutAtLastEvidence) notes.push(`evidence cut at the reflector's last receipt: after probe ${upCut} and echo ${downCut}`);
    const downSent = inSendOrder(
      this.downSent.filter((r) => r.seq <= downCut).sort((a, b) => a.seq - b.seq),
      notes,
    );
    return {
      up: { sent: sentRecords, arrivals: upArrivals, intervalMs, suspect: suspectUp },
      down: {
        sent: downSent,
        arrivals: this.downArrivals.filter((a) => a.seq <= downCut),
        intervalMs,
        suspect: suspectReflector,
      },
      roundTrip: { sent: sentRecords, samples: this.rttSamples.filter((r) => r.seq <= upCut) },
      notes,
      // The echo frames' receive lag is the RTP stream's (rtp-collector.ts); a data-channel echo has no receiveTime.
      views: {
        receiveLagMs: [],
        reflectorHoldMs: this.holds.slice().sort((a, b) => a.atMs - b.atMs),
        upArrivalBins: arrivalBins(upArrivals),
        serverLoopDelayMs: [],
      },
    };
  }

  /** reflector clock - client clock, from the echo with the smallest round trip (NTP-style); 0 before any. */
  clockOffsetMs(): number {
    let best: RttSample | null = null;
    for (const s of this.rttSamples) if (!best || s.rttMs < best.rttMs) best = s;
    if (!best) return 0;
    const up = this.upArrivals.find((a) => a.seq === best.seq);
    return up ? up.recvMs - best.sendMs - best.rttMs / 2 : 0;
  }
}

/**
 * The reflector's echoes, by number, with send times that never go back: it sends them in the
 * order it numbers them, so an echo stamped before the one numbered before it is a fault of the
 * reflector's clock readings (one of ours, never the network's). Its time is taken as the earlier
 * echo's and a note says how many and by how much, so the test keeps its evidence (the analysis
 * refuses send times out of order).
 */
function inSendOrder(sent: SentRecord[], notes: string[]): SentRecord[] {
  let fixed = 0;
  let worstMs = 0;
  let lastMs = Number.NEGATIVE_INFINITY;
  const out = sent.map((r) => {
    if (r.sendMs >= lastMs) {
      lastMs = r.sendMs;
      return r;
    }
    fixed++;
    worstMs = Math.max(worstMs, lastMs - r.sendMs);
    return { seq: r.seq, sendMs: lastMs };
  });
  if (fixed > 0)
    notes.push(
      `${fixed === 1 ? '1 echo was' : `${fixed} echoes were`} stamped before the one numbered before it (by up to ${worstMs.toFixed(3)} ms): taken as sent with it`,
    );
  return out;
}
