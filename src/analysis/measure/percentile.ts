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

/**
 * 0-based index of the nearest-rank `pct` percentile among `n` sorted values (n >= 1):
 * rank ceil(pct/100 x n), at least 1; `pct` is clamped to [0, 100]. For sorting records
 * by a value and keeping the record (e.g. the test at the 90th percentile).
 */
export function nearestRankIndex(n: number, pct: number): number {
  const p = Math.min(100, Math.max(0, pct));
  return Math.max(1, Math.ceil((p / 100) * n)) - 1;
}

/** Nearest-rank percentile of values already sorted ascending; NaN when empty. */
export function nearestRank(sortedAsc: ArrayLike<number>, pct: number): number {
  const n = sortedAsc.length;
  if (n === 0) return Number.NaN;
  return sortedAsc[nearestRankIndex(n, pct)] ?? Number.NaN;
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
  return distributionOfOwned(Float64Array.from(values));
}

/**
 * Put the k-th smallest value of a[lo..hi] at index k, smaller-or-equal values before it
 * and greater-or-equal after it (N. Wirth's quickselect, median-of-three pivot; it stays
 * balanced on runs of equal values). Falls back to sorting the range if partitioning
 * ever degenerates, so the worst case stays O(n log n).
 */
export function selectInPlace(a: Float64Array, k: number, lo = 0, hi = a.length - 1): number {
  let l = lo;
  let h = hi;
  for (let rounds = 0; h > l; rounds++) {
    if (rounds > 64) {
      a.subarray(l, h + 1).sort();
      break;
    }
    const mid = (l + h) >>> 1;
    // Median of three into a[mid].
    if ((a[mid] ?? 0) < (a[l] ?? 0)) swap(a, mid, l);
    if ((a[h] ?? 0) < (a[l] ?? 0)) swap(a, h, l);
    if ((a[h] ?? 0) < (a[mid] ?? 0)) swap(a, h, mid);
    const x = a[mid] ?? 0;
    let i = l;
    let j = h;
    do {
      while ((a[i] ?? 0) < x) i++;
      while (x < (a[j] ?? 0)) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) l = i;
    if (k < i) h = j;
  }
  return a[k] ?? Number.NaN;
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i] ?? 0;
  a[i] = a[j] ?? 0;
  a[j] = t;
}

/**
 * Like `distribution`, but REORDERS `owned` in place (no copy, no full sort: three
 * selections, O(n) expected): for large arrays the caller built and no longer needs.
 */
export function distributionOfOwned(owned: Float64Array): Distribution | null {
  const n = owned.length;
  if (n === 0) return null;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = owned[i] ?? 0;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  // After selecting rank k, everything before it is <= it: later, smaller ranks search only there.
  const k99 = nearestRankIndex(n, 99);
  const k90 = nearestRankIndex(n, 90);
  const k50 = nearestRankIndex(n, 50);
  const p99 = selectInPlace(owned, k99, 0, n - 1);
  const p90 = selectInPlace(owned, k90, 0, k99);
  const p50 = selectInPlace(owned, k50, 0, k90);
  return { count: n, min, p50, p90, p99, max, mean: sum / n };
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
