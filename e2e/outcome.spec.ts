import { expect, test } from '@playwright/test';
import { spawnBounded } from '../test/kit/process.js';

/**
 * A failure of our own is never graded as the user's network: the server is killed (SIGKILL,
 * relay and reflector with it) 5 s into a test. The test ends early with no verdict, says
 * when the server stopped answering, counts nothing after that as loss, and `callprobe run`
 * exits 4 (could not test).
 */
const HTTP_PORT = 18280;
const TURN_PORT = 3878;

test('the server killed mid-test: no verdict, connection-lost with its time, no loss counted after it, exit 4', async () => {
  test.setTimeout(90_000);
  const server = spawnBounded(
    process.execPath,
    [
      'dist/server/cli.js',
      'serve',
      '--host',
      '127.0.0.1',
      '--http-port',
      String(HTTP_PORT),
      '--turn-ports',
      String(TURN_PORT),
      '--no-store',
      '--log-level',
      'warn',
    ],
    { deadlineMs: 80_000 },
  );
  const run = spawnBounded(
    process.execPath,
    ['dist/server/cli.js', 'run', '--server', `http://127.0.0.1:${HTTP_PORT}`, '--no-save', '--json', '--duration', '30'],
    { deadlineMs: 85_000 },
  );
  try {
    await server.waitForLine('callprobe serving', { timeoutMs: 15_000, what: 'the server to listen' });
    // The stream is 5 s old: kill the whole server at once (no goodbye on any socket).
    await run.waitForLine(/live: 5 s/, { timeoutMs: 40_000, what: 'five seconds of probes', stream: 'stderr' });
    server.child.kill('SIGKILL');
    const killedAtMs = Date.now();
    const status = await run.exited;
    // It ends long before the 30 s it was asked for, without waiting on dead sockets.
    expect(Date.now() - killedAtMs).toBeLessThan(15_000);
    expect(status.code).toBe(4);
    const report = JSON.parse(run.stdout()) as {
      outcome: { reason: string; atMs: number | null } | null;
      summary: { verdict: string; packetsSent: number; upstream: { lossPct: number | null } | null; downstream: { lossPct: number | null } | null };
      explanation: string[];
    };
    expect(report.summary.verdict).toBe('insufficient');
    expect(report.outcome?.reason).toBe('connection-lost');
    expect(report.outcome?.atMs).toBeGreaterThan(4_000);
    expect(report.outcome?.atMs).toBeLessThan(8_000);
    // Loopback has no loss: whatever met the dead server is not counted.
    expect(report.summary.upstream?.lossPct ?? 0).toBe(0);
    expect(report.summary.downstream?.lossPct ?? 0).toBe(0);
    expect(report.summary.packetsSent).toBeLessThan(1000);
    expect(report.explanation[0]).toMatch(/^NO VERDICT: The test server stopped answering \d+(\.\d)? s into the test/);
    expect(report.explanation.join(' ')).not.toMatch(/\bFAIL\b/);
  } finally {
    await run.stop();
    await server.stop();
  }
});
