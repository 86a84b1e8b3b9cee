import { describe, expect, it } from 'vitest';
import {
  figure,
  figureValue,
  figureCount,
  figureMs,
  figurePct,
  fixed,
  limit,
  MISSING,
  ms,
  num,
  numValue,
  pct,
  plural,
  portSpan,
  spanWords,
} from '../../../src/analysis/present/format.js';

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

describe('figure values (a spreadsheet cell)', () => {
  it('round to the decimals the figure prints, widened the same way, with no separator', () => {
    expect(figureValue(1.2998219998298737, '%')).toBe(1.3);
    expect(figureValue(99.96, 'ms', 100)).toBe(99.96);
    expect(figureValue(99.96, 'ms')).toBe(100);
    expect(figureValue(0.0049, '%')).toBe(0.005);
    expect(figureValue(12_345.67, 'ms')).toBe(12_345.7);
    expect(figureValue(1499.6, 'count')).toBe(1500);
    expect(figureValue(-0.04, 'ms')).toBe(-0.04);
    expect(figureValue(-0.00001, 'ms', 0)).toBe(-0.00001);
    expect(figureValue(null, '%')).toBeNull();
    expect(figureValue(Number.NaN, '%')).toBeNull();
  });

  it('and a prose number (goodput) to what the sentence prints', () => {
    expect(numValue(42.123)).toBe(42.1);
    expect(numValue(143.4)).toBe(143);
    expect(numValue(1234.5)).toBe(1235);
    expect(numValue(0.0671)).toBe(0.067);
    expect(num(1234.5)).toBe('1,235');
  });
});

describe('ports as a person lists them', () => {
  it('spans a run of three or more, lists the rest, each port once', () => {
    expect(portSpan([3481, 3478, 3480, 3479])).toBe('3478-3481');
    expect(portSpan([3478, 3479])).toBe('3478 and 3479');
    expect(portSpan([3478, 3479, 3481])).toBe('3478, 3479 and 3481');
    expect(portSpan([3478, 3479, 3480, 5349, 3478])).toBe('3478-3480 and 5349');
    expect(portSpan([443])).toBe('443');
    expect(portSpan([])).toBe('');
  });
});

describe('a span of time in words', () => {
  it('says minutes under an hour, hours under a day, days beyond: never a thousandth of a day', () => {
    expect(spanWords(8.8 * 60_000)).toBe('9 minutes');
    expect(spanWords(60_000)).toBe('1 minute');
    expect(spanWords(0)).toBe('0 minutes');
    expect(spanWords(3_600_000)).toBe('1 hour');
    expect(spanWords(590 * 60_000)).toBe('9.8 hours');
    expect(spanWords(86_400_000)).toBe('1 day');
    expect(spanWords(3.5 * 86_400_000)).toBe('3.5 days');
  });
});
