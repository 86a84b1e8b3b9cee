/**
 * Percentiles, one method everywhere: NEAREST RANK (Hyndman & Fan type 1, the definition
 * RFC 2330 §11.3 uses for percentiles of sample sets). The p-th percentile of n sorted
 * values is the value at 1-based rank ceil(p/100 * n) (rank 1 for p = 0). It is always a
 * value that was actually measured, which makes every figure in a report traceable to one
 * probe, and "the 90th percentile measurement value" of Microsoft's guidance literal.
 */

/** Summary of a set of values (all in the caller's unit, e.g. ms). */
export interface Distribution {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of values already sorted ascending; NaN when empty. */
export function nearestRank(sortedAsc: ArrayLike<number>, pct: number): number {
  const n = sortedAsc.length;
  if (n === 0) return Number.NaN;
  const p = Math.min(100, Math.max(0, pct));
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return sortedAsc[rank - 1] ?? Number.NaN;
}

/** Sort a copy of `values` ascending (numeric, Float64Array for speed on 600,000 values). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(values);
  out.sort();
  return out;
}

/** Nearest-rank percentile of unsorted values; NaN when empty. */
export function percentile(values: ArrayLike<number>, pct: number): number {
  return nearestRank(sortedCopy(values), pct);
}

/** min / p50 / p90 / p99 / max / mean, or null when there is no value. */
export function distribution(values: ArrayLike<number>): Distribution | null {
  if (values.length === 0) return null;
  const s = sortedCopy(values);
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += s[i] ?? 0;
  return {
    count: s.length,
    min: s[0] ?? Number.NaN,
    p50: nearestRank(s, 50),
    p90: nearestRank(s, 90),
    p99: nearestRank(s, 99),
    max: s[s.length - 1] ?? Number.NaN,
    mean: sum / s.length,
  };
}

/** Every field of a distribution multiplied by `factor` (count kept), e.g. RTT -> RTT/2. */
export function scaleDistribution(d: Distribution, factor: number): Distribution {
  return {
    count: d.count,
    min: d.min * factor,
    p50: d.p50 * factor,
    p90: d.p90 * factor,
    p99: d.p99 * factor,
    max: d.max * factor,
    mean: d.mean * factor,
  };
}
