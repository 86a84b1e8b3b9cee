import { describe, expect, it } from 'vitest';
import { clockResolutionMs } from '../../../src/analysis/measure/clock.js';

describe('the clock step from tight-loop readings', () => {
  it('is the step of a coarsened clock (1 ms, as Safari and Firefox without isolation)', () => {
    expect(clockResolutionMs([1000.0, 1001.0, 1002.0, 1003.0, 1004.0])).toBe(1);
  });

  it('takes the median step: a reading across a preemption or a jittered step does not move it', () => {
    // Steps 0.1, 0.1, 2.3 (the loop was preempted), 0.1, 0.09, 0.11 -> median 0.1.
    const r = [10, 10.1, 10.2, 12.5, 12.6, 12.69, 12.8];
    expect(clockResolutionMs(r)).toBeCloseTo(0.1, 9);
  });

  it('ignores repeats and needs two steps', () => {
    expect(clockResolutionMs([5, 5, 5.005, 5.005, 5.01])).toBeCloseTo(0.005, 9);
    expect(clockResolutionMs([5, 6])).toBeNull();
    expect(clockResolutionMs([])).toBeNull();
  });
});
