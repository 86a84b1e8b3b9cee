/**
 * Dual stack. `serve --host :: --relay-ip IPV4,IPV6` listens on both
 * families (TURN's IPv4 socket of its own, commit 6a89570), hands the page TURN URIs for both
 * (the IPv4 ones first, so the standard rungs and the graded path stay IPv4; the IPv6 ones are
 * rungs of their own, family 'ipv6'), and relays on both: XOR-RELAYED-ADDRESS is IPv4 unless
 * REQUESTED-ADDRESS-FAMILY asks for IPv6 (RFC 8656 §7.2; RFC 6156 before it), whatever the
 * family the client came in on.
 *
 * Failed on the starting code: /api/config listed IPv4 URIs only, and an Allocate asking for
 * IPv6 got 440 (Address Family not Supported): serve never gave the relay an IPv6 address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ladder, type RungCheck } from '../../src/analysis/grade/connectivity.js';
import type { ServerConfig } from '../../src/protocol/api.js';
import { serveOptionsFromFlags } from '../../server/config/options.js';
import { turnEntries } from '../../server/serve.js';
import { TurnClient } from '../../server/turn/client/turn-client.js';
import { mintRestCredential } from '../../server/turn/credentials.js';
import { formatIp } from '../../src/protocol/ip.js';
import { freePorts } from '../kit/net.js';
import { makeTestPki, type TestPki } from '../kit/pki.js';
import { serveProcess, type ServeProcess } from '../kit/callprobe.js';
import { cliPath } from '../kit/paths.js';
import { needBuilt, skipReason } from '../kit/requires.js';
import { serveFlags } from './config/serve-flags.js';

const built = skipReason('dual-stack serve processes', [needBuilt(cliPath)]) === null;
const SECRET = 'dual-stack';

describe('the page is offered both families (turnEntries and the ladder)', () => {
  const listeners = ['::', '0.0.0.0'].flatMap((address) => [
    ...[3478, 3479, 3480, 3481].map((port) => ({ transport: 'udp' as const, address, port })),
    { transport: 'tcp' as const, address, port: 443 },
    { transport: 'tls' as const, address, port: 443 },
  ]);

  it('--host :: with an IPv4 and an IPv6 relay address: every entry for each, IPv4 first', () => {
    const opts = serveOptionsFromFlags({ ...serveFlags, host: '::', relayIp: '2001:db8::10,192.0.2.10', tcpPorts: [443] });
    expect(opts).toMatchObject({ relayIp: '192.0.2.10', relayIpV6: '2001:db8::10' });
    expect(turnEntries(opts, listeners).map((e) => e.url)).toEqual([
      'turn:192.0.2.10:3478?transport=udp',
      'turn:192.0.2.10:3479?transport=udp',
      'turn:192.0.2.10:3480?transport=udp',
      'turn:192.0.2.10:3481?transport=udp',
      'turn:192.0.2.10:443?transport=tcp',
      'turns:192.0.2.10:443?transport=tcp',
      'turn:[2001:db8::10]:3478?transport=udp',
      'turn:[2001:db8::10]:3479?transport=udp',
      'turn:[2001:db8::10]:3480?transport=udp',
      'turn:[2001:db8::10]:3481?transport=udp',
      'turn:[2001:db8::10]:443?transport=tcp',
      'turns:[2001:db8::10]:443?transport=tcp',
    ]);
  });

  it('one family only where serve listens on one, or has one relay address', () => {
    const v4only = serveOptionsFromFlags({ ...serveFlags, host: '::', relayIp: '192.0.2.10' });
    expect(turnEntries(v4only, listeners).every((e) => e.url.includes('192.0.2.10'))).toBe(true);
    const oneHost = serveOptionsFromFlags({ ...serveFlags, host: '192.0.2.10', relayIp: '192.0.2.10,2001:db8::10' });
    expect(
      turnEntries(
        oneHost,
        listeners.filter((l) => l.address === '0.0.0.0'),
      ).every((e) => e.url.includes('192.0.2.10')),
    ).toBe(true);
  });

  it('the ladder: the six standard rungs are IPv4, the IPv6 entries follow as rungs of family ipv6', () => {
    const opts = serveOptionsFromFlags({ ...serveFlags, host: '::', relayIp: '192.0.2.10,2001:db8::10' });
    // IPv6 offered first on purpose: the standard rungs still take the IPv4 entries.
    const entries = turnEntries(opts, listeners);
    const checks: RungCheck[] = [...entries.slice(6), ...entries.slice(0, 6)].map((e) => ({ ...e, reachable: true, allocateMs: 20, error: null }));
    const rungs = ladder(checks);
    expect(rungs.map((r) => `${r.transport}/${r.port}/${r.family}`)).toEqual([
      'udp/3478/ipv4',
      'udp/3479/ipv4',
      'udp/3480/ipv4',
      'udp/3481/ipv4',
      'tcp/443/ipv4',
      'tls/443/ipv4',
      'udp/3478/ipv6',
      'udp/3479/ipv6',
      'udp/3480/ipv6',
      'udp/3481/ipv6',
      'tcp/443/ipv6',
      'tls/443/ipv6',
    ]);
    // An IPv6-only server still fills the standard rungs.
    const v6only = ladder(entries.slice(6).map((e) => ({ ...e, reachable: true, allocateMs: 20, error: null })));
    expect(v6only.slice(0, 6).map((r) => `${r.family} ${r.error ?? 'ok'}`)).toEqual(Array(6).fill('ipv6 ok'));
  });
});

describe.skipIf(!built)('serve --host :: --relay-ip 127.0.0.1,::1 (a real process, loopback only)', () => {
  let pki: TestPki;
  let server: ServeProcess;
  let turnPort: number;
  let tlsPort: number;

  beforeAll(async () => {
    pki = makeTestPki();
    [turnPort = 0, tlsPort = 0] = await freePorts(2);
    server = await serveProcess({
      host: '::',
      relayIp: '127.0.0.1,::1',
      turnPorts: turnPort,
      relayPorts: '32300-32399',
      tls: { port: tlsPort, certPath: pki.chainPath, keyPath: pki.keyPath },
      secret: SECRET,
    });
  }, 30_000);

  afterAll(async () => {
    await server?.stop();
    pki?.remove();
  });

  it('/api/config lists the TURN URIs of both families, IPv4 first, asked over either family', async () => {
    const port = new URL(server.url).port;
    const expected = ['127.0.0.1', '[::1]'].flatMap((h) => [
      `turn:${h}:${turnPort}?transport=udp`,
      `turn:${h}:${turnPort}?transport=tcp`,
      `turns:${h}:${tlsPort}?transport=tcp`,
    ]);
    for (const base of [`http://127.0.0.1:${port}`, `http://[::1]:${port}`]) {
      const config = (await (await fetch(`${base}/api/config`)).json()) as ServerConfig;
      expect(config.turn.map((e) => e.url)).toEqual(expected);
    }
  });

  it('relays IPv4 by default and IPv6 on REQUESTED-ADDRESS-FAMILY, over UDP, TCP and TLS on both families', async () => {
    const got: Record<string, string> = {};
    for (const host of ['127.0.0.1', '::1']) {
      for (const transport of ['udp', 'tcp', 'tls'] as const) {
        for (const family of [undefined, 6] as const) {
          const c = mintRestCredential(SECRET, `ds-${transport}`, 600, Date.now());
          const port = transport === 'tls' ? tlsPort : turnPort;
          const client = await TurnClient.connect({
            host,
            port,
            transport,
            username: c.username,
            password: c.credential,
            ...(transport === 'tls' ? { verify: { ca: pki.caPem } } : {}),
          });
          try {
            const a = await client.allocate(family === undefined ? {} : { family });
            got[`${transport} via ${host}, ${family === undefined ? 'no family asked' : 'IPv6 asked'}`] =
              `relayed ${formatIp(a.relayed.ip)}, mapped ${formatIp(a.mapped.ip)}`;
          } catch (err) {
            got[`${transport} via ${host}, ${family === undefined ? 'no family asked' : 'IPv6 asked'}`] = (err as Error).message;
          } finally {
            await client.close();
          }
        }
      }
    }
    const expected: Record<string, string> = {};
    for (const host of ['127.0.0.1', '::1']) {
      for (const transport of ['udp', 'tcp', 'tls']) {
        expected[`${transport} via ${host}, no family asked`] = `relayed 127.0.0.1, mapped ${host}`;
        expected[`${transport} via ${host}, IPv6 asked`] = `relayed ::1, mapped ${host}`;
      }
    }
    expect(got).toEqual(expected);
  }, 30_000);
});
