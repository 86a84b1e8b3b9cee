import type { ArrivalRecord, DirectionRecords, RoundTripRecords, RttSample, SuspectInterval } from '../../analysis/measure/records.js';
import { decodeOrNull, decodeProbe } from '../../protocol/wire.js';
import { LiveMeter, type ChartFigures } from './live.js';
import type { SentLog } from './sent-log.js';
import { senderQueueIntervals } from './sender-queue.js';

/**
 * Loopback mode (no reflector): pc1 sends, pc2 receives, both in this page and on one
 * clock, both relay-only. The one-way transit is the only stream; it stands in for RTT.
 */
export class LoopCollector {
  private readonly arrivals: ArrivalRecord[] = [];
  private readonly samples: RttSample[] = [];
  private readonly seen: Uint8Array;
  private readonly live: LiveMeter;
  private malformed = 0;

  constructor(private readonly sent: SentLog) {
    this.seen = new Uint8Array(sent.count);
    this.live = new LiveMeter(sent);
  }

  onProbe(bytes: Uint8Array, recvMs: number): void {
    const probe = decodeOrNull(decodeProbe, bytes);
    if (!probe) {
      this.malformed++;
      return;
    }
    const offset = this.sent.offsetOf(probe.seq);
    if (offset < 0) return;
    this.arrivals.push({ seq: offset, sendMs: probe.sendMs, recvMs });
    this.live.addTransit(recvMs - probe.sendMs);
    if (this.seen[offset] === 0) {
      this.seen[offset] = 1;
      this.samples.push({ seq: offset, sendMs: probe.sendMs, rttMs: recvMs - probe.sendMs });
      this.live.addRtt(recvMs, recvMs - probe.sendMs);
    }
  }

  /** Both ends are in this page: one clock. */
  clockOffsetMs(): number {
    return 0;
  }

  rttValues(): number[] {
    return this.samples.map((s) => s.rttMs);
  }

  liveFigures(nowMs: number, startMs: number): ChartFigures {
    return this.live.figures(nowMs, startMs, this.arrivals.length);
  }

  build(suspect: SuspectInterval[], intervalMs: number, queueThresholdBytes: number): { loop: DirectionRecords; roundTrip: RoundTripRecords; notes: string[] } {
    const sent = this.sent.records();
    const queued = senderQueueIntervals(this.sent.queuedSends(), queueThresholdBytes, intervalMs);
    return {
      loop: { sent, arrivals: this.arrivals.slice(), intervalMs, suspect: [...suspect, ...queued] },
      roundTrip: { sent, samples: this.samples.slice() },
      notes: this.malformed > 0 ? [`${this.malformed} malformed probes dropped`] : [],
    };
  }
}
