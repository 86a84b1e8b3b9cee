/**
 * Delay variation of one direction.
 *
 * - RFC 3550 §6.4.1 / §A.8 interarrival jitter J, run in ARRIVAL order over the probes
 *   received in time (duplicates and lost/late probes excluded):
 *   D(i-1,i) = (R_i - R_{i-1}) - (S_i - S_{i-1});  J += (|D| - J) / 16.
 *   The sender/receiver clock offset cancels in D. J after each arrival is kept per probe
 *   so windows can average it; the first arrival has J = 0.
 * - RFC 5481 §4.2 IPDV: for consecutive probes by sequence (seq k and k+1, both received in
 *   time) IPDV = (R_{k+1} - R_k) - (S_{k+1} - S_k); we report the mean of |IPDV|.
 *
 * For independent delay noise uniform in [-a, +a] (and no reordering), D and IPDV are the
 * difference of two such delays: triangular on [-2a, 2a] with E|D| = 2a/3. J is an
 * exponential average of |D| with gain 1/16, so E[J] = 2a/3 as well (its per-sample
 * spread is about 0.18 of |D|'s). Tested in test/measure/jitter.test.ts.
 */
import { jitterStep } from '../../protocol/rfc3550.js';
import { type ClassifiedDirection, Fate } from './classify.js';

export interface JitterResult {
  /** J after the arrival of each sent probe, indexed by sent position; NaN when not received. */
  jBySent: Float64Array;
  /** J after the last arrival (what an RTCP receiver report would carry at the end). */
  finalMs: number | null;
  /** Mean of the per-arrival J values (the whole test as one window). */
  meanMs: number | null;
  maxMs: number | null;
  /** Arrivals that contributed. */
  samples: number;
}

/** RFC 3550 jitter of one classified direction. */
export function directionJitter(c: ClassifiedDirection): JitterResult {
  const order = c.arrivalOrder;
  const m = order.length;
  const jBySent = new Float64Array(c.n).fill(Number.NaN);
  let j = 0;
  let sum = 0;
  let max = 0;
  let prevS = 0;
  let prevR = 0;
  for (let k = 0; k < m; k++) {
    const i = order[k] ?? 0;
    const s = c.sendMs[i] ?? Number.NaN;
    const r = c.recvMs[i] ?? Number.NaN;
    if (k > 0) j = jitterStep(j, r - prevR - (s - prevS));
    prevS = s;
    prevR = r;
    jBySent[i] = j;
    sum += j;
    if (j > max) max = j;
  }
  return {
    jBySent,
    finalMs: m > 0 ? j : null,
    meanMs: m > 0 ? sum / m : null,
    maxMs: m > 0 ? max : null,
    samples: m,
  };
}

/**
 * The most J can have been after each arrival, had the network alone carried the probes marked
 * `uncertain` (1: sent, or received, while this device was busy: measure/windows.ts, Upper bound
 * for jitter). A busy device can only have added to such a probe's one-way delay: its send time
 * is read before the probe leaves, its arrival time after the probe came. So its delay on the
 * network lay between the direction's least delay (`minDelayMs`: no probe crossed faster than
 * the fastest one seen) and the delay measured. Taking at each arrival the largest |D| those
 * ranges allow, and J being increasing in both |D| and the J before it (RFC 3550 §A.8: J += (|D|
 * - J) / 16), gives a J at least as high as any the network can have given, arrival by arrival.
 * The same arrivals, in the same order, as `directionJitter`; NaN where a probe was not received.
 */
export function jitterUpperBound(c: ClassifiedDirection, uncertain: ArrayLike<number>): Float64Array {
  const out = new Float64Array(c.n).fill(Number.NaN);
  const floorMs = c.minDelayMs;
  if (floorMs === null) return out;
  let j = 0;
  let prevLo = 0;
  let prevHi = 0;
  const order = c.arrivalOrder;
  for (let k = 0; k < order.length; k++) {
    const i = order[k] ?? 0;
    const hi = (c.recvMs[i] ?? Number.NaN) - (c.sendMs[i] ?? Number.NaN);
    const lo = uncertain[i] === 1 ? Math.min(floorMs, hi) : hi;
    if (k > 0) j = jitterStep(j, Math.max(Math.abs(hi - prevLo), Math.abs(lo - prevHi)));
    prevLo = lo;
    prevHi = hi;
    out[i] = j;
  }
  return out;
}

/**
 * RFC 3550 J over the network's time alone: the same recursion, in arrival order, over the
 * arrivals of probes sent outside this device's and the server's time (`deviceTime`: 1 where the
 * probe was sent while either was busy, measure/attribution.ts), D taken between consecutive such
 * arrivals. A busy device or a late server adds its own lateness to the send stamp or the arrival
 * it reads; those arrivals say how late they were, not how the network spaced the probes. Mean J and the arrivals it
 * rests on; null without any.
 */
export function networkJitter(c: ClassifiedDirection, deviceTime: ArrayLike<number>): { meanMs: number; samples: number } | null {
  let j = 0;
  let sum = 0;
  let m = 0;
  let prevS = 0;
  let prevR = 0;
  for (const i of c.arrivalOrder) {
    if (deviceTime[i] === 1) continue;
    const s = c.sendMs[i] ?? Number.NaN;
    const r = c.recvMs[i] ?? Number.NaN;
    if (m > 0) j = jitterStep(j, r - prevR - (s - prevS));
    prevS = s;
    prevR = r;
    sum += j;
    m++;
  }
  return m === 0 ? null : { meanMs: sum / m, samples: m };
}

/** Fewer arrivals of the network's time than this (a second's at 100/s) say too little: the figure stays every arrival's, marked the device's. */
const MIN_NETWORK_JITTER_SAMPLES = 100;
/** The network's jitter moves the figure when it differs from every arrival's by more than this share of it... */
const JITTER_MOVE_SHARE = 0.3;
/** ...and more than this, ms. */
const JITTER_MOVE_MS = 1;

/**
 * The jitter a direction reports, and whether this device's (or the server's) timing is part of
 * it. Without their time, every arrival's (RFC 3550, as always). With it, the network's time alone
 * (networkJitter) when it holds MIN_NETWORK_JITTER_SAMPLES arrivals; the figure is marked
 * (`device`) where leaving their time out moves it by more than 30 % and 1 ms, or where too
 * few arrivals were the network's to leave it out (and the figure is over 1 ms).
 */
export function reportedJitter(
  all: Pick<JitterResult, 'meanMs'>,
  network: { meanMs: number; samples: number } | null,
  deviceTime: boolean,
): { meanMs: number | null; device: boolean } {
  if (!deviceTime || all.meanMs === null) return { meanMs: all.meanMs, device: false };
  // Too few of the network's own: a figure of 1 ms or less cannot be off by more than 1 ms of what the network added.
  if (network === null || network.samples < MIN_NETWORK_JITTER_SAMPLES) return { meanMs: all.meanMs, device: all.meanMs > JITTER_MOVE_MS };
  const moved = Math.abs(all.meanMs - network.meanMs);
  return { meanMs: network.meanMs, device: moved > JITTER_MOVE_MS && moved > JITTER_MOVE_SHARE * network.meanMs };
}

export interface IpdvResult {
  /** Mean |IPDV| over consecutive-by-sequence pairs received in time, ms. */
  meanAbsMs: number | null;
  pairs: number;
}

/** RFC 5481 §4.2 IPDV between consecutive sequence numbers. */
export function directionIpdv(c: ClassifiedDirection): IpdvResult {
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i + 1 < c.n; i++) {
    if (c.fate[i] !== Fate.Received || c.fate[i + 1] !== Fate.Received) continue;
    if ((c.seq[i + 1] ?? 0) - (c.seq[i] ?? 0) !== 1) continue;
    const v = (c.recvMs[i + 1] ?? 0) - (c.recvMs[i] ?? 0) - ((c.sendMs[i + 1] ?? 0) - (c.sendMs[i] ?? 0));
    sum += Math.abs(v);
    pairs++;
  }
  return { meanAbsMs: pairs > 0 ? sum / pairs : null, pairs };
}
