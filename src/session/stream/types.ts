/** The probe stream's contract: what it is given (StreamSetup) and what it returns (StreamOutcome). Types only. */
import type { RelayWitness } from '../../protocol/wire.js';
import type { DirectionRecords, RoundTripRecords, SenderDiagnostics, SuspectInterval } from '../../analysis/measure/records.js';
import type { QosEvidence, TestMode } from '../../analysis/schema/input.js';
import type { ProvisionalFacts } from '../../analysis/schema/provisional-facts.js';
import type { SessionMark } from '../timings.js';
import type { PeerLink } from '../net/peer.js';
import type { ControlPort } from '../net/signaling.js';
import type { PacerLike, PacerOptions, PacerResult } from '../pacer/types.js';
import type { LiveFigures, ProvisionalPlan } from '../collect/live.js';
import type { RtpCollector } from '../collect/rtp-collector.js';
import type { StreamViews } from '../collect/outside-views.js';
import type { RtpLink } from '../rtp/leg.js';

/**
 * The RTP probe stream (reflector mode): its frames are stamped from the pacer's first tick to
 * its last (the audio clock paces them), its receipts and `rtp-final` come on the control port,
 * and when it is given its records are the graded ones (a data-channel stream beside it, when
 * that leg is open, is the cross-check).
 */
export interface RtpStreamPart {
  link: RtpLink;
  collector: RtpCollector;
}

export interface StreamSetup {
  mode: TestMode;
  /**
   * Sends the data-channel probes; in reflector mode also receives their echoes. Null when the
   * RTP leg connected alone: the pacer then only keeps this device's timing (its late and missed
   * ticks), and no data-channel probe is sent.
   */
  sender: PeerLink | null;
  /** Receives: the same link in reflector mode, pc2 in loopback mode; null with `sender`. */
  receiver: PeerLink | null;
  /** The session's control messages (reflector mode): the reflector's receipts, tallies and finals, and the page's `stop`. */
  control: ControlPort | null;
  count: number;
  intervalMs: number;
  payloadBytes: number;
  createPacer(opts: PacerOptions): PacerLike;
  signal: AbortSignal;
  phase(phase: 'streaming' | 'draining', detail: string): void;
  live(figures: LiveFigures): void;
  mark(step: SessionMark): void;
  /** Resolves with a reason when the reflector's signaling connection closes (reflector mode). */
  signalingClosed?: Promise<string>;
  /** The RTP probe stream, graded in place of this one (reflector mode only). */
  rtp?: RtpStreamPart | null;
  /** How to read provisional answers while the stream runs; without it none is (compare mode's short streams). */
  provisional?: ProvisionalPlan | null;
  /** The suspect intervals this side knows so far (page hidden, long tasks, path changes), on its clock. */
  suspectSoFar?: () => SuspectInterval[];
  /**
   * The busy-line phase: started `afterMs` after the stream (the idle window), handed the round
   * trips as they come back and a signal that ends it with the stream; the stream stops when it
   * is over (its `count` leaves room for the longest phase).
   */
  busy?: { afterMs: number; run(rttSince: () => number[], signal: AbortSignal): Promise<void> } | null;
}

/** The records of the graded stream, for the analysis. */
export type StreamRecords = ReturnType<StreamOutcome['build']>;

/** The test could not finish: the reflector stopped answering (RFC 8445 §7.3 ICE consent aside, we watch the data). */
export interface ConnectionLoss {
  reason: 'connection-lost';
  /** When the reflector was last heard from, ms after the first probe; null if it never was. */
  atMs: number | null;
  /** What was seen, for the record. */
  detail: string;
}

export interface StreamOutcome {
  lossTimeoutMs: number;
  /** The reflector's inbound-rtp jitter of our audio track (upstream), when it reported one. */
  reflectorInboundJitterMs: number | null;
  /** What the relay saw of our RTP, from the reflector's `final` (null: it saw none, or no embedded relay). */
  relayWitness: RelayWitness | null;
  /** The RTP packets of the probe stream our reflector received, counted just after the relay's witness was read (null: not reported). */
  reflectorPacketsReceived: number | null;
  /** The RTP stream's QoS marks (the browser's, the relay's count of them, the relay's on its echoes); null: not on the RTP stream. */
  qos: QosEvidence | null;
  sender: SenderDiagnostics;
  pacing: PacerResult;
  notes: string[];
  /** Set when the connection was lost mid-test: nothing after its moment is evidence. */
  connectionLost: ConnectionLoss | null;
  /** The provisional answers shown while the stream ran, oldest first. */
  provisional: ProvisionalFacts[];
  /** The records for the analysis; suspect intervals are on this side's clock. */
  build(suspect: SuspectInterval[]): {
    up: DirectionRecords | null;
    down: DirectionRecords | null;
    loop: DirectionRecords | null;
    roundTrip: RoundTripRecords;
    notes: string[];
    /** The graded stream's views outside the page (receive lag, reflector hold, server arrivals), on this side's clock. */
    views: StreamViews;
  };
}
