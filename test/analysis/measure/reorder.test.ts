import { describe, expect, it } from 'vitest';
import { analyzeDirection } from '../../../src/analysis/measure/direction.js';
import { rfc4737Reorder } from '../../../src/analysis/measure/reorder.js';
import type { DirectionRecords } from '../../../src/analysis/measure/records.js';

describe('RFC 4737 reordering', () => {
  it('counts a fixed pattern exactly, with extents', () => {
    // NextExp: 1,2,4,5 advance; 3 < 6 reordered (earliest larger: seq 4 at position 2 -> e = 4 - 2 = 2);
    // 6,7,10 advance; 8 < 11 (earliest larger: 10 at position 7 -> e = 1); 9 < 11 (e = 9 - 7 = 2).
    const r = rfc4737Reorder([1, 2, 4, 5, 3, 6, 7, 10, 8, 9], 1);
    expect(r.reordered).toBe(3);
    expect(r.packets).toBe(10);
    expect(r.ratioPct).toBe(30);
    expect(r.extentMax).toBe(2);
    expect(r.extentMean).toBeCloseTo(5 / 3, 12);
  });

  it('tags every packet behind one early packet (extents 1..4)', () => {
    const r = rfc4737Reorder([1, 10, 2, 3, 4, 5], 1);
    expect(r.reordered).toBe(4);
    expect(r.extentMax).toBe(4);
    expect(r.extentMean).toBe(2.5);
  });

  it('does not count loss as reordering', () => {
    expect(rfc4737Reorder([1, 2, 5, 6, 9], 1).reordered).toBe(0);
  });

  it('treats a late first packet as reordered', () => {
    const r = rfc4737Reorder([2, 1, 3], 1);
    expect(r.reordered).toBe(1);
    expect(r.extentMax).toBe(1);
  });

  it('counts duplicates apart in a direction, never as received twice', () => {
    const dir: DirectionRecords = {
      sent: [1, 2, 3, 4].map((seq) => ({ seq, sendMs: seq * 10 })),
      arrivals: [
        { seq: 1, sendMs: 10, recvMs: 15 },
        { seq: 2, sendMs: 20, recvMs: 25 },
        { seq: 2, sendMs: 20, recvMs: 26 },
        { seq: 4, sendMs: 40, recvMs: 45 },
        { seq: 3, sendMs: 30, recvMs: 46 },
        { seq: 1, sendMs: 10, recvMs: 47 },
      ],
      intervalMs: 10,
      suspect: [],
    };
    const a = analyzeDirection(dir, 1000, { burstMs: 200, sustainedMs: 15_000 });
    expect(a.classified.duplicates).toBe(2);
    expect(a.received).toBe(4);
    expect(a.loss.lost).toBe(0);
    expect(a.reorder.packets).toBe(4);
    expect(a.reorder.reordered).toBe(1);
    expect(a.reorder.ratioPct).toBe(25);
  });
});
