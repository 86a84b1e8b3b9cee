/** Summary statistics of the truth file (all values in the unit of the input, here ms). */

export interface Summary {
  count: number;
  min: number | null;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/** Nearest-rank percentile of sorted values: the smallest value with at least q of the data at or below it. */
export function nearestRank(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { count: 0, min: null, mean: null, p50: null, p90: null, p99: null, max: null };
  const sorted = Float64Array.from(values).sort();
  const list = Array.from(sorted);
  let total = 0;
  for (const v of list) total += v;
  return {
    count: list.length,
    min: list[0] ?? null,
    mean: total / list.length,
    p50: nearestRank(list, 0.5),
    p90: nearestRank(list, 0.9),
    p99: nearestRank(list, 0.99),
    max: list[list.length - 1] ?? null,
  };
}

/** Mean of |d[i] - d[i-1]| over consecutive values (mean absolute IPDV when d are transit times). */
export function meanAbsDifference(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  let total = 0;
  for (let i = 1; i < values.length; i++) total += Math.abs((values[i] ?? 0) - (values[i - 1] ?? 0));
  return total / (values.length - 1);
}
