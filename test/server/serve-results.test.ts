/**
 * `serve` with a results store, in process: the retention purge runs at start (a result stored
 * 400 days ago and an address stored 30 days ago are gone once the server is up), the store
 * closes with the server, and --no-store answers 404 no-store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serve } from '../../server/serve.js';
import type { ServeOptions } from '../../server/config/options.js';
import { serveOptionsForTests } from './config/serve-flags.js';
import { openSqliteStore } from '../../server/store/sqlite.js';
import { DAY_MS } from '../../server/store/types.js';
import { waitFor } from '../kit/wait.js';
import { storeOptions, testClock } from './store/store-kit.js';

const dir = mkdtempSync(join(tmpdir(), 'callprobe-serve-results-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function options(over: Partial<ServeOptions>): ServeOptions {
  return { ...serveOptionsForTests(join(dir, 'no-page')), ...over };
}

const row = { sampleId: null, kind: 'report' as const, startedAtMs: 0, site: null, ticket: null, verdict: 'pass', reportJson: '{}', address: '203.0.113.5' };

describe('serve with a results store', () => {
  it('purges past retention at start', async () => {
    const path = join(dir, 'purge.db');
    const now = Date.now();
    const old = openSqliteStore(path, storeOptions(testClock(now - 400 * DAY_MS), 1));
    const ancient = await old.results.put(row);
    await old.close();
    const recent = openSqliteStore(path, storeOptions(testClock(now - 30 * DAY_MS), 2));
    const month = await recent.results.put(row);
    await recent.close();

    const lines: string[] = [];
    const server = await serve(options({ results: { db: { kind: 'sqlite', path }, retainDays: 365, retainIpDays: 28, purgeIntervalMs: DAY_MS } }), (l) =>
      lines.push(l),
    );
    try {
      const store = server.store;
      if (!store) throw new Error('no store');
      await waitFor(async () => (await store.results.getById(ancient.result.id)) === null, { timeoutMs: 5000, what: 'the 400-day-old result purged' });
      await waitFor(async () => (await store.results.getById(month.result.id))?.addresses.length === 0, {
        timeoutMs: 5000,
        what: 'the 30-day-old address purged',
      });
      expect(await store.results.getByCode(month.result.code)).not.toBeNull();
      await waitFor(() => lines.find((l) => l.startsWith('results: purged 2 client addresses and 1 reports')), {
        timeoutMs: 5000,
        what: 'the purge line',
        state: () => lines.join(' | '),
      });
      expect(lines).toContain(`results: SQLite ${path} (reports kept 365 days, client addresses 28 days)`);
    } finally {
      await server.close();
    }
  });

  it('with --no-store answers 404 no-store', async () => {
    const server = await serve(options({}), () => undefined);
    try {
      const res = await fetch(`${server.url}/api/results`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ reason: 'no-store' });
    } finally {
      await server.close();
    }
  });
});
