import { describe, expect, it } from 'vitest';
import { defaultAppOptions, serveOptionsFromFlags } from '../../../server/config/options.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { serveFlags } from './serve-flags.js';

describe('callprobe serve flags', () => {
  it('turn into the results store options: --db, --no-store, the token, retention, proxies', () => {
    expect(serveOptionsFromFlags(serveFlags)).toMatchObject({
      results: { db: { kind: 'sqlite', path: './data/callprobe.db' }, retainDays: 365, retainIpDays: 28 },
      adminToken: null,
      trustProxy: [],
    });
    const pgFlags = {
      ...serveFlags,
      db: { kind: 'postgres' as const, url: 'postgres://u@db/callprobe' },
      adminToken: 'x'.repeat(20),
      retainIpDays: 7,
      trustProxy: ['10.0.0.0/8'],
    };
    expect(serveOptionsFromFlags(pgFlags)).toMatchObject({
      results: { db: { kind: 'postgres' }, retainIpDays: 7 },
      adminToken: 'x'.repeat(20),
      trustProxy: ['10.0.0.0/8'],
    });
    expect(serveOptionsFromFlags({ ...serveFlags, store: false }).results).toBeNull();
  });

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
      quotas: { maxAllocationsPerUsername: 64, maxAllocationsPerSourceIp: 64, maxAllocationsTotal: 1000 },
    });
    const tls = serveOptionsFromFlags({ ...serveFlags, tlsPort: 5349, tlsCert: 'c.pem', tlsKey: 'k.pem' });
    expect(tls.tls).toEqual({ port: 5349, certPath: 'c.pem', keyPath: 'k.pem' });
  });

  it('refuse flags that need another one', () => {
    expect(() => serveOptionsFromFlags({ ...serveFlags, tlsPort: 5349, tlsCert: 'c.pem' })).toThrow(/--tls-port needs --tls-cert and --tls-key/);
    expect(() => serveOptionsFromFlags({ ...serveFlags, host: '0.0.0.0' })).toThrow(/--relay-ip/);
    expect(serveOptionsFromFlags({ ...serveFlags, host: '::', relayIp: '2001:db8::1' }).relayIp).toBe('2001:db8::1');
  });

  it('--relay-ip: one address, or one per family (dual stack, the IPv4 one primary)', () => {
    expect(serveOptionsFromFlags({ ...serveFlags, host: '::', relayIp: '2001:db8::1' })).not.toHaveProperty('relayIpV6');
    expect(serveOptionsFromFlags({ ...serveFlags, host: '::', relayIp: ' 2001:db8::1 , 192.0.2.1 ' })).toMatchObject({
      relayIp: '192.0.2.1',
      relayIpV6: '2001:db8::1',
    });
    for (const bad of ['192.0.2.1,192.0.2.2', '2001:db8::1,2001:db8::2', '192.0.2.1,2001:db8::1,192.0.2.3', ',']) {
      expect(() => serveOptionsFromFlags({ ...serveFlags, host: '::', relayIp: bad }), bad).toThrow(/--relay-ip .*one IPv4 and one IPv6 address/);
    }
  });
});

describe("the HTTP app's defaults", () => {
  it('are the defaults serve resolves with no flags: console sessions, busy-line limits (not offered), connection bounds', () => {
    const app = defaultAppOptions();
    const serve = serveOptionsFromFlags(serveFlags);
    expect(app.console).toMatchObject({ users: null, ...serve.console });
    expect(app.console.nowMs()).toBeGreaterThan(0);
    expect(app.load).toEqual({ ...serve.load, offered: false, allowedOrigins: [] });
    expect(app.connections).toEqual(DEFAULTS.http);
    expect(app).toMatchObject({ relay: 'external', reflector: null, rtpReflector: false, turn: [], trustProxy: [] });
    expect(app.results).toBeUndefined();
  });

  it('give every app its own random TURN secret, as serve without --secret', () => {
    expect(defaultAppOptions().secret).not.toBe(defaultAppOptions().secret);
    expect(defaultAppOptions().secret.length).toBeGreaterThanOrEqual(32);
  });
});
