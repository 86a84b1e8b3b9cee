/**
 * RFC 3550 receiver arithmetic, the only copy, shared by the analysis (src/analysis/measure),
 * the page's live figures and the TURN relay's witness (server/turn/witness): sequence-number
 * extension (§A.1) and one step of the interarrival jitter estimator (§A.8).
 *
 * Sequence-number extension (unwrapping). RFC 3550 §A.1: a receiver keeps an extended sequence number so that a wrap of the N-bit
 * wire field (0xFFFF -> 0 for RTP's 16 bits; 2^32 - 1 -> 0 on callprobe's 32-bit wire) is
 * not mistaken for a jump backwards. Each wire number is placed in the wrap cycle nearest
 * the highest extended number seen so far: a number a little ahead moves forward, a number
 * a little behind (reordered, duplicated) stays behind instead of being flung a whole
 * cycle into the future.
 *
 * Arithmetic is on JS numbers (exact up to 2^53), never on 32-bit bitwise operators, so
 * 32-bit wire numbers extend correctly for about 2^21 wraps.
 */
import { ReasonedError } from './typed-error.js';

/** Typed error for a sequence number or width that cannot be extended. */
export class SequenceError extends ReasonedError<'bad-width' | 'bad-wire-number'> {
  override readonly name = 'SequenceError';
}

function modulus(bits: number): number {
  if (!Number.isInteger(bits) || bits < 2 || bits > 48) {
    throw new SequenceError('bad-width', `sequence width must be an integer in 2..48 bits, got ${String(bits)}`);
  }
  return 2 ** bits;
}

function positiveMod(x: number, m: number): number {
  const r = x % m;
  return r < 0 ? r + m : r;
}

/**
 * RFC 3550 §A.1: extend one wire sequence number of `bits` bits relative to the highest
 * extended number seen so far (`highestExtended`, or null for the first packet, which is
 * placed in cycle 0). Returns the extended number, which may be below `highestExtended`
 * (a late or duplicate packet) or even negative (a packet sent before the first one seen).
 */
export function extendSeq(wireSeq: number, highestExtended: number | null, bits: number): number {
  const m = modulus(bits);
  if (!Number.isInteger(wireSeq) || wireSeq < 0 || wireSeq >= m) {
    throw new SequenceError('bad-wire-number', `wire sequence ${String(wireSeq)} is not an integer in 0..${String(m - 1)}`);
  }
  if (highestExtended === null) return wireSeq;
  const forward = positiveMod(wireSeq - positiveMod(highestExtended, m), m);
  // Less than half a cycle ahead: newer. Otherwise: behind by (m - forward).
  return forward < m / 2 ? highestExtended + forward : highestExtended + forward - m;
}

/** Extend a whole list of wire sequence numbers given in arrival order (RFC 3550 §A.1). */
export function unwrapSequence(wireSeqs: readonly number[], bits: number): number[] {
  const out: number[] = new Array<number>(wireSeqs.length);
  let highest: number | null = null;
  for (let i = 0; i < wireSeqs.length; i++) {
    const ext = extendSeq(wireSeqs[i] ?? Number.NaN, highest, bits);
    out[i] = ext;
    if (highest === null || ext > highest) highest = ext;
  }
  return out;
}

/**
 * One step of the RFC 3550 §6.4.1 / §A.8 estimator, the only copy of it: J (ms) after an
 * arrival whose transit differs by `dMs` from the previous arrival's, D(i-1,i) =
 * (R_i - R_{i-1}) - (S_i - S_{i-1}). J += (|D| - J) / 16; the first arrival has J = 0.
 * Used by the analysis (directionJitter), the live figures (src/session/collect/live.ts) and
 * the relay witness (server/turn/witness).
 */
export function jitterStep(jMs: number, dMs: number): number {
  return jMs + (Math.abs(dMs) - jMs) / 16;
}
