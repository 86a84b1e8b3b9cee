import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CROCKFORD_ALPHABET, encodeResultCode, parseResultCode, RESULT_CODE_BYTES, ResultCodeError, resultCodeValue } from '../../src/protocol/result-code.js';

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ResultCodeError) return err.reason;
    throw err;
  }
  return 'no error';
}

describe('result codes', () => {
  it('encodes 40 bits as 8 Crockford symbols XXXX-XXXX', () => {
    expect(encodeResultCode(new Uint8Array([0, 0, 0, 0, 0]))).toBe('0000-0000');
    expect(encodeResultCode(new Uint8Array([255, 255, 255, 255, 255]))).toBe('ZZZZ-ZZZZ');
    // 0x0000000001 -> last symbol 1; 0x8000000000 -> first symbol value 16 = 'G'.
    expect(encodeResultCode(new Uint8Array([0, 0, 0, 0, 1]))).toBe('0000-0001');
    expect(encodeResultCode(new Uint8Array([0x80, 0, 0, 0, 0]))).toBe('G000-0000');
    expect(CROCKFORD_ALPHABET).not.toMatch(/[ILOU]/);
    expect(CROCKFORD_ALPHABET).toHaveLength(32);
  });

  it('refuses randomness that is not 5 bytes', () => {
    expect(reasonOf(() => encodeResultCode(new Uint8Array(4)))).toBe('bad-random');
    expect(reasonOf(() => encodeResultCode(new Uint8Array(6)))).toBe('bad-random');
  });

  it('round-trips every 40-bit value and keeps its bits', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: RESULT_CODE_BYTES, maxLength: RESULT_CODE_BYTES }), (bytes) => {
        const code = encodeResultCode(bytes);
        expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
        expect(parseResultCode(code)).toBe(code);
        expect(parseResultCode(code.toLowerCase().replace('-', ''))).toBe(code);
        const value = bytes.reduce((v, b) => v * 256 + b, 0);
        expect(resultCodeValue(code)).toBe(value);
      }),
      { seed: 10, numRuns: 500 },
    );
  });

  it('parses case-insensitively, with or without the hyphen, without the spaces of a code read out, folding I/L to 1 and O to 0', () => {
    expect(parseResultCode('k7qf-3mzd')).toBe('K7QF-3MZD');
    expect(parseResultCode('kwbj 5kka')).toBe('KWBJ-5KKA');
    expect(parseResultCode('K7 QF 3M ZD')).toBe('K7QF-3MZD');
    expect(parseResultCode('k7qf - 3mzd')).toBe('K7QF-3MZD');
    expect(parseResultCode('K7QF3MZD')).toBe('K7QF-3MZD');
    expect(parseResultCode('  k7qf3mzd \n')).toBe('K7QF-3MZD');
    expect(parseResultCode('IlO0-oLi1')).toBe('1100-0111');
  });

  it('refuses bad input with a typed reason', () => {
    expect(reasonOf(() => parseResultCode(''))).toBe('bad-length');
    expect(reasonOf(() => parseResultCode('K7QF-3MZ'))).toBe('bad-length');
    expect(reasonOf(() => parseResultCode('K7QF-3MZDD'))).toBe('bad-length');
    expect(reasonOf(() => parseResultCode('K7Q-F3MZD'))).toBe('bad-length');
    expect(reasonOf(() => parseResultCode('K7QF--3MZD'))).toBe('bad-length');
    expect(reasonOf(() => parseResultCode('K7QF-3MZU'))).toBe('bad-symbol');
    expect(reasonOf(() => parseResultCode('K7QF 3MZ'))).toBe('bad-length');
    expect(reasonOf(() => parseResultCode('K7QF_3MZD'))).toBe('bad-symbol');
    expect(reasonOf(() => parseResultCode('K7QF-3MZ%'))).toBe('bad-symbol');
    expect(reasonOf(() => parseResultCode('x'.repeat(10_000)))).toBe('bad-length');
  });
});
