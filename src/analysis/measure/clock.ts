/**
 * The resolution of the clock every probe time is read from (`performance.now()`). Browsers
 * coarsen it against timing attacks (W3C High Resolution Time §7.1, "Clock resolution"):
 * 5 µs in a cross-origin isolated Chromium page and 100 µs otherwise; Firefox 20 µs isolated
 * and 1 ms otherwise; Safari 1 ms without isolation. A time difference read from such a clock
 * is uncertain by up to one step, so a delay figure within one step of its limit cannot be
 * told apart from it (src/analysis/grade/grade.ts).
 *
 * Pure: the readings are taken by the session (src/session/clock.ts) and handed in.
 */
import { percentile } from './percentile.js';

/**
 * The clock's step from successive readings taken in a tight loop: the median of the positive
 * differences between neighbours (a coarsened clock steps by its resolution; the median is
 * robust to a reading taken across a preemption or a jittered step). Null with fewer than
 * two positive steps.
 */
export function clockResolutionMs(readings: readonly number[]): number | null {
  const steps: number[] = [];
  for (let i = 1; i < readings.length; i++) {
    const d = (readings[i] ?? 0) - (readings[i - 1] ?? 0);
    if (d > 0 && Number.isFinite(d)) steps.push(d);
  }
  return steps.length < 2 ? null : percentile(steps, 50);
}
