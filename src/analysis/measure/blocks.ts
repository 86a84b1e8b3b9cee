/**
 * Statistics over blocks of time, for evidence whose samples are not independent.
 *
 * Probes sent a few milliseconds apart share what the path and the device were doing: a queue
 * that fills, a route settling at the start of a test, a device that runs late for a second.
 * Round trips and losses of neighbouring probes are therefore strongly correlated, and an
 * interval that treats a few hundred of them as independent is far too narrow (a 95 % interval
 * of the median round trip over the first 4 s of a test that started slow excluded the final
 * median by a factor of two). Here the probes are cut into blocks of BLOCK_MS of send time,
 * and each block counts as one observation: the method of batch means (e.g. Law and Kelton,
 * "Simulation Modeling and Analysis", §9.5.3), whose blocks are close to independent once they
 * are longer than the correlation. A second of a real-time stream (100 probes) is longer than
 * the correlation the jitter buffer, a burst of loss or a timer slip leaves; a stall longer
 * than that is the device's or the server's time and is left out before blocks are made.
 *
 * - The median round trip is bounded by a sign test over the blocks' medians: of B blocks from
 *   a path whose median is m, each block's median lies above m with probability 1/2, so the
 *   number above is Binomial(B, 1/2) and the order statistics of the block medians bound m
 *   (order-statistics.ts), at the cost of needing B >= 5 for a one-sided 95 % bound.
 * - The loss ratio's variance is read from how much the blocks' loss differs (the ratio
 *   estimator of cluster sampling, e.g. Cochran, "Sampling Techniques", §6.5 and §9.2): its
 *   design effect, the variance over the binomial variance, says how many probes count as one.
 * - A delay that changed while the blocks were sent is found by the Mann-Kendall trend test
 *   (Kendall, "Rank Correlation Methods", ch. 4) over the block medians, with its exact null
 *   distribution for small B (every order of B distinct values equally likely).
 */
import { nearestRank, sortedCopy } from './percentile.js';
import { quantileLowerRank } from './order-statistics.js';

/** The length of a block of send time, ms. */
export const BLOCK_MS = 1000;

/** One block: [startMs, startMs + BLOCK_MS) of send time. */
export interface Block<T> {
  startMs: number;
  items: T[];
}

/**
 * The complete blocks of `items` (by `sendMs`) from `originMs`: block k is [origin + k x BLOCK_MS,
 * origin + (k + 1) x BLOCK_MS), and only blocks that end by `untilMs` are returned (a block still
 * being sent would be judged on part of its second). Empty blocks are returned too, in order.
 */
export function completeBlocks<T>(items: readonly T[], sendMs: (t: T) => number, originMs: number, untilMs: number): Block<T>[] {
  if (!Number.isFinite(originMs) || !(untilMs >= originMs + BLOCK_MS)) return [];
  const count = Math.floor((untilMs - originMs) / BLOCK_MS);
  const blocks: Block<T>[] = Array.from({ length: count }, (_, k) => ({ startMs: originMs + k * BLOCK_MS, items: [] }));
  for (const item of items) {
    const k = Math.floor((sendMs(item) - originMs) / BLOCK_MS);
    if (k >= 0 && k < count) blocks[k]?.items.push(item);
  }
  return blocks;
}

/** The nearest-rank median of each block's values, of the blocks holding at least `minItems`. */
export function blockMedians(blocks: readonly Block<number>[], minItems: number): number[] {
  return blocks.filter((b) => b.items.length >= Math.max(1, minItems)).map((b) => nearestRank(sortedCopy(b.items), 50));
}

/** One-sided bounds of the median at `level` from block medians (sign test); null where B is too small. */
export interface MedianBounds {
  /** The median is at or above this with probability at least `level`. */
  lowerMs: number;
  /** The median is at or below this with probability at least `level`. */
  upperMs: number;
}

/**
 * One-sided `level` bounds of the median from the medians of B blocks: the r-th smallest and the
 * r-th largest, r the largest rank with P(Binomial(B, 1/2) <= r - 1) <= 1 - level. Null when not
 * even the smallest block median is such a bound (B < 5 at 95 %).
 */
export function medianBoundsFromBlocks(medians: readonly number[], level: number): MedianBounds | null {
  const n = medians.length;
  // quantileLowerRank holds each tail to (1 - L) / 2: L = 2 level - 1 gives a one-sided `level` bound.
  const r = quantileLowerRank(n, 0.5, 2 * level - 1);
  if (r === null) return null;
  const sorted = sortedCopy(medians);
  const lower = sorted[r - 1];
  const upper = sorted[n - r];
  if (lower === undefined || upper === undefined) return null;
  return { lowerMs: lower, upperMs: upper };
}

/** One block's probes for a loss ratio: judged, and of those lost. */
export interface LossBlock {
  judged: number;
  lost: number;
}

/**
 * The design effect of a loss ratio read from its blocks: the between-block variance of the
 * ratio estimator, B/(B-1) x sum (l_b - p n_b)^2 / N^2, over the binomial variance p (1 - p) / N.
 * 1 where it cannot be read (fewer than 2 blocks with probes, no loss, or nothing but loss), and
 * never below 1: blocks that vary less than independent probes would are taken as independent.
 */
export function batchDesignEffect(blocks: readonly LossBlock[]): number {
  const used = blocks.filter((b) => b.judged > 0);
  const B = used.length;
  if (B < 2) return 1;
  let judged = 0;
  let lost = 0;
  for (const b of used) {
    judged += b.judged;
    lost += b.lost;
  }
  const p = lost / judged;
  if (p <= 0 || p >= 1) return 1;
  let ss = 0;
  for (const b of used) ss += (b.lost - p * b.judged) ** 2;
  const between = ((B / (B - 1)) * ss) / (judged * judged);
  const binomial = (p * (1 - p)) / judged;
  return Math.max(1, between / binomial);
}

/** The Mann-Kendall S of a series: concordant minus discordant pairs (ties count as neither). */
export function kendallS(values: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) {
    for (let j = i + 1; j < values.length; j++) {
      const a = values[i] ?? 0;
      const b = values[j] ?? 0;
      s += b > a ? 1 : b < a ? -1 : 0;
    }
  }
  return s;
}

/**
 * How many orders of n distinct values have each number of inversions k = 0 .. n(n-1)/2 (the
 * Mahonian numbers, OEIS A008302), as fractions of n!: the exact null distribution of S = n(n-1)/2
 * - 2k. Built one value at a time: a new last value adds 0 .. m inversions among m + 1.
 */
function inversionDistribution(n: number): number[] {
  let dist = [1];
  for (let m = 1; m < n; m++) {
    const next = new Array<number>(dist.length + m).fill(0);
    for (let k = 0; k < dist.length; k++) for (let add = 0; add <= m; add++) next[k + add] = (next[k + add] ?? 0) + (dist[k] ?? 0) / (m + 1);
    dist = next;
  }
  return dist;
}

/** One-sided p-values of a rising and of a falling trend in a series (Mann-Kendall, exact under no trend and no ties). */
export interface TrendTest {
  s: number;
  /** P(S >= s) with no trend: small when the values rise. */
  pRising: number;
  /** P(S <= s) with no trend: small when the values fall. */
  pFalling: number;
  /**
   * How fast the values move, per position (Sen's slope: the median of the slopes between every
   * two values; Sen 1968, the estimator that goes with Mann-Kendall's test). Absent in tests
   * made by hand before it was kept.
   */
  slopePerStep?: number;
}

/** Sen's slope of a series: the median (nearest rank) of (v_j - v_i) / (j - i) over every i < j; 0 for fewer than 2 values. */
function senSlope(values: readonly number[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < values.length; i++) for (let j = i + 1; j < values.length; j++) slopes.push(((values[j] ?? 0) - (values[i] ?? 0)) / (j - i));
  return slopes.length === 0 ? 0 : nearestRank(sortedCopy(slopes), 50);
}

/** The Mann-Kendall test of a series of at most a few dozen values; null for fewer than 3. */
export function trendTest(values: readonly number[]): TrendTest | null {
  const n = values.length;
  if (n < 3) return null;
  const s = kendallS(values);
  const dist = inversionDistribution(n);
  const pairs = (n * (n - 1)) / 2;
  let pRising = 0;
  let pFalling = 0;
  dist.forEach((prob, k) => {
    const sk = pairs - 2 * k;
    if (sk >= s) pRising += prob;
    if (sk <= s) pFalling += prob;
  });
  return { s, pRising: Math.min(1, pRising), pFalling: Math.min(1, pFalling), slopePerStep: senSlope(values) };
}
