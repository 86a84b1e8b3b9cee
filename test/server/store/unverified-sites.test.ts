/**
 * A site named without the token (a ?site= link: meta.siteUnverified, results.site null) is found
 * by the help desk's site search (`siteUnverifiedToo`) under any spelling, never by the list that
 * site reports and exports read; migration 11 files the results stored before it, in SQLite and
 * PostgreSQL.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect, it } from 'vitest';
import type { DbTarget } from '../../../server/store/target.js';
import type { NewResult } from '../../../server/store/index.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import { reflectorInput } from '../../analysis/report/inputs.js';
import { describeEachKind, open, storeOptions, testClock } from './store-kit.js';

function row(site: string | null, siteUnverified: string | null, startedAtMs: number): NewResult {
  const r = JSON.parse(JSON.stringify(analyze(reflectorInput({ count: 300 })))) as { meta: Record<string, unknown> };
  r.meta = { ...r.meta, site, ...(siteUnverified === null ? {} : { siteUnverified }) };
  return { sampleId: null, kind: 'report', startedAtMs, site, ticket: null, verdict: 'pass', reportJson: JSON.stringify(r), address: null };
}

/** Undoes migration 11 (its index, its column, its record), so the next open runs it over the rows stored meanwhile. */
async function forgetMigration11(target: DbTarget): Promise<void> {
  const sql = [
    'DROP INDEX results_unverified_site_key_started_at',
    'ALTER TABLE results DROP COLUMN unverified_site_key',
    'DELETE FROM schema_migrations WHERE version = 11',
  ];
  if (target.kind === 'sqlite') {
    const db = new Database(target.path);
    for (const s of sql) db.prepare(s).run();
    db.close();
    return;
  }
  const c = new pg.Client({ connectionString: target.url });
  await c.connect();
  try {
    for (const s of sql) await c.query(s);
  } finally {
    await c.end();
  }
}

describeEachKind('sites named without the token', (kind) => {
  it('the help desk search finds them under any spelling; the site list of reports and exports never does; migration 11 files older rows', async () => {
    const target = await kind.freshTarget();
    const clock = testClock();
    const t0 = Date.UTC(2026, 0, 15);
    const before = await open(target, storeOptions(clock, 51));
    const verified = await before.results.put(row('Paris office', null, t0));
    const unverified = await before.results.put(row(null, 'Paris office', t0 + 60_000));
    await before.results.put(row(null, 'Lyon', t0 + 120_000));
    const codes = async (s: typeof before, q: { site: string; siteUnverifiedToo?: boolean }): Promise<string[]> =>
      (await s.results.list({ sinceMs: null, limit: 10, ...q })).map((r) => r.code);
    expect(await codes(before, { site: ' PARIS  office', siteUnverifiedToo: true })).toEqual([verified.result.code, unverified.result.code]);
    expect(await codes(before, { site: 'Paris office' })).toEqual([verified.result.code]);
    await before.close();
    await forgetMigration11(target);

    const after = await open(target, storeOptions(clock, 52));
    try {
      expect(await codes(after, { site: 'paris office', siteUnverifiedToo: true })).toEqual([verified.result.code, unverified.result.code]);
      expect(await codes(after, { site: 'Lyon', siteUnverifiedToo: true })).toHaveLength(1);
      expect(await codes(after, { site: 'Lyon' })).toEqual([]);
    } finally {
      await after.close();
    }
  }, 60_000);
});
