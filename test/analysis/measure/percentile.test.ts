import { describe, expect, it } from 'vitest';
import { distribution, nearestRank, percentile, scaleDistribution, selectInPlace } from '../../../src/analysis/measure/percentile.js';
import { mulberry32 } from './fixtures.js';

describe('nearest-rank percentile', () => {
  // Worked example of the nearest-rank method: ranks ceil(p/100 * 5).
  const v = [15, 20, 35, 40, 50];
  it.each([
    [0, 15],
    [5, 15],
    [30, 20],
    [40, 20],
    [50, 35],
    [90, 50],
    [100, 50],
  ])('p%d of 15,20,35,40,50 is %d', (p, expected) => {
    expect(nearestRank(v, p)).toBe(expected);
  });

  it('sorts unsorted input numerically (not as strings)', () => {
    expect(percentile([100, 9, 20, 3], 50)).toBe(9);
  });

  it('summarises 1..10', () => {
    const d = distribution([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(d).toEqual({ count: 10, min: 1, p50: 5, p90: 9, p99: 10, max: 10, mean: 5.5 });
    expect(d === null ? null : scaleDistribution(d, 0.5).p90).toBe(4.5);
  });

  it('returns null / NaN for no values', () => {
    expect(distribution([])).toBeNull();
    expect(nearestRank([], 50)).toBeNaN();
  });
});

describe('selection (the O(n) path of distribution)', () => {
  const shapes: Array<[string, (i: number, rnd: () => number) => number]> = [
    ['random', (_i, rnd) => rnd() * 1000],
    ['few distinct values', (_i, rnd) => Math.floor(rnd() * 3)],
    ['all equal', () => 40],
    ['ascending', (i) => i],
    ['descending', (i) => -i],
    ['organ pipe', (i) => (i < 500 ? i : 1000 - i)],
  ];
  it.each(shapes)('matches a full sort on %s input', (_name, shape) => {
    const rnd = mulberry32(7);
    for (const n of [1, 2, 3, 10, 99, 100, 101, 1000, 4097]) {
      const values = Array.from({ length: n }, (_, i) => shape(i, rnd));
      const sorted = [...values].sort((a, b) => a - b);
      const d = distribution(values);
      expect(d).toEqual({
        count: n,
        min: sorted[0],
        p50: nearestRank(sorted, 50),
        p90: nearestRank(sorted, 90),
        p99: nearestRank(sorted, 99),
        max: sorted[n - 1],
        mean: values.reduce((a, b) => a + b, 0) / n,
      });
      for (const k of [0, n >> 1, n - 1]) {
        expect(selectInPlace(Float64Array.from(values), k)).toBe(sorted[k]);
      }
    }
  });
});
