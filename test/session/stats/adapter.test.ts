import { describe, expect, it } from 'vitest';
import { portOfTurnUrl, readStats } from '../../../src/session/stats/adapter.js';
import { StatsSampler } from '../../../src/session/stats/sampler.js';

const report = [
  { id: 'T1', type: 'transport', selectedCandidatePairId: 'CP1' },
  { id: 'CP1', type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1', currentRoundTripTime: 0.0123, nominated: true, state: 'succeeded' },
  { id: 'L1', type: 'local-candidate', candidateType: 'relay', relayProtocol: 'udp', url: 'turn:127.0.0.1:3479?transport=udp', port: 50123 },
  { id: 'RI', type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: 0.021, roundTripTimeMeasurements: 2, fractionLost: 0.0039 },
  { id: 'IN', type: 'inbound-rtp', kind: 'audio', jitter: 0.003, concealedSamples: 480, totalSamplesReceived: 48000 },
];

describe('getStats adapter', () => {
  it('converts seconds to milliseconds once and finds the selected relay path', () => {
    const s = readStats(report);
    expect(s.iceRttMs).toBeCloseTo(12.3, 9);
    expect(s.rtcpRttMs).toBeCloseTo(21, 9);
    expect(s.inboundJitterMs).toBeCloseTo(3, 9);
    expect(s.rtcpFractionLost).toBe(0.0039);
    expect(s.path).toEqual({ transport: 'udp', port: 3479, candidateType: 'relay', family: 'ipv4' });
    expect(s.pairId).toBe('CP1');
  });

  it('reports null for what the browser did not report', () => {
    const s = readStats([{ id: 'x', type: 'peer-connection' }]);
    expect(s).toMatchObject({ iceRttMs: null, rtcpRttMs: null, inboundJitterMs: null, pairId: null });
    expect(s.path.transport).toBe('unknown');
  });

  it('reads the TURN server port from a relay candidate url', () => {
    expect(portOfTurnUrl('turn:[::1]:3480?transport=udp')).toBe(3480);
    expect(portOfTurnUrl('turns:relay.example.org:443?transport=tcp')).toBe(443);
    expect(portOfTurnUrl('turn:relay.example.org')).toBeNull();
    expect(portOfTurnUrl(null)).toBeNull();
  });
});

/** As Firefox reports it: no `transport` stats, a pair it marks `selected` without currentRoundTripTime, a relay candidate without `url`. */
const firefox = [
  { id: 'CP9', type: 'candidate-pair', localCandidateId: 'L9', remoteCandidateId: 'R9', selected: true, nominated: true, state: 'succeeded' },
  { id: 'CPx', type: 'candidate-pair', localCandidateId: 'Lx', remoteCandidateId: 'Rx', selected: false, nominated: false, state: 'failed' },
  { id: 'L9', type: 'local-candidate', candidateType: 'relay', relayProtocol: 'udp', address: '10.77.0.1', port: 61000 },
  { id: 'RI', type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: 0.004, roundTripTimeMeasurements: 1 },
];

describe('getStats adapter, Firefox', () => {
  it('finds the selected pair without transport stats, and says which fields are missing from objects that are there', () => {
    const s = readStats(firefox);
    expect(s.pairId).toBe('CP9');
    expect(s.iceRttMs).toBeNull();
    expect(s.path).toEqual({ transport: 'udp', port: null, candidateType: 'relay', family: null });
    expect(s.has).toEqual({ pair: true, pairRtt: false, remoteInbound: true, remoteInboundRtt: true, inbound: false, inboundConcealment: false });
  });

  it('the sampler names what this browser cannot give: a field never seen on an object that was', async () => {
    let polls = 0;
    const pc = { getStats: () => Promise.resolve(new Map((polls++ === 0 ? firefox : report).map((e) => [e.id, e]))) } as unknown as RTCPeerConnection;
    const firefoxOnly = new StatsSampler(
      { getStats: () => Promise.resolve(new Map(firefox.map((e) => [e.id, e]))) } as unknown as RTCPeerConnection,
      'webaudio',
    );
    await firefoxOnly.poll();
    await firefoxOnly.poll();
    expect(firefoxOnly.opinion().lacks).toEqual(['ice-rtt']);
    // A browser that reported it once is not said to lack it.
    const mixed = new StatsSampler(pc, 'webaudio');
    await mixed.poll();
    await mixed.poll();
    expect(mixed.opinion().lacks).toEqual([]);
  });
});

describe('getStats adapter, Safari', () => {
  it('without roundTripTimeMeasurements each RTCP report counts once, by when it arrived', async () => {
    const polls = [1000, 1000, 6000].map((ts) => [{ id: 'RI', type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: 0.02, timestamp: ts }]);
    let i = 0;
    const sampler = new StatsSampler(
      { getStats: () => Promise.resolve(new Map((polls[i++] ?? []).map((e) => [e.id, e]))) } as unknown as RTCPeerConnection,
      'none',
    );
    for (let n = 0; n < 3; n++) await sampler.poll();
    expect(sampler.opinion().rtcpRttMs).toEqual([20, 20]);
  });
});
