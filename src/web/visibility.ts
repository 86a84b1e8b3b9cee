import type { SuspectInterval } from '../analysis/measure/records.js';

/**
 * Watches what can corrupt the evidence on this side: the page being hidden (timers and
 * rendering throttled) and long main-thread tasks (late receive timestamps).
 */
export class PageWatch {
  private readonly intervals: SuspectInterval[] = [];
  private hiddenSince: number | null = null;
  private observer: PerformanceObserver | null = null;
  everHidden = false;
  private readonly onVisibility = (): void => {
    const now = performance.now();
    if (document.visibilityState === 'hidden') {
      this.hiddenSince = now;
      this.everHidden = true;
    } else if (this.hiddenSince !== null) {
      this.intervals.push({ startMs: this.hiddenSince, endMs: now, reason: 'page-hidden' });
      this.hiddenSince = null;
    }
  };

  start(): void {
    if (document.visibilityState === 'hidden') {
      this.hiddenSince = performance.now();
      this.everHidden = true;
    }
    document.addEventListener('visibilitychange', this.onVisibility);
    if (PerformanceObserver.supportedEntryTypes?.includes('longtask')) {
      this.observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          // A task over 100 ms delays receive timestamps enough to look like network jitter.
          if (e.duration >= 100) this.intervals.push({ startMs: e.startTime, endMs: e.startTime + e.duration, reason: 'receiver-stall' });
        }
      });
      this.observer.observe({ type: 'longtask', buffered: false });
    }
  }

  /** The suspect intervals so far, a hidden spell still running up to now. */
  peek(): SuspectInterval[] {
    const open = this.hiddenSince === null ? [] : [{ startMs: this.hiddenSince, endMs: performance.now(), reason: 'page-hidden' as const }];
    return [...this.intervals, ...open];
  }

  /** Stops watching; returns the suspect intervals on the page clock. */
  stop(): SuspectInterval[] {
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.observer?.disconnect();
    if (this.hiddenSince !== null) {
      this.intervals.push({ startMs: this.hiddenSince, endMs: performance.now(), reason: 'page-hidden' });
      this.hiddenSince = null;
    }
    return this.intervals.slice();
  }
}
