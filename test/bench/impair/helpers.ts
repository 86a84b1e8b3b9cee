/** Test helpers for the impairment proxy: settings builder and a reference jitter. */
import { normalizeDirection, type DirectionScenario, type DirectionSettings } from '../../../bench/impair/scenario.js';

/** Normalized settings of one direction from a partial scenario. */
export function settings(direction: DirectionScenario): DirectionSettings {
  return normalizeDirection({ up: direction }, 'up');
}

/**
 * Reference RFC 3550 §6.4.1 interarrival jitter over transit times (ms), in arrival order:
 * D = transit(i) - transit(i-1); J += (|D| - J) / 16. Local to the tests on purpose: the
 * product's own function is what the proxy is handed in production.
 */
export function referenceJitterMs(transitMs: number[]): number {
  let jitter = 0;
  for (let i = 1; i < transitMs.length; i++) {
    const d = (transitMs[i] ?? 0) - (transitMs[i - 1] ?? 0);
    jitter += (Math.abs(d) - jitter) / 16;
  }
  return jitter;
}

/** Binomial mean +- k standard deviations. */
export function binomialBounds(n: number, p: number, k = 5): [number, number] {
  const sd = Math.sqrt(n * p * (1 - p));
  return [n * p - k * sd, n * p + k * sd];
}
