import { serveProcess, spawnCallprobe, type ServeProcess } from '../test/kit/callprobe.js';
import { expect, test } from './fixtures/test.js';
import { answerView } from '../src/analysis/present/answer.js';
import type { Report } from '../src/analysis/schema/report-schema.js';
import { checkStoredAnswer } from './fixtures/answer-shots.js';

/**
 * A failure of our own is never graded as the user's network: the server is killed (SIGKILL,
 * relay and reflector with it) 5 s into a test. The test ends early with no verdict, says
 * when the server stopped answering, counts nothing after that as loss, and `callprobe run`
 * exits 4 (could not test). The provisional answers shown until then freeze at the last
 * arrival: none counts the probes the dead server never answered as lost.
 */
const HTTP_PORT = 18280;
const TURN_PORT = 3878;

test(
  'the server killed mid-test: no verdict, connection-lost with its time, no loss counted after it, exit 4; the answer on a laptop and a phone',
  { tag: ['@measure', '@pair'] },
  async ({ browser, server: shared }) => {
    test.setTimeout(90_000);
    const server: ServeProcess = await serveProcess({ httpPort: HTTP_PORT, turnPorts: TURN_PORT }, { deadlineMs: 80_000 });
    const run = spawnCallprobe(['run', '--server', `http://127.0.0.1:${HTTP_PORT}`, '--no-save', '--json', '--duration', '30'], { deadlineMs: 85_000 });
    try {
      // The stream is 5 s old: kill the whole server at once (no goodbye on any socket).
      await run.waitForLine(/provisional at 5 s: /, { timeoutMs: 40_000, what: 'the provisional answer 5 s into the test', stream: 'stderr' });
      server.proc.child.kill('SIGKILL');
      const killedAtMs = Date.now();
      const status = await run.exited;
      // It ends long before the 30 s it was asked for, without waiting on dead sockets.
      expect(Date.now() - killedAtMs).toBeLessThan(15_000);
      expect(status.code).toBe(4);
      const report = JSON.parse(run.stdout()) as {
        outcome: { reason: string; atMs: number | null } | null;
        summary: { verdict: string; packetsSent: number; upstream: { lossPct: number | null } | null; downstream: { lossPct: number | null } | null };
        explanation: string[];
        provisional?: { atMs: number; claims: { metric: string; kind: string; evidence: string }[] }[];
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
      // As the user and the help desk see it later: the answer says the test could not finish.
      const full = JSON.parse(run.stdout()) as Report;
      expect(answerView(full).sentence).toMatch(/^The test could not finish: the connection to the test server was lost/);
      await checkStoredAnswer(browser, shared.baseUrl, full, 'lost-server', { caution: false });
      // What was shown while the server died: loss so far stayed at none, never a fail.
      const claims = (report.provisional ?? []).flatMap((a) => a.claims);
      expect(claims.filter((c) => c.metric === 'loss-15s').length).toBeGreaterThan(0);
      for (const c of claims.filter((x) => x.metric === 'loss-15s')) expect(c.evidence).toMatch(/^0 of [\d,]+ lost/);
      expect(claims.filter((c) => c.kind === 'likely-fail' || c.kind === 'settled-fail')).toEqual([]);
      expect(run.stderr()).toContain('Provisional means: what the probes so far say.');
    } finally {
      await run.stop();
      await server.stop();
    }
  },
);
