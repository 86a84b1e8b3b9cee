import { describe, expect, it } from 'vitest';
import { binomialCdf, clopperPearson, logGamma, regularizedBeta } from '../../../src/analysis/measure/confidence.js';

describe('Clopper-Pearson 95 % two-sided interval', () => {
  it.each([10, 20, 1500, 600_000])('0 events in %d: upper = 1 - 0.025^(1/n), lower = 0', (n) => {
    const ci = clopperPearson(0, n);
    expect(ci.lower).toBe(0);
    expect(ci.upper / (1 - 0.025 ** (1 / n))).toBeCloseTo(1, 9);
  });

  it.each([10, 1500])('%d events in %d: lower = 0.025^(1/n), upper = 1', (n) => {
    const ci = clopperPearson(n, n);
    expect(ci.upper).toBe(1);
    expect(ci.lower / 0.025 ** (1 / n)).toBeCloseTo(1, 9);
  });

  it('matches published exact intervals', () => {
    // Exact binomial intervals (as printed by R's binom.test):
    // 1/10 -> [0.002528579, 0.4450161]; 5/10 -> [0.1870860, 0.8129140].
    const a = clopperPearson(1, 10);
    expect(a.lower).toBeCloseTo(0.002528579, 8);
    expect(a.upper).toBeCloseTo(0.4450161, 6);
    const b = clopperPearson(5, 10);
    expect(b.lower).toBeCloseTo(0.187086, 6);
    expect(b.upper).toBeCloseTo(0.812914, 6);
  });

  it('gives an interval around the estimate for large n', () => {
    const ci = clopperPearson(300, 600_000);
    expect(ci.lower).toBeLessThan(0.0005);
    expect(ci.upper).toBeGreaterThan(0.0005);
    // Normal approximation: 0.0005 +- 1.96 * sqrt(0.0005 * 0.9995 / 600000) = +- 0.0000566.
    expect(ci.upper - 0.0005).toBeCloseTo(0.0000566, 5);
  });

  it('has a correct binomial CDF and log-gamma', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    // P(X <= 2 | 10, 0.3) = 0.3827827864
    expect(binomialCdf(2, 10, 0.3)).toBeCloseTo(0.3827827864, 9);
    expect(regularizedBeta(0.5, 2, 2)).toBeCloseTo(0.5, 12);
  });
});
