/** Summary statistics of the truth file (all values in the unit of the input, here ms). */
import { nearestRank, sortedCopy } from '../../src/analysis/measure/percentile.js';

export interface Summary {
  count: number;
  min: number | null;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { count: 0, min: null, mean: null, p50: null, p90: null, p99: null, max: null };
  const sorted = sortedCopy(values);
  let total = 0;
  for (const v of sorted) total += v;
  return {
    count: sorted.length,
    min: sorted[0] ?? null,
    mean: total / sorted.length,
    p50: nearestRank(sorted, 50),
    p90: nearestRank(sorted, 90),
    p99: nearestRank(sorted, 99),
    max: sorted[sorted.length - 1] ?? null,
  };
}

/** Mean of |d[i] - d[i-1]| over consecutive values (mean absolute IPDV when d are transit times). */
export function meanAbsDifference(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  let total = 0;
  for (let i = 1; i < values.length; i++) total += Math.abs((values[i] ?? 0) - (values[i - 1] ?? 0));
  return total / (values.length - 1);
}
