/**
 * Where `serve --workers 2` (and more) puts a new test (server/dataplane/placement.ts), on
 * hand-made plane states: the least CPU in steps of half a test, a test not yet reported counted
 * at its estimate, then fewer tests open, then a reflector plane before the relay's; a late or
 * down plane last or never. And what admission reads: the relay's loop and the chosen plane's,
 * the worse of each bin.
 */
import { describe, expect, it } from 'vitest';
import { laterOf, NEW_TEST_CPU_MS, placeTest, type PlaneLoad } from '../../../server/dataplane/placement.js';

const plane = (p: Partial<PlaneLoad> = {}): PlaneLoad => ({ up: true, busy: false, cpuMs: 5, openedSinceReport: 0, open: 0, ...p });

describe('placeTest', () => {
  it('puts the first test of an idle server on a reflector plane, not the relay', () => {
    // Idle ticks differ by a few ms: within one step of half a test, so the relay's plane comes last.
    expect(placeTest([plane({ cpuMs: 3 }), plane({ cpuMs: 9 })])).toBe(1);
    // Among reflector planes of one step, the one with fewer tests open, then the least CPU.
    expect(placeTest([plane({ cpuMs: 3 }), plane({ cpuMs: 9 }), plane({ cpuMs: 4 })])).toBe(2);
    expect(placeTest([plane({ cpuMs: 3 }), plane({ cpuMs: 9 }), plane({ cpuMs: 4, open: 1 })])).toBe(1);
  });

  it('puts a test where the CPU was least used, counting the tests not yet in a report', () => {
    // 120 ms against 60: the second plane (steps of 25: 4 against 2).
    expect(placeTest([plane({ cpuMs: 60 }), plane({ cpuMs: 120 })])).toBe(0);
    // One test opened on the relay's plane since its report: 60 + 50 = 110, step 4, against 120 (step 4): fewer open decides.
    expect(placeTest([plane({ cpuMs: 60, openedSinceReport: 1, open: 3 }), plane({ cpuMs: 120, open: 2 })])).toBe(1);
    // Two opened: 160 against 120.
    expect(placeTest([plane({ cpuMs: 60, openedSinceReport: 2 }), plane({ cpuMs: 120 })])).toBe(1);
    // No report yet counts as no CPU.
    expect(placeTest([plane({ cpuMs: 40 }), plane({ cpuMs: null, openedSinceReport: 1 })])).toBe(0);
    expect(NEW_TEST_CPU_MS).toBe(50);
  });

  it('keeps a late plane for last and never picks one that is down', () => {
    expect(placeTest([plane({ cpuMs: 200 }), plane({ cpuMs: 10, busy: true })])).toBe(0);
    expect(placeTest([plane({ busy: true, cpuMs: 300 }), plane({ busy: true, cpuMs: 100 })])).toBe(1);
    expect(placeTest([plane({ cpuMs: 200 }), plane({ cpuMs: 10, up: false })])).toBe(0);
    expect(placeTest([plane({ up: false }), plane({ up: false })])).toBeNull();
    expect(placeTest([])).toBeNull();
  });
});

describe('laterOf', () => {
  it('takes the worse of each bin, aligned on the newest, as old as the older report', () => {
    expect(laterOf({ lateMs: [0, 30, 5], atMs: 100 }, { lateMs: [40, 2, 6], atMs: 90 })).toEqual({ lateMs: [40, 30, 6], atMs: 90 });
    // A shorter report (a plane just started) lines up with the newest bins.
    expect(laterOf({ lateMs: [1, 2, 3, 4], atMs: 100 }, { lateMs: [9, 0], atMs: 100 })).toEqual({ lateMs: [1, 2, 9, 4], atMs: 100 });
    expect(laterOf(null, { lateMs: [1], atMs: 5 })).toEqual({ lateMs: [1], atMs: 5 });
    expect(laterOf({ lateMs: [1], atMs: 5 }, null)).toEqual({ lateMs: [1], atMs: 5 });
    expect(laterOf(null, null)).toBeNull();
  });
});
