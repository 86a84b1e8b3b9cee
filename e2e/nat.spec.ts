import { serveProcess, spawnCallprobe } from '../test/kit/callprobe.js';
import { NatTopology } from './fixtures/nat-topology.js';
import { expect, needNetns, test } from './fixtures/test.js';

/**
 * A real NAT between the browser and the relay: the test makes `client`, `router` and `server`
 * namespaces, masquerades on the router with nftables, runs `callprobe serve` in `server` and
 * `callprobe run` (its Chromium) in `client`, and reads the NAT classification from the report.
 */
interface NatReport {
  nat: { mapping: string; reason: string; observations: { serverPort: number; mappedPort: number | null; sameAddress: boolean | null }[] } | null;
  path: { transport: string };
  hints: { code: string; sentence: string }[];
  explanation: string[];
}

const HTTP_PORT = 18390;

async function testBehindNat(tag: string, masquerade: string): Promise<NatReport> {
  const net = NatTopology.create(tag, masquerade);
  try {
    const ip = NatTopology.serverIp;
    const server = await serveProcess(
      { host: ip, relayIp: ip, httpPort: HTTP_PORT },
      { deadlineMs: 80_000, spawn: (c, a, o) => net.spawn(net.server, c, a, o) },
    );
    try {
      const run = spawnCallprobe(['run', '--server', `http://${ip}:${HTTP_PORT}`, '--no-save', '--json', '--duration', '3'], {
        deadlineMs: 75_000,
        spawn: (c, a, o) => net.spawn(net.client, c, a, o),
      });
      const status = await run.exited;
      expect(status.code, run.stderr()).not.toBe(4);
      return JSON.parse(run.stdout()) as NatReport;
    } finally {
      await server.stop();
    }
  } finally {
    net.delete();
  }
}

test.describe('NAT mapping behind a real NAT (nftables masquerade in namespaces the test makes)', () => {
  test.beforeEach(() => needNetns('NAT mapping in namespaces'));
  test.describe.configure({ timeout: 90_000 });

  test('plain masquerade keeps the source port: endpoint-independent, no symmetric-nat hint', async () => {
    const report = await testBehindNat('eim', 'masquerade');
    expect(report.nat?.mapping, report.nat?.reason).toBe('endpoint-independent');
    const obs = report.nat?.observations ?? [];
    expect(obs.map((o) => o.serverPort)).toEqual([3478, 3479]);
    expect(obs[0]?.mappedPort).toBe(obs[1]?.mappedPort);
    expect(report.hints.map((h) => h.code)).not.toContain('symmetric-nat');
    expect(report.path.transport).toBe('udp');
  });

  test('masquerade random maps per destination: endpoint-dependent with the symmetric-nat hint', async () => {
    const report = await testBehindNat('sym', 'masquerade random');
    expect(report.nat?.mapping, report.nat?.reason).toBe('endpoint-dependent');
    const obs = report.nat?.observations ?? [];
    expect(obs.map((o) => o.serverPort).sort()).toEqual([3478, 3479]);
    expect(obs.every((o) => o.sameAddress === true)).toBe(true);
    expect(obs[0]?.mappedPort).not.toBe(obs[1]?.mappedPort);
    const hint = report.hints.find((h) => h.code === 'symmetric-nat');
    expect(hint?.sentence).toMatch(/peer-to-peer media .* fails .* the relay, and its ports must stay reachable/);
    expect(report.explanation.join(' ')).toContain(hint?.sentence ?? 'missing');
  });
});
