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

  it('parses case-insensitively, with or without the hyphen, folding I/L to 1 and O to 0', () => {
    expect(parseResultCode('k7qf-3mzd')).toBe('K7QF-3MZD');
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
    expect(reasonOf(() => parseResultCode('K7QF 3MZD'))).toBe('bad-symbol');
    expect(reasonOf(() => parseResultCode('K7QF-3MZ%'))).toBe('bad-symbol');
    expect(reasonOf(() => parseResultCode('x'.repeat(10_000)))).toBe('bad-length');
  });
});

describe('results store flags', () => {
  it('parses --db as a file or a postgres URL', async () => {
    const { parseDbTarget, ConfigError } = await import('../../src/protocol/defaults.js');
    expect(parseDbTarget('./data/x.db')).toEqual({ kind: 'sqlite', path: './data/x.db' });
    expect(parseDbTarget('postgres://u@h/db')).toEqual({ kind: 'postgres', url: 'postgres://u@h/db' });
    expect(parseDbTarget('postgresql://u@h/db').kind).toBe('postgres');
    expect(() => parseDbTarget('mysql://h/db')).toThrow(ConfigError);
    expect(() => parseDbTarget('  ')).toThrow(ConfigError);
  });

  it('parses --trust-proxy as IPs and CIDRs', async () => {
    const { parseTrustProxy, ConfigError } = await import('../../src/protocol/defaults.js');
    expect(parseTrustProxy('127.0.0.1, 10.0.0.0/8,::1,fd00::/8')).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']);
    expect(() => parseTrustProxy('300.0.0.1')).toThrow(ConfigError);
    expect(() => parseTrustProxy('10.0.0.0/33')).toThrow(ConfigError);
    expect(() => parseTrustProxy('proxy.example')).toThrow(ConfigError);
    expect(() => parseTrustProxy(',')).toThrow(ConfigError);
  });

  it('bounds the admin token and the sampleId', async () => {
    const { parseAdminToken, isSampleId, ConfigError } = await import('../../src/protocol/defaults.js');
    expect(parseAdminToken('a'.repeat(16))).toBe('a'.repeat(16));
    expect(() => parseAdminToken('short')).toThrow(ConfigError);
    expect(() => parseAdminToken(`${'a'.repeat(16)} b`)).toThrow(ConfigError);
    expect(isSampleId('0f8fad5b-d9cb-469f-a165-70867728950e')).toBe(true);
    expect(isSampleId('short')).toBe(false);
    expect(isSampleId('x'.repeat(65))).toBe(false);
    expect(isSampleId('abc def ghi')).toBe(false);
    expect(isSampleId(12345678)).toBe(false);
  });
});
