/**
 * The truth accumulator of one direction of one flow: counts every datagram's fate as the
 * core decides it and as the socket layer executes it. Pure: times are handed in.
 */
import type { ImpairAction, ReleaseAction } from './impairer.js';
import { meanAbsDifference, summarize } from './stats.js';
import type { DirectionCounts, DirectionTruth, DropCounts, ProbeRecord, ProbeTruth, TruthJitter } from './truth-types.js';
import type { ProbeClassifier } from './classify.js';

/**
 * A transit-time jitter estimator: given transit times (ms) in arrival order, returns the
 * final jitter (ms). The oracle calls the product's own RFC 3550 function through this, so
 * truth and measurement share one definition.
 */
export type TransitJitterFn = (transitMs: number[]) => number;

/** The jitter function and a name for the truth file. */
export interface JitterOracle {
  fn: TransitJitterFn;
  name: string;
}

/** A probe record plus bookkeeping that is not exported. */
interface LiveRecord extends ProbeRecord {
  sendFailed: boolean;
}

export function emptyCounts(): DirectionCounts {
  return {
    packetsIn: 0,
    bytesIn: 0,
    forwarded: 0,
    forwardedBytes: 0,
    passedBeforeStart: 0,
    duplicated: 0,
    dropped: emptyDrops(),
    droppedTotal: 0,
    heldBack: 0,
    reorderedObserved: 0,
    pendingAtStop: 0,
    sendErrors: 0,
  };
}

function emptyDrops(): DropCounts {
  return { random: 0, gilbertElliott: 0, burst: 0, queueOverflow: 0 };
}

/** Sum of counts (for totals over flows). */
export function addCounts(a: DirectionCounts, b: DirectionCounts): DirectionCounts {
  const dropped = emptyDrops();
  for (const cause of Object.keys(dropped) as (keyof DropCounts)[]) dropped[cause] = a.dropped[cause] + b.dropped[cause];
  return {
    packetsIn: a.packetsIn + b.packetsIn,
    bytesIn: a.bytesIn + b.bytesIn,
    forwarded: a.forwarded + b.forwarded,
    forwardedBytes: a.forwardedBytes + b.forwardedBytes,
    passedBeforeStart: a.passedBeforeStart + b.passedBeforeStart,
    duplicated: a.duplicated + b.duplicated,
    dropped,
    droppedTotal: a.droppedTotal + b.droppedTotal,
    heldBack: a.heldBack + b.heldBack,
    reorderedObserved: a.reorderedObserved + b.reorderedObserved,
    pendingAtStop: a.pendingAtStop + b.pendingAtStop,
    sendErrors: a.sendErrors + b.sendErrors,
  };
}

export class DirectionRecorder {
  private readonly counts = emptyCounts();
  private readonly appliedMs: number[] = [];
  private readonly intendedMs: number[] = [];
  private readonly timingErrorMs: number[] = [];
  private readonly records = new Map<number, LiveRecord>();
  private readonly unclassified = new Set<number>();
  private readonly heldIds = new Set<number>();
  private maxSentId = -1;
  private forwardCount = 0;

  constructor(private readonly classifier: ProbeClassifier) {}

  /** A datagram arrived; probe: its class, or null when not known yet. */
  arrival(p: { id: number; sizeBytes: number; arrivalMs: number }, probe: boolean | null): void {
    this.counts.packetsIn++;
    this.counts.bytesIn += p.sizeBytes;
    if (!this.classifier.enabled || probe === false) return;
    if (probe === null) this.unclassified.add(p.id);
    this.records.set(p.id, {
      id: p.id,
      arrivalMs: p.arrivalMs,
      sizeBytes: p.sizeBytes,
      impaired: false,
      fate: 'pending',
      dropCause: null,
      heldBack: false,
      intendedDelayMs: null,
      appliedDelayMs: null,
      forwardIndex: null,
      duplicateAppliedDelayMs: null,
      sendFailed: false,
    });
  }

  /** What the core decided (releases are counted when sent, in `sent`). */
  action(a: ImpairAction): void {
    const record = this.records.get(a.packetId);
    if (a.kind === 'drop') {
      this.counts.dropped[a.cause]++;
      this.counts.droppedTotal++;
      if (record) {
        record.impaired = true;
        record.fate = 'dropped';
        record.dropCause = a.cause;
      }
      return;
    }
    if (record) record.impaired = a.kind === 'hold' || a.impaired;
    const newlyHeld = a.kind === 'hold' || (a.heldBack && a.copy === 'original' && !this.heldIds.has(a.packetId));
    if (a.kind === 'hold') this.heldIds.add(a.packetId);
    else if (a.copy === 'original') this.heldIds.delete(a.packetId);
    if (newlyHeld) {
      this.counts.heldBack++;
      if (record) record.heldBack = true;
    }
  }

  /** The socket layer sent this copy at `actualMs`. */
  sent(r: ReleaseAction, actualMs: number): void {
    this.timingErrorMs.push(actualMs - r.atMs);
    const appliedMs = actualMs - r.arrivalMs;
    const record = this.records.get(r.packetId);
    if (r.copy === 'duplicate') {
      this.counts.duplicated++;
      if (record) record.duplicateAppliedDelayMs = appliedMs;
      return;
    }
    this.counts.forwarded++;
    this.counts.forwardedBytes += r.sizeBytes;
    if (!r.impaired) this.counts.passedBeforeStart++;
    if (r.packetId < this.maxSentId) this.counts.reorderedObserved++;
    this.maxSentId = Math.max(this.maxSentId, r.packetId);
    if (r.impaired) {
      this.appliedMs.push(appliedMs);
      this.intendedMs.push(r.atMs - r.arrivalMs);
    }
    if (record) {
      record.fate = 'forwarded';
      record.intendedDelayMs = r.atMs - r.arrivalMs;
      record.appliedDelayMs = appliedMs;
      record.forwardIndex = this.forwardCount;
    }
    this.forwardCount++;
  }

  /** socket.send() failed for this copy. */
  sendFailed(r: ReleaseAction): void {
    this.counts.sendErrors++;
    const record = this.records.get(r.packetId);
    if (record) record.sendFailed = true;
  }

  /** The classifier's range became known: keep only the waiting datagrams that are probes. */
  classifyWaiting(): void {
    for (const id of this.unclassified) {
      const record = this.records.get(id);
      if (record && this.classifier.classify(record.sizeBytes) !== true) this.records.delete(id);
    }
    this.unclassified.clear();
  }

  /** Raw timing errors (for totals over flows). */
  timingErrors(): readonly number[] {
    return this.timingErrorMs;
  }

  /** pendingOriginals: ids of originals scheduled or held and not sent at stop. */
  finish(pendingOriginals: readonly number[], jitter: JitterOracle | null): DirectionTruth {
    if (this.unclassified.size > 0) {
      this.classifier.settle();
      this.classifyWaiting();
    }
    const counts: DirectionCounts = { ...this.counts, dropped: { ...this.counts.dropped }, pendingAtStop: pendingOriginals.length };
    return {
      counts,
      delayMs: summarize(this.appliedMs),
      intendedDelayMs: summarize(this.intendedMs),
      timingErrorMs: summarize(this.timingErrorMs),
      probes: this.classifier.enabled ? this.probeTruth(jitter) : null,
    };
  }

  private probeTruth(jitter: JitterOracle | null): ProbeTruth {
    const packets = [...this.records.values()].sort((a, b) => a.id - b.id);
    const counts = emptyCounts();
    for (const r of packets) {
      counts.packetsIn++;
      counts.bytesIn += r.sizeBytes;
      if (r.heldBack) counts.heldBack++;
      if (r.duplicateAppliedDelayMs !== null) counts.duplicated++;
      if (r.sendFailed) counts.sendErrors++;
      if (r.fate === 'pending') counts.pendingAtStop++;
      if (r.fate === 'dropped' && r.dropCause !== null) {
        counts.dropped[r.dropCause]++;
        counts.droppedTotal++;
      }
      if (r.fate === 'forwarded') {
        counts.forwarded++;
        counts.forwardedBytes += r.sizeBytes;
        if (!r.impaired) counts.passedBeforeStart++;
      }
    }
    const forwarded = packets.filter((r) => r.fate === 'forwarded').sort((a, b) => (a.forwardIndex ?? 0) - (b.forwardIndex ?? 0));
    let maxId = -1;
    for (const r of forwarded) {
      if (r.id < maxId) counts.reorderedObserved++;
      maxId = Math.max(maxId, r.id);
    }
    const delays = forwarded.filter((r) => r.impaired).map((r) => r.appliedDelayMs ?? 0);
    return {
      range: this.classifier.range(),
      learned: this.classifier.learned,
      learnedFrom: this.classifier.learned ? this.classifier.learnedFrom : 0,
      counts,
      delayMs: summarize(delays),
      delaysInForwardingOrderMs: delays,
      truthJitter: truthJitter(delays, jitter),
      packets: packets.map(({ sendFailed: _sendFailed, ...record }) => record),
    };
  }
}

/** The truth-jitter summary of applied delays in forwarding order. */
function truthJitter(delaysMs: number[], jitter: JitterOracle | null): TruthJitter {
  return {
    rfc3550JitterMs: jitter && delaysMs.length > 0 ? jitter.fn(delaysMs) : null,
    jitterFunction: jitter ? jitter.name : null,
    meanAbsIpdvMs: meanAbsDifference(delaysMs),
    count: delaysMs.length,
  };
}
