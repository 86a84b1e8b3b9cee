/**
 * The busy line's live rate is what the line carried: an upload's progress first jumps by what
 * the browser and the system buffer (here 1.5 MB in 250 ms, 48 Mbit/s) and then follows the line
 * (2 Mbit/s); the last interval's progress said 25 Mbit/s at 500 ms. Sampled as the phase samples
 * it (every 500 ms), the rate shown is the line's or none, never the buffers' burst.
 */
import { describe, expect, it } from 'vitest';
import type { ProgressPoint } from '../../../src/analysis/measure/load.js';
import { liveRateBitsPerS } from '../../../src/session/load/phase.js';

const LINE_BITS_PER_S = 2e6;
const BURST_BYTES = 1_500_000;

/** Bytes handed on by `atMs`: the buffers' burst in the first 250 ms, then the line's rate. */
const movedAt = (atMs: number): number => (atMs <= 250 ? (BURST_BYTES * atMs) / 250 : BURST_BYTES + ((atMs - 250) * LINE_BITS_PER_S) / 8 / 1000);

describe('the live rate of a loaded direction', () => {
  it('shows no figure while the send buffers fill, then the line’s rate, never the burst', () => {
    const startMs = 1_000;
    const progress: ProgressPoint[] = [{ atMs: startMs, bytes: 0 }];
    const shown: Array<number | null> = [];
    for (let t = 500; t <= 10_000; t += 500) {
      progress.push({ atMs: startMs + t, bytes: movedAt(t) });
      shown.push(liveRateBitsPerS(progress, startMs, startMs + t));
    }
    expect(shown.slice(0, 5)).toEqual([null, null, null, null, null]);
    for (const rate of shown.slice(5)) expect(rate).toBeCloseTo(LINE_BITS_PER_S, -3);
  });
});
