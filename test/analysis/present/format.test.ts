import { describe, expect, it } from 'vitest';
import { figure, figureCount, figureMs, figurePct, fixed, limit, MISSING, ms, num, pct, plural } from '../../../src/analysis/present/format.js';

describe('sentence number formatting', () => {
  it('trims zeros and separates thousands', () => {
    expect(fixed(1500, 0)).toBe('1,500');
    expect(fixed(1234567.891, 2)).toBe('1,234,567.89');
    expect(fixed(15, 2)).toBe('15');
    expect(fixed(-0.0001, 2)).toBe('0');
  });

  it('uses about two significant digits below 1', () => {
    expect(num(0.24611)).toBe('0.25');
    expect(num(0.0667)).toBe('0.067');
    expect(num(42.13)).toBe('42.1');
    expect(num(142.6)).toBe('143');
  });

  it('never prints a value equal to a threshold it differs from', () => {
    expect(ms(99.96, 100)).toBe('99.96 ms');
    expect(pct(0.99999, 1)).toBe('0.99999%');
    expect(ms(100, 100)).toBe('100 ms');
    expect(plural(1, 'probe')).toBe('1 probe');
    expect(plural(2, 'probe')).toBe('2 probes');
  });
});

describe('figure formatting (tables and key figures)', () => {
  it('keeps fixed decimals per unit, with no locale', () => {
    expect(figureMs(1.47)).toBe('1.5 ms');
    expect(figureMs(35)).toBe('35.0 ms');
    expect(figurePct(0.2)).toBe('0.20%');
    expect(figure(4.404, 'mos')).toBe('4.40');
    expect(figureCount(1602)).toBe('1,602');
    expect(figureMs(12_345.67)).toBe('12,345.7 ms');
    expect(figureMs(-0.04)).toBe('-0.04 ms');
    expect(figureMs(-0)).toBe('0.0 ms');
  });

  it('prints a missing figure as a dash', () => {
    for (const v of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(figureMs(v)).toBe(MISSING);
      expect(figurePct(v, 1)).toBe(MISSING);
      expect(figureCount(v)).toBe(MISSING);
    }
    expect(MISSING).toBe('–');
  });

  it('never prints a value equal to a threshold it differs from', () => {
    expect(figureMs(99.96, 100)).toBe('99.96 ms');
    expect(figureMs(99.96)).toBe('100.0 ms');
    expect(figureMs(100.04, 100)).toBe('100.04 ms');
    expect(figureMs(100, 100)).toBe('100.0 ms');
    expect(figureMs(49.98, 50)).toBe('49.98 ms');
    expect(figurePct(0.0499, 0.05)).toBe('0.0499%');
    expect(figurePct(0.999, 1)).toBe('0.999%');
    expect(figurePct(0.99, 1)).toBe('0.99%');
  });

  it('never prints a value that is not zero as zero', () => {
    expect(figurePct(0)).toBe('0.00%');
    expect(figurePct(0.004)).toBe('0.004%');
    expect(figurePct(0.0333)).toBe('0.03%');
    expect(figureMs(0.04)).toBe('0.04 ms');
  });

  it('states limits as given', () => {
    expect(limit(100, 'ms')).toBe('< 100 ms');
    expect(limit(67.5, 'ms')).toBe('< 67.5 ms');
    expect(limit(0.05, '%')).toBe('< 0.05%');
  });
});
