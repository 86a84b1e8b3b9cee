/**
 * serverLoopFacts: the server's event-loop delay over the graded stream from its 200 ms
 * readings, against hand-computed figures (nearest-rank percentiles, SERVER_LOOP_MS = 20 ms).
 */
import { describe, expect, it } from 'vitest';
import { serverLoopFacts } from '../../../src/analysis/measure/server-loop.js';
import { SERVER_LOOP_MS } from '../../../src/analysis/measure/attribution.js';

/** One reading every 200 ms from `atMs`, with these delays. */
const readings = (atMs: number, delays: number[]) => delays.map((valueMs, i) => ({ atMs: atMs + i * 200, valueMs }));

describe('serverLoopFacts', () => {
  it('gives the median and 99th percentile of the windows in the stream, and counts those above the busy rule', () => {
    // Ten windows in the stream [0, 1800]: sorted 0, 0, 0.1, 0.2, 0.3, 0.4, 1.5, 19.9, 20, 45.
    // p50 = rank ceil(5) = 5th = 0.3; p99 = rank ceil(9.9) = 10th = 45; above 20: only 45 (20 itself is not above).
    const r = readings(0, [0.2, 0, 45, 0.1, 20, 0.3, 19.9, 0, 1.5, 0.4]);
    expect(SERVER_LOOP_MS).toBe(20);
    expect(serverLoopFacts(r, 0, 1800)).toEqual({ eventLoopDelayMsP50: 0.3, eventLoopDelayMsP99: 45, busyWindows: 1, windows: 10 });
  });

  it('leaves out readings before the first probe and after the last (connecting is not the test)', () => {
    const r = [...readings(-1000, [80, 90]), ...readings(0, [1, 2, 3]), ...readings(5000, [70])];
    expect(serverLoopFacts(r, 0, 400)).toEqual({ eventLoopDelayMsP50: 2, eventLoopDelayMsP99: 3, busyWindows: 0, windows: 3 });
  });

  it('rounds to 0.1 ms and reads a negative reading as 0', () => {
    expect(serverLoopFacts(readings(0, [0.04, -1, 0.26]), 0, 400)).toEqual({ eventLoopDelayMsP50: 0, eventLoopDelayMsP99: 0.3, busyWindows: 0, windows: 3 });
  });

  it('is null without a reading in the stream', () => {
    expect(serverLoopFacts([], 0, 1000)).toBeNull();
    expect(serverLoopFacts(readings(2000, [5]), 0, 1000)).toBeNull();
  });
});
