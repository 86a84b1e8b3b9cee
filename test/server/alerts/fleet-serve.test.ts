/**
 * Site alerts across real processes: two `callprobe serve` processes (compiled:
 * `npx tsc -b` first) on one throwaway PostgreSQL cluster, the samples of one site uploaded to
 * each in turn, one local HTTP receiver. The alert is raised once after k breaches counted across
 * both processes and cleared once after k passes; one process restarted while the alert is raised
 * posts no second 'raised'. Each process logs the changes it decides ("alert raised: ..."), so the
 * test counts decisions as well as posts; the posts are delivered by the process holding the
 * alerts lease.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbTarget } from '../../../server/store/target.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import { reflectorInput } from '../../analysis/report/inputs.js';
import { serveProcess, storeServeFlags, type ServeProcess } from '../../kit/callprobe.js';
import { cliPath } from '../../kit/paths.js';
import { needBuilt } from '../../kit/requires.js';
import { waitFor } from '../../kit/wait.js';
import { describeKind, postgresKind } from '../store/store-kit.js';

const TOKEN = 'fleet-serve-token-0123456789abcdef';
const TEN_MIN = 600_000;

interface Serve {
  name: string;
  proc: ServeProcess['proc'];
  base: string;
}

async function startServe(name: string, db: DbTarget, alertsFile: string): Promise<Serve> {
  // At info: the alert and delivery events are lines of the JSON log.
  const s = await serveProcess(storeServeFlags(db, { adminToken: TOKEN, logLevel: 'info', extra: ['--alerts', alertsFile] }), { deadlineMs: 300_000 });
  return { name, proc: s.proc, base: s.url };
}

const analysed = new Map<number, ReturnType<typeof analyze>>();
function siteReport(site: string, rttMs: number, startedAtMs: number): string {
  let r = analysed.get(rttMs);
  if (r === undefined) {
    r = analyze(reflectorInput({ count: 1510, rttMs: () => rttMs }));
    analysed.set(rttMs, r);
  }
  return JSON.stringify({ ...r, meta: { ...r.meta, site, startedAt: new Date(startedAtMs).toISOString() } });
}

describe('site alerts across two serve processes', () => {
  const kind = postgresKind();
  const run = describeKind('site alerts across two serve processes', kind, [needBuilt(cliPath)]);
  run('on one PostgreSQL cluster', () => {
    let dir: string;
    let receiver: Server;
    const bodies: Array<{ site: string; state: string; since: string }> = [];
    /** Every process started, with its output (decisions) kept after it stops. */
    const started: Serve[] = [];

    beforeAll(async () => {
      await kind.setup();
      dir = mkdtempSync(join(tmpdir(), 'callprobe-fleet-serve-'));
      receiver = createServer((req: IncomingMessage, res) => {
        let text = '';
        req.on('data', (c: Buffer) => (text += c.toString('utf8')));
        req.on('end', () => {
          bodies.push(JSON.parse(text) as (typeof bodies)[number]);
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    }, 90_000);

    afterAll(async () => {
      for (const s of started) await s.proc.stop();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
      await kind.teardown();
    }, 60_000);

    it('raises once after k breaches across both, keeps it raised across a restart, clears once', async () => {
      const db = await kind.freshTarget();
      const alertsFile = join(dir, 'alerts.json');
      const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      writeFileSync(alertsFile, JSON.stringify({ webhook: { url: hook }, rules: [{ metric: 'latency-rtt', samples: 2, raiseAfter: 3, clearAfter: 3 }] }));
      const a = await startServe('A', db, alertsFile);
      started.push(a);
      let b = await startServe('B', db, alertsFile);
      started.push(b);
      const t0 = Date.UTC(2026, 10, 2, 8);
      const upload = async (s: Serve, i: number, rtt: number): Promise<void> => {
        const res = await fetch(`${s.base}/api/results`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          body: siteReport('Paris', rtt, t0 + i * TEN_MIN),
        });
        expect(res.status, await res.text()).toBe(201);
      };
      // Each decision is one record of the JSON log, its event under `alert`.
      const decisions = (): string[] =>
        started.flatMap((s) =>
          s.proc
            .output()
            .split('\n')
            .filter((l) => l.startsWith('{') && /alert (raised|ok): Paris/.test(l))
            .map((l) => JSON.parse(l) as { msg: string; alert: { site: string; state: string } })
            .map((r) => `${s.name}: alert ${r.alert.state}`),
        );

      // 2 at 40 ms, 6 at 150 ms, alternately through A and B: breaches at samples 2 (A), 3 (B), 4 (A).
      for (const [i, rtt] of [40, 40, 150, 150, 150, 150, 150, 150].entries()) await upload(i % 2 === 0 ? a : b, i, rtt);
      // Delivered by the instance holding the alerts lease (A, started first): at once when it decided, else at its next heartbeat (10 s).
      await waitFor(() => bodies.length >= 1, { timeoutMs: 25_000, what: 'the raised post' });
      expect(decisions()).toEqual(['A: alert raised']);

      // B restarts while raised; one more breach through it, then 6 at 40 ms alternately.
      await b.proc.stop();
      b = await startServe('B2', db, alertsFile);
      started.push(b);
      await upload(b, 8, 150);
      for (const [j, rtt] of [40, 40, 40, 40, 40, 40].entries()) await upload((9 + j) % 2 === 0 ? b : a, 9 + j, rtt);
      await waitFor(() => bodies.length >= 2, { timeoutMs: 25_000, what: 'the cleared post' });
      // Window [40, 40] from sample 10: passes at 10, 11, 12; cleared at 12 (B2). Each decision was logged before its 201.
      expect(decisions().sort()).toEqual(['A: alert raised', 'B2: alert ok']);
      expect(bodies.map((x) => [x.site, x.state, x.since])).toEqual([
        ['Paris', 'raised', new Date(t0 + 4 * TEN_MIN).toISOString()],
        ['Paris', 'ok', new Date(t0 + 12 * TEN_MIN).toISOString()],
      ]);
    }, 240_000); // three serve starts, each up to 45 s in npm test's background lane
  });
});
