/** Admission's plane half (server/http/admission.ts): hand-made lateness reports against the defaults. */
import { describe, expect, it } from 'vitest';
import { planeBusy } from '../../../server/http/admission.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';

const O = DEFAULTS.admission;

describe('planeBusy', () => {
  it('is busy when 8 bins of the last 3 s were 20 ms late or more, not on 7 (a test’s set-up is not a busy plane)', () => {
    expect(O).toMatchObject({ windowMs: 3_000, busyLateMs: 20, busyBins: 8 });
    const quiet = Array<number>(16).fill(1);
    const late = (n: number, ms = 20): number[] => [...Array<number>(n).fill(ms), ...quiet].slice(0, 16);
    expect(planeBusy({ lateMs: late(8), atMs: 1000 }, 1000, O)).toBe(true);
    expect(planeBusy({ lateMs: [19.9, ...late(7, 25)], atMs: 1000 }, 1000, O)).toBe(false);
    // The first test's set-up on a cold plane, as measured: one stall of 240 ms and a few of 30-40.
    expect(planeBusy({ lateMs: [5.8, 17.9, 0.8, 3.8, 3.3, 34.6, 41, 0.7, 1.4, 27.3, 239.6, 66.1, 1.2, 2.8, 0.7, 0.5], atMs: 1000 }, 1000, O)).toBe(false);
  });

  it('judges nothing without a report, or from one older than staleMs', () => {
    const late = Array<number>(16).fill(50);
    expect(planeBusy(null, 1000, O)).toBe(false);
    expect(planeBusy({ lateMs: late, atMs: 1000 }, 1000 + O.staleMs, O)).toBe(true);
    expect(planeBusy({ lateMs: late, atMs: 1000 }, 1001 + O.staleMs, O)).toBe(false);
  });
});
