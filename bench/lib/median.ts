import { percentile } from '../../src/analysis/measure/percentile.js';

/** Median of benchmark figures, nearest rank like every percentile in callprobe (a measured value); null when empty. */
export function median(values: readonly number[]): number | null {
  return values.length === 0 ? null : percentile(values, 50);
}

/**
 * A distribution-free 95 % confidence interval for the median of the population `values` were
 * drawn from: the order statistics at ranks l and n + 1 - l, l the largest rank with
 * P(Binomial(n, 1/2) <= l - 1) <= 2.5 % (the sign-test interval; Conover, Practical
 * Nonparametric Statistics, §3.2). Null below 6 values, where no such rank exists. Samples
 * taken close together in time are not independent, so for a probe stream this interval is
 * narrower than the truth: a bound it gives is a strict one.
 */
export function medianInterval(values: readonly number[]): { lo: number; hi: number } | null {
  const n = values.length;
  // log P(B = k) for B ~ Binomial(n, 1/2), summed upward until the tail passes 2.5 %.
  let logPmf = -n * Math.LN2;
  let cdf = 0;
  let l = 0;
  for (let k = 0; k < n; k++) {
    cdf += Math.exp(logPmf);
    if (cdf > 0.025) break;
    l = k + 1;
    logPmf += Math.log((n - k) / (k + 1));
  }
  if (l < 1) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return { lo: sorted[l - 1] ?? Number.NaN, hi: sorted[n - l] ?? Number.NaN };
}
