import { describe, expect, it } from 'vitest';
import { distribution, nearestRank, percentile, scaleDistribution } from '../../src/measure/percentile.js';

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
