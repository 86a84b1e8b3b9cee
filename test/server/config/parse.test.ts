import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/protocol/config-error.js';
import { parseAdvertise, parseEmbedOrigins, parseHostPort, parseTrustProxy } from '../../../server/config/parse.js';

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

describe('--embed-origins', () => {
  it('reads exact http(s) origins as the browser writes them, each once', () => {
    expect(parseEmbedOrigins('https://help.example.com, http://127.0.0.1:8081,HTTPS://Help.Example.com:443/')).toEqual([
      'https://help.example.com',
      'http://127.0.0.1:8081',
    ]);
    expect(parseEmbedOrigins('http://[::1]:9000')).toEqual(['http://[::1]:9000']);
  });

  it('refuses a wildcard, a path, a query, credentials, another scheme or nothing, saying which', () => {
    const refused = (text: string, why: RegExp): void => {
      expect(() => parseEmbedOrigins(text)).toThrow(ConfigError);
      expect(() => parseEmbedOrigins(text)).toThrow(why);
    };
    refused('https://*.example.com', /has a wildcard/);
    refused('*', /has a wildcard/);
    refused('https://help.example.com/portal', /has a path/);
    refused('https://help.example.com/?x=1', /has a path/);
    refused('https://help.example.com#top', /has a path/);
    refused('https://user:pw@help.example.com', /has credentials/);
    refused('ftp://help.example.com', /is not http or https/);
    refused("'self'", /is not an origin/);
    refused('help.example.com', /is not an origin/);
    refused(' , ', /is empty/);
  });
});
