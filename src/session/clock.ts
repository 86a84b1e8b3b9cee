import type { ClockFacts } from '../analysis/schema/input.js';
import { clockResolutionMs } from '../analysis/measure/clock.js';

/**
 * Reads the page's clock in a tight loop until it has stepped `steps` times (or `budgetMs`
 * passed), for src/analysis/measure/clock.ts: the readings at each step, deduplicated.
 */
function clockReadings(now: () => number, steps = 16, budgetMs = 20): number[] {
  const first = now();
  const out = [first];
  let last = first;
  while (out.length <= steps) {
    const t = now();
    if (t - first > budgetMs) break;
    if (t !== last) {
      out.push(t);
      last = t;
    }
  }
  return out;
}

/** The clock this session reads every probe time from: its step, and whether the page is cross-origin isolated. */
export function clockFacts(): ClockFacts {
  const isolated = (globalThis as { crossOriginIsolated?: unknown }).crossOriginIsolated;
  return {
    resolutionMs: clockResolutionMs(clockReadings(() => performance.now())),
    crossOriginIsolated: typeof isolated === 'boolean' ? isolated : null,
  };
}
