/**
 * Where `serve --workers 2` (and more) puts a new test (server/dataplane/placement.ts), on
 * hand-made plane states: the least work by count (the first plane carrying a share of every
 * test), then another plane before the first, then the least CPU; a late or down plane last
 * or never. And what admission reads: the relay's loop and the chosen plane's,
 * the worse of each bin.
 */
import { describe, expect, it } from 'vitest';
import { laterOf, placeTest, RELAY_SHARE, type PlaneLoad } from '../../../server/dataplane/placement.js';

const plane = (p: Partial<PlaneLoad> = {}): PlaneLoad => ({ up: true, busy: false, cpuMs: 5, open: 0, ...p });

describe('placeTest', () => {
  it('puts the first test of an idle server on a reflector plane, not the relay', () => {
    expect(placeTest([plane({ cpuMs: 3 }), plane({ cpuMs: 9 })])).toBe(1);
    // Among reflector planes of equal work, the least CPU.
    expect(placeTest([plane({ cpuMs: 3 }), plane({ cpuMs: 9 }), plane({ cpuMs: 4 })])).toBe(2);
  });

  it("counts the first plane's share of every open test on the first plane", () => {
    expect(RELAY_SHARE).toBe(0.1);
    // One test open on plane 1: the first plane has 0.1 of work, plane 1 has 1.
    expect(placeTest([plane(), plane({ open: 1 })])).toBe(0);
    // 1 + 0.1 x 2 = 1.2 against 1.
    expect(placeTest([plane({ open: 1 }), plane({ open: 1 })])).toBe(1);
    // 5 + 0.1 x 9 = 5.9 against 4, and 4 + 0.1 x 8 = 4.8 against 4.
    expect(placeTest([plane({ open: 5 }), plane({ open: 4 })])).toBe(1);
    expect(placeTest([plane({ open: 4 }), plane({ open: 4 })])).toBe(1);
    // A burst placed one after another (no report decides): 9 tests go 4 to the first plane and 5 to the other.
    const planes = [plane(), plane()];
    for (let t = 0; t < 9; t++) {
      const i = placeTest(planes) ?? -1;
      const p = planes[i];
      if (p === undefined) throw new Error('no plane');
      planes[i] = { ...p, open: p.open + 1 };
    }
    expect(planes.map((p) => p.open)).toEqual([4, 5]);
    // Without the relay in the first plane (--external-turn), tests are shared evenly.
    expect(placeTest([plane({ open: 2 }), plane({ open: 3 })], 0)).toBe(0);
  });

  it('takes CPU as the tie-breaker only', () => {
    expect(placeTest([plane({ open: 1 }), plane({ open: 1, cpuMs: 300 }), plane({ open: 1, cpuMs: 100 })])).toBe(2);
    expect(placeTest([plane({ open: 3 }), plane({ open: 2, cpuMs: 300 }), plane({ open: 2, cpuMs: 100 })])).toBe(2);
  });

  it('keeps a late plane for last and never picks one that is down', () => {
    expect(placeTest([plane({ open: 5 }), plane({ busy: true })])).toBe(0);
    expect(placeTest([plane({ busy: true, open: 4 }), plane({ busy: true, open: 2 })])).toBe(1);
    expect(placeTest([plane({ open: 5 }), plane({ up: false })])).toBe(0);
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
