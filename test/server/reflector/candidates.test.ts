import { describe, expect, it } from 'vitest';
import {
  filterRemoteSdpCandidates,
  filterSdpCandidates,
  isRelayCandidate,
  isSignalledCandidate,
  parseCandidate,
} from '../../../server/reflector/candidates.js';

const lo = 'candidate:1 1 udp 2122260223 127.0.0.1 50001 typ host generation 0';
const eth = 'candidate:2 1 udp 2122194687 192.0.2.2 50002 typ host generation 0';
const tcp = 'candidate:3 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active';

describe('reflector candidates', () => {
  it('parses the fields of an RFC 8839 candidate', () => {
    expect(parseCandidate(lo)).toEqual({ protocol: 'udp', address: '127.0.0.1', port: 50001, type: 'host' });
    expect(parseCandidate('a=' + eth)?.address).toBe('192.0.2.2');
    expect(parseCandidate('garbage')).toBeNull();
  });

  it('signals only UDP host candidates on the configured address', () => {
    expect(isSignalledCandidate(parseCandidate(lo), '127.0.0.1')).toBe(true);
    expect(isSignalledCandidate(parseCandidate(eth), '127.0.0.1')).toBe(false);
    expect(isSignalledCandidate(parseCandidate(tcp), '127.0.0.1')).toBe(false);
  });

  it('strips other candidates from an SDP', () => {
    const sdp = ['v=0', `a=${lo}`, `a=${eth}`, `a=${tcp}`, 'a=end-of-candidates', ''].join('\r\n');
    expect(filterSdpCandidates(sdp, '127.0.0.1')).toBe(['v=0', `a=${lo}`, 'a=end-of-candidates', ''].join('\r\n'));
  });

  it('accepts a page candidate only on the relay address (canonical IPv6 too) and in the relay port range', () => {
    const relay = { addresses: ['192.0.2.2', '2001:db8::1'], portRange: { min: 50000, max: 50010 } };
    expect(isRelayCandidate(parseCandidate(eth), relay)).toBe(true);
    expect(isRelayCandidate(parseCandidate(lo), relay)).toBe(false);
    expect(isRelayCandidate(parseCandidate('candidate:4 1 udp 1 2001:DB8:0::1 50003 typ relay'), relay)).toBe(true);
    expect(isRelayCandidate(parseCandidate('candidate:4 1 udp 1 2001:db8::1 50011 typ relay'), relay)).toBe(false);
    expect(isRelayCandidate(parseCandidate('candidate:5 1 tcp 1 192.0.2.2 50003 typ relay'), relay)).toBe(false);
    expect(isRelayCandidate(parseCandidate('candidate:6 1 udp 1 abc.local 50003 typ host'), relay)).toBe(false);
    const sdp = ['v=0', `a=${lo}`, `a=${eth}`, ''].join('\r\n');
    expect(filterRemoteSdpCandidates(sdp, relay)).toEqual({ sdp: ['v=0', `a=${eth}`, ''].join('\r\n'), dropped: 1 });
  });
});
