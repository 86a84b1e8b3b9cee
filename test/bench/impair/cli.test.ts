import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import type { Truth } from '../../../bench/impair/truth-types.js';
import { sendProbes, startEchoTarget, startProbeClient, waitFor } from './udp-fixture.js';

import { freeUdpPort } from '../../../bench/impair/irtt.js';

const CLI = 'dist/bench/impair/cli.js';
const built = existsSync(CLI);
if (!built) console.warn(`[impair] CLI test skipped: ${CLI} not built (run npm run build:server first)`);


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
    const child = spawn('node', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => stderr.includes('listening on'), 10_000, 'the CLI to listen');
      await sendProbes(client, port, 100, 2, 64);
      const sentMs = performance.now();
      // Quiet for 200 ms after the last send and the last echo (the path adds 10 ms).
      await waitFor(() => performance.now() - Math.max(sentMs, client.lastArrivalMs) > 200, 5000, 'echoes to settle');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
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
      if (child.exitCode === null) child.kill('SIGKILL');
      await client.close();
      await target.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
