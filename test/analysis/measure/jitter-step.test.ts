import { describe, expect, it } from 'vitest';
import { jitterStep } from '../../../src/analysis/measure/jitter.js';

describe('RFC 3550 jitter step', () => {
  it('matches a hand-computed series', () => {
    // Transits 100, 105, 100, 105 ms (send every 20 ms, receive at 100, 125, 140, 165):
    // D = +5, -5, +5. J1 = 0 + (5 - 0)/16 = 0.3125; J2 = 0.3125 + (5 - 0.3125)/16 = 0.60546875;
    // J3 = 0.60546875 + (5 - 0.60546875)/16 = 0.880126953125. All exact in binary.
    const j1 = jitterStep(0, 5);
    const j2 = jitterStep(j1, -5);
    const j3 = jitterStep(j2, 5);
    expect([j1, j2, j3]).toEqual([0.3125, 0.60546875, 0.880126953125]);
  });

  it('uses |D|, moves 1/16 of the way, and stays put when |D| equals J', () => {
    expect(jitterStep(0, -16)).toBe(1);
    expect(jitterStep(32, 0)).toBe(30);
    expect(jitterStep(4, 4)).toBe(4);
    expect(jitterStep(4, -4)).toBe(4);
  });
});
