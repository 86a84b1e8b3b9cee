/**
 * How late a process's event loop runs, for /metrics: Node's own sampler
 * (perf_hooks.monitorEventLoopDelay, a native timer every `resolutionMs` that records how late
 * it fired, no JavaScript per sample), read over fixed windows of `windowS` seconds. Every
 * process of `serve` runs one (the HTTP process, the data plane, the busy-line sink), each
 * exposed with its own `process` label.
 *
 * The histogram records the whole interval between two firings; what the loop owed is that
 * minus the resolution (never below 0). The reading is the last complete window, or the one
 * under way before the first completes.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { LoopDelayReading } from '../src/protocol/data-plane.js';

const NS_PER_MS = 1e6;

/** The figures of one window of `h`, in ms, with the resolution taken off. */
function readingOf(h: IntervalHistogram, resolutionMs: number, windowS: number): LoopDelayReading {
  if (h.count === 0) return { windowS, p50Ms: 0, p99Ms: 0, maxMs: 0, samples: 0 };
  const late = (ns: number): number => Math.round(Math.max(0, ns / NS_PER_MS - resolutionMs) * 1000) / 1000;
  return { windowS, p50Ms: late(h.percentile(50)), p99Ms: late(h.percentile(99)), maxMs: late(h.max), samples: h.count };
}

export class LoopDelayMonitor {
  private readonly histogram: IntervalHistogram;
  private last: LoopDelayReading | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly windowS = 30,
    private readonly resolutionMs = 10,
  ) {
    this.histogram = monitorEventLoopDelay({ resolution: resolutionMs });
    this.histogram.enable();
    this.timer = setInterval(() => {
      this.last = readingOf(this.histogram, this.resolutionMs, this.windowS);
      this.histogram.reset();
    }, windowS * 1000);
    this.timer.unref();
  }

  /** The last complete window's figures (before the first: the window so far). */
  reading(): LoopDelayReading {
    return this.last ?? readingOf(this.histogram, this.resolutionMs, this.windowS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}

/** ms as seconds, to the µs (no float noise in the text). */
const seconds = (ms: number): number => Math.round(ms * 1000) / 1e6;

/** The Prometheus text of each process's reading, labelled by process (`http`, `dataplane`, `sink`). */
export function loopDelayMetrics(readings: ReadonlyArray<readonly [process: string, reading: LoopDelayReading | null]>): string {
  const head =
    "# HELP callprobe_event_loop_delay_seconds How late each process's event loop ran over its last window (perf_hooks.monitorEventLoopDelay), by quantile.\n" +
    '# TYPE callprobe_event_loop_delay_seconds gauge\n';
  const lines = readings.flatMap(([p, r]) =>
    r === null
      ? []
      : [
          `callprobe_event_loop_delay_seconds{process="${p}",quantile="0.5"} ${seconds(r.p50Ms)}\n`,
          `callprobe_event_loop_delay_seconds{process="${p}",quantile="0.99"} ${seconds(r.p99Ms)}\n`,
          `callprobe_event_loop_delay_seconds{process="${p}",quantile="1"} ${seconds(r.maxMs)}\n`,
        ],
  );
  const windows = readings.flatMap(([p, r]) => (r === null ? [] : [`callprobe_event_loop_delay_window_seconds{process="${p}"} ${r.windowS}\n`]));
  return (
    head +
    lines.join('') +
    "# HELP callprobe_event_loop_delay_window_seconds The window each process's event-loop delay is read over.\n# TYPE callprobe_event_loop_delay_window_seconds gauge\n" +
    windows.join('')
  );
}
