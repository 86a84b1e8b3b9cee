/**
 * `kill -9` of the data plane (the process that holds the relay and the reflector, beside
 * `callprobe serve`'s HTTP process): the test it was running ends as the server's failure
 * (connection-lost: no verdict, nothing graded as the user's network), the HTTP process logs the
 * exit once, counts it in /metrics and starts the plane again, and a new test afterwards connects
 * and measures. The tests are the page's own session in Node (bench/load/client-main.ts).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveProcess, type ServeProcess } from '../../kit/callprobe.js';
import { freePorts } from '../../kit/net.js';
import { cliPath, repoRoot } from '../../kit/paths.js';
import { spawnBounded } from '../../kit/process.js';
import { needBuilt, skipReason } from '../../kit/requires.js';
import { waitFor } from '../../kit/wait.js';

const CLIENT = join(repoRoot, 'dist', 'bench', 'load', 'client-main.js');
const why = skipReason('data plane restart', [needBuilt(cliPath), needBuilt(CLIENT)]);

interface ClientReport {
  outcome: { reason: string; atMs: number | null; detail: string } | null;
  summary: { verdict: string; packetsReceived: number };
}

describe.skipIf(why !== null)('the data plane killed mid-test', () => {
  let server: ServeProcess;
  let metricsUrl: string;

  beforeAll(async () => {
    const [turnPort = 0, metricsPort = 0] = await freePorts(2);
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    server = await serveProcess({ turnPorts: turnPort, secret: 's', extra: ['--metrics-listen', `127.0.0.1:${metricsPort}`] });
  }, 30_000);

  afterAll(async () => {
    await server?.stop();
  });

  /** The sum of a metric's lines (any labels) in /metrics. */
  async function metric(name: string): Promise<number> {
    const text = await (await fetch(metricsUrl)).text();
    return text
      .split('\n')
      .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
      .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
  }

  const client = (durationS: number) => spawnBounded(process.execPath, [CLIENT, server.url, String(durationS)], { deadlineMs: 60_000, cwd: repoRoot });

  it("ends its test as the server's failure, is logged once, counted and started again, and the next test connects", async () => {
    const plane = server.planePid();
    expect(plane).not.toBeNull();
    const first = client(30);
    // Streaming: probes cross the relay (both legs of the reflector's data channel: twice each).
    await waitFor(async () => (await metric('callprobe_turn_relayed_packets_total')) > 400, { timeoutMs: 20_000, what: 'the first test streaming' });
    process.kill(plane ?? 0, 'SIGKILL');

    const ended = await first.exited;
    expect(ended.code, first.stderr()).toBe(0);
    const report = JSON.parse(first.stdout()) as ClientReport;
    // The server's failure, never the network's: no verdict, the connection lost, the data plane named.
    expect(report.summary.verdict).toBe('insufficient');
    expect(report.outcome).toMatchObject({ reason: 'connection-lost', detail: expect.stringContaining('data plane stopped') as unknown });

    await server.proc.waitForLine(/data plane started again \(pid \d+\)/, { timeoutMs: 15_000, what: 'the data plane started again' });
    const exits = server.proc
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('data plane ('));
    expect(exits).toEqual([
      expect.stringMatching(
        new RegExp(`^data plane \\(pid ${String(plane)}\\) exited \\(SIGKILL\\): 1 test ended as the server's failure; starting it again in \\d+ ms$`),
      ),
    ]);
    expect(server.planePid()).not.toBe(plane);
    expect(await metric('callprobe_dataplane_exits_total')).toBe(1);
    expect(await metric('callprobe_dataplane_restarts_total')).toBe(1);
    expect(await metric('callprobe_dataplane_sessions_lost_total')).toBe(1);
    expect(await metric('callprobe_dataplane_up')).toBe(1);

    // A new test on the new plane connects and measures.
    const second = client(3);
    const done = await second.exited;
    expect(done.code, second.stderr()).toBe(0);
    const next = JSON.parse(second.stdout()) as ClientReport;
    expect(next.outcome).toBeNull();
    // Its probes came back. Not its round trip's figure: on a loaded machine the client's own
    // sender stalls, and the report rightly leaves every round trip of a 3 s test out as the
    // device's (seen beside 8 busy loops: 302 of 302 back, all in sender-stall windows, no p50).
    expect(next.summary.packetsReceived, JSON.stringify(next.summary)).toBeGreaterThan(0);
  }, 60_000);
});
