import { describe, expect, it } from 'vitest';
import { PROBE_MAX_LATE_MS as MAX_LATE_MS } from '../../../src/protocol/defaults.js';
import { dueAt, tooLate } from '../../../src/session/pacer/schedule.js';

describe('pacing rule', () => {
  it('is drift-free: probe i is due at start + i x interval', () => {
    expect(dueAt(1000, 0, 10)).toBe(1000);
    expect(dueAt(1000, 1500, 10)).toBe(16_000);
  });

  it('skips a probe only when it is later than max(interval, 20 ms)', () => {
    expect(tooLate(5, 1)).toBe(false); // a 5 ms hiccup at 1000/s: send late
    expect(tooLate(MAX_LATE_MS, 1)).toBe(false);
    expect(tooLate(MAX_LATE_MS + 0.1, 1)).toBe(true);
    expect(tooLate(60, 100)).toBe(false); // at 10/s one interval is the limit
    expect(tooLate(100.1, 100)).toBe(true);
  });
});
