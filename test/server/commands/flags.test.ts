import { describe, expect, it } from 'vitest';
import { serveOptionsFromFlags } from '../../../server/commands/serve.js';
import { checkRunFlags, checkScheduleFlags, type RunCommandOptions } from '../../../server/commands/run.js';
import { ConfigError, DEFAULTS, parseTurnUri } from '../../../src/protocol/defaults.js';
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

describe('callprobe run flags', () => {
  const base: RunCommandOptions = {
    profile: 'client-to-edge',
    from: 'site',
    compare: false,
    json: false,
    browser: DEFAULTS.browserPath,
    save: true,
    csv: false,
  };

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

  it('refuse --json with --csv, a site without the operator token, and empty or long site and ticket', () => {
    const server = 'http://127.0.0.1:8080';
    expect(() => checkRunFlags({ ...base, server, json: true, csv: true })).toThrow(/--json and --csv/);
    expect(() => checkRunFlags({ ...base, server, site: 'Paris' })).toThrow(/--site needs --admin-token/);
    expect(checkRunFlags({ ...base, server, site: 'Paris', save: false }).site).toBe('Paris');
    expect(checkRunFlags({ ...base, server, site: 'Paris', adminToken: 'x'.repeat(20) }).site).toBe('Paris');
    expect(() => checkRunFlags({ ...base, server, ticket: ' ' })).toThrow(/--ticket must be 1\.\.128/);
    expect(() => checkRunFlags({ ...base, server, ticket: 'x'.repeat(129) })).toThrow(/--ticket must be 1\.\.128/);
  });

  it('--token (CALLPROBE_TOKEN) is the operator token under another name; two different tokens are refused', () => {
    const server = 'http://127.0.0.1:8080';
    const t = 'y'.repeat(20);
    expect(checkRunFlags({ ...base, server, site: 'Paris', token: t }).adminToken).toBe(t);
    expect(checkRunFlags({ ...base, server, site: 'Paris', token: t, adminToken: t }).adminToken).toBe(t);
    expect(() => checkRunFlags({ ...base, server, site: 'Paris', token: t, adminToken: 'x'.repeat(20) })).toThrow(/differ/);
  });

  it('--every needs a server, a site and saving; --count and --for go with it, not with each other', () => {
    const o = checkRunFlags({ ...base, server: 'http://127.0.0.1:8080', site: 'Paris', adminToken: 'x'.repeat(20) });
    const spool = DEFAULTS.schedule.spoolDir;
    expect(checkScheduleFlags(o, { spool })).toBeNull();
    expect(() => checkScheduleFlags(o, { spool, count: 3 })).toThrow(/need --every/);
    expect(() => checkScheduleFlags(o, { spool, for: 60_000 })).toThrow(/need --every/);
    expect(checkScheduleFlags(o, { spool, every: 600_000, count: 6 })).toEqual({ everyMs: 600_000, count: 6, forMs: null, spoolDir: spool });
    expect(checkScheduleFlags(o, { spool, every: 600_000, for: 7 * 86_400_000 })).toMatchObject({ count: null, forMs: 7 * 86_400_000 });
    expect(() => checkScheduleFlags(o, { spool, every: 600_000, count: 6, for: 60_000 })).toThrow(/not both/);
    expect(() => checkScheduleFlags({ ...o, site: undefined }, { spool, every: 600_000 })).toThrow(/--site/);
    expect(() => checkScheduleFlags({ ...o, save: false }, { spool, every: 600_000 })).toThrow(/--no-save/);
    expect(() => checkScheduleFlags({ ...o, json: true }, { spool, every: 600_000 })).toThrow(/--json/);
    expect(() => checkScheduleFlags({ ...o, server: undefined }, { spool, every: 600_000 })).toThrow(/--server/);
  });
});
