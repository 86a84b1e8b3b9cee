/**
 * The server's event-loop lateness: a timer every `periodMs` notes how late it fired (the loop
 * was busy that long: a probe or an ICE check arriving then waited as long before the relay or
 * the reflector read it), and the worst lateness per `binMs` of the server's clock is kept in a
 * ring of the last `bins` bins. Each reflector session sends the bins of its own span in its
 * `final` (wire.ts ServerLoopReading), so the page can tell the server's time from the line's.
 *
 * Cheap: one callback per period (50 a second) doing a few array writes; three Float64Arrays of
 * `bins` slots (86 KB at the defaults); the timer is unref'd and never keeps the process alive.
 */
import { performance } from 'node:perf_hooks';
import { DEFAULTS } from '../../src/protocol/defaults.js';
import type { ServerLoopReading } from '../../src/protocol/wire.js';

export interface LoopLatenessOptions {
  periodMs: number;
  binMs: number;
  bins: number;
}

/** Rounded to 0.1 ms: the report needs no finer, and the `final` stays small. */
function tenth(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Sans-IO: ticks with their times in, bins out. No timer, no clock of its own. */
export class LoopLateness {
  private prevMs: number | null = null;
  /** The bin number each slot holds (-1: none yet); its worst lateness and when that began. */
  private readonly binOf: Float64Array;
  private readonly lateMs: Float64Array;
  private readonly startMs: Float64Array;

  constructor(private readonly o: LoopLatenessOptions = DEFAULTS.serverLoop) {
    this.binOf = new Float64Array(o.bins).fill(-1);
    this.lateMs = new Float64Array(o.bins);
    this.startMs = new Float64Array(o.bins);
  }

  /**
   * The timer fired at `nowMs`: it was due one period after the previous tick, and is late by
   * the rest (never below 0). The late stretch ran from when it was due to `nowMs`, and is
   * counted in the bin of `nowMs` (a stall longer than a bin shows whole in the bin it ended in).
   * The first tick only starts the count.
   */
  tick(nowMs: number): void {
    const prev = this.prevMs;
    this.prevMs = nowMs;
    if (prev === null || nowMs < prev) return;
    const late = Math.max(0, nowMs - prev - this.o.periodMs);
    const bin = Math.floor(nowMs / this.o.binMs);
    const slot = bin % this.o.bins;
    if (this.binOf[slot] !== bin) {
      this.binOf[slot] = bin;
      this.lateMs[slot] = late;
      this.startMs[slot] = nowMs - late;
    } else if (late > (this.lateMs[slot] ?? 0)) {
      this.lateMs[slot] = late;
      this.startMs[slot] = nowMs - late;
    }
  }

  /**
   * The bins from the one holding `fromMs` to the one holding `toMs` that are still in the ring
   * and saw a tick, in time order: at most `bins` of them.
   */
  between(fromMs: number, toMs: number): ServerLoopReading {
    const bins: Array<[number, number]> = [];
    const last = Math.floor(toMs / this.o.binMs);
    const first = Math.max(Math.floor(fromMs / this.o.binMs), last - this.o.bins + 1);
    for (let bin = first; bin <= last; bin++) {
      if (bin < 0) continue;
      const slot = bin % this.o.bins;
      if (this.binOf[slot] === bin) bins.push([tenth(this.startMs[slot] ?? 0), tenth(this.lateMs[slot] ?? 0)]);
    }
    return { binMs: this.o.binMs, bins };
  }
}

/** The sampler on a timer (unref'd) and the monotonic clock the reflector stamps with; stop() ends it. */
export function startLoopLateness(o: LoopLatenessOptions = DEFAULTS.serverLoop): { lateness: LoopLateness; stop(): void } {
  const lateness = new LoopLateness(o);
  lateness.tick(performance.now());
  const timer = setInterval(() => lateness.tick(performance.now()), o.periodMs);
  timer.unref();
  return { lateness, stop: () => clearInterval(timer) };
}
