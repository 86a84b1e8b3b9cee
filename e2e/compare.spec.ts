import { startImpairProxy, type ImpairProxy } from '../bench/impair/proxy.js';
import { CALLPROBE_PROBE_SIZES } from '../bench/accuracy/harness.js';
import { serveProcess, spawnCallprobe, type ServeProcess } from '../test/kit/callprobe.js';
import { workerPort, workerPorts } from './fixtures/env.js';
import { expect, test } from './fixtures/test.js';

/**
 * Compare mode through the seeded impairment proxy: the relay's four UDP ports are handed to
 * the page as the proxy's (--advertise), and only the third one loses 6 % each way. The
 * report's compare section must name exactly that rung as the worst, and the verdict still
 * comes from the main stream (on the first, clean port).
 */
const LOSSY = 2;

test('run --compare --json names the one lossy UDP port as the worst rung', async () => {
  test.setTimeout(120_000);
  // This worker's ports (e2e/fixtures/env.ts).
  const worker = test.info().parallelIndex;
  const HTTP_PORT = workerPort(18480, worker);
  const RELAY_PORTS = workerPorts(4100, worker, 4);
  const PROXY_PORTS = workerPorts(14100, worker, 4);
  const pair = (i: number) => ({ listen: { host: '127.0.0.1', port: PROXY_PORTS[i] ?? 0 }, target: { host: '127.0.0.1', port: RELAY_PORTS[i] ?? 0 } });
  const base = { probe: { ...CALLPROBE_PROBE_SIZES }, startAfter: { ms: 1000 } };
  const proxies: ImpairProxy[] = [
    await startImpairProxy({ pairs: [0, 1, 3].map(pair), scenario: { name: 'clean', seed: 'compare-clean', ...base }, durationMs: 110_000 }),
    await startImpairProxy({
      pairs: [pair(LOSSY)],
      scenario: { name: 'lossy', seed: 'compare-lossy', ...base, up: { loss: { probability: 0.06 } }, down: { loss: { probability: 0.06 } } },
      durationMs: 110_000,
    }),
  ];
  let server: ServeProcess | null = null;
  try {
    server = await serveProcess(
      {
        httpPort: HTTP_PORT,
        turnPorts: `${RELAY_PORTS[0]}-${RELAY_PORTS[3]}`,
        advertise: `127.0.0.1:${PROXY_PORTS[0]}-${PROXY_PORTS[3]}`,
        logLevel: 'info',
        // Beside the lane's other workers its data plane runs late, and admission may refuse a
        // rung's session (plane-busy): the run then shows that rung as the server's limit
        // (server-busy), but this test needs every rung measured.
        extra: ['--refuse-late-ms', '0'],
      },
      { deadlineMs: 110_000 },
    );
    const run = spawnCallprobe(
      ['run', '--server', `http://127.0.0.1:${HTTP_PORT}`, '--no-save', '--json', '--duration', '3', '--compare', '--compare-seconds', '2'],
      { deadlineMs: 100_000 },
    );
    const status = await run.exited;
    expect(status.code, run.stderr()).toBe(2); // 3 s: too short for a verdict, and compare never changes it
    const report = JSON.parse(run.stdout()) as {
      path: { transport: string; port: number };
      compare: {
        secondsPerRung: number;
        rungs: { transport: string; port: number; reachable: boolean; lossPct: number | null }[];
        worst: { transport: string; port: number; reason: string } | null;
      };
    };
    expect(report.path).toMatchObject({ transport: 'udp', port: PROXY_PORTS[0] });
    expect(report.compare.secondsPerRung).toBe(2);
    expect(report.compare.rungs.map((r) => `${r.transport}/${r.port}`)).toEqual([...PROXY_PORTS.map((p) => `udp/${p}`), `tcp/${RELAY_PORTS[0]}`]);
    expect(
      report.compare.rungs.every((r) => r.reachable),
      // Every rung's row, and what the server and the run said, when one was unreachable.
      `${JSON.stringify(report.compare.rungs)}\nserve said:\n${server?.proc.stdout() ?? ''}${server?.proc.stderr() ?? ''}\nrun said:\n${run.stderr()}`,
    ).toBe(true);
    expect(report.compare.worst).toMatchObject({ transport: 'udp', port: PROXY_PORTS[LOSSY] });
    expect(report.compare.worst?.reason).toMatch(new RegExp(`^UDP ${PROXY_PORTS[LOSSY]} lost \\d+(\\.\\d+)?% of its probes`));
  } finally {
    await server?.stop();
    for (const p of proxies) await p.stop();
  }
});
