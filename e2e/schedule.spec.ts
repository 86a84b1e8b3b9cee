import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveProcess, spawnCallprobe, type ServeProcess } from '../test/kit/callprobe.js';
import type { ProcessHandle } from '../test/kit/process.js';
import { waitFor } from '../test/kit/wait.js';
import { workerPort, workerPorts, type E2EServerPlan } from './fixtures/env.js';
import { expect, test } from './fixtures/test.js';
import { allLines, lines, storedSamples } from './fixtures/schedule.js';
import { cliChromium } from './fixtures/cli-chromium.js';

/**
 * `callprobe run --every` driven as a user runs it: the real CLI against a real
 * `callprobe serve` with a store of its own, stopped for the middle samples and started again.
 */

/** Its own server (not the worker's shared one), so the test can stop it: this worker's ports (e2e/fixtures/env.ts). */
const OWN_TOKEN = 'schedule-operator-token-0123456789';
const ownHttpPort = (): number => workerPort(18281, test.info().parallelIndex);

function startServe(db: string): Promise<ServeProcess> {
  const turn = workerPorts(3520, test.info().parallelIndex, 4);
  return serveProcess({ httpPort: ownHttpPort(), turnPorts: `${turn[0]}-${turn[3]}`, adminToken: OWN_TOKEN, db }, { deadlineMs: 170_000 });
}

test.describe('callprobe run --every', () => {
  let dir: string;
  test.beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'callprobe-schedule-'));
  });
  test.afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** `callprobe run --every` against the worker's server for `site`, with the operator token and a spool of the test's own. */
  const every = (server: E2EServerPlan, o: { every: string; count?: number; durationS: number; site: string; deadlineMs: number }): ProcessHandle =>
    spawnCallprobe(
      [
        'run',
        '--server',
        server.baseUrl,
        '--every',
        o.every,
        ...(o.count === undefined ? [] : ['--count', String(o.count)]),
        '--duration',
        String(o.durationS),
        '--site',
        o.site,
        '--admin-token',
        server.adminToken,
        '--spool',
        join(dir, 'spool'),
      ],
      { deadlineMs: o.deadlineMs },
    );

  // Samples every 8 s of a 3 s test (a sample that cannot reach the server ends at once: the
  // three slots after the stop leave the server 24 s to start again on a busy machine). Among the functional pages: what it checks is where each
  // sample went (stored, spooled, once), never its figures, which a busy machine may spoil.
  test('--every 8s --count 6 stores 6 samples; with the server stopped for the middle ones, all 6 arrive once it is back, none twice', async () => {
    test.setTimeout(180_000);
    const db = join(dir, 'results.db');
    const spool = join(dir, 'spool');
    const site = 'Schedule e2e';
    const ownUrl = `http://127.0.0.1:${ownHttpPort()}`;
    let server = await startServe(db);
    const run = spawnCallprobe(
      ['run', '--server', ownUrl, '--every', '8s', '--count', '6', '--duration', '3', '--site', site, '--token', OWN_TOKEN, '--spool', spool],
      { deadlineMs: 160_000 },
    );
    try {
      const state = (): string =>
        `${lines(run)
          .map((l) => l.upload)
          .join(',')}; stderr: ${run.stderr().slice(-800)}`;
      await waitFor(() => lines(run).length >= 2, { timeoutMs: 60_000, what: 'two samples', state });
      expect(
        lines(run)
          .slice(0, 2)
          .map((l) => l.upload),
      ).toEqual(['stored', 'stored']);
      expect((await server.stop(5_000)).timedOut).toBe(false);
      await waitFor(() => lines(run).length >= 3, { timeoutMs: 60_000, what: 'a sample while the server is down', state });
      // Taken or finished while the server was down: waiting in the spool, on disk.
      const [down] = lines(run).slice(2, 3);
      expect(down?.upload).toBe('spooled');
      expect(down).toMatchObject({ kind: 'could-not-test', verdict: null });
      expect(readdirSync(spool).filter((f) => f.endsWith('.json')).length).toBeGreaterThanOrEqual(1);
      // Started again at once: on a busy machine its start took over 10 s, and the run's last
      // samples (three slots, 24 s) must find it back for the spool to drain before the run ends.
      server = await startServe(db);
      const status = await run.exited;
      expect(status.code, run.stderr()).toBe(0);
      const out = lines(run);
      expect(out).toHaveLength(6);
      // A slot a slow sample overran is said, with why, never taken twice.
      for (const m of allLines(run)) if (m.kind === 'missed') expect(m.reason, JSON.stringify(m)).toMatch(/\S/);
      expect(out.at(-1)?.upload).toBe('stored');
      expect(out.map((l) => l.slot)).toEqual([...out.map((l) => l.slot)].sort((a, b) => a - b));
      // One progress line per sample on stderr.
      expect(run.stderr().match(/^callprobe: sample \d\/6 at /gm)).toHaveLength(6);
      const ids = out.map((l) => l.sampleId);
      expect(new Set(ids).size).toBe(6);
      // The store has each sample exactly once, the ones that could not test as could-not-test records.
      const stored = await storedSamples(ownUrl, OWN_TOKEN, site);
      expect(stored).toHaveLength(6);
      expect(stored.map((s) => s.sampleId).sort()).toEqual([...ids].sort());
      expect(stored.find((s) => s.sampleId === down?.sampleId)).toMatchObject({ kind: 'could-not-test', reason: down?.reason });
      expect(readdirSync(spool).filter((f) => f.endsWith('.json'))).toEqual([]);
      expect(readdirSync(join(spool, 'refused'))).toEqual([]);
    } finally {
      await run.stop();
      await server.stop(5_000);
    }
  });

  test('SIGTERM abandons the running sample: stored as could-not-test "interrupted", exit 0 long before the test would have ended', async ({ server: E2E }) => {
    test.setTimeout(90_000);
    const site = `Schedule SIGTERM ${process.pid}`;
    const run = every(E2E, { every: '10m', durationS: 60, site, deadlineMs: 80_000 });
    try {
      // Printed once Chromium runs, inside the first sample.
      await run.waitForLine(/^callprobe: Chromium \S+ started$/, { timeoutMs: 30_000, what: 'Chromium started', stream: 'stderr' });
      const chromium = cliChromium(run.pid);
      const t0 = performance.now();
      run.child.kill('SIGTERM');
      const status = await run.exited;
      const stopMs = performance.now() - t0;
      expect(status.code, run.stderr()).toBe(0);
      // Chromium was closed, not killed: it left nothing in the temporary directory.
      expect(existsSync(chromium.socketDir), chromium.socketDir).toBe(false);
      expect(stopMs).toBeLessThan(20_000);
      const out = lines(run);
      expect(out).toHaveLength(1);
      expect(out[0]).toMatchObject({ kind: 'could-not-test', reason: 'interrupted', upload: 'stored' });
      const stored = await storedSamples(E2E.baseUrl, E2E.adminToken, site);
      expect(stored).toEqual([expect.objectContaining({ sampleId: out[0]?.sampleId, kind: 'could-not-test', reason: 'interrupted' })]);
    } finally {
      await run.stop();
    }
  });

  test('SIGTERM between samples ends the wait at once: exit 0, nothing abandoned', async ({ server: E2E }) => {
    test.setTimeout(60_000);
    const site = `Schedule wait ${process.pid}`;
    const run = every(E2E, { every: '10m', count: 2, durationS: 2, site, deadlineMs: 50_000 });
    try {
      await waitFor(() => lines(run).length >= 1, { timeoutMs: 40_000, what: 'the first sample', state: () => run.stderr().slice(-500) });
      const chromium = cliChromium(run.pid);
      run.child.kill('SIGTERM');
      const status = await run.exited;
      expect(status.code, run.stderr()).toBe(0);
      expect(existsSync(chromium.socketDir), chromium.socketDir).toBe(false);
      expect(lines(run)).toEqual([expect.objectContaining({ kind: 'report', upload: 'stored' })]);
      expect(run.stderr()).toMatch(/^callprobe: 1 sample\(s\): 1 stored, 0 waiting/m);
    } finally {
      await run.stop();
    }
  });

  test('Chromium killed mid-sample: that sample is stored as could-not-test browser-failed, Chromium starts again for the next', async ({ server: E2E }) => {
    test.setTimeout(90_000);
    const site = `Schedule Chromium ${process.pid}`;
    const run = every(E2E, { every: '5s', count: 2, durationS: 3, site, deadlineMs: 80_000 });
    let killedLeft: string[] = [];
    try {
      await run.waitForLine(/^callprobe: Chromium \S+ started$/, { timeoutMs: 30_000, what: 'Chromium started', stream: 'stderr' });
      const chromium = cliChromium(run.pid);
      // Killed, Chromium leaves its socket's folder (and its profile, unless Playwright takes it): this test's to remove.
      killedLeft = [chromium.socketDir, chromium.profileDir];
      process.kill(chromium.pid, 'SIGKILL');
      const status = await run.exited;
      expect(status.code, run.stderr()).toBe(0);
      expect(run.stderr()).toMatch(/^callprobe: Chromium had stopped: started again \(2 starts\)$/m);
      const out = lines(run);
      expect(out.map((l) => [l.kind, l.reason, l.upload])).toEqual([
        ['could-not-test', 'browser-failed', 'stored'],
        ['report', null, 'stored'],
      ]);
      expect((await storedSamples(E2E.baseUrl, E2E.adminToken, site)).map((x) => x.sampleId).sort()).toEqual(out.map((l) => l.sampleId).sort());
    } finally {
      await run.stop();
      for (const dir of killedLeft) rmSync(dir, { recursive: true, force: true });
    }
  });
});
