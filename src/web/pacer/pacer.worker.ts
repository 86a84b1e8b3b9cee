/**
 * Pacing worker: emits one tick per probe on a drift-free schedule (tick i is due at
 * start + i * interval, never "previous tick + interval"). Worker timers are not throttled
 * when the page is hidden, unlike the page's own. With cross-origin isolation, Atomics.wait
 * gives sub-millisecond waits (worker setTimeout clamps to ~4 ms); without it, setTimeout.
 *
 * Late ticks follow the rule in schedule.ts (tooLate): skipped and counted.
 */
import type { PacerStart, PacerToPage } from './messages.js';
import { dueAt, tooLate } from '../../session/pacer/schedule.js';

const post = (msg: PacerToPage): void => {
  (self as unknown as { postMessage(m: PacerToPage): void }).postMessage(msg);
};

const epochNow = (): number => performance.timeOrigin + performance.now();

const sleepTimeout = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function run(start: PacerStart): Promise<void> {
  const { intervalMs, count, startDelayMs, stopFlag } = start;
  const startAtEpochMs = epochNow() + startDelayMs;
  const useAtomics = stopFlag !== null && typeof Atomics.wait === 'function';
  let missedTicks = 0;
  let missedSinceLast = 0;
  for (let i = 0; i < count; i++) {
    if (stopFlag && Atomics.load(stopFlag, 0) !== 0) break;
    const due = dueAt(startAtEpochMs, i, intervalMs);
    let wait = due - epochNow();
    if (tooLate(-wait, intervalMs)) {
      missedTicks++;
      missedSinceLast++;
      continue;
    }
    while (wait > 0) {
      if (useAtomics && stopFlag) {
        // Wakes early if the page stores 1 and notifies.
        Atomics.wait(stopFlag, 0, 0, wait);
        if (Atomics.load(stopFlag, 0) !== 0) break;
      } else {
        // setTimeout overshoots; wake up to 2 ms early and finish with a short yield loop.
        await sleepTimeout(wait > 3 ? wait - 2 : 0);
      }
      wait = due - epochNow();
    }
    post({ type: 'tick', index: i, scheduledEpochMs: due, missedBefore: missedSinceLast });
    missedSinceLast = 0;
  }
  post({ type: 'done', method: useAtomics ? 'atomics' : 'timeout', missedTicks });
}

self.onmessage = (ev: MessageEvent<PacerStart>) => {
  if (ev.data.type === 'start') void run(ev.data);
};
