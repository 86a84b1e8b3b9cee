/** The busy-line testbed's acceptance rule against irtt (bench/load-latency/testbed.ts), on figures worked by hand. */
import { describe, expect, it } from 'vitest';
import { median } from '../../../bench/lib/median.js';
import { callprobeDelays, pairedAgrees, pairedDifference, withinReference } from '../../../bench/load-latency/testbed.js';

describe('withinReference', () => {
  it('within 10 % of irtt on a long queue, 5 ms on a short one', () => {
    expect(withinReference(890, 980)).toBe(true); // 90 <= 98
    expect(withinReference(880, 980)).toBe(false); // 100 > 98
    expect(withinReference(14, 10)).toBe(true); // 4 <= 5
    expect(withinReference(16, 10)).toBe(false);
  });

  it("outside 10 %, still inside irtt's own interval for its median: a swing of the queue, and a pass", () => {
    // 386.2 against 432.7 is 10.7 % off; an interval of 350-450 holds it.
    expect(withinReference(386.2, 432.7, { lo: 350, hi: 450 })).toBe(true);
    expect(withinReference(386.2, 432.7, { lo: 420, hi: 445 })).toBe(false);
    expect(withinReference(386.2, 432.7, null)).toBe(false);
  });

  it('no figure on either side: no judgement', () => {
    expect(withinReference(null, 10)).toBeNull();
    expect(withinReference(10, null)).toBeNull();
  });
});

describe('pairedDifference', () => {
  it("reads irtt's queue at each of our probes: between its probes up to 100 ms apart, else its probe within 10 ms", () => {
    const ref = [
      { atMs: 1000, addedMs: 100 },
      { atMs: 1020, addedMs: 200 },
      { atMs: 1040, addedMs: 300 },
      { atMs: 1300, addedMs: 900 },
    ];
    // 1004: 120 (-15); 1011: 155 (+42); 1028: 240 (-30); 1045: 1040 is 5 ms away, 1300 too far to read between (+10); 1100: none.
    const ours = [
      { atMs: 1004, addedMs: 105 },
      { atMs: 1011, addedMs: 197 },
      { atMs: 1028, addedMs: 210 },
      { atMs: 1045, addedMs: 310 },
      { atMs: 1100, addedMs: 999 },
    ];
    // Differences -30, -15, 10, 42 (nearest rank: the 2nd); readings 120, 155, 240, 300 (the 2nd).
    expect(pairedDifference(ours, ref)).toEqual({ medianMs: -15, referenceMs: 155, pairs: 4 });
  });

  it('a swing the two tools sampled differently: the medians differ, the pairs agree', () => {
    // The queue: 950 ms, a dip to 300 climbing back over 60 % of the window, 950 again; irtt every 20 ms, losing every other probe in the dip.
    const queue = (t: number): number => (t >= 1000 && t < 3400 ? 300 + ((t - 1000) / 2400) * 650 : 950);
    const ref = Array.from({ length: 200 }, (_, i) => i * 20)
      .filter((t) => !(t >= 1000 && t < 3400 && (t / 20) % 2 === 1))
      .map((t) => ({ atMs: t, addedMs: queue(t) }));
    const ours = Array.from({ length: 400 }, (_, i) => ({ atMs: i * 10, addedMs: queue(i * 10) + 1 }));
    const r = pairedDifference(ours, ref);
    // Ours at a moment whose irtt probe was lost is read between its neighbours, 40 ms apart.
    expect(r?.pairs).toBe(400);
    expect(r?.medianMs).toBeCloseTo(1, 6);
    // The two medians, by contrast, read the slope at different points.
    const gap = (median(ours.map((o) => o.addedMs)) ?? Number.NaN) - (median(ref.map((o) => o.addedMs)) ?? Number.NaN);
    expect(gap).toBeLessThan(-50);
  });

  it('nothing to pair: null', () => {
    expect(pairedDifference([{ atMs: 0, addedMs: 1 }], [{ atMs: 50, addedMs: 1 }])).toBeNull();
    expect(pairedDifference([], [])).toBeNull();
  });
});

describe('callprobeDelays', () => {
  it("transits over the idle median (the two clocks' offset taken away), in the window, on the wall clock", () => {
    // Server clock 500 ms ahead: idle transits 501, 502, 503 (median 502); window transits 602 and 802.
    const arrivals = [
      { seq: 0, sendMs: 0, recvMs: 501 },
      { seq: 1, sendMs: 10, recvMs: 512 },
      { seq: 2, sendMs: 20, recvMs: 523 },
      { seq: 3, sendMs: 100, recvMs: 702 },
      { seq: 4, sendMs: 110, recvMs: 912 },
      { seq: 5, sendMs: 200, recvMs: 1000 },
    ];
    const got = callprobeDelays(arrivals, 'up', { fromMs: 0, toMs: 50 }, { fromMs: 100, toMs: 200 }, (ms) => 1_700_000_000_000 + ms);
    expect(got).toEqual([
      { atMs: 1_700_000_000_100, addedMs: 100 },
      { atMs: 1_700_000_000_110, addedMs: 300 },
    ]);
  });

  it('no idle arrivals: nothing', () => {
    expect(callprobeDelays([{ seq: 0, sendMs: 100, recvMs: 200 }], 'up', { fromMs: 0, toMs: 50 }, { fromMs: 0, toMs: 500 }, (ms) => ms)).toEqual([]);
  });

  it('down: picked by when the server sent them (on the client clock: arrival less added delay), placed at their arrival', () => {
    // The server's clock 300 ms behind: idle transits 301 and 302 (by arrival in [0, 50): median 301).
    // Sent at 101 on the client's clock (-200 on the server's), arriving 1101 (added 1000): in [100, 200), though it arrived after.
    // Sent at 61, arriving 161 (added 100): before the window. Sent at 501, arriving 520 (added 19): after it.
    const arrivals = [
      { seq: 0, sendMs: -300, recvMs: 1 },
      { seq: 1, sendMs: -290, recvMs: 12 },
      { seq: 2, sendMs: -240, recvMs: 161 },
      { seq: 3, sendMs: -200, recvMs: 1101 },
      { seq: 4, sendMs: 200, recvMs: 520 },
    ];
    const got = callprobeDelays(arrivals, 'down', { fromMs: 0, toMs: 50 }, { fromMs: 100, toMs: 200 }, (ms) => ms);
    expect(got).toEqual([{ atMs: 1101, addedMs: 1000 }]);
  });
});

describe('pairedAgrees', () => {
  it('the figure within 3 % or 5 ms of irtt read at our probes, and the pairs within the same', () => {
    expect(pairedAgrees(338.6, { medianMs: -0.7, referenceMs: 339.3, pairs: 341 })).toBe(true);
    // 3 % of 900 is 27.
    expect(pairedAgrees(880, { medianMs: 1, referenceMs: 900, pairs: 300 })).toBe(true);
    expect(pairedAgrees(870, { medianMs: 1, referenceMs: 900, pairs: 300 })).toBe(false);
    expect(pairedAgrees(900, { medianMs: 28, referenceMs: 900, pairs: 300 })).toBe(false);
    expect(pairedAgrees(14, { medianMs: 4, referenceMs: 10, pairs: 300 })).toBe(true);
    expect(pairedAgrees(null, { medianMs: 0, referenceMs: 10, pairs: 1 })).toBeNull();
    expect(pairedAgrees(10, null)).toBeNull();
  });
});
