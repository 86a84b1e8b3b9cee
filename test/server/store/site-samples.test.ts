/** The site report's query against SQLite (a temporary file) and PostgreSQL (a throwaway cluster). */
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect, it } from 'vitest';
import type { NewResult } from '../../../server/store/index.js';
import type { DbTarget } from '../../../server/store/target.js';
import { describeEachKind, open, storeOptions, testClock } from './store-kit.js';

const T0 = Date.UTC(2026, 0, 5);
const TEN_MIN = 600_000;

function sample(i: number, over: Partial<NewResult> = {}): NewResult {
  return {
    sampleId: `sample-${String(i).padStart(5, '0')}`,
    kind: 'report',
    startedAtMs: T0 + i * TEN_MIN,
    site: 'Paris',
    ticket: null,
    verdict: i % 3 === 0 ? 'fail' : 'pass',
    reportJson: JSON.stringify({ schemaVersion: 2, i }),
    address: '203.0.113.7',
    ...over,
  };
}

const SQL = 'SELECT id FROM results WHERE site_key = $1 AND started_at >= $2 ORDER BY started_at, id LIMIT $3';

async function queryPlan(target: DbTarget): Promise<string> {
  if (target.kind === 'sqlite') {
    const db = new Database(target.path, { readonly: true });
    const rows = db.prepare(`EXPLAIN QUERY PLAN ${SQL.replace(/\$\d/g, '?')}`).all('paris', T0, 10) as { detail: string }[];
    db.close();
    return rows.map((r) => r.detail).join('\n');
  }
  const c = new pg.Client({ connectionString: target.url });
  await c.connect();
  try {
    // A handful of rows: the planner would rightly scan the table; forbid that to see which index serves the query.
    await c.query('SET enable_seqscan = off');
    const rows = (await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${SQL}`, ['paris', T0, 10])).rows;
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    await c.end();
  }
}

describeEachKind('site samples query', (kind, opened) => {
  it("returns one site's samples since a time, oldest first, with their summary columns (no body)", async () => {
    const target = await kind.freshTarget();
    const store = await open(target, storeOptions(testClock(), 21));
    opened.push(store);
    // Stored out of order, with another site, a sample without a site and a could-not-test record among them.
    const order = [5, 0, 9, 3, 7, 1, 8, 2, 6, 4];
    for (const i of order) await store.results.put(sample(i));
    await store.results.put(sample(10, { site: 'Lyon' }));
    await store.results.put(sample(11, { site: null }));
    await store.results.put(sample(12, { kind: 'could-not-test', verdict: null, reportJson: '{"kind":"could-not-test","reason":"no-relay"}' }));

    const since = T0 + 3 * TEN_MIN;
    const rows = await store.sites.samples({ site: 'Paris', sinceMs: since, limit: 100 });
    expect(rows.map((r) => r.startedAtMs)).toEqual([3, 4, 5, 6, 7, 8, 9, 12].map((i) => T0 + i * TEN_MIN));
    expect(rows.map((r) => r.sampleId)).toEqual([3, 4, 5, 6, 7, 8, 9, 12].map((i) => `sample-${String(i).padStart(5, '0')}`));
    // The summary columns, not the body: this body is no report callprobe reads, so it is counted as unreadable.
    expect(rows[0]).toMatchObject({ kind: 'report', verdict: 'fail', summary: { body: 'unreadable' } });
    expect(rows[0]).not.toHaveProperty('reportJson');
    expect(rows[0]?.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(rows[0]?.id).toMatch(/^[0-9a-f]{32}$/);
    expect(rows.at(-1)).toMatchObject({ kind: 'could-not-test', verdict: null, summary: { body: 'unreadable' } });
    // No personal data in what the site report reads.
    expect(JSON.stringify(rows)).not.toContain('203.0.113');
    expect(await store.sites.samples({ site: 'Paris', sinceMs: since, limit: 3 })).toHaveLength(3);
    expect(await store.sites.samples({ site: 'Paris', sinceMs: T0 + 100 * TEN_MIN, limit: 100 })).toEqual([]);
    // Any spelling of the site's name finds the same samples (its canonical key).
    for (const spelling of ['paris', ' PARIS ', 'Ｐａｒｉｓ'])
      expect((await store.sites.samples({ site: spelling, sinceMs: since, limit: 100 })).map((r) => r.id)).toEqual(rows.map((r) => r.id));
    expect(await store.sites.samples({ site: 'Pariss', sinceMs: T0, limit: 100 })).toEqual([]);
    expect((await store.sites.samples({ site: 'Lyon', sinceMs: T0, limit: 100 })).map((r) => r.sampleId)).toEqual(['sample-00010']);
  });

  it('is served by the index results_site_key_started_at (site_key, started_at)', async () => {
    const target = await kind.freshTarget();
    const store = await open(target, storeOptions(testClock(), 22));
    opened.push(store);
    for (let i = 0; i < 20; i++) await store.results.put(sample(i, { site: i % 2 === 0 ? 'Paris' : 'Lyon' }));
    expect(await queryPlan(target)).toMatch(/results_site_key_started_at/);
  });
});
