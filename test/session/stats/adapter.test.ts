import { describe, expect, it } from 'vitest';
import { portOfTurnUrl, readStats } from '../../../src/session/stats/adapter.js';

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
