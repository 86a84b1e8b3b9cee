/**
 * The impairment proxy's only source of randomness.
 *
 * Generator: sfc32 ("Small Fast Chaotic", 32-bit; Chris Doty-Humphrey, PractRand), 128 bits
 * of state, passes PractRand/BigCrush in its class, and is trivially reproducible in any
 * language. One step:
 *   t = a + b + counter; counter += 1; a = b ^ (b >>> 9); b = c + (c << 3);
 *   c = rotl(c, 21) + t; output t   (all arithmetic mod 2^32)
 *
 * Seeding: a scenario seed (string or number, numbers are formatted with String()) is
 * turned into independent *streams*, one per impairment mechanism and direction, so that
 * what one mechanism draws never shifts another's draws. The state of stream `name` is the
 * first 16 bytes of SHA-256(`${seed}/${name}`) read as four little-endian uint32 (a, b, c,
 * counter); the first 15 outputs are discarded (warm-up). Same seed + same stream name =
 * same sequence, on any machine.
 */
import { createHash } from 'node:crypto';

/** A deterministic source of uniform numbers in [0, 1). */
export interface Random {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
}

const TWO_POW_32 = 4294967296;
const WARM_UP_STEPS = 15;

/** sfc32 generator (see the file comment). */
export class Sfc32 implements Random {
  private a: number;
  private b: number;
  private c: number;
  private counter: number;

  constructor(a: number, b: number, c: number, counter: number) {
    this.a = a >>> 0;
    this.b = b >>> 0;
    this.c = c >>> 0;
    this.counter = counter >>> 0;
    for (let i = 0; i < WARM_UP_STEPS; i++) this.nextUint32();
  }

  /** One raw 32-bit output. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.counter) | 0;
    this.counter = (this.counter + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) + t;
    this.c |= 0;
    return t >>> 0;
  }

  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }
}

/** The seed of a run, as the user gave it. */
export type Seed = string | number;

/** Stream `name` of `seed` (see the file comment for the derivation). */
export function seededStream(seed: Seed, name: string): Sfc32 {
  const digest = createHash('sha256')
    .update(`${String(seed)}/${name}`, 'utf8')
    .digest();
  return new Sfc32(digest.readUInt32LE(0), digest.readUInt32LE(4), digest.readUInt32LE(8), digest.readUInt32LE(12));
}

/** True with probability `p` (one draw, always consumed so streams stay aligned). */
export function bernoulli(random: Random, p: number): boolean {
  return random.next() < p;
}

/** Uniform in [low, high). */
export function uniform(random: Random, low: number, high: number): number {
  return low + (high - low) * random.next();
}

/** Standard normal N(0, 1) by the Box-Muller transform (two draws per call). */
export function standardNormal(random: Random): number {
  // 1 - next() is in (0, 1], so the logarithm is finite.
  const u1 = 1 - random.next();
  const u2 = random.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
