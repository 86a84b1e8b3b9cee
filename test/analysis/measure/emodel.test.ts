import { describe, expect, it } from 'vitest';
import { absoluteDelayImpairment, eModel, effectiveEquipmentImpairment, G711_PLC, mosFromR } from '../../../src/analysis/measure/emodel.js';

describe('ITU-T G.107 E-model', () => {
  it('gives R = 93.2 with every parameter at its default', () => {
    const r = eModel();
    expect(r.R).toBeCloseTo(93.2, 1);
    // Well-known intermediate values of the default computation.
    expect(r.Ro).toBeCloseTo(94.77, 2);
    expect(r.Is).toBeCloseTo(1.41, 2);
    expect(r.Idd).toBe(0);
    expect(r.IeEff).toBe(0);
    expect(r.mos).toBeCloseTo(4.41, 2);
  });

  it('computes Idd by hand at Ta = 200 ms', () => {
    // X = log2(200/100) = 1: 25 * (2^(1/6) - 3 * (1 + 3^-6)^(1/6) + 2) = 3.0444
    expect(absoluteDelayImpairment(200)).toBeCloseTo(25 * (2 ** (1 / 6) - 3 * (1 + 3 ** -6) ** (1 / 6) + 2), 12);
    expect(absoluteDelayImpairment(200)).toBeCloseTo(3.0444, 3);
    expect(absoluteDelayImpairment(100)).toBe(0);
  });

  it('computes Ie,eff with G.711+PLC (Bpl = 25.1) and BurstR', () => {
    // 95 * 2 / (2 + 25.1) = 7.0111; bursty (BurstR = 2): 95 * 2 / (1 + 25.1) = 7.2797
    expect(effectiveEquipmentImpairment(G711_PLC.Ie, G711_PLC.Bpl, 2, 1)).toBeCloseTo(7.0111, 4);
    expect(effectiveEquipmentImpairment(G711_PLC.Ie, G711_PLC.Bpl, 2, 2)).toBeCloseTo(7.2797, 4);
    // Random loss of 2 % lowers R by exactly Ie,eff.
    const clean = eModel({ ...G711_PLC });
    const lossy = eModel({ ...G711_PLC, Ppl: 2 });
    expect(clean.R - lossy.R).toBeCloseTo(7.0111, 4);
  });

  it('lowers R as delay grows, faster beyond 100 ms', () => {
    const d = (ta: number) => eModel({ Ta: ta, T: ta, Tr: 2 * ta }).R;
    expect(d(50)).toBeLessThan(d(0));
    expect(d(150)).toBeLessThan(d(100));
    expect(d(100) - d(150)).toBeGreaterThan(d(50) - d(100));
  });

  it('maps R to MOS per Annex B', () => {
    expect(mosFromR(-5)).toBe(1);
    expect(mosFromR(0)).toBe(1);
    expect(mosFromR(100)).toBe(4.5);
    // 1 + 0.035*50 + 50*(-10)*50*7e-6 = 2.575
    expect(mosFromR(50)).toBeCloseTo(2.575, 12);
  });
});
