/**
 * Distribution-free confidence intervals for a quantile from order statistics (the binomial
 * method; e.g. Conover, "Practical Nonparametric Statistics", §3.2). Of n independent samples
 * of a continuous quantity, the number K at or below the true p-quantile q is Binomial(n, p),
 * and X(j) <= q exactly when K >= j. So [X(r), X(s)] covers q with probability
 * P(r <= K <= s - 1), whatever the distribution. Here each tail is held to (1 - level) / 2.
 */
import { binomialCdf } from './confidence.js';

/** 1-based ranks of the interval's ends among the n sorted samples, and its exact coverage. */
export interface QuantileInterval {
  lowerRank: number;
  upperRank: number;
  /** P(lowerRank <= K <= upperRank - 1): at least `level`. */
  coverage: number;
}

/**
 * The equal-tailed `level` interval of the `p` quantile (0 < p < 1) of n samples, as ranks,
 * or null when n is too small for both ends to be samples.
 */
export function quantileInterval(n: number, p: number, level: number): QuantileInterval | null {
  const r = quantileLowerRank(n, p, level);
  if (r === null) return null;
  const tail = (1 - level) / 2;
  // Upper end: the smallest s <= n with P(K >= s) = 1 - P(K <= s - 1) <= tail.
  const sLast = lastWhere(r, n, (x) => 1 - binomialCdf(x - 1, n, p) > tail);
  const s = sLast + 1;
  if (s > n) return null;
  return { lowerRank: r, upperRank: s, coverage: binomialCdf(s - 1, n, p) - binomialCdf(r - 1, n, p) };
}

/**
 * The lower end of the equal-tailed `level` interval of the `p` quantile of n samples, as a
 * rank: the largest r with P(K <= r - 1) <= (1 - level) / 2, so X(r) <= q with probability at
 * least 1 - (1 - level) / 2 (97.5 % for a 95 % interval) on its own, whether or not the upper
 * end exists. Null when not even the smallest sample is such a bound (n too small).
 */
export function quantileLowerRank(n: number, p: number, level: number): number | null {
  if (!Number.isInteger(n) || n < 1) return null;
  const tail = (1 - level) / 2;
  if (binomialCdf(0, n, p) > tail) return null;
  // The largest r >= 1 with P(K <= r - 1) <= tail (the CDF rises with x: bisect).
  return lastWhere(1, n, (x) => binomialCdf(x - 1, n, p) <= tail);
}

/** The largest x in [lo, hi] for which `ok` holds, `ok` true at lo and monotone (true, then false). */
function lastWhere(lo: number, hi: number, ok: (x: number) => boolean): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const mid = Math.ceil((a + b) / 2);
    if (ok(mid)) a = mid;
    else b = mid - 1;
  }
  return a;
}

/**
 * The fewest samples a P90 is graded from: the smallest n whose equal-tailed `level` interval
 * of the 90th percentile exists with its upper end below the largest sample (rank <= n - 1),
 * so one outlier alone never bounds it.
 */
export function p90MinSamples(level: number): number {
  for (let n = 1; n < 100_000; n++) {
    const ci = quantileInterval(n, 0.9, level);
    if (ci !== null && ci.upperRank <= n - 1) return n;
  }
  return Number.POSITIVE_INFINITY;
}

/**
 * The fewest samples a P90 can fail from before p90MinSamples: the smallest n whose lower end
 * (quantileLowerRank) is above the smallest sample (rank >= 2), so one good sample alone never
 * keeps a site from failing, and no single sample decides it (the mirror of p90MinSamples).
 * With X(r) at or above the target, fewer than r samples are below it: the P90 is not below
 * the target with probability at least 1 - (1 - level) / 2.
 */
export function p90EarlyFailMinSamples(level: number): number {
  for (let n = 1; n < 100_000; n++) if ((quantileLowerRank(n, 0.9, level) ?? 0) >= 2) return n;
  return Number.POSITIVE_INFINITY;
}
