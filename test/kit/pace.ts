/**
 * Pacing what a test sends on a schedule: item i at start + i × interval, drift-free (a late
 * item goes at once, the next keeps its own moment). This is a sender's clock, like the page's
 * pacer, never a wait for an outcome: to wait for what the sending caused, use ./wait.ts.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as pause } from 'node:timers/promises';

/** Calls `send(i)` for i = 0..n-1, item i at `intervalMs` × i after the first; resolves after the last. */
export async function paced(n: number, intervalMs: number, send: (i: number) => void): Promise<void> {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const wait = start + i * intervalMs - performance.now();
    if (wait > 0) await pause(wait);
    send(i);
  }
}
