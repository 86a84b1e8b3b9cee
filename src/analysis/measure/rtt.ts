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
import { type Distribution, distributionOfOwned } from './percentile.js';
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
  /** Samples whose whole flight lies outside every suspect interval (what the grade uses). */
  gradedRttMs: Distribution | null;
}

/**
 * Whether a round trip was in flight, from its send (`sendMs`) to its echo's arrival
 * (`sendMs + rttMs`, the hold time aside), at any moment of a suspect interval. A device or
 * server that stalls holds every packet in its queues until it runs again, so a probe sent just
 * before a stall and echoed after it carries the stall in its round trip as surely as one sent
 * during it: such a round trip measures the stall, not the network.
 */
function inFlightDuringSuspect(sendMs: number, rttMs: number, suspect: readonly SuspectClock[]): boolean {
  const arrivedMs = sendMs + Math.max(0, rttMs);
  for (const s of suspect) if (sendMs <= s.endMs && arrivedMs >= s.startMs) return true;
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
  const graded = suspect.length === 0 ? all : new Float64Array(records.samples.length);
  let nAll = 0;
  let nGraded = 0;
  for (const sample of records.samples) {
    const i = contiguous
      ? Number.isInteger(sample.seq) && sample.seq >= first && sample.seq - first < probesSent
        ? sample.seq - first
        : -1
      : indexOfSeq(sentSeqs, sample.seq);
    if (i < 0 || seen[i] === 1) continue;
    seen[i] = 1;
    all[nAll++] = sample.rttMs;
    if (graded !== all && !inFlightDuringSuspect(sample.sendMs, sample.rttMs, suspect)) graded[nGraded++] = sample.rttMs;
  }
  // Graded samples are copied out before `all` is sorted in place.
  const gradedDist = graded === all ? null : distributionOfOwned(graded.subarray(0, nGraded));
  const allDist = distributionOfOwned(all.subarray(0, nAll));
  return {
    probesSent,
    echoes: nAll,
    echoesLost: probesSent - nAll,
    lossPct: probesSent > 0 ? ((probesSent - nAll) / probesSent) * 100 : null,
    rttMs: allDist,
    gradedRttMs: graded === all ? allDist : gradedDist,
  };
}
