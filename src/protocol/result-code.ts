/**
 * Result codes: what a user reads out to a help desk. 40 random bits written as 8
 * symbols of Crockford's base32 (https://www.crockford.com/base32.html: no I, L, O, U, so no
 * look-alikes), shown as `XXXX-XXXX`. Parsing is lenient the way Crockford asks: any case,
 * with or without the hyphen, I and L read as 1, O as 0. Pure: the randomness is passed in.
 */
import { TypedError } from './typed-error.js';

/** Crockford's base32 symbols, value order. */
export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** A code in its canonical form `XXXX-XXXX`, as a JSON Schema pattern (what the store writes). */
export const RESULT_CODE_PATTERN = '^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$';
/** Random bits in one code: 8 symbols x 5 bits. */
const RESULT_CODE_BITS = 40;
/** Random bytes `encodeResultCode` takes (40 bits). */
export const RESULT_CODE_BYTES = RESULT_CODE_BITS / 8;
/** Symbols in one code, hyphen excluded. */
const RESULT_CODE_SYMBOLS = RESULT_CODE_BITS / 5;

export type ResultCodeErrorReason = 'bad-length' | 'bad-symbol' | 'bad-random';

/** Typed error: the text is not a result code (or the randomness given is not 5 bytes). */
export class ResultCodeError extends TypedError<ResultCodeErrorReason> {
  override readonly name = 'ResultCodeError';
}

/** Encodes exactly 5 random bytes as a code `XXXX-XXXX` (big-endian, 5 bits per symbol). */
export function encodeResultCode(random: Uint8Array): string {
  if (random.length !== RESULT_CODE_BYTES)
    throw new ResultCodeError('bad-random', `a result code takes ${RESULT_CODE_BYTES} random bytes, not ${random.length}`);
  // 40 bits fit a double exactly (53-bit mantissa).
  let value = 0;
  for (const b of random) value = value * 256 + b;
  let symbols = '';
  for (let i = RESULT_CODE_SYMBOLS - 1; i >= 0; i--) {
    const digit = Math.floor(value / 2 ** (5 * i)) % 32;
    symbols += CROCKFORD_ALPHABET[digit];
  }
  return formatSymbols(symbols);
}

function formatSymbols(symbols: string): string {
  return `${symbols.slice(0, 4)}-${symbols.slice(4)}`;
}

const FOLD: Readonly<Record<string, string>> = { I: '1', L: '1', O: '0' };

/**
 * Parses a code as a user may type it or read it out (`k7qf3mzd`, `K7QF-3MZD`, ` k7qf-3mzd `,
 * `k7qf 3mzd`, `K7QF-3MZO`) into its canonical form `XXXX-XXXX`: spaces anywhere are dropped,
 * case folded, I and L read as 1, O as 0; throws ResultCodeError with what is wrong.
 */
export function parseResultCode(text: string): string {
  const trimmed = text.trim();
  const m = /^([0-9A-Za-z]{4})-?([0-9A-Za-z]{4})$/.exec(trimmed.replace(/\s+/g, ''));
  if (!m) {
    const shown = trimmed.length > 20 ? `${trimmed.slice(0, 20)}...` : trimmed;
    if (/^[0-9A-Za-z\s-]*$/.test(trimmed))
      throw new ResultCodeError('bad-length', `a result code is ${RESULT_CODE_SYMBOLS} symbols, as XXXX-XXXX, not "${shown}"`);
    throw new ResultCodeError('bad-symbol', `a result code has only letters and digits (XXXX-XXXX), not "${shown}"`);
  }
  let symbols = '';
  for (const c of `${m[1]}${m[2]}`.toUpperCase()) {
    const s = FOLD[c] ?? c;
    if (!CROCKFORD_ALPHABET.includes(s)) throw new ResultCodeError('bad-symbol', `"${c}" is not a result code symbol (U is never used)`);
    symbols += s;
  }
  return formatSymbols(symbols);
}

/** The 40-bit value of a canonical or typed code (for tests and collision arithmetic). */
export function resultCodeValue(text: string): number {
  let value = 0;
  for (const c of parseResultCode(text).replace('-', '')) value = value * 32 + CROCKFORD_ALPHABET.indexOf(c);
  return value;
}
