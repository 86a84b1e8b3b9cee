/**
 * The pacing rule both pacers follow (the page's worker and Node's timer pacer).
 * Drift-free: probe i is due at start + i x interval, never "previous send + interval".
 */

import { PROBE_MAX_LATE_MS } from '../../protocol/defaults.js';

export function dueAt(startMs: number, index: number, intervalMs: number): number {
  return startMs + index * intervalMs;
}

/**
 * Whether a probe `lateMs` past its due time is skipped (and counted): a stalled pacer never
 * sends a long catch-up burst, while shorter hiccups (common at 1000/s on a busy machine)
 * send the probe late, and its actual send time is what gets measured.
 */
export function tooLate(lateMs: number, intervalMs: number): boolean {
  return lateMs > Math.max(intervalMs, PROBE_MAX_LATE_MS);
}
