/**
 * The rendered coturn configuration really works: four coturn instances, uclient through each;
 * and it is as strict as the embedded relay: no TCP relay (uclient -T
 * is refused), every peer but the allowed one refused (special-purpose ranges, other loopback
 * addresses), the quotas and max-bps written. Failed on the starting code (c0b4902): no
 * no-tcp-relay, no quotas, and 127.0.0.2 was an allowed peer.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderCoturnConfig } from '../../../server/turn/coturn-config.js';
import { mintRestCredential } from '../../../server/turn/credentials.js';
import { TurnClient, TurnClientError } from '../../../server/turn/client/turn-client.js';
import { parseIp } from '../../../src/protocol/ip.js';
import { parseUclient, uclientArgs } from '../../../bench/relay/uclient.js';
import { freePorts, waitUdpBound } from '../../kit/net.js';
import { runProcess, spawnBounded, type ProcessHandle } from '../../kit/process.js';

const SECRET = 'coturn-shared-secret';
const dir = mkdtempSync(join(tmpdir(), 'callprobe-coturn-'));
const procs: ProcessHandle[] = [];
/** coturn and its peer live for one case at most. */
const startProcess = (cmd: string, args: string[]): ProcessHandle => spawnBounded(cmd, args, { deadlineMs: 60_000 });

afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  rmSync(dir, { recursive: true, force: true });
});

describe('renderCoturnConfig', () => {
  it('renders one instance per port with disjoint relay ranges and the safety options', () => {
    const confs = renderCoturnConfig({ listeningIp: '127.0.0.1', relayIp: '127.0.0.1', realm: 'callprobe', secret: SECRET });
    expect(confs.map((c) => c.port)).toEqual([3478, 3479, 3480, 3481]);
    expect(confs.map((c) => c.relayPortRange)).toEqual([
      { min: 49152, max: 53247 },
      { min: 53248, max: 57343 },
      { min: 57344, max: 61439 },
      { min: 61440, max: 65535 },
    ]);
    const text = confs[0]?.text ?? '';
    for (const line of [
      'no-tcp-relay',
      'user-quota=64',
      'total-quota=250',
      'max-bps=4000000',
      'denied-peer-ip=0.0.0.0-255.255.255.255',
      'allowed-peer-ip=127.0.0.1',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
    for (const line of [
      'use-auth-secret',
      `static-auth-secret=${SECRET}`,
      'no-cli',
      'no-multicast-peers',
      'allow-loopback-peers',
      'denied-peer-ip=10.0.0.0-10.255.255.255',
      'denied-peer-ip=fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
    const publicRelay = renderCoturnConfig({ listeningIp: '203.0.113.9', relayIp: '203.0.113.9', realm: 'r', secret: 's' })[0]?.text ?? '';
    expect(publicRelay).not.toMatch(/allow-loopback-peers/);
    // The reflector on an address of its own: it is allowed, and so is the relay's own relayed
    // address, where the reflector's data-channel leg takes its one (relay) candidate.
    const ownAddress =
      renderCoturnConfig({ listeningIp: '203.0.113.9', relayIp: '203.0.113.9', realm: 'r', secret: 's', allowPeers: ['198.51.100.7/32'] })[0]?.text ?? '';
    expect(ownAddress.split('\n').filter((l) => l.startsWith('allowed-peer-ip='))).toEqual(['allowed-peer-ip=203.0.113.9', 'allowed-peer-ip=198.51.100.7']);
  });

  it('starts coturn with the rendered files and allocates through every port with turnutils_uclient', async () => {
    const ports = await freePorts(5);
    const peerPort = ports[4] ?? 0;
    const confs = renderCoturnConfig({
      listeningIp: '127.0.0.1',
      relayIp: '127.0.0.1',
      ports: ports.slice(0, 4),
      relayPortRange: { min: 30000 + ((ports[0] ?? 0) % 10) * 2000, max: 30000 + ((ports[0] ?? 0) % 10) * 2000 + 1999 },
      realm: 'callprobe',
      secret: SECRET,
      allowPeers: ['127.0.0.1/32'],
    });
    for (const c of confs) {
      const file = join(dir, `turnserver-${c.port}.conf`);
      writeFileSync(file, c.text);
      procs.push(startProcess('turnserver', ['-c', file, '--pidfile', join(dir, `pid-${c.port}`), '--userdb', join(dir, `db-${c.port}.sqlite`)]));
    }
    procs.push(startProcess('turnutils_peer', ['-L', '127.0.0.1', '-p', String(peerPort)]));
    await Promise.all([...confs.map((c) => waitUdpBound(c.port)), waitUdpBound(peerPort)]);
    const runs = await Promise.all(
      confs.map((c) =>
        runProcess(
          'turnutils_uclient',
          uclientArgs({
            flags: ['-c'],
            messages: 20,
            sessions: 1,
            lengthBytes: 120,
            intervalMs: 5,
            peerPort,
            relayPort: c.port,
            auth: { secret: SECRET, user: 'cfg' },
          }),
          { timeoutMs: 25_000 },
        ),
      ),
    );
    for (const r of runs) {
      const s = parseUclient(r.output);
      expect(s, r.output.slice(-800)).toEqual({ sent: 20, received: 20, lostPct: 0 });
    }

    // TCP relay (RFC 6062) is refused.
    const tcpRelay = await runProcess(
      'turnutils_uclient',
      uclientArgs({
        flags: ['-T'],
        messages: 5,
        sessions: 1,
        lengthBytes: 120,
        peerPort,
        relayPort: confs[0]?.port ?? 0,
        auth: { secret: SECRET, user: 'cfg' },
      }),
      { timeoutMs: 25_000 },
    );
    console.log(
      `coturn-config: uclient -T: ${tcpRelay.output
        .split('\n')
        .filter((l) => /error|442|refus|fail/i.test(l))
        .slice(0, 2)
        .join(' | ')}`,
    );
    expect(tcpRelay.output).toMatch(/442|Unsupported Transport/i);
    expect(tcpRelay.output).not.toMatch(/Total receive.*[1-9]/);

    // Every peer but the allowed one is refused (403), the allowed one is not.
    const cred = mintRestCredential(SECRET, 'cfg', 600, Date.now());
    const client = await TurnClient.connect({ host: '127.0.0.1', port: confs[0]?.port ?? 0, username: cred.username, password: cred.credential });
    try {
      await client.allocate();
      const codes: Record<string, number> = {};
      for (const ip of ['127.0.0.2', '10.0.0.1', '169.254.169.254', '192.168.1.1', '100.64.0.1', '0.0.0.0', '8.8.8.8']) {
        try {
          await client.createPermission([{ ip: parseIp(ip), port: 9 }]);
          codes[ip] = 200;
        } catch (err) {
          if (!(err instanceof TurnClientError)) throw err;
          codes[ip] = err.code;
        }
      }
      console.log(`coturn-config: CreatePermission ${JSON.stringify(codes)}`);
      expect(
        Object.values(codes).every((c) => c === 403),
        JSON.stringify(codes),
      ).toBe(true);
      await client.createPermission([{ ip: parseIp('127.0.0.1'), port: peerPort }]);
    } finally {
      await client.close();
    }
  }, 60_000);
});
