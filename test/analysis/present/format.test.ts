import { describe, expect, it } from 'vitest';
import { fixed, ms, num, pct, plural } from '../../../src/analysis/present/format.js';

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
