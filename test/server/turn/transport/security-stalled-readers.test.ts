/**
 * TURN/TCP clients that stop reading. A real `callprobe serve` with its
 * default limits runs in a network namespace made by the test, whose kernel TCP buffers are
 * set small (net.ipv4.tcp_rmem / tcp_wmem are per namespace), so the kernel cannot absorb the
 * backlog and the server's own write queues fill within seconds. 100 allocations over TCP from
 * one address stop reading; UDP allocations of the same relay (its own relayed addresses are
 * allowed peers) send each of them 1 MiB of 200-byte datagrams at 40,000 datagrams/s (shared
 * code: bench/lib/stalled-readers.ts, also run by `bench:load --soak`).
 *
 * Checked: the server's RSS growth (peak VmHWM after the flood minus VmRSS before the clients
 * came, serve's HTTP process and its data plane together) stays under 100 MiB for the 100 allocations, and the drops are counted in /metrics.
 * Figures (docs/benchmarks/security.md, finding 6), with 2 MiB sent to each: on the starting code
 * (9c4646c, only a 1 MiB cap on each socket's queue) the growth was +324.3 MiB; after the fix
 * (StreamWriter: coalesced, bounded in bytes held per connection and over all) +52.0 MiB. With
 * 1 MiB to each (half the flood's time) the fix held +39.0 MiB, and the starting code, whose
 * queues kept about 1.6 times what was sent, would hold about 160.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNetns } from '../../../../e2e/fixtures/netns.js';
import type { ServeProcess } from '../../../kit/callprobe.js';
import { cliPath, repoRoot } from '../../../kit/paths.js';
import type { ProcessHandle } from '../../../kit/process.js';
import { needBuilt, needCommand, netnsNeeds, skipReason } from '../../../kit/requires.js';
import { waitFor } from '../../../kit/wait.js';
import { processTree } from '../../../kit/net.js';
import { readFileSync } from 'node:fs';

const STALLED_MAIN = join(repoRoot, 'dist', 'bench', 'lib', 'stalled-readers-main.js');
const SECRET = 'stalled-readers';
const TURN_PORT = 3478;
const METRICS = '127.0.0.1:9464';
const ALLOCATIONS = 100;
const BYTES_PER_TARGET = 1 << 20;
const LIMIT_MIB = 100;

const why = skipReason('security-stalled-readers', [...netnsNeeds(), needCommand('curl', 'curl'), needBuilt(cliPath), needBuilt(STALLED_MAIN)]);

/** A field of /proc/<pid>/status summed over serve and its data plane (the relay runs there), KiB. */
function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  return processTree(pid).reduce((sum, p) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${p}/status`, 'utf8'));
    if (!m) throw new Error(`no ${field} in /proc/${p}/status`);
    return sum + Number(m[1]);
  }, 0);
}

describe.skipIf(why !== null)('TCP clients that stop reading (in a test-made namespace with small TCP buffers)', () => {
  let ns: TestNetns;
  let serve: ServeProcess;
  let readers: ProcessHandle | null = null;

  beforeAll(async () => {
    ns = TestNetns.create('stall');
    ns.exec('sysctl', ['-q', '-w', 'net.ipv4.tcp_rmem=4096 16384 65536', 'net.ipv4.tcp_wmem=4096 16384 65536']);
    serve = await ns.serve({
      host: '127.0.0.1',
      httpPort: 8080,
      turnPorts: TURN_PORT,
      relayPorts: '40000-40999',
      secret: SECRET,
      extra: ['--metrics-listen', METRICS],
    });
  }, 30_000);

  afterAll(async () => {
    await readers?.stop();
    await serve?.stop();
    ns?.delete();
  });

  const metric = (name: string, reason: string): number => ns.metricTotal(METRICS, name, reason);

  it(`${ALLOCATIONS} non-reading TCP allocations cost the server under ${LIMIT_MIB} MiB in all`, async () => {
    const pid = serve.pid;
    const beforeKiB = statusKiB(pid, 'VmRSS');
    const opts = {
      host: '127.0.0.1',
      turnPort: TURN_PORT,
      secret: SECRET,
      count: ALLOCATIONS,
      payloadBytes: 200,
      bytesPerTarget: BYTES_PER_TARGET,
      datagramsPerS: 40_000,
    };
    readers = ns.spawn(process.execPath, [STALLED_MAIN, JSON.stringify(opts), '60000'], { deadlineMs: 90_000, cwd: repoRoot });
    await readers.waitForLine('"allocated"', { timeoutMs: 30_000, what: 'stalled allocations' });
    let peakKiB = 0;
    const sample = setInterval(() => (peakKiB = Math.max(peakKiB, statusKiB(pid, 'VmRSS'))), 200);
    try {
      await readers.waitForLine('"flooded"', { timeoutMs: 45_000, what: 'the flood to be sent' });
      // Every stalled connection's queue is full once the server drops for each of them.
      await waitFor(() => metric('callprobe_turn_dropped_total', 'stream-backlog') > 0, { timeoutMs: 10_000, what: 'backlog drops in /metrics' });
    } finally {
      clearInterval(sample);
    }
    const hwmKiB = statusKiB(pid, 'VmHWM');
    const growthMiB = (Math.max(peakKiB, hwmKiB) - beforeKiB) / 1024;
    console.log(
      `[security-stalled-readers] RSS before ${(beforeKiB / 1024).toFixed(1)} MiB, peak ${(Math.max(peakKiB, hwmKiB) / 1024).toFixed(1)} MiB, growth ${growthMiB.toFixed(1)} MiB; drops ${metric('callprobe_turn_dropped_total', 'stream-backlog')}`,
    );
    expect(growthMiB).toBeLessThan(LIMIT_MIB);
  }, 100_000);
});
