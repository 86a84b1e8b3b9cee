/**
 * How late a process's event loop runs. One sampler per process: a timer that notes, each time it fires, how much later than due it ran (the loop was busy that long: a
 * packet or a request arriving then waited as long). It fires every `busyPeriodMs` while the
 * process has work (a test open) and every `idlePeriodMs` otherwise: an idle server wakes a few
 * times a second, not a hundred, and a stall while idle is still seen (a stall that covers a due
 * time is counted whole from that due time; a shorter one between two idle ticks is not seen).
 * On the native data path the timer is the relay's UDP addon's (`startNativeLoopSampler`), which
 * hands its ticks to JavaScript in batches; `startLoopSampler` is the same on a JavaScript timer:
 * the portable data path's, and the tests' on an injected clock (`loopSamplerOn` picks).
 *
 * For /metrics each process reads its lateness over fixed windows of `windowS` seconds
 * (`LoopDelayWindow`: p50, p99 and max of its ticks); every process of `serve` reports one (the
 * HTTP process, the data plane), each with its own `process` label.
 */
import { createHistogram, performance, type RecordableHistogram } from 'node:perf_hooks';
import type { Registry } from 'prom-client';
import type { DataPath } from './common/data-plane.js';
import { CONSTANTS } from '../src/protocol/defaults.js';
import { NativeLoopTicks } from './turn/transport/native-udp.js';
import { readGauge } from './metrics/registry.js';

/** How late a process's event loop ran (a timer's lateness) over its last complete window. */
export interface LoopDelayReading {
  windowS: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Samples in the window (0: none yet). */
  samples: number;
}

/**
 * How late a timer armed for `periodMs` at `prevMs` fired at `nowMs` (never below 0); null when
 * there is no previous tick or the clock ran back.
 */
export function lateByMs(prevMs: number | null, nowMs: number, periodMs: number): number | null {
  if (prevMs === null || nowMs < prevMs) return null;
  return Math.max(0, nowMs - prevMs - periodMs);
}

export interface LoopSamplerOptions {
  busyPeriodMs: number;
  idlePeriodMs: number;
  /** Whether the process has work now (read at each tick: the next period follows it). */
  busy(): boolean;
  /**
   * Each tick: when it fired, and how late (the first tick only starts the count: null); and,
   * when `datagramWaits` gives one, the datagrams' longest wait since the last tick: a late
   * stretch that ended at `nowMs` (when that datagram's handler ran), `lateMs` long.
   */
  onTick(nowMs: number, lateMs: number | null): void;
  /**
   * The longest wait of a datagram since it was last asked (the relay's sockets: from the
   * kernel's receive time to its handler's call), or null when none came: read at each tick.
   * A datagram that arrived in a stall measures it from its own arrival; the timer sees it from
   * its next due time, up to one period later.
   */
  datagramWaits?: () => { worstMs: number; atMs: number } | null;
  /** The clock (default: the monotonic one). */
  nowMs?: () => number;
  /** Runs `fire` once after `ms`; returns its cancel (default: an unref'd setTimeout). */
  after?: (ms: number, fire: () => void) => () => void;
}

function unrefTimeout(ms: number, fire: () => void): () => void {
  const t = setTimeout(fire, ms);
  t.unref();
  return () => clearTimeout(t);
}

/** A running sampler. */
export interface LoopSampler {
  /** Hands every tick noted so far to `onTick` (the addon's sampler hands them over in batches: call it before reading what they feed). */
  flush(): void;
  stop(): void;
}

/** The sampler on a JavaScript timer, armed again at each tick for the period `busy()` asks; stop() ends it. */
export function startLoopSampler(o: LoopSamplerOptions): LoopSampler {
  const now = o.nowMs ?? (() => performance.now());
  const after = o.after ?? unrefTimeout;
  let cancel: (() => void) | null = null;
  let prevMs = now();
  const arm = (): void => {
    const periodMs = o.busy() ? o.busyPeriodMs : o.idlePeriodMs;
    cancel = after(periodMs, () => {
      const wait = o.datagramWaits?.() ?? null;
      if (wait !== null) o.onTick(wait.atMs, wait.worstMs);
      const nowMs = now();
      o.onTick(nowMs, lateByMs(prevMs, nowMs, periodMs));
      prevMs = nowMs;
      arm();
    });
  };
  o.onTick(prevMs, null);
  arm();
  return {
    flush: () => undefined,
    stop: () => {
      cancel?.();
      cancel = null;
    },
  };
}

/** What a sampler is started with, whichever clock it ticks on (startLoopSampler's form without its injected timer and waits). */
export type LoopTickOptions = Pick<LoopSamplerOptions, 'busyPeriodMs' | 'idlePeriodMs' | 'busy' | 'onTick'>;

/** Starts a sampler (startNativeLoopSampler, or startLoopSampler on the portable data path or in a test). */
export type StartLoopSampler = (o: LoopTickOptions) => LoopSampler;

/**
 * The sampler on the relay's UDP addon (../turn/transport/native-udp.ts NativeLoopTicks): the same
 * ticks as startLoopSampler's, from a libuv timer with no JavaScript call per tick; they reach
 * `onTick` every CONSTANTS.serverLoop.handOverMs while busy (at each tick while idle), and at once
 * on `flush()`. `withWaits`: each tick also counts the longest wait of a datagram this thread's
 * relay read since the last (LoopSamplerOptions.datagramWaits). Why: at 100 ticks a second
 * while a test is open, the JavaScript timer's own machinery cost more than what each tick notes.
 */
export function startNativeLoopSampler(o: LoopTickOptions, withWaits = false): LoopSampler {
  const ticks = new NativeLoopTicks({
    busyPeriodMs: o.busyPeriodMs,
    idlePeriodMs: o.idlePeriodMs,
    batchTicks: Math.max(1, Math.round(CONSTANTS.serverLoop.handOverMs / o.busyPeriodMs)),
    busy: o.busy,
    withWaits,
    onTick: o.onTick,
  });
  o.onTick(performance.now(), null);
  return { flush: () => ticks.flush(), stop: () => ticks.stop() };
}

/**
 * A process's sampler on data path `path`: on `native` the UDP addon's, counting the datagrams'
 * waits when the process's relay reads them (`datagramWaits`: null with no relay here); on
 * `portable` the JavaScript timer (the relay's dgram sockets note no receive time: no waits).
 */
export function loopSamplerOn(path: DataPath, datagramWaits: LoopSamplerOptions['datagramWaits'] | null = null): StartLoopSampler {
  if (path === 'portable') return (o) => startLoopSampler({ ...o, ...(datagramWaits ? { datagramWaits } : {}) });
  return (o) => startNativeLoopSampler(o, datagramWaits !== null);
}

const US_PER_MS = 1000;

/** The window /metrics reads each process's lateness over (s). */
const WINDOW_S = 30;

/** The figures of one window: the histogram holds each tick's lateness in µs, plus 1 (it records nothing below 1). */
function readingOf(h: RecordableHistogram, windowS: number): LoopDelayReading {
  if (h.count === 0) return { windowS, p50Ms: 0, p99Ms: 0, maxMs: 0, samples: 0 };
  const ms = (us: number): number => Math.max(0, us - 1) / US_PER_MS;
  return { windowS, p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max), samples: h.count };
}

/**
 * Ticks' lateness over fixed windows of `windowS` seconds of the clock `nowMs`: the reading is
 * the last complete window, or the one under way before the first completes (a window with no
 * tick reads as 0 samples).
 */
export class LoopDelayWindow {
  private readonly histogram = createHistogram();
  private window: number;
  private last: LoopDelayReading | null = null;

  constructor(
    private readonly nowMs: () => number,
    private readonly windowS: number = WINDOW_S,
  ) {
    this.window = this.windowAt(nowMs());
  }

  private windowAt(ms: number): number {
    return Math.floor(ms / (this.windowS * 1000));
  }

  /** Ends the window under way when `atMs` (default: the clock) has left it. */
  private roll(atMs: number = this.nowMs()): void {
    const w = this.windowAt(atMs);
    if (w <= this.window) return;
    // A window that ended with no tick after the one under way reads as empty.
    this.last = w === this.window + 1 ? readingOf(this.histogram, this.windowS) : readingOf(createHistogram(), this.windowS);
    this.histogram.reset();
    this.window = w;
  }

  /** The lateness of a tick at `atMs` (ticks come in time order, at most a hand-over after they fired), in ms (rounded to the µs). */
  record(atMs: number, lateMs: number): void {
    this.roll(atMs);
    this.histogram.record(Math.round(lateMs * US_PER_MS) + 1);
  }

  reading(): LoopDelayReading {
    this.roll();
    return this.last ?? readingOf(this.histogram, this.windowS);
  }
}

/**
 * This process's lateness for /metrics, on a sampler of its own; `busy` says when the process has
 * work, and the sampler then ticks every `busyPeriodMs`. `start`: the sampler (`loopSamplerOn`
 * the server's data path).
 */
export class LoopDelayMonitor {
  private readonly window = new LoopDelayWindow(() => performance.now());
  private readonly sampler: LoopSampler;

  constructor(busy: () => boolean, busyPeriodMs: number, start: StartLoopSampler) {
    this.sampler = start({
      busyPeriodMs,
      idlePeriodMs: CONSTANTS.serverLoop.idlePeriodMs,
      busy,
      onTick: (nowMs, lateMs) => {
        if (lateMs !== null) this.window.record(nowMs, lateMs);
      },
    });
  }

  /** The last complete window's figures (before the first: the window so far). */
  reading(): LoopDelayReading {
    this.sampler.flush();
    return this.window.reading();
  }

  stop(): void {
    this.sampler.stop();
  }
}

/** ms as seconds, to the µs (no float noise in the text). */
const seconds = (ms: number): number => Math.round(ms * 1000) / 1e6;

/**
 * This process's reading in `registry`, labelled `process` (`http`, `dataplane`): the HTTP
 * process's and the data plane's are one family.
 */
export function registerLoopDelay(registry: Registry, name: 'http' | 'dataplane', reading: () => LoopDelayReading): void {
  readGauge(registry, {
    name: 'callprobe_event_loop_delay_seconds',
    help: "How late each process's event loop ran over its last window (a timer's lateness, every 10 ms while a test is open (the HTTP process beside a data plane of its own: 50 ms), 200 ms otherwise), by quantile.",
    labelNames: ['process', 'quantile'],
    read: () => {
      const r = reading();
      return [
        [{ process: name, quantile: '0.5' }, seconds(r.p50Ms)],
        [{ process: name, quantile: '0.99' }, seconds(r.p99Ms)],
        [{ process: name, quantile: '1' }, seconds(r.maxMs)],
      ];
    },
  });
  readGauge(registry, {
    name: 'callprobe_event_loop_delay_window_seconds',
    help: "The window each process's event-loop delay is read over.",
    labelNames: ['process'],
    read: () => [[{ process: name }, reading().windowS]],
  });
}
