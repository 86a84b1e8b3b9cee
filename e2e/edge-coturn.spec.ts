import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { runCli, startServe, type Served } from '../bench/lib/processes.js';
import { freePorts } from '../bench/lib/process.js';
import { needCommand, skipReason } from '../test/kit/requires.js';
import { startCoturn } from './fixtures/coturn.js';
import { workerPort } from './fixtures/env.js';

/**
 * An edge that relays through coturn (`serve --hub ... --external-turn`, coturn configured by
 * `coturn-config --allow-peers` with the reflector's address): the hub's page tests on it, over
 * the RTP probe path (coturn relays to the edge's RTP reflector as to any peer it may reach),
 * and the report has no relay witness: coturn does not read the RTP it relays.
 */
test('an edge under coturn keeps its RTP probe path and loses the relay witness', async () => {
  test.skip(skipReason('edge under coturn', [needCommand('coturn', 'turnserver', ['--version'])]) !== null, 'needs coturn');
  test.setTimeout(90_000);
  const dir = mkdtempSync(join(tmpdir(), 'callprobe-edge-coturn-'));
  const [hubPort = 0, edgePort = 0, coturnPort = 0] = await freePorts(3);
  // coturn's relayed ports: a block of this worker's (cli.spec.ts's coturn has 56000-56999).
  const relayMin = workerPort(57000, test.info().parallelIndex, 125);
  const secret = 'edge-under-coturn-secret-0123';
  const admin = 'edge-coturn-operator-0123456789';
  const coturn = await startCoturn(coturnPort, secret, { min: relayMin, max: relayMin + 124 });
  const opened: Served[] = [];
  try {
    const hub = await startServe(
      ['--db', join(dir, 'hub.db'), '--admin-token', admin, '--external-turn', 'turn:127.0.0.1:9?transport=udp', '--no-reflector'],
      hubPort,
    );
    opened.push(hub);
    const res = await fetch(`${hub.url}/api/edge-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ edge: 'weu-1', azureRegion: 'West Europe', hosts: ['127.0.0.1'] }),
    });
    const { token } = (await res.json()) as { token: string };
    opened.push(
      await startServe(
        [
          '--external-turn',
          `turn:127.0.0.1:${coturnPort}?transport=udp`,
          '--secret',
          secret,
          '--hub',
          hub.url,
          '--edge-id',
          'weu-1',
          '--azure-region',
          'West Europe',
          '--edge-token',
          token,
        ],
        edgePort,
      ),
    );
    await expect.poll(async () => ((await (await fetch(`${hub.url}/api/edges`)).json()) as { edges: unknown[] }).edges.length, { timeout: 10_000 }).toBe(1);
    const r = await runCli(['--server', hub.url, '--json', '--no-save', '--duration', '2'], 60_000);
    const report = JSON.parse(r.stdout) as { meta: { edge?: unknown }; probe: { path: string }; witness: unknown; locate?: unknown; outcome: unknown };
    expect(report.meta.edge).toEqual({ id: 'weu-1', azureRegion: 'West Europe' });
    // One edge: no locate step.
    expect(report.locate).toBeUndefined();
    expect(report.outcome).toBeNull();
    expect(report.probe.path).toBe('rtp');
    expect(report.witness).toBeNull();
  } finally {
    for (const s of opened.reverse()) await s.stop();
    await coturn.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
