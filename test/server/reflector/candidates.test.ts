import { describe, expect, it } from 'vitest';
import { canonicalAddress, isRelayCandidate, isRelayEndpoint, isSignalledCandidate, parseCandidate } from '../../../server/reflector/candidates.js';

const lo = 'candidate:1 1 udp 2122260223 127.0.0.1 50001 typ host generation 0';
const eth = 'candidate:2 1 udp 2122194687 192.0.2.2 50002 typ host generation 0';
const tcp = 'candidate:3 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active';

describe('reflector candidates', () => {
  it('parses the fields of an RFC 8839 candidate, as Chromium, Firefox and werift write them', () => {
    expect(parseCandidate(lo)).toEqual({ protocol: 'udp', address: '127.0.0.1', port: 50001, type: 'host' });
    expect(parseCandidate(eth)?.address).toBe('192.0.2.2');
    const chromium = 'candidate:3453702419 1 udp 41885439 203.0.113.9 52431 typ relay raddr 198.51.100.4 rport 61000 generation 0 ufrag Hs3f network-cost 999';
    expect(parseCandidate(chromium)).toEqual({ protocol: 'udp', address: '203.0.113.9', port: 52431, type: 'relay' });
    expect(parseCandidate('candidate:0 1 UDP 2122252543 2001:db8::5 54321 typ host')).toEqual({
      protocol: 'udp',
      address: '2001:db8::5',
      port: 54321,
      type: 'host',
    });
    expect(parseCandidate('candidate:ab+/Cd 1 udp 1 4d2f0f3c-1b6e-4c8e.local 9 typ host')?.address).toBe('4d2f0f3c-1b6e-4c8e.local');
    expect(parseCandidate(tcp)?.protocol).toBe('tcp');
  });

  it('reads nothing but exactly one candidate: no prefix, other whitespace, second candidate or stray field', () => {
    for (const bad of [
      'garbage',
      `a=${lo}`, // the SDP line, not the attribute
      `${lo} `, // trailing space
      `${lo}\t`,
      ` ${lo}`,
      lo.replace(' udp ', '  udp '), // two spaces
      lo.replace(' udp ', '\tudp '),
      `${lo}\na=${eth}`, // a second candidate joined by LF
      `${lo}\r\na=${eth}`,
      `${lo}\r`,
      `${lo} generation`, // an extension without its value
      'candidate:1 1 udp 2122260223 127.0.0.1 50001 host', // no "typ"
      'candidate:1 1 udp 2122260223 127.0.0.1 70000 typ host', // port over 65535
      'candidate:1 1 udp 2122260223 127.0.0.1 -1 typ host',
      'candidate:1 1 udp 21222602231 127.0.0.1 9 typ host', // priority over 10 digits
      'candidate:1 1234 udp 1 127.0.0.1 9 typ host', // component over 3 digits
      `candidate:${'a'.repeat(33)} 1 udp 1 127.0.0.1 9 typ host`, // foundation over 32
      'candidate:1 1 udp 1 127.0.0.1 9 typ host raddr 0.0.0.0 rport 99999',
      'candidate:1 1 udp 1 127.0.0.1@x 9 typ host',
      `candidate:1 1 udp 1 127.0.0.1 9 typ host x ${'y'.repeat(10)}\u00a0`,
    ]) {
      expect(parseCandidate(bad), JSON.stringify(bad)).toBeNull();
    }
  });

  it('signals only UDP host candidates on the configured address', () => {
    expect(isSignalledCandidate(parseCandidate(lo), '127.0.0.1')).toBe(true);
    expect(isSignalledCandidate(parseCandidate(eth), '127.0.0.1')).toBe(false);
    expect(isSignalledCandidate(parseCandidate(tcp), '127.0.0.1')).toBe(false);
  });

  it('accepts a page candidate only on the relay address (canonical IPv6, IPv4-mapped too) and in the relay port range', () => {
    const relay = { addresses: ['192.0.2.2', '2001:db8::1'], portRange: { min: 50000, max: 50010 } };
    expect(isRelayCandidate(parseCandidate(eth), relay)).toBe(true);
    expect(isRelayCandidate(parseCandidate(lo), relay)).toBe(false);
    expect(isRelayCandidate(parseCandidate('candidate:4 1 udp 1 2001:DB8:0::1 50003 typ relay'), relay)).toBe(true);
    expect(isRelayCandidate(parseCandidate('candidate:4 1 udp 1 2001:db8::1 50011 typ relay'), relay)).toBe(false);
    expect(isRelayCandidate(parseCandidate('candidate:5 1 tcp 1 192.0.2.2 50003 typ relay'), relay)).toBe(false);
    expect(isRelayCandidate(parseCandidate('candidate:6 1 udp 1 abc.local 50003 typ host'), relay)).toBe(false);
    expect(isRelayEndpoint('::ffff:192.0.2.2', 50000, relay)).toBe(true);
    expect(isRelayEndpoint('192.0.2.3', 50000, relay)).toBe(false);
    // A NAT64 spelling of the relay (RFC 6052's 64:ff9b::/96) names a translator, not the relay.
    expect(isRelayEndpoint('64:ff9b::c000:202', 50000, relay)).toBe(false);
    expect(isRelayCandidate(parseCandidate('candidate:7 1 udp 1 64:ff9b::192.0.2.2 50003 typ relay'), relay)).toBe(false);
    expect(canonicalAddress('64:ff9b::7f00:1')).toBe('64:ff9b::7f00:1');
    expect(canonicalAddress('::ffff:7f00:1')).toBe('127.0.0.1');
    // {0, 0}: the relay's ephemeral ports (tests), any port of its address.
    expect(isRelayEndpoint('192.0.2.2', 9, { addresses: ['192.0.2.2'], portRange: { min: 0, max: 0 } })).toBe(true);
  });
});
