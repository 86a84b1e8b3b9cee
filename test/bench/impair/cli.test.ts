import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioFromFlags } from '../../../bench/impair/scenario-flags.js';
import type { Truth } from '../../../bench/impair/truth-types.js';
import { freeUdpPort } from '../../kit/net.js';
import { spawnBounded } from '../../kit/process.js';
import { waitFor } from '../../kit/wait.js';
import { needBuilt, skipReason } from '../../kit/requires.js';
import { expectedDeliveries, sendProbes, startEchoTarget, startProbeClient } from './udp-fixture.js';

const CLI = 'dist/bench/impair/cli.js';
const built = skipReason('impair CLI (compiled)', [needBuilt(CLI)]) === null;

describe.skipIf(!built)('impair CLI (compiled)', () => {
  it('exits 2 with the reason on bad configuration', () => {
    const run = spawnSync('node', [CLI, '--listen', '127.0.0.1:0', '--target', '192.0.2.2:3478', '--seed', '1', '--truth', '/dev/null'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('not loopback');
  });

  it('proxies, stops on SIGTERM and writes the truth', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'impair-cli-'));
    const target = await startEchoTarget();
    const client = await startProbeClient();
    const port = await freeUdpPort();
    const truthPath = join(dir, 'truth.json');
    const args = [CLI, '--listen', `127.0.0.1:${port}`, '--target', `127.0.0.1:${target.port}`];
    args.push('--delay-ms', '5', '--loss-pct', '10', '--probe-sizes', '64', '--seed', 'cli', '--duration', '30', '--truth', truthPath);
    const cli = spawnBounded(process.execPath, args, { deadlineMs: 25_000 });
    try {
      await cli.waitForLine('listening on', { timeoutMs: 10_000, what: 'the CLI to listen', stream: 'stderr' });
      await sendProbes(client, port, 100, 2, 64);
      // Every datagram the seeded core lets through has arrived (the path adds 10 ms).
      const expected = expectedDeliveries(scenarioFromFlags({ delayMs: '5', lossPct: '10', probeSizes: '64' }), 'cli', 100, 64);
      await waitFor(() => target.datagrams === expected.atTarget && client.echoes.length === expected.atClient, {
        timeoutMs: 5000,
        what: `${expected.atTarget} datagrams at the target and ${expected.atClient} echoes`,
        state: () => `${target.datagrams} at the target, ${client.echoes.length} echoes`,
      });
      expect((await cli.stop(5000)).code).toBe(0);
      const stderr = cli.stderr();
      const truth = JSON.parse(await readFile(truthPath, 'utf8')) as Truth;
      expect(truth.stopReason).toBe('signal');
      expect(truth.seed).toBe('cli');
      expect(truth.totals.up.packetsIn).toBe(100);
      expect(truth.totals.up.pendingAtStop).toBe(0);
      expect(truth.totals.up.forwarded + truth.totals.up.droppedTotal).toBe(100);
      expect(target.datagrams).toBe(truth.totals.up.forwarded);
      expect(client.echoes.length).toBe(truth.totals.down.forwarded);
      expect(truth.flows[0]?.up.probes?.counts.packetsIn).toBe(100);
      expect(stderr).toMatch(/stopped \(signal\)/);
    } finally {
      await cli.stop();
      await client.close();
      await target.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
