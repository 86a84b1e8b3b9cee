/**
 * Whose time a loaded direction's added delay was, on hand-computed evidence: the thresholds of
 * attributeLoadedDelay (grade/load.ts) at and around their edges, and the added delay cut to the
 * loaded round trip it comes from (report/load.ts).
 */
import { describe, expect, it } from 'vitest';
import { attributeLoadedDelay, pageOnlyEvidence, viewConfirms, viewsConfirm, type DelayEvidence } from '../../../src/analysis/grade/load.js';
import { consistentAddedDelay, delayEvidence, floorRiseMs } from '../../../src/analysis/report/load.js';
import { noOutsideViews } from '../../../src/analysis/measure/views.js';

const none = (direction: 'up' | 'down', addedDelayMs: number | null): DelayEvidence => pageOnlyEvidence(direction, addedDelayMs);

describe("attributing a loaded direction's added delay", () => {
  it('nothing under 5 ms is attributed', () => {
    expect(attributeLoadedDelay(none('up', 4.9))).toEqual({ who: 'network', why: 'nothing-added' });
    expect(attributeLoadedDelay(none('up', null))).toEqual({ who: 'network', why: 'nothing-added' });
  });

  it('a round-trip view confirms at the added delay less 5 ms + 25 %: 233 ms needs a rise of 169.75 ms', () => {
    // 233 - (5 + 0.25 x 233) = 233 - 63.25 = 169.75.
    expect(viewConfirms({ name: 'ICE', idleMs: 1, loadedMs: 170.75 }, 233)).toBe(true);
    expect(viewConfirms({ name: 'ICE', idleMs: 1, loadedMs: 170.7 }, 233)).toBe(false);
    // The starved loopback: ICE went from 1 to 69 ms (a rise of 68), the probes "added" 233: this device's.
    const starved = { ...none('up', 233), rttViews: [{ name: 'ICE' as const, idleMs: 1, loadedMs: 69 }] };
    expect(attributeLoadedDelay(starved)).toEqual({ who: 'device', why: 'rtt-view-flat' });
    // A bloated uplink: RTCP rose 180 ms with the probes' 180 (needs 180 - 50 = 130): the network's.
    const bloated = { ...none('up', 180), rttViews: [{ name: 'RTCP' as const, idleMs: 10, loadedMs: 190 }] };
    expect(attributeLoadedDelay(bloated)).toEqual({ who: 'network', why: 'rtt-view-rose' });
  });

  it('one rising reading confirms only where no other view in the window says otherwise; two confirm alone', () => {
    // The loopback beside CPU-bound work: one ICE check read 171 ms while RTCP, read at the same moment, said 4.1 ms; the probes added 60.
    const ice1 = { name: 'ICE' as const, idleMs: 4, loadedMs: 171, loadedReadings: 1 };
    const rtcpFlat = { name: 'RTCP' as const, idleMs: 4.7, loadedMs: 4.1, loadedReadings: 1 };
    expect(viewsConfirm([ice1, rtcpFlat], 60)).toBe(false);
    expect(viewsConfirm([ice1], 60)).toBe(true);
    expect(viewsConfirm([{ ...ice1, loadedReadings: 2 }, rtcpFlat], 60)).toBe(true);
    expect(viewsConfirm([ice1, { ...rtcpFlat, loadedMs: 60 }], 60)).toBe(true);
    expect(viewsConfirm([], 60)).toBe(false);
    // With the server's arrivals irregular, it is this device's.
    expect(attributeLoadedDelay({ ...none('up', 60), rttViews: [ice1, rtcpFlat], bins: 5, irregularBins: 3 })).toEqual({ who: 'device', why: 'arrival-gaps' });
  });

  it("uploads: gaps at the server the sends had not, in more than 10 % of the bins, are this device's", () => {
    // 20 bins (4 s), 2 with gaps: 10 %, not more: regular, a queue's.
    expect(attributeLoadedDelay({ ...none('up', 233), bins: 20, irregularBins: 2 })).toEqual({ who: 'network', why: 'arrivals-regular' });
    // 3 of 20 (15 %): held on this device...
    const gappy = { ...none('up', 233), bins: 20, irregularBins: 3 };
    expect(attributeLoadedDelay(gappy)).toEqual({ who: 'device', why: 'arrival-gaps' });
    // ...unless the network thread's round trip rose as much: a slow bottleneck spaces the probes out behind each burst of a transfer.
    expect(attributeLoadedDelay({ ...gappy, rttViews: [{ name: 'ICE' as const, idleMs: 1, loadedMs: 300 }] })).toEqual({
      who: 'network',
      why: 'rtt-view-rose',
    });
    // ...or even the fastest probes stayed late: half the added delay or more under the median bin's fastest (233 / 2 = 116.5).
    expect(attributeLoadedDelay({ ...gappy, standingMs: 116.5 })).toEqual({ who: 'network', why: 'standing-queue' });
    expect(attributeLoadedDelay({ ...gappy, standingMs: 116.4 })).toEqual({ who: 'device', why: 'arrival-gaps' });
    // A page busy itself (10 % of its probes suspect) keeps it this device's.
    expect(attributeLoadedDelay({ ...gappy, standingMs: 200, deviceSuspectShare: 0.1 })).toEqual({ who: 'device', why: 'arrival-gaps' });
    // Fewer than 5 bins judge nothing: with no other view, the page's own evidence decides.
    expect(attributeLoadedDelay({ ...none('up', 233), bins: 4, irregularBins: 4 })).toEqual({ who: 'network', why: 'no-outside-view' });
  });

  it("downloads: echoes handed to the page more than 50 ms late (median) are this device's; on time, the network thread's", () => {
    // A lag of 50.1 ms explains at most 2 x 50.1 + 10 = 110.2 ms of the 300 added; no view of the line shows the rest: this device's all the same.
    expect(attributeLoadedDelay({ ...none('down', 300), receiveLags: 400, receiveLagMsP50: 50.1 })).toEqual({
      who: 'device',
      why: 'receive-lag',
      excused: { by: 'device', ms: 110.2 },
    });
    // The network thread's round trip rose by the rest (189.8 ms, needs 189.8 - (5 + 47.45) = 137.35; 140 here): the line's.
    const rose = [{ name: 'RTCP' as const, idleMs: 10, loadedMs: 150 }];
    expect(attributeLoadedDelay({ ...none('down', 300), receiveLags: 400, receiveLagMsP50: 50.1, rttViews: rose })).toEqual({
      who: 'network',
      why: 'rtt-view-rose',
      excused: { by: 'device', ms: 110.2 },
    });
    expect(attributeLoadedDelay({ ...none('down', 300), receiveLags: 400, receiveLagMsP50: 50 })).toEqual({ who: 'network', why: 'receive-time' });
    // 19 readings are too few to judge.
    expect(attributeLoadedDelay({ ...none('down', 300), receiveLags: 19, receiveLagMsP50: 200 })).toEqual({ who: 'network', why: 'no-outside-view' });
  });

  it("the server's own time first: a hold p90 or a loop delay median of 20 ms", () => {
    // 20 ms late excuses at most 2 x 20 + 10 = 50 ms: 50 added is the server's.
    const regular50 = { ...none('up', 50), bins: 20, irregularBins: 0 };
    expect(attributeLoadedDelay({ ...regular50, holdMsP90: 20 })).toEqual({ who: 'server', why: 'server-busy', excused: { by: 'server', ms: 50 } });
    expect(attributeLoadedDelay({ ...regular50, loopDelayMsP50: 19.9 })).toEqual({ who: 'network', why: 'arrivals-regular' });
    // 90 ms added beside no view of the line stays the server's (nothing outside the page saw the line add the rest).
    expect(attributeLoadedDelay({ ...none('down', 90), loopDelayMsP50: 25 })).toEqual({ who: 'server', why: 'server-busy', excused: { by: 'server', ms: 60 } });
  });

  it("excuse by size: a loop 20 ms late excuses 50 ms of a 990 ms queue, the rest is the line's where its views show it", () => {
    // The 2 Mbit/s tail-drop uplink: 990 ms added, the server's loop 20 ms late.
    const queue = { ...none('up', 990), loopDelayMsP50: 20 };
    // The server's arrivals stayed regular (a queue delays without gaps): the line's.
    expect(attributeLoadedDelay({ ...queue, bins: 20, irregularBins: 0 })).toEqual({
      who: 'network',
      why: 'arrivals-regular',
      excused: { by: 'server', ms: 50 },
    });
    // The network thread's round trip rose by the rest, 940 ms (needs 940 - (5 + 235) = 700): the line's.
    const rtcp = { name: 'RTCP' as const, idleMs: 10, loadedMs: 710 };
    expect(attributeLoadedDelay({ ...queue, rttViews: [rtcp] })).toEqual({ who: 'network', why: 'rtt-view-rose', excused: { by: 'server', ms: 50 } });
    expect(attributeLoadedDelay({ ...queue, rttViews: [{ ...rtcp, loadedMs: 709 }] })).toEqual({
      who: 'server',
      why: 'server-busy',
      excused: { by: 'server', ms: 50 },
    });
    // A device that held probes 150 ms (the gaps' median excess) excuses 310 ms; a standing 400 ms under every probe is the line's.
    const gappy = { ...none('up', 990), bins: 20, irregularBins: 10, gapExcessMsP50: 150 };
    expect(attributeLoadedDelay(gappy)).toEqual({ who: 'device', why: 'arrival-gaps', excused: { by: 'device', ms: 310 } });
    expect(attributeLoadedDelay({ ...gappy, irregularBins: 10, standingMs: 495 })).toEqual({ who: 'network', why: 'standing-queue' });
  });

  it("without any outside view: 10 % of the window's probes sent while this device was busy makes it this device's, else the line's as before", () => {
    expect(attributeLoadedDelay({ ...none('up', 233), deviceSuspectShare: 0.1 })).toEqual({ who: 'device', why: 'page-busy' });
    expect(attributeLoadedDelay({ ...none('up', 233), deviceSuspectShare: 0.09 })).toEqual({ who: 'network', why: 'no-outside-view' });
  });

  it('reads the views of a window: ICE before the phase and in the window (and up to 1 s after), bins by their first send, holds, suspect share', () => {
    const views = {
      ...noOutsideViews(),
      iceRttMs: [
        { atMs: 500, valueMs: 2 },
        { atMs: 1500, valueMs: 4 },
        { atMs: 2500, valueMs: 50 },
        { atMs: 4200, valueMs: 70 },
        { atMs: 6000, valueMs: 90 },
        { atMs: 6500, valueMs: 500 },
      ],
      upArrivalBins: [
        { fromSendMs: 1900, toSendMs: 2090, packets: 20, maxGapMs: 400, maxSendGapMs: 10 },
        { fromSendMs: 2100, toSendMs: 2290, packets: 20, maxGapMs: 70, maxSendGapMs: 10 },
        { fromSendMs: 2300, toSendMs: 2490, packets: 20, maxGapMs: 61, maxSendGapMs: 10 },
        { fromSendMs: 2500, toSendMs: 2690, packets: 20, maxGapMs: 60, maxSendGapMs: 10 },
      ],
      reflectorHoldMs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 30].map((v, i) => ({ atMs: 2000 + i * 100, valueMs: v })),
    };
    const sent = Array.from({ length: 40 }, (_, i) => ({ seq: i, sendMs: 2000 + i * 100 }));
    const records = {
      sent,
      arrivals: [],
      intervalMs: 100,
      suspect: [
        { startMs: 2000, endMs: 2350, reason: 'sender-stall' as const },
        { startMs: 3000, endMs: 5000, reason: 'path-change' as const },
      ],
    };
    const e = delayEvidence('up', 100, { fromMs: 2000, toMs: 6000 }, 2000, views, records);
    // ICE: the idle median of 2 and 4 (nearest rank: 2); read in [2000, 7000): 50, 70, 90, 500, median (nearest rank) 70.
    expect(e.rttViews).toEqual([{ name: 'ICE', idleMs: 2, loadedMs: 70, loadedReadings: 4 }]);
    // Bins from 2000: 3; gaps beyond the sends' by more than 50 ms: 60 and 51 (70 - 10, 61 - 10), not 50.
    expect([e.bins, e.irregularBins]).toEqual([3, 2]);
    // Holds p90 (nearest rank of 10): the 9th, 9 ms.
    expect(e.holdMsP90).toBe(9);
    // Sends at 2000..2300 inside the stall: 4 of 40; the path change is neither the device's nor the server's.
    expect(e.deviceSuspectShare).toBe(0.1);
    expect(delayEvidence('up', 100, { fromMs: 2000, toMs: 6000 }, 2000, null, records).rttViews).toEqual([]);
  });
});

describe("the fastest probes' rise: a queue delays them all, a held burst lets its last through", () => {
  const bin = (minTransitMs?: number) => ({
    fromSendMs: 0,
    toSendMs: 0,
    packets: 20,
    maxGapMs: 10,
    maxSendGapMs: 10,
    ...(minTransitMs === undefined ? {} : { minTransitMs }),
  });
  it("is the median of the window's bin floors less the idle bins' median", () => {
    // A 2 Mbit/s uplink with a 1 s queue behind six uploads (a real run: 928 ms added, gaps in 65 % of the bins):
    // idle floors 1000, 1002, 1001 (median 1001); window floors 1700, 1900, 1950, 1860, 1990 (median 1900).
    expect(floorRiseMs([bin(1000), bin(1002), bin(1001)], [bin(1700), bin(1900), bin(1950), bin(1860), bin(1990)])).toBe(899);
    // A device that held its probes 150 ms and let them go at once: the last of each burst arrived 2 ms late.
    expect(floorRiseMs([bin(1000), bin(1001)], [bin(1002), bin(1003), bin(1001)])).toBe(2);
  });
  it('is null without floors on either side (bins kept before the floor was)', () => {
    expect(floorRiseMs([], [bin(1900)])).toBeNull();
    expect(floorRiseMs([bin(1000)], [bin()])).toBeNull();
  });
});

describe('an added delay never exceeds the loaded round trip it comes from', () => {
  it('cuts the p50 to the round trip p50 and the p90 to its p90, and says so', () => {
    // The report that said "downloads add 1,036 ms" beside a loaded round trip of 329.6 ms.
    expect(consistentAddedDelay(1036, 1200, { p50: 329.6, p90: 900 })).toEqual({ p50: 329.6, p90: 900, capped: true });
    expect(consistentAddedDelay(180, 180, { p50: 190, p90: 190 })).toEqual({ p50: 180, p90: 180, capped: false });
    expect(consistentAddedDelay(180, 200, { p50: 190, p90: 195 })).toEqual({ p50: 180, p90: 195, capped: true });
    expect(consistentAddedDelay(180, 200, null)).toEqual({ p50: 180, p90: 200, capped: false });
    expect(consistentAddedDelay(null, null, { p50: 10, p90: 10 })).toEqual({ p50: null, p90: null, capped: false });
  });
});
