import { describe, expect, it } from 'vitest';
import {
  batchDesignEffect,
  BLOCK_MS,
  blockMedians,
  completeBlocks,
  kendallS,
  medianBoundsFromBlocks,
  trendTest,
} from '../../../src/analysis/measure/blocks.js';

describe('complete blocks of send time', () => {
  it('cuts [origin + k s, origin + (k + 1) s) and keeps only blocks that end by the judged time', () => {
    const items = [0, 999, 1000, 2500, 2999.9, 3000, -1];
    const blocks = completeBlocks(items, (t) => t, 0, 3500);
    // 3500 ms judged: blocks 0, 1 and 2 have ended; 3000 lies in the unfinished fourth, -1 before the first.
    expect(blocks.map((b) => b.startMs)).toEqual([0, BLOCK_MS, 2 * BLOCK_MS]);
    expect(blocks.map((b) => b.items)).toEqual([[0, 999], [1000], [2500, 2999.9]]);
  });

  it('has no block before a whole second is judged, nor without an origin', () => {
    expect(completeBlocks([1, 2], (t) => t, 0, 999)).toEqual([]);
    expect(completeBlocks([1, 2], (t) => t, Number.POSITIVE_INFINITY, 5000)).toEqual([]);
  });

  it('takes a median (nearest rank) only of blocks with enough items', () => {
    const blocks = [
      { startMs: 0, items: [5, 1, 3] },
      { startMs: 1000, items: [9] },
      { startMs: 2000, items: [4, 2, 8, 6] },
    ];
    // Ranks: ceil(0.5 x 3) = 2nd of 1,3,5 = 3; ceil(0.5 x 4) = 2nd of 2,4,6,8 = 4.
    expect(blockMedians(blocks, 3)).toEqual([3, 4]);
  });
});

describe('bounds of the median from block medians (sign test)', () => {
  it('needs 5 blocks for a one-sided 95 % bound: 0.5^4 = 6.25 % > 5 % >= 0.5^5 = 3.125 %', () => {
    expect(medianBoundsFromBlocks([1, 2, 3, 4], 0.95)).toBeNull();
    expect(medianBoundsFromBlocks([5, 1, 4, 2, 3], 0.95)).toEqual({ lowerMs: 1, upperMs: 5 });
  });

  it('moves inwards as blocks add up', () => {
    // B = 10: P(Bin(10, 0.5) <= 1) = 11/1024 = 1.07 % <= 5 %, P(<= 2) = 56/1024 = 5.47 % > 5 %: rank 2.
    const ten = Array.from({ length: 10 }, (_, i) => 10 - i);
    expect(medianBoundsFromBlocks(ten, 0.95)).toEqual({ lowerMs: 2, upperMs: 9 });
    // B = 15: P(<= 3) = 576/32768 = 1.76 %, P(<= 4) = 1941/32768 = 5.92 %: rank 4.
    const fifteen = Array.from({ length: 15 }, (_, i) => i + 1);
    expect(medianBoundsFromBlocks(fifteen, 0.95)).toEqual({ lowerMs: 4, upperMs: 12 });
  });
});

describe('design effect of a loss ratio from its blocks', () => {
  it('is 1 for blocks that lose alike, and for no loss or a single block', () => {
    expect(batchDesignEffect(Array.from({ length: 5 }, () => ({ judged: 100, lost: 1 })))).toBe(1);
    expect(batchDesignEffect(Array.from({ length: 5 }, () => ({ judged: 100, lost: 0 })))).toBe(1);
    expect(batchDesignEffect([{ judged: 100, lost: 7 }])).toBe(1);
  });

  it('reads the between-block variance over the binomial one (hand computed)', () => {
    // 5 blocks of 100, losses 5, 0, 0, 0, 0: N = 500, p = 0.01. sum (l - p n)^2 = 16 + 4 x 1 = 20;
    // between = (5/4) x 20 / 500^2 = 1e-4; binomial = 0.01 x 0.99 / 500 = 1.98e-5; ratio 5.0505...
    const d = batchDesignEffect([5, 0, 0, 0, 0].map((lost) => ({ judged: 100, lost })));
    expect(d).toBeCloseTo(1e-4 / 1.98e-5, 10);
  });

  it('leaves out blocks with no judged probe', () => {
    const a = batchDesignEffect([5, 0, 0, 0, 0].map((lost) => ({ judged: 100, lost })));
    const b = batchDesignEffect([...[5, 0, 0, 0, 0].map((lost) => ({ judged: 100, lost })), { judged: 0, lost: 0 }]);
    expect(b).toBe(a);
  });
});

describe('Mann-Kendall trend test, exact', () => {
  it('counts concordant minus discordant pairs', () => {
    expect(kendallS([1, 2, 3, 4])).toBe(6);
    expect(kendallS([4, 3, 2, 1])).toBe(-6);
    expect(kendallS([1, 3, 2])).toBe(1);
    expect(kendallS([2, 2, 2])).toBe(0);
  });

  it('gives the exact null probabilities (n = 3: inversions 0..3 in 1, 2, 2, 1 of 6 orders)', () => {
    // S = 3 - 2k: S = 3 with 1/6, 1 with 2/6, -1 with 2/6, -3 with 1/6.
    const up = trendTest([1, 2, 3]);
    expect(up?.s).toBe(3);
    expect(up?.pRising).toBeCloseTo(1 / 6, 12);
    expect(up?.pFalling).toBeCloseTo(1, 12);
    const mid = trendTest([1, 3, 2]);
    expect(mid?.pRising).toBeCloseTo(3 / 6, 12);
    expect(mid?.pFalling).toBeCloseTo(5 / 6, 12);
  });

  it("carries Sen's slope: the median of the pairwise slopes", () => {
    // Slopes of 1, 2, 4: (2-1)/1, (4-2)/1, (4-1)/2 = 1, 2, 1.5; median 1.5.
    expect(trendTest([1, 2, 4])?.slopePerStep).toBe(1.5);
    expect(trendTest([220, 200, 180, 150, 120])?.slopePerStep).toBe(-25);
  });

  it('finds a steady fall over 5 blocks at 1/120, and none in 2 values', () => {
    const t = trendTest([220, 200, 180, 150, 120]);
    expect(t?.s).toBe(-10);
    expect(t?.pFalling).toBeCloseTo(1 / 120, 12);
    expect(trendTest([1, 2])).toBeNull();
  });

  it('matches the published exact table (Kendall: n = 6, S >= 9 has probability 0.068; n = 8, S >= 14 has 0.054)', () => {
    // Kendall's table of P(S >= s), as reprinted in e.g. Hollander and Wolfe: n = 6, s = 9: 0.068; n = 8, s = 14: 0.054.
    // A series with S = 9 for n = 6: the increasing order with three swaps of neighbours (3 discordant pairs of 15).
    const s9 = [2, 1, 4, 3, 6, 5];
    expect(kendallS(s9)).toBe(9);
    expect(trendTest(s9)?.pRising).toBeCloseTo(0.068, 3);
    // n = 8: 7 discordant pairs of 28 (the first four reversed, the last two swapped).
    const s14 = [4, 3, 2, 1, 5, 6, 8, 7];
    expect(kendallS(s14)).toBe(14);
    expect(trendTest(s14)?.pRising).toBeCloseTo(0.054, 3);
  });
});
