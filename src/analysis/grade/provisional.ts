/**
 * The provisional answer: what the probes so far allow us to claim, target by target, while
 * the test still runs; and, once it has ended, whether each claim held against the final
 * grade. Grading returns facts only; src/analysis/present/provisional.ts words them.
 *
 * Kinds of claim, each made only at 95 % confidence or more:
 * - settled-fail: an outcome nothing later can change. A 200 ms window, over and done and
 *   clean when claimed (no suspect interval, no time of this device's or the server's touches it), already at or over its burst limit, counting only probes that never
 *   arrived; or more probes that never arrived in the first 15 s window than that window can
 *   hold below its limit (at most 5 % more probes than its nominal rate gives, plus one).
 *   The final grade fails on such a window unless a suspect interval found later touches it
 *   (the claim then does not hold).
 * - likely-fail / likely-pass: the one-sided 95 % Clopper-Pearson bound of the loss so far is
 *   above / below the loss limit; the one-sided 95 % bound of the median round trip lies above /
 *   below the round-trip target. Probes sent close together are not independent (a start-up
 *   that settles, a queue, a device running late for a second move whole runs of them), so the
 *   evidence is counted in complete 1 s blocks of send time (measure/blocks.ts): the round
 *   trip's bounds come from a sign test over the blocks' medians, the loss bound's counts are
 *   divided by a design effect (the larger of the one its bursts give, 2L - 1 for a mean run of
 *   L lost probes: Kish's design effect with the lag-1 correlation 1 - 1/L of a two-state Markov
 *   loss model, and the one the spread of its blocks' loss gives), and no likely claim is made
 *   before MIN_CLAIM_BLOCKS blocks, while this device or the server is busy (a suspect interval
 *   or their time, as the views outside the page show it: measure/attribution.ts, touches the
 *   last second judged), or, for the round trip, while its block medians trend towards the
 *   target (Mann-Kendall). Both describe the probes so far: Microsoft's targets are about the
 *   worst 200 ms and the worst 15 s, so no sample of a few seconds certifies a pass, and a pass
 *   stays a pass only when the window is complete. A likely pass on loss is claimed only on a
 *   path that has lost nothing so far in any direction, has no fail of any kind so far, and no
 *   suspect interval in the direction: a burst yet to come is the one thing a few clean seconds
 *   cannot rule out.
 * - so-far: a figure with no claim (jitter so far, the worst 200 ms so far).
 * Likely claims are made on the RTP path only (ProvisionalInput.likelyClaims); settled fails on
 * either path.
 */
import { offNetworkSpans, roundTripSpans, type AttributionViews } from '../measure/attribution.js';
import { clopperPearsonOneSided } from '../measure/confidence.js';
import { percentile } from '../measure/percentile.js';
import type { RttSample, SuspectInterval } from '../measure/records.js';
import { soFarDirection, soFarRoundTrip, type SoFarDirection, type SoFarDirectionInput, type SoFarRoundTrip } from '../measure/so-far.js';
import type { BurstClaim, Claim, ClaimKind, LossClaim, ProvisionalFacts, RoundTripClaim } from '../schema/provisional-facts.js';
import type { DirectionName, GradeEntry } from '../schema/report-schema.js';
import { windowResolutionPct } from './resolution.js';
import { BURST_WINDOW_MS, type ResolvedProfile, SUSTAINED_WINDOW_MS } from './targets.js';

/** Confidence of every likely and settled claim (one-sided). */
const CLAIM_LEVEL = 0.95;
/** A long window may hold this much more than its nominal probe count (a sender a little fast), plus one probe. */
const WINDOW_RATE_ALLOWANCE = 1.05;
/**
 * The fewest complete 1 s blocks of evidence a likely claim rests on: 5, the fewest for which a
 * sign test over blocks can hold at 95 % (0.5^5 = 3.1 %; measure/blocks.ts).
 */
const MIN_CLAIM_BLOCKS = 5;
/** A trend of the block medians this significant (one-sided Mann-Kendall) towards the target stops a round-trip claim. */
const TREND_P = 0.1;

export interface ProvisionalInput {
  atMs: number;
  profile: ResolvedProfile;
  ratePps: number;
  /** The probe channel is unordered with no retransmits (loss visible at all). */
  channelOk: boolean;
  /** The test's length: a 15 s target cannot be judged on a shorter one. */
  durationS: number;
  /** Nominal probe spacing of the graded stream. */
  intervalMs: number;
  /**
   * Whether likely claims may be made: on the RTP path. On the data channel the SCTP
   * association's own congestion control and send queue reshape the delay and the loss as the
   * test goes on (bench:accuracy: its round trips grew from 2.5 ms at 3 s to a failed median
   * on lossy and congested paths, and its loss windows ended suspect), so the first seconds do
   * not stand for the test: only settled fails and so-far figures.
   */
  likelyClaims: boolean;
  directions: readonly SoFarDirection<DirectionName>[];
  roundTrip: SoFarRoundTrip;
  /** A settled or likely fail was claimed earlier in this test. */
  failedBefore: boolean;
}

/** Kish's design effect of a run-clustered loss series: 2L - 1 for a mean run of L lost probes (1 without loss). */
export function lossDesignEffect(lost: number, episodes: number): number {
  return episodes > 0 ? Math.max(1, (2 * lost) / episodes - 1) : 1;
}

/** The most probes a window of `windowMs` can hold at a nominal spacing of `intervalMs`. */
export function maxWindowPackets(windowMs: number, intervalMs: number): number {
  return Math.ceil((WINDOW_RATE_ALLOWANCE * windowMs) / intervalMs) + 1;
}

/** Why a round-trip claim is not (yet) likely either way; null when it is. */
function roundTripUndecided(input: ProvisionalInput): RoundTripClaim['undecided'] {
  const rtt = input.roundTrip;
  if (!input.likelyClaims) return 'not-on-this-path';
  if (rtt.busyNow) return 'device-or-server-busy';
  if (rtt.blocks < MIN_CLAIM_BLOCKS || rtt.lowerMs === null || rtt.upperMs === null) return 'too-few-seconds';
  return null;
}

function roundTripClaim(input: ProvisionalInput): RoundTripClaim {
  const thresholdMs = input.profile.targets.rttMs;
  const rtt = input.roundTrip;
  const base = { metric: 'latency-rtt' as const, direction: 'round-trip' as const, thresholdMs, rtt };
  const undecided = roundTripUndecided(input);
  if (undecided !== null || rtt.lowerMs === null || rtt.upperMs === null) return { ...base, kind: 'so-far', undecided: undecided ?? 'too-few-seconds' };
  // A delay moving towards the target while the probes so far were sent (a start that settles, a
  // queue filling) makes no claim until it holds: the test's median may yet land across it. A
  // trend counts only where, kept up for as long again as judged (Sen's slope), it would carry
  // the bound across the target: 0.7 ms creeping to 0.9 ms is no threat to a 100 ms target.
  const reach = (rtt.trend?.slopePerStep ?? Number.NaN) * rtt.blocks;
  const falling = (rtt.trend?.pFalling ?? 1) < TREND_P && !(rtt.lowerMs + reach >= thresholdMs);
  const rising = (rtt.trend?.pRising ?? 1) < TREND_P && !(rtt.upperMs + reach < thresholdMs);
  if (rtt.lowerMs >= thresholdMs) return falling ? { ...base, kind: 'so-far', undecided: 'changing' } : { ...base, kind: 'likely-fail', undecided: null };
  if (rtt.upperMs < thresholdMs) return rising ? { ...base, kind: 'so-far', undecided: 'changing' } : { ...base, kind: 'likely-pass', undecided: null };
  return { ...base, kind: 'so-far', undecided: 'close' };
}

function burstClaim(input: ProvisionalInput, d: SoFarDirection<DirectionName>): BurstClaim {
  const thresholdPct = input.profile.targets.burstLossPct;
  const resolvable = windowResolutionPct(input.ratePps, BURST_WINDOW_MS) < thresholdPct;
  const settled = d.worstShortMissing;
  if (input.channelOk && resolvable && settled !== null && !settled.suspect && settled.pct >= thresholdPct) {
    return { metric: 'burst-loss-200ms', direction: d.name, kind: 'settled-fail', thresholdPct, window: settled };
  }
  return { metric: 'burst-loss-200ms', direction: d.name, kind: 'so-far', thresholdPct, window: d.worstShort };
}

function lossClaim(input: ProvisionalInput, d: SoFarDirection<DirectionName>, passAllowed: boolean): LossClaim {
  const thresholdPct = input.profile.targets.lossPct;
  // Bounds over effective counts: bursts of loss, and seconds that lose more than others, count
  // as fewer independent events (the larger of the two design effects).
  const deff = Math.max(lossDesignEffect(d.lost, d.episodes), d.blockDesignEffect);
  const bounds = d.judged > 0 ? clopperPearsonOneSided(d.lost / deff, d.judged / deff, CLAIM_LEVEL) : null;
  const base: LossClaim = {
    metric: 'loss-15s',
    direction: d.name,
    kind: 'so-far',
    thresholdPct,
    judged: d.judged,
    lost: d.lost,
    spanMs: d.judged * input.intervalMs,
    upperPct: bounds === null ? null : bounds.upper * 100,
    lowerPct: bounds === null ? null : bounds.lower * 100,
    settled: null,
    undecided: 'too-few-seconds',
  };
  const so = (undecided: LossClaim['undecided']): LossClaim => ({ ...base, undecided });
  // A shorter test has no 15 s window to grade; a retransmitting channel hides loss.
  if (!input.channelOk || input.durationS * 1000 < SUSTAINED_WINDOW_MS || windowResolutionPct(input.ratePps, SUSTAINED_WINDOW_MS) >= thresholdPct)
    return so('not-gradable');
  const f = d.firstLong;
  if (f !== null && !f.suspect) {
    const maxPackets = maxWindowPackets(SUSTAINED_WINDOW_MS, input.intervalMs);
    if ((100 * f.missing) / maxPackets >= thresholdPct) {
      return { ...base, kind: 'settled-fail', settled: { missing: f.missing, maxPackets, startMs: f.startMs, endMs: f.endMs }, undecided: null };
    }
  }
  if (!input.likelyClaims) return so('not-on-this-path');
  if (bounds === null) return so('none-judged');
  if (d.busyNow || d.suspect) return so('device-or-server-busy');
  if (d.blocks < MIN_CLAIM_BLOCKS) return so('too-few-seconds');
  if (base.lowerPct !== null && base.lowerPct > thresholdPct) return { ...base, kind: 'likely-fail', undecided: null };
  if (base.upperPct !== null && base.upperPct < thresholdPct)
    return passAllowed ? { ...base, kind: 'likely-pass', undecided: null } : so('fail-or-loss-so-far');
  return so('too-few-probes');
}

/** The records of a running test at one moment, as its collectors hold them. */
export interface ProvisionalEvidence {
  /** The views outside the page's JavaScript so far (measure/views.ts): this device's and the server's time is no evidence of the network. */
  views: AttributionViews | null;
  /** ms from the start of the test. */
  atMs: number;
  /** The loss timeout as things stand: max(1 s, 4 x the round trip p99 so far). */
  lossTimeoutMs: number;
  directions: readonly SoFarDirectionInput<DirectionName>[];
  /** Round trips so far, on the client's clock. */
  roundTrip: { samples: readonly RttSample[] };
}

/** What the provisional answer is read from: the profile and how the test runs. */
export type ProvisionalSetting = Omit<ProvisionalInput, 'atMs' | 'directions' | 'roundTrip'>;

/** The provisional answer of a running test at one moment, and the per-direction figures it rests on. */
export function provisionalFrom(e: ProvisionalEvidence, setting: ProvisionalSetting): { facts: ProvisionalFacts; directions: SoFarDirection<DirectionName>[] } {
  const lengths = { shortMs: BURST_WINDOW_MS, longMs: SUSTAINED_WINDOW_MS };
  // As the final analysis does (report/attribution.ts): the device's and the server's time, as
  // the views show them so far, is suspect in every direction and for the round trips.
  const rtts = e.roundTrip.samples.map((s) => s.rttMs);
  const typicalMs = rtts.length === 0 ? 0 : Math.max(0, percentile(rtts, 50));
  const directions = e.directions.map((d) =>
    soFarDirection(
      { ...d, offNetwork: offNetworkSpans({ name: d.name, records: d.records, views: e.views, roundTripMs: typicalMs }) },
      e.lossTimeoutMs,
      lengths,
    ),
  );
  // Round trips are timed on the client's clock: judged like the probes the client sent.
  const clientInput = e.directions.find((d) => d.name === 'up' || d.name === 'loop');
  const client = directions.find((d) => d.name === 'up' || d.name === 'loop');
  const roundTrip = soFarRoundTrip(
    e.roundTrip.samples,
    client?.judgedUntilMs ?? Number.NEGATIVE_INFINITY,
    roundTripSpans(clientInput?.records ?? null, e.views),
  );
  return { facts: provisionalClaims({ ...setting, atMs: e.atMs, directions, roundTrip }), directions };
}

const isFail = (c: Claim): boolean => c.kind === 'settled-fail' || c.kind === 'likely-fail';

/** Every claim the probes so far allow: the round trip, then each direction's loss, burst loss and jitter. */
export function provisionalClaims(input: ProvisionalInput): ProvisionalFacts {
  const rtt = roundTripClaim(input);
  const bursts = input.directions.map((d) => burstClaim(input, d));
  // Fails first, so a likely pass on loss is never claimed beside a fail, nor once any direction lost a probe.
  const preliminary = input.directions.map((d) => lossClaim(input, d, false));
  const failSoFar = input.failedBefore || isFail(rtt) || bursts.some(isFail) || preliminary.some(isFail);
  const passAllowed = !failSoFar && input.directions.every((d) => d.lost === 0);
  const claims: Claim[] = [rtt];
  input.directions.forEach((d, i) => {
    const burst = bursts[i];
    claims.push(lossClaim(input, d, passAllowed));
    if (burst) claims.push(burst);
    claims.push({ metric: 'jitter-15s', direction: d.name, kind: 'so-far', meanMs: d.jitterMeanMs, samples: d.jitterSamples });
  });
  return { atMs: input.atMs, claims };
}

/** Whether any claim of these facts is a fail (settled or likely). */
export function hasFail(facts: ProvisionalFacts): boolean {
  return facts.claims.some(isFail);
}

/** The window a settled claim rests on, on its direction's sender clock; null for other claims. */
function claimWindow(c: Claim): { startMs: number; endMs: number } | null {
  if (c.kind !== 'settled-fail') return null;
  if (c.metric === 'burst-loss-200ms') return c.window === null ? null : { startMs: c.window.startMs, endMs: c.window.endMs };
  if (c.metric === 'loss-15s') return c.settled === null ? null : { startMs: c.settled.startMs, endMs: c.settled.endMs };
  return null;
}

/**
 * What a claim's `held` can be, from its kind, its direction and the final grade of its target
 * and direction (undefined: no such grade), before its window is read: one value, or both
 * booleans where only a settled fail's window (clean of suspect intervals or not) decides. The
 * one rule of `held`, for claimHeld and for the check of an uploaded report (which keeps no
 * window).
 */
export function heldOutcomes(kind: ClaimKind, direction: GradeEntry['direction'], status: GradeEntry['status'] | undefined): readonly (boolean | null)[] {
  if (kind === 'so-far') return [null];
  if (status === undefined) return [false];
  if (kind === 'likely-pass') return [status === 'pass'];
  if (status !== 'fail') return [false];
  return kind === 'settled-fail' && direction !== 'round-trip' ? [true, false] : [true];
}

/**
 * Whether a claim held against the final grades: null for so-far figures; a pass claim holds
 * when the final grade of the same target and direction passed, a fail claim when it failed,
 * and a settled fail also needs its window clean of the suspect intervals the final analysis
 * knows (`suspectOf`, on the direction's sender clock).
 */
export function claimHeld(
  c: Claim,
  grades: readonly Pick<GradeEntry, 'target' | 'direction' | 'status'>[],
  suspectOf: (direction: DirectionName) => readonly SuspectInterval[],
): boolean | null {
  const status = grades.find((x) => x.target === c.metric && x.direction === c.direction)?.status;
  const outcomes = heldOutcomes(c.kind, c.direction, status);
  if (outcomes.length === 1) return outcomes[0] ?? null;
  const w = claimWindow(c);
  if (w === null || c.direction === 'round-trip') return true;
  return !suspectOf(c.direction).some((s) => s.startMs < w.endMs && s.endMs >= w.startMs);
}
