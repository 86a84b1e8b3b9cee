/**
 * Classify every probe of one direction: received in time, never arrived, or arrived too
 * late (counted as lost). Everything downstream (jitter, IPDV, reorder, loss, windows)
 * reads this one classification, so a packet counted as lost is "not received" for every
 * metric, and a duplicate is never counted as received twice.
 */
import type { DirectionRecords } from './records.js';

/** What happened to one sent probe. */
export const Fate = {
  Received: 0,
  /** Never arrived. */
  Missing: 1,
  /** Arrived, but its relative one-way delay exceeded the loss timeout. */
  Late: 2,
} as const;
export type Fate = (typeof Fate)[keyof typeof Fate];

/** Per-probe view of one direction, indexed by position in `sent` (send order). */
export interface ClassifiedDirection {
  /** Number of probes sent. */
  n: number;
  /** Extended sequence number per sent probe. */
  seq: Float64Array;
  /** Send time per sent probe (sender clock, ms). */
  sendMs: Float64Array;
  /** Arrival time of the first copy (receiver clock, ms); NaN when it never arrived. */
  recvMs: Float64Array;
  /** Fate per sent probe (`Fate`). */
  fate: Uint8Array;
  /** Sent indices of the probes received in time, in arrival order (first copies only). */
  arrivalOrder: Int32Array;
  /** Extra copies of probes already seen (any fate). */
  duplicates: number;
  /** Arrivals whose sequence number was never sent in this direction (ignored). */
  unknownArrivals: number;
  missing: number;
  late: number;
  /** min(recv - send) over first copies: the reference for relative delay. Null when none. */
  minDelayMs: number | null;
}

/** Map an extended sequence number to its index in `sent`, or -1. */
type SeqIndex = (seq: number) => number;

function buildSeqIndex(seq: Float64Array): SeqIndex {
  const n = seq.length;
  if (n === 0) return () => -1;
  const first = seq[0] ?? 0;
  const last = seq[n - 1] ?? 0;
  if (last - first === n - 1) {
    // Contiguous sequence numbers (the normal case): O(1) arithmetic.
    return (s) => (Number.isInteger(s) && s >= first && s <= last ? s - first : -1);
  }
  const map = new Map<number, number>();
  for (let i = 0; i < n; i++) map.set(seq[i] ?? Number.NaN, i);
  return (s) => map.get(s) ?? -1;
}

/**
 * Classify one direction. `lossTimeoutMs` is compared with the RELATIVE one-way delay
 * (recv - send) - min(recv - send), because sender and receiver clocks differ by an
 * unknown offset that cancels in the difference.
 */
export function classifyDirection(records: DirectionRecords, lossTimeoutMs: number): ClassifiedDirection {
  const n = records.sent.length;
  const seq = new Float64Array(n);
  const sendMs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = records.sent[i];
    seq[i] = s?.seq ?? Number.NaN;
    sendMs[i] = s?.sendMs ?? Number.NaN;
  }
  const indexOf = buildSeqIndex(seq);
  const recvMs = new Float64Array(n).fill(Number.NaN);
  const seen = new Uint8Array(n);
  const firstOrder = new Int32Array(records.arrivals.length);
  let firstCount = 0;
  let duplicates = 0;
  let unknownArrivals = 0;
  let minDelayMs = Number.POSITIVE_INFINITY;

  for (const a of records.arrivals) {
    const i = indexOf(a.seq);
    if (i < 0) {
      unknownArrivals++;
      continue;
    }
    if (seen[i] === 1) {
      duplicates++;
      continue;
    }
    seen[i] = 1;
    recvMs[i] = a.recvMs;
    firstOrder[firstCount++] = i;
    const delay = a.recvMs - (sendMs[i] ?? Number.NaN);
    if (delay < minDelayMs) minDelayMs = delay;
  }

  const fate = new Uint8Array(n).fill(Fate.Missing);
  const arrivalOrder = new Int32Array(firstCount);
  let inTime = 0;
  let late = 0;
  for (let k = 0; k < firstCount; k++) {
    const i = firstOrder[k] ?? 0;
    const relativeDelay = (recvMs[i] ?? Number.NaN) - (sendMs[i] ?? Number.NaN) - minDelayMs;
    if (relativeDelay > lossTimeoutMs) {
      fate[i] = Fate.Late;
      late++;
    } else {
      fate[i] = Fate.Received;
      arrivalOrder[inTime++] = i;
    }
  }

  return {
    n,
    seq,
    sendMs,
    recvMs,
    fate,
    arrivalOrder: arrivalOrder.subarray(0, inTime),
    duplicates,
    unknownArrivals,
    missing: n - firstCount,
    late,
    minDelayMs: firstCount > 0 ? minDelayMs : null,
  };
}

/** Relative one-way delays (recv - send - min) of the probes received in time, in send order. */
export function relativeDelays(c: ClassifiedDirection): Float64Array {
  const out = new Float64Array(c.arrivalOrder.length);
  if (c.minDelayMs === null) return out;
  let k = 0;
  for (let i = 0; i < c.n; i++) {
    if (c.fate[i] === Fate.Received) {
      out[k++] = (c.recvMs[i] ?? Number.NaN) - (c.sendMs[i] ?? Number.NaN) - c.minDelayMs;
    }
  }
  return out;
}
