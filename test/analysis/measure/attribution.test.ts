import { describe, expect, it } from 'vitest';
import {
  attributeDirection,
  attributeIntervals,
  placement,
  viewMedianMs,
  viewsPresent,
  windowAttribution,
  type AttributedInterval,
} from '../../../src/analysis/measure/attribution.js';
import type { DirectionRecords } from '../../../src/analysis/measure/records.js';
import { noOutsideViews, type OutsideViews } from '../../../src/analysis/measure/views.js';
import { stream } from './fixtures.js';

const sendTimes = (d: DirectionRecords) => d.sent.map((s) => s.sendMs);

function views(parts: Partial<OutsideViews>): OutsideViews {
  return { ...noOutsideViews(), ...parts };
}

describe('attributeDirection', () => {
  it("keeps the page's own device intervals, adds one second of recovery after each, and leaves path changes out", () => {
    const up = stream({
      count: 1000,
      intervalMs: 10,
      suspect: [
        { startMs: 2000, endMs: 2500, reason: 'sender-stall' },
        { startMs: 8000, endMs: 8000, reason: 'path-change' },
      ],
    });
    expect(attributeDirection({ name: 'up', records: up, views: null, roundTripMs: 10 })).toEqual([
      { startMs: 2000, endMs: 2500, who: 'device', reason: 'sender-stall', lateMs: 500 },
      { startMs: 2500, endMs: 3500, who: 'device', reason: 'recovery', lateMs: 500 },
    ]);
  });

  it('places page-clock views on the down clock by the smallest transit, widened by a round trip, and reads receive lag only where the page receives', () => {
    // Down probes sent on the server clock at 100,000 + 10 i and received 5 ms later on a page
    // clock 100,000 ms behind: recvMs - sendMs = -99,995, so page time t is down send time t + 99,995.
    const down = stream({ count: 1000, intervalMs: 10, startMs: 100_000, clockOffsetMs: -100_000, baseDelayMs: 5 });
    expect(placement('down', down, 10)).toEqual({ shiftMs: 99_995, slackMs: 10 });
    const v = views({
      receiveLagMs: [
        { atMs: 1000, valueMs: 80 },
        { atMs: 1100, valueMs: 30 }, // under 50 ms: not the device's
        { atMs: 5000, valueMs: 60 },
      ],
      reflectorHoldMs: [
        { atMs: 7000, valueMs: 25 },
        { atMs: 7100, valueMs: 10 }, // under 20 ms
      ],
    });
    const expected: AttributedInterval[] = [
      // [1000, 1080] -> [1000 + 99,995 - 10, 1080 + 99,995 + 10]
      { startMs: 100_985, endMs: 101_085, who: 'device', reason: 'receive-lag', lateMs: 80 },
      { startMs: 101_085, endMs: 102_085, who: 'device', reason: 'recovery', lateMs: 80 },
      { startMs: 104_985, endMs: 105_065, who: 'device', reason: 'receive-lag', lateMs: 60 },
      { startMs: 105_065, endMs: 106_065, who: 'device', reason: 'recovery', lateMs: 60 },
      // [7000, 7025] placed the same way
      { startMs: 106_985, endMs: 107_030, who: 'server', reason: 'server-hold', lateMs: 25 },
    ];
    expect(attributeDirection({ name: 'down', records: down, views: v, roundTripMs: 10 })).toEqual(expected);
    // The up probes are received by the server: receive lag is not theirs; the hold is, on the page clock as it is.
    const up = stream({ count: 1000, intervalMs: 10 });
    expect(attributeDirection({ name: 'up', records: up, views: v, roundTripMs: 10 })).toEqual([
      { startMs: 7000, endMs: 7025, who: 'server', reason: 'server-hold', lateMs: 25 },
    ]);
  });

  it('joins intervals of one reason closer than 200 ms, and marks server loop delays', () => {
    const loop = stream({ count: 1000, intervalMs: 10 });
    const v = views({
      receiveLagMs: [
        { atMs: 1000, valueMs: 80 },
        { atMs: 1150, valueMs: 60 }, // [1150, 1210]: 70 ms after [1000, 1080] ends
      ],
      serverLoopDelayMs: [{ atMs: 4000, valueMs: 21 }],
    });
    expect(attributeDirection({ name: 'loop', records: loop, views: v, roundTripMs: 10 })).toEqual([
      { startMs: 1000, endMs: 1210, who: 'device', reason: 'receive-lag', lateMs: 80 },
      { startMs: 1210, endMs: 2210, who: 'device', reason: 'recovery', lateMs: 80 },
      { startMs: 4000, endMs: 4021, who: 'server', reason: 'server-loop', lateMs: 21 },
    ]);
  });

  it('places nothing on a down direction where no probe arrived', () => {
    const down = stream({ count: 100, intervalMs: 10, lost: () => true });
    expect(placement('down', down, 10)).toBeNull();
    expect(attributeDirection({ name: 'down', records: down, views: views({ reflectorHoldMs: [{ atMs: 0, valueMs: 100 }] }), roundTripMs: 10 })).toEqual([]);
  });
});

describe('the excuse by size, window by window', () => {
  // The server's loop 21 ms late every 100 ms over [3000, 5000]: one stretch, 21 ms late, excusing 2 x 21 + 10 = 52 ms.
  const loopLate = Array.from({ length: 21 }, (_, i) => ({ atMs: 3000 + i * 100, valueMs: 21 }));
  const queued = (addedMs: number) => stream({ count: 1000, intervalMs: 10, baseDelayMs: 5, extraDelayMs: (i) => (i >= 300 && i <= 500 ? addedMs : 0) });
  // The network thread's round trip: 2 ms, and 995 ms twice inside the stretch.
  const ice = Array.from({ length: 21 }, (_, i) => ({ atMs: i * 500, valueMs: i === 7 || i === 9 ? 995 : 2 }));

  it("a 990 ms queue beside a loop 21 ms late is the line's where its round trip shows it", () => {
    const line = attributeIntervals({ name: 'up', records: queued(990), views: views({ serverLoopDelayMs: loopLate, iceRttMs: ice }), roundTripMs: 10 });
    expect(line.intervals).toEqual([]);
    expect(line.lineShown).toEqual([{ startMs: 3000, endMs: 5021, who: 'server', reason: 'server-loop', lateMs: 21 }]);
    // No view of the line shows it: the server's, as before.
    const unseen = attributeIntervals({ name: 'up', records: queued(990), views: views({ serverLoopDelayMs: loopLate }), roundTripMs: 10 });
    expect(unseen.intervals.map((i) => i.reason)).toEqual(['server-loop']);
    expect(unseen.lineShown).toEqual([]);
  });

  it("a delay within twice the lateness plus 10 ms stays the server's, whatever the views", () => {
    const small = attributeIntervals({ name: 'up', records: queued(50), views: views({ serverLoopDelayMs: loopLate, iceRttMs: ice }), roundTripMs: 10 });
    expect(small.intervals.map((i) => i.reason)).toEqual(['server-loop']);
    expect(small.lineShown).toEqual([]);
  });
});

describe('windowAttribution', () => {
  it("counts the 200 ms windows touching a device interval or its recovery as the device's", () => {
    // 100/s for 10 s: 981 evaluable 200 ms windows, starting at 0, 10, ..., 9800 ms. Device time
    // [2000, 3500] (a stall and its second of recovery) touches the windows starting in
    // (1800, 3500]: 1810 .. 3500, 170 of them.
    const up = stream({ count: 1000, intervalMs: 10, suspect: [{ startMs: 2000, endMs: 2500, reason: 'sender-stall' }] });
    const intervals = attributeDirection({ name: 'up', records: up, views: null, roundTripMs: 10 });
    expect(windowAttribution(sendTimes(up), 10, intervals, 200)).toEqual({ network: 811, device: 170, server: 0 });
  });

  it('gives a window touching both to the device, and counts 15 s windows the same way', () => {
    // Stall [3000, 3100] with recovery to 4100; server loop delay [3050, 3150], inside the device's time.
    const up = stream({ count: 2000, intervalMs: 10, suspect: [{ startMs: 3000, endMs: 3100, reason: 'receiver-stall' }] });
    const v = views({ serverLoopDelayMs: [{ atMs: 3050, valueMs: 100 }] });
    const intervals = attributeDirection({ name: 'up', records: up, views: v, roundTripMs: 10 });
    // 200 ms: 1981 windows (0 .. 19,800); the device's start in (2800, 4100]: 130.
    expect(windowAttribution(sendTimes(up), 10, intervals, 200)).toEqual({ network: 1851, device: 130, server: 0 });
    // 15 s: windows start at 0 .. 5000 (501); all those starting at or before 4100 touch the device's time: 411.
    expect(windowAttribution(sendTimes(up), 10, intervals, 15_000)).toEqual({ network: 90, device: 411, server: 0 });
  });

  it("counts a server's hold alone as the server's", () => {
    // Hold [7000, 7025]: windows starting in (6800, 7025]: 6810 .. 7020, 22 of 981.
    const up = stream({ count: 1000, intervalMs: 10 });
    const intervals = attributeDirection({ name: 'up', records: up, views: views({ reflectorHoldMs: [{ atMs: 7000, valueMs: 25 }] }), roundTripMs: 10 });
    expect(windowAttribution(sendTimes(up), 10, intervals, 200)).toEqual({ network: 959, device: 0, server: 22 });
  });
});

describe('views', () => {
  it('says which views were present', () => {
    expect(viewsPresent(null)).toEqual({ receiveLag: false, iceRtt: false, rtcpRtt: false, reflectorHold: false, upArrivals: false, serverLoop: false });
    expect(viewsPresent(views({ iceRttMs: [{ atMs: 0, valueMs: 1 }], upArrivalBins: [] }))).toEqual({
      receiveLag: false,
      iceRtt: true,
      rtcpRtt: false,
      reflectorHold: false,
      upArrivals: true,
      serverLoop: false,
    });
  });

  it('takes the nearest-rank median of a view', () => {
    expect(viewMedianMs([])).toBeNull();
    // Sorted 10, 20, 30, 40: rank ceil(0.5 x 4) = 2 -> 20.
    expect(viewMedianMs([40, 10, 30, 20].map((valueMs, i) => ({ atMs: i, valueMs })))).toBe(20);
  });
});
