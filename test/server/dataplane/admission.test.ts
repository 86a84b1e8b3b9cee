/** Admission's plane half (server/dataplane/admission.ts): hand-made lateness reports against the defaults. */
import { describe, expect, it } from 'vitest';
import { planeBusy } from '../../../server/dataplane/admission.js';
import { CONSTANTS } from '../../../src/protocol/defaults.js';

const O = CONSTANTS.admission;

describe('planeBusy', () => {
  it('is busy when 30 bins of the last 10 s were 20 ms late or more, not on 29 (a test’s set-up is not a busy plane)', () => {
    expect(O).toMatchObject({ windowMs: 10_000, busyLateMs: 20, busyBins: 30 });
    const quiet = Array<number>(51).fill(1);
    const late = (n: number, ms = 20): number[] => [...Array<number>(n).fill(ms), ...quiet].slice(0, 51);
    expect(planeBusy({ lateMs: late(30), atMs: 1000 }, 1000, O)).toBe(true);
    expect(planeBusy({ lateMs: [19.9, ...late(29, 25)].slice(0, 51), atMs: 1000 }, 1000, O)).toBe(false);
    // Three Chromium tests' set-ups on one worker's server, back to back on 2 busy cores, as measured: 19 of 50 bins late.
    const setups = [17, 1, 25, 9, 21, 1, 2, 34, 2, 76, 40, 72, 22, 62, 52, 127, 44, 79, 61, 1, 2, 0, 1, 62, 4, 2, 8, 0, 2, 1];
    expect(planeBusy({ lateMs: [...setups, ...Array<number>(20).fill(3)], atMs: 1000 }, 1000, O)).toBe(false);
  });

  it('judges by the operator’s lateness (serve --refuse-late-ms), and never with 0', () => {
    const late = Array<number>(51).fill(30);
    expect(planeBusy({ lateMs: late, atMs: 1000 }, 1000, O)).toBe(true);
    expect(planeBusy({ lateMs: late, atMs: 1000 }, 1000, { ...O, busyLateMs: 31 })).toBe(false);
    expect(planeBusy({ lateMs: late, atMs: 1000 }, 1000, { ...O, busyLateMs: 30 })).toBe(true);
    expect(planeBusy({ lateMs: Array<number>(51).fill(5000), atMs: 1000 }, 1000, { ...O, busyLateMs: 0 })).toBe(false);
  });

  it('judges nothing without a report, or from one older than staleMs', () => {
    const late = Array<number>(51).fill(50);
    expect(planeBusy(null, 1000, O)).toBe(false);
    expect(planeBusy({ lateMs: late, atMs: 1000 }, 1000 + O.staleMs, O)).toBe(true);
    expect(planeBusy({ lateMs: late, atMs: 1000 }, 1001 + O.staleMs, O)).toBe(false);
  });
});
