import { percentile } from '../../src/analysis/measure/percentile.js';

/** Median of benchmark figures, nearest rank like every percentile in callprobe (a measured value); null when empty. */
export function median(values: readonly number[]): number | null {
  return values.length === 0 ? null : percentile(values, 50);
}
