import { describe, expect, it } from 'vitest';
import { nearestRank, nearestRankIndex } from '../../../src/analysis/measure/percentile.js';

describe('nearest-rank index', () => {
  it('is rank ceil(p/100 x n) - 1, at least 0, with p clamped to [0, 100]', () => {
    // n = 10: p50 -> rank 5 (index 4); p90 -> rank 9; p99 -> ceil(9.9) = 10; p0 -> rank 1.
    expect([0, 50, 90, 99, 100].map((p) => nearestRankIndex(10, p))).toEqual([0, 4, 8, 9, 9]);
    // n = 4: the median is the lower of the middle pair (rank 2), a measured value.
    expect(nearestRankIndex(4, 50)).toBe(1);
    // n = 3: p90 -> ceil(2.7) = 3.
    expect(nearestRankIndex(3, 90)).toBe(2);
    expect(nearestRankIndex(5, -10)).toBe(0);
    expect(nearestRankIndex(5, 250)).toBe(4);
  });

  it('picks the same value as nearestRank on sorted values', () => {
    const sorted = [1, 2, 3, 5, 8, 13, 21];
    for (const p of [0, 10, 33, 50, 66, 90, 99, 100]) expect(sorted[nearestRankIndex(sorted.length, p)]).toBe(nearestRank(sorted, p));
  });
});
