/**
 * The server's event-loop delay over a test, in three figures: the median and the 99th
 * percentile of its 200 ms readings, and how many of those readings mark the server busy.
 *
 * The readings are the data plane's own (server/reflector/loop-lateness.ts, sent in the
 * reflector's `final`, placed on the page clock as views.serverLoopDelayMs): for each 200 ms of
 * the server's clock, how late its timer ran at worst. Only readings placed within the graded
 * stream count (from the first probe sent to the last): connecting is not the test. A reading
 * above SERVER_LOOP_MS is a busy window, the same rule that makes a window the server's in the
 * attribution (./attribution.ts).
 *
 * Pure; the figures are in ms, to 0.1 ms (the readings' own resolution).
 */
import { percentile } from './percentile.js';
import { SERVER_LOOP_MS } from './attribution.js';
import type { ViewSample } from './views.js';

export interface ServerLoopFacts {
  /** The median 200 ms window's worst event-loop delay. */
  eventLoopDelayMsP50: number;
  /** The 99th percentile (nearest rank) of the 200 ms windows' worst event-loop delay. */
  eventLoopDelayMsP99: number;
  /** 200 ms windows whose worst delay was above SERVER_LOOP_MS: the server was busy. */
  busyWindows: number;
  /** 200 ms windows read. */
  windows: number;
}

const tenth = (ms: number): number => Math.round(ms * 10) / 10;

/** The figures of the readings placed in [fromMs, toMs] (page clock); null when none is. */
export function serverLoopFacts(readings: readonly ViewSample[], fromMs: number, toMs: number): ServerLoopFacts | null {
  const delays = readings.filter((r) => r.atMs >= fromMs && r.atMs <= toMs).map((r) => Math.max(0, r.valueMs));
  if (delays.length === 0) return null;
  return {
    eventLoopDelayMsP50: tenth(percentile(delays, 50)),
    eventLoopDelayMsP99: tenth(percentile(delays, 99)),
    busyWindows: delays.filter((d) => d > SERVER_LOOP_MS).length,
    windows: delays.length,
  };
}
