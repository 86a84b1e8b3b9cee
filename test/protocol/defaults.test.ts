import { describe, expect, it } from 'vitest';
import { ConfigError, parseAdvertise, parsePortList, parseTurnUri } from '../../src/protocol/defaults.js';

describe('server configuration parsing', () => {
  it('parses port lists and ranges', () => {
    expect(parsePortList('3478-3481')).toEqual([3478, 3479, 3480, 3481]);
    expect(parsePortList('3478,443')).toEqual([3478, 443]);
    expect(() => parsePortList('3481-3478')).toThrow(ConfigError);
    expect(() => parsePortList('http')).toThrow(ConfigError);
    expect(() => parsePortList('1-1000')).toThrow(/too long/);
  });

  it('parses --advertise with and without ports, IPv6 in brackets', () => {
    expect(parseAdvertise('203.0.113.7')).toEqual({ host: '203.0.113.7', udpPorts: null });
    expect(parseAdvertise('127.0.0.1:13478-13479')).toEqual({ host: '127.0.0.1', udpPorts: [13478, 13479] });
    expect(parseAdvertise('[::1]:3478')).toEqual({ host: '::1', udpPorts: [3478] });
    expect(parseAdvertise('turn.example.org')).toEqual({ host: 'turn.example.org', udpPorts: null });
  });

  it('parses RFC 7065 TURN URIs', () => {
    expect(parseTurnUri('turn:127.0.0.1:3479?transport=udp')).toEqual({ url: 'turn:127.0.0.1:3479?transport=udp', transport: 'udp', port: 3479 });
    expect(parseTurnUri('turn:relay.example.org?transport=tcp')).toMatchObject({ transport: 'tcp', port: 3478 });
    expect(parseTurnUri('turns:relay.example.org:443?transport=tcp')).toMatchObject({ transport: 'tls', port: 443 });
    expect(() => parseTurnUri('stun:x')).toThrow(ConfigError);
  });
});
