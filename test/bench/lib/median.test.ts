/** The benches' median and its distribution-free interval (bench/lib/median.ts), against binomial tables worked by hand. */
import { describe, expect, it } from 'vitest';
import { median, medianInterval } from '../../../bench/lib/median.js';

describe('median', () => {
  it('is the nearest-rank 50th percentile, a measured value, and null when empty', () => {
    expect(median([4, 1, 3, 2])).toBe(2);
    expect(median([])).toBeNull();
  });
});

describe('medianInterval', () => {
  it('n = 10: ranks 2 and 9 (P(B <= 1) = 11/1024 = 1.07 %, P(B <= 2) = 56/1024 = 5.47 %), whatever the order given', () => {
    expect(medianInterval([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])).toEqual({ lo: 2, hi: 9 });
  });

  it('n = 6: the extremes (P(B <= 0) = 1/64 = 1.56 %); n = 5 has none (1/32 = 3.1 % > 2.5 %)', () => {
    expect(medianInterval([60, 10, 50, 20, 40, 30])).toEqual({ lo: 10, hi: 60 });
    expect(medianInterval([1, 2, 3, 4, 5])).toBeNull();
    expect(medianInterval([])).toBeNull();
  });

  it('n = 100: ranks 40 and 61 (P(B <= 39) = 1.76 %, P(B <= 40) = 2.84 %)', () => {
    const values = Array.from({ length: 100 }, (_, i) => (i * 37) % 100); // 0..99, shuffled
    expect(medianInterval(values)).toEqual({ lo: 39, hi: 60 });
  });

  it('a window the delay swung through gives a wide interval, a steady one a narrow one', () => {
    const steady = Array.from({ length: 200 }, (_, i) => 950 + (i % 5));
    const swung = Array.from({ length: 200 }, (_, i) => (i < 100 ? 300 + i * 5 : 950));
    const w = (r: { lo: number; hi: number } | null): number => (r === null ? Number.NaN : r.hi - r.lo);
    expect(w(medianInterval(steady))).toBeLessThanOrEqual(4);
    expect(w(medianInterval(swung))).toBeGreaterThan(100);
  });
});
