/**
 * The probe stream's views outside the page (src/session/collect/outside-views.ts), on
 * hand-computed fixtures: the receive lag of an echo, the reflector's hold of a probe, and the
 * server's arrivals in 200 ms bins placed on the page's send clock.
 */
import { describe, expect, it } from 'vitest';
import { arrivalBins, holdSample, receiveLagSample, serverLoopSamples } from '../../../src/session/collect/outside-views.js';

describe('receive lag', () => {
  it('is the worker clock minus the receiveTime, at the receiveTime', () => {
    expect(receiveLagSample(100, 103.5)).toEqual({ atMs: 100, valueMs: 3.5 });
  });

  it('has no sample without a receiveTime', () => {
    expect(receiveLagSample(null, 103.5)).toBeNull();
    expect(receiveLagSample(Number.NaN, 103.5)).toBeNull();
  });
});

describe('reflector hold', () => {
  it('is the echo send stamp minus the receive stamp, at the probe send time', () => {
    expect(holdSample(10, 1005, 1005.5)).toEqual({ atMs: 10, valueMs: 0.5 });
  });

  it('has no sample when a stamp is missing', () => {
    expect(holdSample(Number.NaN, 1005, 1005.5)).toBeNull();
    expect(holdSample(10, 1005, Number.NaN)).toBeNull();
  });
});

describe('server arrival bins', () => {
  /**
   * Probes sent every 20 ms (page clock), reaching the server (its clock, first at 1000):
   * bin 0 [1000, 1200): 0@1000, 20@1020, 40@1041, 60@1190 (a 149 ms gap after 40);
   * bin 1 [1200, 1400): 80@1210;
   * bin 2 [1400, 1600): nothing arrived;
   * bin 3 [1600, 1800): 100@1610 (400 ms after 80), 120@1612, 110@1613 (out of send order).
   * A probe without a send time (1100) is left out.
   */
  const arrivals = [
    { sendMs: 100, recvMs: 1610 },
    { sendMs: 0, recvMs: 1000 },
    { sendMs: 20, recvMs: 1020 },
    { sendMs: 40, recvMs: 1041 },
    { sendMs: Number.NaN, recvMs: 1100 },
    { sendMs: 60, recvMs: 1190 },
    { sendMs: 80, recvMs: 1210 },
    { sendMs: 120, recvMs: 1612 },
    { sendMs: 110, recvMs: 1613 },
  ];

  it('counts arrivals per 200 ms of the server clock, with the longest gaps on both clocks and the fastest transit', () => {
    // Transits (server minus page clock): bin 0 1000, 1000, 1001, 1130; bin 1 1130; bin 3 1510, 1492, 1503.
    expect(arrivalBins(arrivals)).toEqual([
      { fromSendMs: 0, toSendMs: 60, packets: 4, maxGapMs: 149, maxSendGapMs: 20, minTransitMs: 1000 },
      { fromSendMs: 80, toSendMs: 80, packets: 1, maxGapMs: 20, maxSendGapMs: 20, minTransitMs: 1130 },
      // The empty bin is not listed: its gap is the next bin's, from the previous bin's last arrival.
      { fromSendMs: 100, toSendMs: 110, packets: 3, maxGapMs: 400, maxSendGapMs: 20, minTransitMs: 1492 },
    ]);
  });

  it('tells a device that held probes (send gap as long as the arrival gap) from regular sends', () => {
    // Sent 0, 20, then nothing until 520 (the sender stalled), arriving 5 ms after each send.
    const held = [0, 20, 520, 540].map((s) => ({ sendMs: s, recvMs: 2005 + s }));
    expect(arrivalBins(held)).toEqual([
      { fromSendMs: 0, toSendMs: 20, packets: 2, maxGapMs: 20, maxSendGapMs: 20, minTransitMs: 2005 },
      { fromSendMs: 520, toSendMs: 540, packets: 2, maxGapMs: 500, maxSendGapMs: 500, minTransitMs: 2005 },
    ]);
  });

  it('has no bin without arrivals', () => {
    expect(arrivalBins([])).toEqual([]);
    expect(arrivalBins([{ sendMs: Number.NaN, recvMs: 5 }])).toEqual([]);
  });
});

describe("the server's loop lateness on the page clock", () => {
  // Server clock = page clock + 5000; the fastest probe took 1.5 ms: transit 5001.5 ms.
  const arrivals = [
    { sendMs: 0, recvMs: 5003 },
    { sendMs: 20, recvMs: 5021.5 },
    { sendMs: 40, recvMs: 5060 },
    { sendMs: Number.NaN, recvMs: 4000 },
  ];

  it('places each bin at the send time of the probes its late stretch held up: minus the smallest up transit', () => {
    const reading = {
      binMs: 200,
      bins: [
        [5201.5, 0],
        [5001.5, 0.4],
        [5450, 38],
      ] as Array<[number, number]>,
    };
    expect(serverLoopSamples(reading, arrivals)).toEqual([
      { atMs: 0, valueMs: 0.4 },
      { atMs: 200, valueMs: 0 },
      { atMs: 448.5, valueMs: 38 },
    ]);
  });

  it('has none without a reading or an arrival to place it by', () => {
    expect(serverLoopSamples(null, arrivals)).toEqual([]);
    expect(serverLoopSamples({ binMs: 200, bins: [[5000, 1]] }, [])).toEqual([]);
  });
});
