/** The rendered coturn configuration really works: four coturn instances, uclient through each. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderCoturnConfig } from '../../../server/turn/coturn-config.js';
import { freePorts, parseUclient, runProcess, startProcess, waitUdpBound } from './helpers/procs.js';

const SECRET = 'coturn-shared-secret';
const dir = mkdtempSync(join(tmpdir(), 'callprobe-coturn-'));
const procs: ReturnType<typeof startProcess>[] = [];

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
    for (const line of ['use-auth-secret', `static-auth-secret=${SECRET}`, 'no-cli', 'no-multicast-peers', 'allow-loopback-peers', 'denied-peer-ip=10.0.0.0-10.255.255.255', 'denied-peer-ip=fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff']) {
      expect(text.split('\n')).toContain(line);
    }
    const publicRelay = renderCoturnConfig({ listeningIp: '203.0.113.9', relayIp: '203.0.113.9', realm: 'r', secret: 's' })[0]?.text ?? '';
    expect(publicRelay).not.toMatch(/allow-loopback-peers/);
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
        runProcess('turnutils_uclient', ['-c', '-n', '20', '-m', '1', '-l', '120', '-z', '5', '-e', '127.0.0.1', '-r', String(peerPort), '-W', SECRET, '-u', 'cfg', '-p', String(c.port), '127.0.0.1'], 25_000),
      ),
    );
    for (const r of runs) {
      const s = parseUclient(r.output);
      expect(s, r.output.slice(-800)).toEqual({ sent: 20, received: 20, lostPct: 0 });
    }
  }, 30_000);
});
