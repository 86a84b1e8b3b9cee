/**
 * Packet records: the raw evidence every metric is computed from.
 *
 * All times are milliseconds on a monotonic clock. `sendMs` is on the sender's clock,
 * `recvMs` on the receiver's clock; the two clocks may differ by an unknown offset, which
 * cancels in every one-way metric we compute (jitter, IPDV, relative delay).
 * Sequence numbers here are already extended (unwrapped), see `src/protocol/rfc3550.ts`.
 */

/** One probe the sender put on the wire. */
export interface SentRecord {
  seq: number;
  /** Actual send time (sender clock). */
  sendMs: number;
}

/** One datagram that arrived, duplicates included, listed in arrival order. */
export interface ArrivalRecord {
  seq: number;
  /** Send time carried in the packet (sender clock). */
  sendMs: number;
  /** Arrival time (receiver clock). */
  recvMs: number;
}

/** An interval during which the evidence is suspect (page hidden, sender stalled...). */
export interface SuspectInterval {
  /** On the sender clock of the direction it is attached to. */
  startMs: number;
  endMs: number;
  /**
   * page-hidden: the browser throttled the page; sender-stall: the pacer fell behind;
   * sender-queue: probes waited in the sender's SCTP buffer (congestion control), so delay and
   * loss there include the sender's own queue; receiver-stall: a long task delayed receive
   * timestamps; path-change: the selected candidate pair changed.
   */
  reason: 'page-hidden' | 'sender-stall' | 'sender-queue' | 'receiver-stall' | 'path-change';
}

/** Everything measured for one direction of one stream. */
export interface DirectionRecords {
  /** Every probe sent in this direction, in send order. */
  sent: SentRecord[];
  /** Every datagram received in this direction, in arrival order. */
  arrivals: ArrivalRecord[];
  /** Nominal spacing between probes. */
  intervalMs: number;
  /** Windows touching these intervals pass only on a bound (windows.ts: Upper bound). */
  suspect: SuspectInterval[];
}

/** One round trip: probe sent by the client, echo received by the client. */
export interface RttSample {
  seq: number;
  /** Client send time of the probe (client clock). */
  sendMs: number;
  /** Round trip with the reflector's hold time removed. */
  rttMs: number;
}

/** Round-trip evidence: every probe sent and the echoes that came back. */
export interface RoundTripRecords {
  sent: SentRecord[];
  samples: RttSample[];
}

/** Sender-side self-diagnostics, so sender queueing is never blamed on the network. */
export interface SenderDiagnostics {
  /** Actual minus scheduled send time, one per probe (ms, >= 0 normally). */
  timerErrorMs: number[];
  /** Ticks the pacer skipped because it fell more than one interval behind. */
  missedTicks: number;
  /** Largest RTCDataChannel.bufferedAmount seen just before a send (bytes). */
  maxBufferedAmountBytes: number;
  /** Probes not sent because the channel's buffer was above the limit. */
  droppedAtSender: number;
}
