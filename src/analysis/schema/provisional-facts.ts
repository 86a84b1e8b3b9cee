/**
 * The claims of a provisional answer as data (what src/analysis/grade/provisional.ts decides
 * while a test runs), kept by the session and handed to the analysis with the records, which
 * words them and checks each against the final grade (the report's `provisional`).
 */
import type { SoFarRoundTrip, SoFarWindow } from '../measure/so-far.js';
import type { Static } from '@sinclair/typebox';
import type { ClaimKindSchema, DirectionName } from './report-schema.js';

export type ClaimKind = Static<typeof ClaimKindSchema>;

export interface RoundTripClaim {
  metric: 'latency-rtt';
  direction: 'round-trip';
  kind: ClaimKind;
  thresholdMs: number;
  rtt: SoFarRoundTrip;
  /**
   * Why no likely claim is made, for the words: too few complete seconds of round trips yet,
   * this device or the server busy at the moment, the delay still changing, the median close
   * to the target, or not on this path (the data channel makes no likely claims); null with a claim.
   */
  undecided: 'too-few-seconds' | 'device-or-server-busy' | 'changing' | 'close' | 'not-on-this-path' | null;
}

export interface LossClaim {
  metric: 'loss-15s';
  direction: DirectionName;
  kind: ClaimKind;
  thresholdPct: number;
  judged: number;
  lost: number;
  /** The send time the judged probes span (judged x the nominal spacing). */
  spanMs: number;
  /** One-sided 95 % bounds of the loss ratio so far, percent; null before any probe is judged. */
  upperPct: number | null;
  lowerPct: number | null;
  /** Settled: probes that never arrived in the first long window, the most it can hold, and where it lies. */
  settled: { missing: number; maxPackets: number; startMs: number; endMs: number } | null;
  /**
   * Why no likely or settled claim is made, for the words: the test cannot grade 15 s loss at all
   * (too short, a retransmitting channel, too few probes a window), not on this path (the data
   * channel makes no likely claims), nothing judged yet, this device or the server busy (or a
   * suspect interval in the judged probes), too few whole seconds yet, a pass that cannot be
   * claimed beside a fail or a lost probe so far, or bounds that still straddle the limit (too
   * few probes); null with a claim.
   */
  undecided:
    'not-gradable' | 'not-on-this-path' | 'none-judged' | 'device-or-server-busy' | 'too-few-seconds' | 'fail-or-loss-so-far' | 'too-few-probes' | null;
}

export interface BurstClaim {
  metric: 'burst-loss-200ms';
  direction: DirectionName;
  kind: ClaimKind;
  thresholdPct: number;
  /** The window claimed (settled) or the worst so far; null before one has ended. */
  window: SoFarWindow | null;
}

export interface JitterClaim {
  metric: 'jitter-15s';
  direction: DirectionName;
  kind: 'so-far';
  meanMs: number | null;
  samples: number;
}

export type Claim = RoundTripClaim | LossClaim | BurstClaim | JitterClaim;

/** One provisional answer: its moment (ms from the start of the test) and its claims. */
export interface ProvisionalFacts {
  atMs: number;
  claims: Claim[];
}
