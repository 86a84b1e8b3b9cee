/**
 * The server's event-loop lateness: a timer every `periodMs` while a test is open (every
 * `idlePeriodMs` otherwise: ../loop-delay.ts) notes how late it fired (the
 * loop was busy that long: a probe or an ICE check arriving then waited as long before the relay
 * or the reflector read it). At each tick the longest wait of a datagram the relay read since the
 * last (from the kernel's receive time to its handler's call) counts too, when the relay's
 * sockets give it: a probe that arrived in a stall measures it from its own arrival, where the
 * timer may have been due up to one period after the stall began. The worst lateness per `binMs`
 * of the server's clock is kept in a ring of the last `bins` bins. Each reflector session sends
 * the bins of its own span in its `final` (wire.ts ServerLoopReading), so the page can tell the
 * server's time from the line's.
 *
 * Cheap: on the native data path the timer is the relay's UDP addon's (../loop-delay.ts
 * `startNativeLoopSampler`; the portable path's is a JavaScript timer, `loopSamplerOn`): no
 * JavaScript per tick, a tick taken in any turn the loop makes anyway half a period or more after
 * the last (on time when the loop was waiting in its poll at the due time; the timer, armed half a
 * period past it, then wakes the loop only when nothing else did), its ticks handed over ten
 * times a second while a test is open (at each tick, 5 a second, when idle), a few array writes
 * each; three Float64Arrays of `bins` slots (86 KB at the defaults); the timer never keeps the
 * process alive.
 */
import { CONSTANTS } from '../../src/protocol/defaults.js';
import type { ServerLoopReading } from '../../src/protocol/wire.js';
import { lateByMs, startNativeLoopSampler, type StartLoopSampler } from '../loop-delay.js';

export interface LoopLatenessOptions {
  periodMs: number;
  /** The timer's period while no test is open (startLoopLateness). */
  idlePeriodMs: number;
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

  constructor(private readonly o: LoopLatenessOptions = CONSTANTS.serverLoop) {
    this.binOf = new Float64Array(o.bins).fill(-1);
    this.lateMs = new Float64Array(o.bins);
    this.startMs = new Float64Array(o.bins);
  }

  /**
   * The timer fired at `nowMs`: it was due `periodMs` (the period it was armed with) after the
   * previous tick, and is late by the rest (never below 0). The late stretch ran from when it
   * was due to `nowMs`, and is counted in the bin of `nowMs` (a stall longer than a bin shows
   * whole in the bin it ended in). The first tick only starts the count.
   */
  tick(nowMs: number, periodMs: number = this.o.periodMs): void {
    const late = lateByMs(this.prevMs, nowMs, periodMs);
    this.prevMs = nowMs;
    this.record(nowMs, late);
  }

  /** A tick at `nowMs` late by `lateMs` (null: none to count), as a sampler that keeps its own count measured it. */
  record(nowMs: number, lateMs: number | null): void {
    if (lateMs === null) return;
    const bin = Math.floor(nowMs / this.o.binMs);
    const slot = bin % this.o.bins;
    if (this.binOf[slot] !== bin) {
      this.binOf[slot] = bin;
      this.lateMs[slot] = lateMs;
      this.startMs[slot] = nowMs - lateMs;
    } else if (lateMs > (this.lateMs[slot] ?? 0)) {
      this.lateMs[slot] = lateMs;
      this.startMs[slot] = nowMs - lateMs;
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

/** A running lateness sampler: its bins over a span (every tick noted so far handed over first), and its stop. */
export interface RunningLoopLateness {
  between(fromMs: number, toMs: number): ServerLoopReading;
  stop(): void;
}

/**
 * The sampler (`start`, default the addon's: ../loop-delay.ts startNativeLoopSampler, without the
 * datagrams' waits) on the monotonic clock the reflector stamps with: every `periodMs` while
 * `busy()` (a test open), every `idlePeriodMs` otherwise. `onLate` hears each tick's time and
 * lateness too (the process's /metrics window), in time order, at most a hand-over after it fired:
 * `flush` hands over what is noted (before that window is read).
 */
export function startLoopLateness(
  o: LoopLatenessOptions = CONSTANTS.serverLoop,
  busy: () => boolean = () => true,
  onLate: (atMs: number, lateMs: number) => void = () => undefined,
  start: StartLoopSampler = (t) => startNativeLoopSampler(t),
): RunningLoopLateness & { flush(): void } {
  const lateness = new LoopLateness(o);
  const sampler = start({
    busyPeriodMs: o.periodMs,
    idlePeriodMs: o.idlePeriodMs,
    busy,
    onTick: (nowMs, lateMs) => {
      lateness.record(nowMs, lateMs);
      if (lateMs !== null) onLate(nowMs, lateMs);
    },
  });
  return {
    between: (fromMs, toMs) => {
      sampler.flush();
      return lateness.between(fromMs, toMs);
    },
    flush: () => sampler.flush(),
    stop: () => sampler.stop(),
  };
}
