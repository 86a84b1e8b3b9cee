import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/protocol/config-error.js';
import { parseAdvertise, parseHostPort, parseTrustProxy } from '../../../server/config/parse.js';

describe('--advertise', () => {
  it('parses --advertise with and without ports, IPv6 in brackets', () => {
    expect(parseAdvertise('203.0.113.7')).toEqual({ host: '203.0.113.7', udpPorts: null });
    expect(parseAdvertise('127.0.0.1:13478-13479')).toEqual({ host: '127.0.0.1', udpPorts: [13478, 13479] });
    expect(parseAdvertise('[::1]:3478')).toEqual({ host: '::1', udpPorts: [3478] });
    expect(parseAdvertise('turn.example.org')).toEqual({ host: 'turn.example.org', udpPorts: null });
  });
});

describe('parseHostPort (--metrics-listen)', () => {
  it('reads HOST:PORT and [IPV6]:PORT, refuses the rest', () => {
    expect(parseHostPort('127.0.0.1:9100', '--metrics-listen')).toEqual({ host: '127.0.0.1', port: 9100 });
    expect(parseHostPort('[::1]:0', '--metrics-listen')).toEqual({ host: '::1', port: 0 });
    expect(() => parseHostPort('::1:9100', '--metrics-listen')).toThrow(/--metrics-listen must look like/);
    expect(() => parseHostPort('127.0.0.1:70000', '--metrics-listen')).toThrow(/0\.\.65535/);
  });
});

describe('results store flags', () => {
  it('parses --trust-proxy as IPs and CIDRs', () => {
    expect(parseTrustProxy('127.0.0.1, 10.0.0.0/8,::1,fd00::/8')).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']);
    expect(() => parseTrustProxy('300.0.0.1')).toThrow(ConfigError);
    expect(() => parseTrustProxy('10.0.0.0/33')).toThrow(ConfigError);
    expect(() => parseTrustProxy('proxy.example')).toThrow(ConfigError);
    expect(() => parseTrustProxy(',')).toThrow(ConfigError);
  });
});
