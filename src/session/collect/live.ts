import { jitterStep } from '../../protocol/rfc3550.js';
import { percentile } from '../../analysis/measure/percentile.js';
import type { SentLog } from './sent-log.js';

/** What the page shows while a test runs: figures over the recent past, not the final grade. */
export interface LiveFigures {
  elapsedS: number;
  /** Median round trip over the last two seconds, null before the first echo. */
  rttMs: number | null;
  /** RFC 3550 running jitter estimate of the receiving direction. */
  jitterMs: number | null;
  /** Round-trip loss so far among probes old enough to judge. */
  lossPct: number | null;
  sent: number;
  received: number;
}

/**
 * Running figures, updated packet by packet in O(1) (the full analysis runs at the end).
 * `answered[offset]` is set by the collector when probe `offset` got its answer (an echo, or
 * its arrival in loopback mode); probes older than the loss timeout without one count as lost.
 */
export class LiveMeter {
  private recentRtt: { atMs: number; rttMs: number }[] = [];
  private jitterMs: number | null = null;
  private lastTransitMs: number | null = null;
  /** Probes judged so far, in send order, and how many of them had no answer in time. */
  private judged = 0;
  private judgedLost = 0;

  constructor(
    private readonly sent: SentLog,
    private readonly answered: Uint8Array,
  ) {}

  figures(nowMs: number, startMs: number, lossTimeoutMs: number, received: number): LiveFigures {
    for (let r = this.sent.nthSent(this.judged); r && r.sendMs <= nowMs - lossTimeoutMs; r = this.sent.nthSent(this.judged)) {
      this.judged++;
      if (this.answered[r.seq] === 0) this.judgedLost++;
    }
    return {
      elapsedS: (nowMs - startMs) / 1000,
      rttMs: this.rttMedian(nowMs),
      jitterMs: this.jitterMs,
      lossPct: this.judged > 0 ? (100 * this.judgedLost) / this.judged : null,
      sent: this.sent.sentCount,
      received,
    };
  }

  /** One round-trip sample at local time `atMs`. */
  addRtt(atMs: number, rttMs: number): void {
    this.recentRtt.push({ atMs, rttMs });
  }

  /** RFC 3550 §6.4.1 running estimate over transit times in arrival order (jitterStep; the first arrival has J = 0). */
  addTransit(transitMs: number): void {
    this.jitterMs = this.lastTransitMs === null ? 0 : jitterStep(this.jitterMs ?? 0, transitMs - this.lastTransitMs);
    this.lastTransitMs = transitMs;
  }

  /** Median (nearest rank) round trip over the last `windowMs` before `nowMs`. */
  rttMedian(nowMs: number, windowMs = 2000): number | null {
    this.recentRtt = this.recentRtt.filter((s) => s.atMs >= nowMs - windowMs);
    if (this.recentRtt.length === 0) return null;
    return percentile(
      this.recentRtt.map((s) => s.rttMs),
      50,
    );
  }
}
