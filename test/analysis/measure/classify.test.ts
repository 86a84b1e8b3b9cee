import { describe, expect, it } from 'vitest';
import { classifyDirection, Fate, relativeDelays } from '../../../src/analysis/measure/classify.js';
import type { DirectionRecords } from '../../../src/analysis/measure/records.js';

// Ten probes every 10 ms; receiver clock 1000 ms ahead; base delay 20 ms.
function records(arrivals: Array<[seq: number, recvOffsetMs: number]>): DirectionRecords {
  const sent = Array.from({ length: 10 }, (_, i) => ({ seq: 100 + i, sendMs: i * 10 }));
  return {
    sent,
    arrivals: arrivals.map(([seq, extra]) => ({ seq, sendMs: (seq - 100) * 10, recvMs: (seq - 100) * 10 + 1020 + extra })),
    intervalMs: 10,
    suspect: [],
  };
}

describe('classifyDirection', () => {
  it('counts a probe whose relative delay exceeds the timeout as lost (late)', () => {
    // Probe 103 arrives 1500 ms later than the others: relative delay 1500 > 1000.
    const r = records([
      [100, 0],
      [101, 0],
      [102, 0],
      [104, 0],
      [105, 0],
      [106, 0],
      [107, 0],
      [108, 0],
      [109, 0],
      [103, 1500],
    ]);
    const c = classifyDirection(r, 1000);
    expect(c.fate[3]).toBe(Fate.Late);
    expect(c.late).toBe(1);
    expect(c.missing).toBe(0);
    expect(c.arrivalOrder.length).toBe(9);
    expect(c.minDelayMs).toBe(1020);
  });

  it('keeps a probe exactly at the timeout (late means strictly later)', () => {
    const r = records(Array.from({ length: 10 }, (_, i) => [100 + i, i === 5 ? 1000 : 0] as [number, number]));
    expect(classifyDirection(r, 1000).late).toBe(0);
  });

  it('never counts a duplicate as received twice and ignores unknown sequence numbers', () => {
    const r = records([
      [100, 0],
      [101, 0],
      [101, 3],
      [102, 0],
      [999, 0],
    ]);
    const c = classifyDirection(r, 1000);
    expect(c.duplicates).toBe(1);
    expect(c.unknownArrivals).toBe(1);
    expect(c.arrivalOrder.length).toBe(3);
    expect(c.missing).toBe(7);
    // The first copy's arrival time is the one kept.
    expect(c.recvMs[1]).toBe(1030);
  });

  it('gives relative delays with the clock offset removed', () => {
    const r = records([
      [100, 0],
      [101, 4],
      [102, 2],
    ]);
    expect(Array.from(relativeDelays(classifyDirection(r, 1000)))).toEqual([0, 4, 2]);
  });

  it('handles sequence numbers with gaps (probes dropped at the sender)', () => {
    const r: DirectionRecords = {
      sent: [
        { seq: 1, sendMs: 0 },
        { seq: 2, sendMs: 10 },
        { seq: 5, sendMs: 40 },
      ],
      arrivals: [
        { seq: 5, sendMs: 40, recvMs: 45 },
        { seq: 1, sendMs: 0, recvMs: 5 },
      ],
      intervalMs: 10,
      suspect: [],
    };
    const c = classifyDirection(r, 1000);
    expect(Array.from(c.fate)).toEqual([Fate.Received, Fate.Missing, Fate.Received]);
    expect(Array.from(c.arrivalOrder)).toEqual([2, 0]);
  });
});
