/**
 * What the probes so far say while a test still runs: the evidence of the provisional answer.
 * Pure, over the records the collectors hold at one moment.
 *
 * Which probes are judged. A probe sent at s is judged once it is older than the loss timeout
 * (s <= now - timeout on its sender's clock), and never past the last probe of its direction
 * known to have arrived, nor past the last one its sender's log lists yet. So a figure counts
 * only probes the final analysis will count the same way, and it stops moving once the path
 * goes quiet (a server that is gone sends nothing more: the probes it never answered are not
 * counted as loss, exactly as the final analysis cuts its evidence at the last receipt).
 *
 * What a window may claim. A window over send time is taken only when it ends by the judged
 * time: its content is then the one the final analysis will see. For a claim that cannot be
 * undone (a settled fail), only probes that never arrived count as lost; a probe that came
 * back, however late, might still count as received under the final, longer loss timeout.
 */
import { batchDesignEffect, BLOCK_MS, blockMedians, completeBlocks, medianBoundsFromBlocks, trendTest, type LossBlock, type TrendTest } from './blocks.js';
import { classifyDirection, Fate } from './classify.js';
import { directionJitter } from './jitter.js';
import { nearestRank, sortedCopy } from './percentile.js';
import { sentNearSuspect, suspectHorizonMs } from './rtt.js';
import type { DirectionRecords, RttSample } from './records.js';
import { lossPctMetric, prepareWindows, scanWindows, type WindowStat } from './windows.js';

/** One direction's records at one moment, with that moment on its sender's clock. */
export interface SoFarDirectionInput<Name extends string = string> {
  name: Name;
  /** Sent so far in send order, arrivals so far, suspect intervals known so far (sender clock). */
  records: DirectionRecords;
  /** Now, on this direction's sender clock. */
  senderNowMs: number;
  /** The start of the test on this direction's sender clock: window times are reported from it. */
  testStartMs: number;
  /**
   * Time that was this device's or the server's (measure/attribution.ts), on this direction's
   * sender clock: as suspect as the direction's own suspect intervals, for windows and claims.
   */
  offNetwork?: readonly Span[];
}

interface Span {
  startMs: number;
  endMs: number;
}

/** A window as the provisional answer reports it. */
export interface SoFarWindow {
  /** From the start of the test (ms). */
  fromMs: number;
  /** On the direction's sender clock, for checks against suspect intervals found later. */
  startMs: number;
  endMs: number;
  packets: number;
  lost: number;
  pct: number;
  suspect: boolean;
}

export interface SoFarDirection<Name extends string = string> {
  name: Name;
  /** Probes sent up to this time (sender clock) are judged; -Infinity before any is. */
  judgedUntilMs: number;
  /** Held back by the last arrival (the path is quiet), not by the loss timeout. */
  quiet: boolean;
  /** Probes judged, and how many of them were lost (never arrived, or later than the loss timeout). */
  judged: number;
  lost: number;
  /** Of the lost, how many never arrived at all. */
  missing: number;
  /** Loss episodes: runs of consecutive lost probes in send order (a burst of 3 is one episode). */
  episodes: number;
  /** Known suspect intervals (or off-network time) touching the judged probes. */
  suspect: boolean;
  /** A suspect interval or off-network time touches the last second judged, or lies past it: the device or server is busy now. */
  busyNow: boolean;
  /** The judged probes in complete 1 s blocks of send time (blocks.ts), and the loss ratio's design effect read from them. */
  blocks: number;
  blockDesignEffect: number;
  /** RFC 3550 J averaged over the judged arrivals, null before any. */
  jitterMeanMs: number | null;
  jitterSamples: number;
  /** The worst short window so far (lost counts every lost probe), suspect or not; null before one ends. */
  worstShort: SoFarWindow | null;
  /** The worst clean short window counting only probes that never arrived: what a settled fail rests on. */
  worstShortMissing: SoFarWindow | null;
  /**
   * The direction's first long window, [first probe, first probe + long window): the probes
   * of it that never arrived so far, and whether a known suspect interval touches it.
   */
  firstLong: { missing: number; suspect: boolean; startMs: number; endMs: number } | null;
}

export interface SoFarRoundTrip {
  /** Round trips of judged probes, none sent during a known suspect interval or within the horizon before one (./rtt.ts). */
  samples: number;
  p50Ms: number | null;
  /** Complete 1 s blocks of send time holding at least MIN_BLOCK_ROUND_TRIPS of these round trips (blocks.ts). */
  blocks: number;
  /**
   * One-sided 95 % bounds of the median round trip from the blocks' medians (a sign test over
   * blocks: blocks.ts); null with fewer than 5 blocks. Each bound holds on its own.
   */
  lowerMs: number | null;
  upperMs: number | null;
  /**
   * The Mann-Kendall trend of the block medians in send order: a delay that changed during the
   * test (a start-up that settles, a queue filling, a route changing) shows there; null with
   * fewer than 3 blocks.
   */
  trend: TrendTest | null;
  /** A suspect interval or off-network time touches the last second judged, or lies past it. */
  busyNow: boolean;
}

/** A block's median round trip is taken from this many round trips or more (a tenth of a second's at 100/s). */
const MIN_BLOCK_ROUND_TRIPS = 10;
/** The one-sided level of the round trip's bounds. */
const BOUND_LEVEL = 0.95;

export interface SoFarLengths {
  shortMs: number;
  longMs: number;
}

function touches(spans: readonly Span[], startMs: number, endMs: number): boolean {
  return spans.some((s) => s.startMs < endMs && s.endMs >= startMs);
}

/** Whether a span touches the last second judged (up to `untilMs`) or lies after it. */
function busyAt(spans: readonly Span[], untilMs: number): boolean {
  return Number.isFinite(untilMs) && spans.some((s) => s.endMs >= untilMs - BLOCK_MS);
}

function windowOf(w: WindowStat | null, windowMs: number, testStartMs: number): SoFarWindow | null {
  if (w === null) return null;
  return {
    fromMs: w.startMs - testStartMs,
    startMs: w.startMs,
    endMs: w.startMs + windowMs,
    packets: w.packets,
    lost: w.lost,
    pct: w.value,
    suspect: w.suspect,
  };
}

/** The send time up to which a direction's probes are judged (see the module comment). */
export function judgedUntil(records: DirectionRecords, senderNowMs: number, lossTimeoutMs: number): { untilMs: number; quiet: boolean } {
  let lastArrivalSendMs = Number.NEGATIVE_INFINITY;
  for (const a of records.arrivals) if (a.sendMs > lastArrivalSendMs) lastArrivalSendMs = a.sendMs;
  const lastSentMs = records.sent[records.sent.length - 1]?.sendMs ?? Number.NEGATIVE_INFINITY;
  const byTimeout = senderNowMs - lossTimeoutMs;
  const untilMs = Math.min(byTimeout, lastArrivalSendMs, lastSentMs);
  return { untilMs, quiet: lastArrivalSendMs < byTimeout && lastArrivalSendMs < lastSentMs };
}

/** One direction so far: judged probes, their loss, jitter and worst windows. */
export function soFarDirection<Name extends string>(input: SoFarDirectionInput<Name>, lossTimeoutMs: number, lengths: SoFarLengths): SoFarDirection<Name> {
  const r = input.records;
  const { untilMs, quiet } = judgedUntil(r, input.senderNowMs, lossTimeoutMs);
  const judgedSent = r.sent.filter((s) => s.sendMs <= untilMs);
  const c = classifyDirection({ ...r, sent: judgedSent }, lossTimeoutMs);
  const lost = new Uint8Array(c.n);
  const missing = new Uint8Array(c.n);
  const received = new Uint8Array(c.n);
  let lostCount = 0;
  let episodes = 0;
  for (let i = 0; i < c.n; i++) {
    if (c.fate[i] === Fate.Received) received[i] = 1;
    else {
      lost[i] = 1;
      lostCount++;
      if (i === 0 || lost[i - 1] === 0) episodes++;
      if (c.fate[i] === Fate.Missing) missing[i] = 1;
    }
  }
  const jitter = directionJitter(c);
  const suspectSpans: Span[] = [...r.suspect.map((s) => ({ startMs: s.startMs, endMs: s.endMs })), ...(input.offNetwork ?? [])];
  const spec = { windowMs: lengths.shortMs, intervalMs: r.intervalMs, suspect: suspectSpans, endByMs: untilMs };
  const all = scanWindows(prepareWindows({ sendMs: c.sendMs, lost, received, jitterMs: jitter.jBySent }), spec, lossPctMetric);
  const onlyMissing = scanWindows(prepareWindows({ sendMs: c.sendMs, lost: missing, received, jitterMs: jitter.jBySent }), spec, lossPctMetric);
  const first = c.n > 0 ? (c.sendMs[0] ?? null) : null;
  let firstLong: SoFarDirection['firstLong'] = null;
  if (first !== null) {
    const endMs = first + lengths.longMs;
    let inFirst = 0;
    for (let i = 0; i < c.n && (c.sendMs[i] ?? 0) < endMs; i++) inFirst += missing[i] ?? 0;
    firstLong = { missing: inFirst, suspect: touches(suspectSpans, first, endMs), startMs: first, endMs };
  }
  const lossBlocks = completeBlocks(
    Array.from({ length: c.n }, (_, i) => i),
    (i) => c.sendMs[i] ?? Number.NaN,
    first ?? Number.NaN,
    untilMs,
  ).map((b): LossBlock => ({ judged: b.items.length, lost: b.items.reduce((n, i) => n + (lost[i] ?? 0), 0) }));
  return {
    name: input.name,
    judgedUntilMs: untilMs,
    quiet,
    judged: c.n,
    lost: lostCount,
    missing: c.missing,
    episodes,
    suspect: first !== null && touches(suspectSpans, first, untilMs),
    busyNow: busyAt(suspectSpans, untilMs),
    blocks: lossBlocks.length,
    blockDesignEffect: batchDesignEffect(lossBlocks),
    jitterMeanMs: jitter.meanMs,
    jitterSamples: jitter.samples,
    worstShort: windowOf(all.worstClean ?? all.worstAny, lengths.shortMs, input.testStartMs),
    worstShortMissing: windowOf(onlyMissing.worstClean, lengths.shortMs, input.testStartMs),
    firstLong,
  };
}

/**
 * Round trips so far: of probes sent up to `judgedUntilMs` (the probe sender's judged time, so
 * slow echoes of recent probes cannot bias it low) and outside every known suspect interval and
 * off-network span (`suspect`: on the round trips' send clock), with their bounds over 1 s blocks.
 */
export function soFarRoundTrip(samples: readonly RttSample[], judgedUntilMs: number, suspect: readonly Span[]): SoFarRoundTrip {
  const judged = samples.filter((s) => s.sendMs <= judgedUntilMs);
  // As the final grade does (./rtt.ts): a round trip sent during a suspect interval, or within the horizon before one, measures it, not the network.
  const horizonMs = suspectHorizonMs(judged.map((s) => s.rttMs));
  const kept = judged.filter((s) => !sentNearSuspect(s.sendMs, horizonMs, suspect));
  const sorted = sortedCopy(kept.map((s) => s.rttMs));
  const n = sorted.length;
  // Blocks from the first judged probe (kept or not): a second is one observation.
  let originMs = Number.POSITIVE_INFINITY;
  for (const s of judged) originMs = Math.min(originMs, s.sendMs);
  const blocks = completeBlocks(kept, (s) => s.sendMs, originMs, judgedUntilMs).map((b) => ({ startMs: b.startMs, items: b.items.map((s) => s.rttMs) }));
  const medians = blockMedians(blocks, MIN_BLOCK_ROUND_TRIPS);
  const bounds = medianBoundsFromBlocks(medians, BOUND_LEVEL);
  return {
    samples: n,
    p50Ms: n > 0 ? nearestRank(sorted, 50) : null,
    blocks: medians.length,
    lowerMs: bounds?.lowerMs ?? null,
    upperMs: bounds?.upperMs ?? null,
    trend: trendTest(medians),
    busyNow: busyAt(suspect, judgedUntilMs),
  };
}
