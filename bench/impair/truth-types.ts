/**
 * The truth file: exactly what the proxy did, per flow and direction. Times are ms on the
 * proxy's monotonic clock, counted from the proxy's start (`startedAtEpochMs` maps them to
 * wall time). Sizes are UDP payload bytes.
 *
 * Accounting invariant, per direction: packetsIn = forwarded + droppedTotal + pendingAtStop.
 */
import type { DropCause } from './impairer.js';
import type { SizeRange } from './classify.js';
import type { DirectionSettings, ImpairmentScenario } from './scenario.js';
import type { Summary } from './stats.js';

export type DropCounts = Record<DropCause, number>;

export interface DirectionCounts {
  /** Datagrams received from the sender. */
  packetsIn: number;
  bytesIn: number;
  /** Originals sent on (passed-before-start ones included). */
  forwarded: number;
  forwardedBytes: number;
  /** Forwarded untouched because startAfter was not met yet (included in forwarded). */
  passedBeforeStart: number;
  /** Second copies sent by the duplication stage (not in forwarded). */
  duplicated: number;
  dropped: DropCounts;
  droppedTotal: number;
  /** Held back by the reorder stage (whether or not sent before stop). */
  heldBack: number;
  /**
   * Originals sent after an original that arrived later (RFC 4737 "reordered" singleton,
   * with arrival order at the proxy as the sequence): what the receiver sees as reorder.
   */
  reorderedObserved: number;
  /** Originals scheduled or held but not sent when the proxy stopped. */
  pendingAtStop: number;
  /** socket.send() reported an error (the datagram may not have left). */
  sendErrors: number;
}

/** One probe-class datagram, in arrival order. */
export interface ProbeRecord {
  /** Arrival index among all datagrams of this direction (0-based). */
  id: number;
  arrivalMs: number;
  sizeBytes: number;
  /** false: passed untouched before startAfter. */
  impaired: boolean;
  fate: 'forwarded' | 'dropped' | 'pending';
  dropCause: DropCause | null;
  heldBack: boolean;
  /** Release time chosen by the core, minus arrival. */
  intendedDelayMs: number | null;
  /** Actual send call time minus arrival: the delay the proxy really added. */
  appliedDelayMs: number | null;
  /** Position among forwarded originals of this direction (all classes), 0-based. */
  forwardIndex: number | null;
  /** Applied delay of the duplicate copy, when one was sent. */
  duplicateAppliedDelayMs: number | null;
}

/** RFC 3550 jitter and mean |IPDV| over the applied delays of forwarded impaired probes, in forwarding order. */
export interface TruthJitter {
  /** Result of the injected transit-jitter function; null when none was given. */
  rfc3550JitterMs: number | null;
  /** Name of the function used (for the reader), null when none was given. */
  jitterFunction: string | null;
  /** Mean of |D(i) - D(i-1)| over consecutive forwarded probes. */
  meanAbsIpdvMs: number | null;
  count: number;
}

export interface ProbeTruth {
  /** Size range that made a datagram a probe; null if learning saw no datagram. */
  range: SizeRange | null;
  /** true: range learned from the first `learnedFrom` impaired datagrams. */
  learned: boolean;
  learnedFrom: number;
  counts: DirectionCounts;
  /** Applied delay of forwarded impaired probes. */
  delayMs: Summary;
  /** Applied delays of forwarded impaired probes in forwarding order. */
  delaysInForwardingOrderMs: number[];
  truthJitter: TruthJitter;
  packets: ProbeRecord[];
}

export interface DirectionTruth {
  counts: DirectionCounts;
  /** Applied delay of forwarded impaired originals (passed-before-start excluded). */
  delayMs: Summary;
  /** Delay the core chose for the same packets. */
  intendedDelayMs: Summary;
  /** The proxy's own timing error: actual send call minus intended release, every copy sent. */
  timingErrorMs: Summary;
  /** null when no probe classification was configured. */
  probes: ProbeTruth | null;
}

export interface FlowTruth {
  /** Index of the listen/target pair (order given) and of the flow on it (order of first datagram). */
  listenerIndex: number;
  flowIndex: number;
  listen: string;
  target: string;
  client: string;
  /** Local address of the upstream socket (what the target sees as the client). */
  upstreamLocal: string | null;
  firstDatagramMs: number;
  up: DirectionTruth;
  down: DirectionTruth;
}

export interface Truth {
  tool: 'callprobe-impair';
  formatVersion: 1;
  seed: string | number;
  prng: string;
  scenario: ImpairmentScenario;
  /** The settings each direction ran with (scenario with every default applied). */
  settings: { up: DirectionSettings; down: DirectionSettings };
  startedAtEpochMs: number;
  durationMs: number;
  stopReason: 'stop' | 'duration' | 'signal';
  timing: {
    /** The release timer wakes this early and then spins with setImmediate to the exact time. */
    wakeEarlyMs: number;
    /** actual - intended send time over every copy sent by every flow. */
    errorMs: Summary;
  };
  /**
   * Datagrams refused: source not loopback (or, upstream, not the target), beyond maxFlows, or
   * dropped by the caller's `onClientDatagram` (a firewall in front of the target).
   */
  refused: { foreignSource: number; flowLimit: number; blocked: number };
  /** Socket errors seen while running (ms since start, message). */
  errors: { atMs: number; message: string }[];
  flows: FlowTruth[];
  /** Counts summed over all flows, per direction. */
  totals: { up: DirectionCounts; down: DirectionCounts };
}
