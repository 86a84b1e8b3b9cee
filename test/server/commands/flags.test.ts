import { describe, expect, it } from 'vitest';
import { serveOptionsFromFlags, type ServeFlags } from '../../../server/commands/serve.js';
import { checkRunFlags, type RunCommandOptions } from '../../../server/commands/run.js';
import { ConfigError, DEFAULTS, parseTurnUri } from '../../../src/protocol/defaults.js';

const serveFlags: ServeFlags = {
  host: DEFAULTS.host,
  httpPort: DEFAULTS.httpPort,
  turnPorts: DEFAULTS.turnUdpPorts,
  relayPorts: DEFAULTS.relayPortRange,
  credentialTtl: DEFAULTS.credentialTtlS,
  allowPeers: [],
  reflector: true,
  logLevel: 'info',
  maxAllocationsPerUser: DEFAULTS.relayQuotas.maxAllocationsPerUsername,
  maxAllocationsPerIp: DEFAULTS.relayQuotas.maxAllocationsPerSourceIp,
  maxAllocations: DEFAULTS.relayQuotas.maxAllocationsTotal,
  maxSessionsPerIp: DEFAULTS.signalling.maxSessionsPerSource,
  sessionsPerMinute: DEFAULTS.signalling.newSessionsPerMinutePerSource,
  configPerMinute: DEFAULTS.signalling.configPerMinutePerSource,
  allowedOrigins: [],
};

describe('callprobe serve flags', () => {
  it('turn into the server options, the relay quotas included', () => {
    const o = serveOptionsFromFlags({ ...serveFlags, tcpPorts: [443], maxAllocationsPerIp: 64 });
    expect(o).toMatchObject({
      host: '127.0.0.1',
      relayIp: '127.0.0.1',
      tcpPorts: [443],
      tls: null,
      secret: null,
      advertise: null,
      externalTurn: null,
      quotas: { maxAllocationsPerUsername: 10, maxAllocationsPerSourceIp: 64, maxAllocationsTotal: 1000 },
    });
    const tls = serveOptionsFromFlags({ ...serveFlags, tlsPort: 5349, tlsCert: 'c.pem', tlsKey: 'k.pem' });
    expect(tls.tls).toEqual({ port: 5349, certPath: 'c.pem', keyPath: 'k.pem' });
  });

  it('refuse flags that need another one', () => {
    expect(() => serveOptionsFromFlags({ ...serveFlags, tlsPort: 5349, tlsCert: 'c.pem' })).toThrow(/--tls-port needs --tls-cert and --tls-key/);
    expect(() => serveOptionsFromFlags({ ...serveFlags, host: '0.0.0.0' })).toThrow(/--relay-ip/);
    expect(serveOptionsFromFlags({ ...serveFlags, host: '::', relayIp: '2001:db8::1' }).relayIp).toBe('2001:db8::1');
  });
});

describe('callprobe run flags', () => {
  const base: RunCommandOptions = { profile: 'client-to-edge', from: 'site', json: false, browser: DEFAULTS.browserPath };

  it('need a server or a TURN server with its credentials', () => {
    expect(() => checkRunFlags(base)).toThrow(ConfigError);
    const turn = parseTurnUri('turn:127.0.0.1:3590?transport=udp');
    expect(() => checkRunFlags({ ...base, turn })).toThrow(/--turn-user and --turn-credential/);
    expect(checkRunFlags({ ...base, turn, turnUser: 'u', turnCredential: 'p' }).turn).toEqual(turn);
    expect(checkRunFlags({ ...base, server: 'http://127.0.0.1:8080' }).server).toBe('http://127.0.0.1:8080');
  });

  it('need a region with the azure-region profile', () => {
    expect(() => checkRunFlags({ ...base, server: 'http://127.0.0.1:8080', profile: 'azure-region' })).toThrow(/--azure-region/);
  });
});
