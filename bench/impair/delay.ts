/**
 * Per-packet delay = fixed delay + jitter, never below 0.
 * uniform: delay + U(-a, a); normal: delay + sigma * N(0, 1). A draw below 0 is redrawn
 * (truncation by rejection, so the shape above 0 is kept rather than piling mass at 0).
 * As delay >= 0, each draw is accepted with probability >= 1/2; after 64 rejections (odds
 * 2^-64) the sample is clamped to 0.
 */
import { standardNormal, uniform, type Random } from './prng.js';
import type { Jitter } from './scenario.js';

const MAX_REDRAWS = 64;

export class DelaySampler {
  constructor(
    private readonly delayMs: number,
    private readonly jitter: Jitter | null,
    private readonly random: Random,
  ) {}

  /** Delay for the next packet, ms. */
  sample(): number {
    const jitter = this.jitter;
    if (jitter === null) return this.delayMs;
    for (let i = 0; i < MAX_REDRAWS; i++) {
      const value =
        jitter.kind === 'uniform'
          ? this.delayMs + uniform(this.random, -jitter.amplitudeMs, jitter.amplitudeMs)
          : this.delayMs + jitter.sigmaMs * standardNormal(this.random);
      if (value >= 0) return value;
    }
    return 0;
  }
}
