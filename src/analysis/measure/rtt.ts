/**
 * Round-trip evidence: RTT distribution and echo loss.
 *
 * Reflector mode: RTT = client receive - client send - reflector hold time, one sample per
 * echo. Loopback mode: the samples are the pc1 -> relay -> pc2 transit, i.e. the round
 * trip between this client and the relay. One-way latency is estimated as RTT / 2, as the
 * Microsoft documents do. Duplicate samples of one probe count once; samples for probes
 * never sent are ignored. An echo that came back, however late, is a round trip (its RTT
 * is evidence of delay); only echoes that never came back count as round-trip loss.
 */
import { type Distribution, distributionOfOwned, percentile } from './percentile.js';
import type { RoundTripRecords } from './records.js';

export interface SuspectClock {
  startMs: number;
  endMs: number;
}

export interface RoundTripAnalysis {
  probesSent: number;
  /** Unique probes with an echo. */
  echoes: number;
  echoesLost: number;
  /** Echo loss over the probes sent, percent; null when nothing was sent. */
  lossPct: number | null;
  /** All unique samples. */
  rttMs: Distribution | null;
  /** Samples sent neither during a suspect interval nor within the horizon before one (sentNearSuspect; what the grade uses). */
  gradedRttMs: Distribution | null;
}

/** The percentile of the test's round trips that sets how long before a suspect interval a send is left out. */
const SUSPECT_HORIZON_PCT = 90;

/**
 * How long before a suspect interval a round trip's send still leaves it out of the grade: the
 * test's 90th-percentile round trip (nearest rank, every echo that came back; 0 without one). A
 * device or server that stalls holds every packet in its queues until it runs again, so a probe
 * sent shortly before a stall and echoed during it carries the stall as surely as one sent in it.
 */
export function suspectHorizonMs(rttsMs: ArrayLike<number>): number {
  if (rttsMs.length === 0) return 0;
  return Math.max(0, percentile(rttsMs, SUSPECT_HORIZON_PCT));
}

/**
 * Whether a round trip sent at `sendMs` is left out: sent during a suspect interval, or within
 * `horizonMs` before one. The rule reads only when a probe was sent, never how long its round
 * trip took, so it leaves out long and short round trips alike and the median stays unbiased.
 * Leaving out every round trip whose flight merely overlapped a stall would leave out long ones
 * more often (a longer flight overlaps more), and pulled the median of a 30-70 ms path 6 ms low
 * on a machine that stalled often.
 */
export function sentNearSuspect(sendMs: number, horizonMs: number, suspect: readonly SuspectClock[]): boolean {
  for (const s of suspect) if (sendMs <= s.endMs && sendMs >= s.startMs - horizonMs) return true;
  return false;
}

/** Index of `seq` in strictly increasing `sentSeqs`, or -1 (binary search). */
function indexOfSeq(sentSeqs: Float64Array, seq: number): number {
  let lo = 0;
  let hi = sentSeqs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sentSeqs[mid] ?? 0;
    if (v === seq) return mid;
    if (v < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Analyse the round trips; `suspect` intervals are on the client clock (the probe sender's). */
export function analyzeRoundTrip(records: RoundTripRecords, suspect: readonly SuspectClock[]): RoundTripAnalysis {
  const probesSent = records.sent.length;
  const sentSeqs = new Float64Array(probesSent);
  for (let i = 0; i < probesSent; i++) sentSeqs[i] = records.sent[i]?.seq ?? Number.NaN;
  const first = sentSeqs[0] ?? 0;
  const contiguous = probesSent > 0 && (sentSeqs[probesSent - 1] ?? 0) - first === probesSent - 1;
  const seen = new Uint8Array(probesSent);
  const all = new Float64Array(records.samples.length);
  const sendOf = new Float64Array(records.samples.length);
  let nAll = 0;
  for (const sample of records.samples) {
    const i = contiguous
      ? Number.isInteger(sample.seq) && sample.seq >= first && sample.seq - first < probesSent
        ? sample.seq - first
        : -1
      : indexOfSeq(sentSeqs, sample.seq);
    if (i < 0 || seen[i] === 1) continue;
    seen[i] = 1;
    sendOf[nAll] = sample.sendMs;
    all[nAll++] = sample.rttMs;
  }
  let gradedDist: Distribution | null = null;
  if (suspect.length > 0) {
    // Graded samples are copied out before `all` is sorted in place.
    const horizonMs = suspectHorizonMs(all.subarray(0, nAll));
    const graded = new Float64Array(nAll);
    let nGraded = 0;
    for (let k = 0; k < nAll; k++) if (!sentNearSuspect(sendOf[k] ?? 0, horizonMs, suspect)) graded[nGraded++] = all[k] ?? 0;
    gradedDist = distributionOfOwned(graded.subarray(0, nGraded));
  }
  const allDist = distributionOfOwned(all.subarray(0, nAll));
  return {
    probesSent,
    echoes: nAll,
    echoesLost: probesSent - nAll,
    lossPct: probesSent > 0 ? ((probesSent - nAll) / probesSent) * 100 : null,
    rttMs: allDist,
    gradedRttMs: suspect.length > 0 ? gradedDist : allDist,
  };
}
