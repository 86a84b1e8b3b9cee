/**
 * The network thread's round trips as time-stamped readings (src/session/stats/readings.ts):
 * one reading per new measurement, at the page-clock time getStats was asked.
 */
import { describe, expect, it } from 'vitest';
import { readStats } from '../../../src/session/stats/adapter.js';
import { RttReadings } from '../../../src/session/stats/readings.js';
import { StatsSampler } from '../../../src/session/stats/sampler.js';

const poll = (over: Partial<Parameters<RttReadings['add']>[0]>): Parameters<RttReadings['add']>[0] => ({
  iceRttMs: null,
  pairResponses: null,
  rtcpRttMs: null,
  rtcpMeasurements: null,
  rtcpReportMs: null,
  ...over,
});

describe('round-trip readings', () => {
  it('reads a new ICE round trip when a STUN response came or the value changed, not on every poll', () => {
    const r = new RttReadings();
    r.add(poll({ iceRttMs: 26, pairResponses: 3 }), 1000);
    r.add(poll({ iceRttMs: 26, pairResponses: 3 }), 2000); // nothing new
    r.add(poll({ iceRttMs: 26, pairResponses: 4 }), 3000); // a new response, the same round trip
    r.add(poll({ iceRttMs: 31, pairResponses: null }), 4000); // no count (as some browsers): a new value
    r.add(poll({ iceRttMs: 31, pairResponses: null }), 5000);
    expect(r.views().iceRttMs).toEqual([
      { atMs: 1000, valueMs: 26 },
      { atMs: 3000, valueMs: 26 },
      { atMs: 4000, valueMs: 31 },
    ]);
  });

  it('reads each RTCP measurement once, by its count, or by its report timestamp without one (Safari)', () => {
    const r = new RttReadings();
    r.add(poll({ rtcpRttMs: 73, rtcpMeasurements: 1, rtcpReportMs: 10 }), 1000);
    r.add(poll({ rtcpRttMs: 73, rtcpMeasurements: 1, rtcpReportMs: 11 }), 2000); // the same measurement
    r.add(poll({ rtcpRttMs: 73, rtcpMeasurements: 2, rtcpReportMs: 12 }), 6000);
    expect(r.views().rtcpRttMs).toEqual([
      { atMs: 1000, valueMs: 73 },
      { atMs: 6000, valueMs: 73 },
    ]);
    const safari = new RttReadings();
    safari.add(poll({ rtcpRttMs: 40, rtcpReportMs: 500 }), 1000);
    safari.add(poll({ rtcpRttMs: 40, rtcpReportMs: 500 }), 2000);
    safari.add(poll({ rtcpRttMs: 42, rtcpReportMs: 5500 }), 6000);
    expect(safari.views().rtcpRttMs).toEqual([
      { atMs: 1000, valueMs: 40 },
      { atMs: 6000, valueMs: 42 },
    ]);
  });

  it('takes the ICE round trip and its response count from the selected pair, in ms', () => {
    const s = readStats([
      { id: 'T1', type: 'transport', selectedCandidatePairId: 'CP1' },
      { id: 'CP1', type: 'candidate-pair', currentRoundTripTime: 0.026, responsesReceived: 7 },
    ]);
    const r = new RttReadings();
    r.add(s, 1500);
    expect(r.views()).toEqual({ iceRttMs: [{ atMs: 1500, valueMs: 26 }], rtcpRttMs: [] });
  });
});

describe('the sampler through the busy-line phase', () => {
  it('freezes the second opinion after one last poll, and keeps reading round trips', async () => {
    const rtts = [0.01, 0.012, 0.05, 0.08];
    let i = 0;
    const pc = {
      getStats: () => {
        const rtt = rtts[i++] ?? 0.08;
        return Promise.resolve(new Map([['CP1', { id: 'CP1', type: 'candidate-pair', selected: true, currentRoundTripTime: rtt }]]));
      },
    } as unknown as RTCPeerConnection;
    const sampler = new StatsSampler(pc, 'none');
    await sampler.poll(); // 10 ms, idle
    await sampler.freezeOpinion(); // 12 ms, the last of the idle window
    await sampler.poll(); // 50 ms, under load
    await sampler.stop(); // 80 ms
    expect(sampler.opinion().iceRttMs.map(Math.round)).toEqual([10, 12]);
    expect(sampler.rttViews().iceRttMs.map((r) => Math.round(r.valueMs))).toEqual([10, 12, 50, 80]);
  });
});
