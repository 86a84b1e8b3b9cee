import { describe, expect, it } from 'vitest';
import { criterion, twoSigmaBinomial, type CriterionSeed } from '../../../bench/accuracy/criterion.js';

function seed(rttMs: number | null, truthRttMs: number, upLost: number, upTruth: number, downLost = 0, downTruth = 0): CriterionSeed {
  return {
    rttMs,
    truthRttMs,
    up: { lost: upLost, truthLost: upTruth, probes: 1500 },
    down: { lost: downLost, truthLost: downTruth, probes: 1500 },
  };
}

describe('the accuracy criterion (median over seeds)', () => {
  it('2 sigma of a binomial count: 2 sqrt(n p (1 - p)), 0 without loss', () => {
    expect(twoSigmaBinomial(1500, 30)).toBeCloseTo(2 * Math.sqrt(1500 * 0.02 * 0.98), 9);
    expect(twoSigmaBinomial(1500, 0)).toBe(0);
    expect(twoSigmaBinomial(0, 0)).toBe(0);
  });

  it('passes within 1 ms + 2 % of the round trip and 2 sigma of the loss count', () => {
    // 2 sigma at 30 of 1500 is 10.8 probes; 200 ms allows 5 ms.
    const c = criterion([seed(204.9, 200, 40, 30), seed(201, 200, 31, 30), seed(199, 200, 20, 30)]);
    expect(c.rtt.medianErrorMs).toBeCloseTo(1, 9);
    expect(c.rtt.toleranceMs).toBeCloseTo(5, 9);
    expect(c.up.medianErrorPackets).toBe(1);
    expect(c.up.twoSigmaPackets).toBeCloseTo(10.84, 2);
    expect(c.ok).toBe(true);
  });

  it('fails a path that counts the sender queue as loss, by the median over seeds', () => {
    // The data channel under a bottleneck: +34, +30, +2 against ~96 true drops (2 sigma 19.0).
    const c = criterion([seed(30, 30, 130, 96), seed(30, 30, 126, 96), seed(30, 30, 98, 96)]);
    expect(c.up.medianErrorPackets).toBe(30);
    expect(c.up.ok).toBe(false);
    expect(c.rtt.ok).toBe(true);
    expect(c.ok).toBe(false);
  });

  it('demands an exact count where the truth lost nothing, and a round trip too late fails', () => {
    expect(criterion([seed(1, 1, 0, 0, 1, 0)]).down.ok).toBe(false);
    // 11 ms allows 1.22 ms; 1.4 ms late is out.
    const late = criterion([seed(12.4, 11, 0, 0)]);
    expect(late.rtt.ok).toBe(false);
    expect(late.ok).toBe(false);
  });

  it('grades nothing without seeds, and leaves out a missing round trip', () => {
    expect(criterion([]).ok).toBeNull();
    const c = criterion([seed(null, 10, 0, 0)]);
    expect(c.rtt.ok).toBeNull();
    expect(c.ok).toBe(true);
  });
});
