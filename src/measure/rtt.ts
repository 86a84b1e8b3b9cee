/**
 * Round-trip evidence: RTT distribution and echo loss.
 *
 * Reflector mode: RTT = client receive - client send - reflector hold time, one sample per
 * echo. Loopback mode: the samples are the pc1 -> relay -> pc2 transit, i.e. the round
 * trip between this client and the relay. One-way latency is estimated as RTT / 2, as the
 * Microsoft documents do.
 */
import { type Distribution, distribution } from './percentile.js';
import type { RoundTripRecords, RttSample } from './records.js';

export interface SuspectClock {
  startMs: number;
  endMs: number;
}

export interface RoundTripAnalysis {
  probesSent: number;
  /** Unique probes with an echo (duplicate samples of one probe counted once). */
  echoes: number;
  echoesLost: number;
  /** Echo loss over the probes sent, percent; null when nothing was sent. */
  lossPct: number | null;
  /** All unique samples. */
  rttMs: Distribution | null;
  /** Samples whose probe was sent outside every suspect interval (what the grade uses). */
  gradedRttMs: Distribution | null;
}

function inSuspect(sendMs: number, suspect: readonly SuspectClock[]): boolean {
  for (const s of suspect) if (sendMs >= s.startMs && sendMs <= s.endMs) return true;
  return false;
}

/** Analyse the round trips; `suspect` intervals are on the client clock (the probe sender's). */
export function analyzeRoundTrip(records: RoundTripRecords, suspect: readonly SuspectClock[]): RoundTripAnalysis {
  const sentSeqs = new Set<number>();
  for (const s of records.sent) sentSeqs.add(s.seq);
  const seen = new Set<number>();
  const unique: RttSample[] = [];
  for (const sample of records.samples) {
    if (!sentSeqs.has(sample.seq) || seen.has(sample.seq)) continue;
    seen.add(sample.seq);
    unique.push(sample);
  }
  const all = unique.map((u) => u.rttMs);
  const graded = suspect.length === 0 ? all : unique.filter((u) => !inSuspect(u.sendMs, suspect)).map((u) => u.rttMs);
  const probesSent = records.sent.length;
  return {
    probesSent,
    echoes: unique.length,
    echoesLost: probesSent - unique.length,
    lossPct: probesSent > 0 ? ((probesSent - unique.length) / probesSent) * 100 : null,
    rttMs: distribution(all),
    gradedRttMs: distribution(graded),
  };
}
