/**
 * Migration 5 on SQLite and PostgreSQL: the site names stored before it (any spelling) filed under
 * their canonical key, the display name kept; one sites row per key; alert states of two
 * spellings merged into one, a raised one kept. Afterwards every spelling finds the same samples;
 * migration 9 then fills each site's last report's receive time from its stored results.
 */
import { CAUSE_COLUMNS, EDGE_COLUMNS, LOAD_COLUMNS, QOS_COLUMNS, REGION_COLUMNS } from '../../../server/store/summary.js';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbTarget } from '../../../server/store/target.js';
import type { NewResult } from '../../../server/store/index.js';
import { rekeyAlertStates, siteKeyOf } from '../../../server/store/site-key.js';
import { describeKind, open, postgresKind, sqliteKind, storeOptions, testClock } from './store-kit.js';

const T0 = Date.UTC(2026, 0, 12);

function row(site: string | null, i: number, kind: NewResult['kind'] = 'report'): NewResult {
  return {
    sampleId: `legacy-${String(i).padStart(4, '0')}`,
    kind,
    startedAtMs: T0 + i * 600_000,
    site,
    ticket: null,
    verdict: kind === 'report' ? 'pass' : null,
    reportJson: '{}',
    address: null,
  };
}

/** Takes a migrated database back to schema 4 (no site_key, no sites, the old index, none of migration 6-21's tables and columns), keeping its rows, plus two spellings' alert states. */
async function backToSchema4(target: DbTarget): Promise<void> {
  const statements = [
    'ALTER TABLE results DROP COLUMN previous_other_network',
    'DROP INDEX results_previous_code',
    'ALTER TABLE results DROP COLUMN previous_code',
    'DROP INDEX results_unverified_site_key_started_at',
    'ALTER TABLE results DROP COLUMN unverified_site_key',
    ...LOAD_COLUMNS.map((c) => `ALTER TABLE results DROP COLUMN ${c}`),
    ...EDGE_COLUMNS.map((c) => `ALTER TABLE results DROP COLUMN ${c}`),
    ...CAUSE_COLUMNS.map((c) => `ALTER TABLE results DROP COLUMN ${c}`),
    ...REGION_COLUMNS.map((c) => `ALTER TABLE results DROP COLUMN ${c}`),
    ...QOS_COLUMNS.map((c) => `ALTER TABLE results DROP COLUMN ${c}`),
    'DROP TABLE heartbeats',
    'DROP TABLE leases',
    'DROP TABLE alert_posts',
    'DROP TABLE site_tokens',
    'DROP TABLE console_sessions',
    'DROP TABLE edge_tokens',
    'DROP TABLE edges',
    'DROP INDEX results_site_key_started_at',
    'ALTER TABLE results DROP COLUMN site_key',
    'CREATE INDEX results_site_started_at ON results (site, started_at)',
    'DROP TABLE sites',
    'DELETE FROM schema_migrations WHERE version >= 5',
    "INSERT INTO alert_states (site, metric, state, breaches, passes, since_at, updated_at) VALUES ('Paris office', 'latency-rtt', 'raised', 3, 0, 1, 10)",
    "INSERT INTO alert_states (site, metric, state, breaches, passes, since_at, updated_at) VALUES ('paris  office', 'latency-rtt', 'ok', 0, 5, NULL, 20)",
    "INSERT INTO alert_states (site, metric, state, breaches, passes, since_at, updated_at) VALUES ('paris  office', 'loss-15s', 'ok', 0, 1, NULL, 20)",
  ];
  if (target.kind === 'sqlite') {
    const db = new Database(target.path);
    for (const s of statements) db.exec(s);
    db.close();
    return;
  }
  const c = new pg.Client({ connectionString: target.url });
  await c.connect();
  try {
    for (const s of statements) await c.query(s);
  } finally {
    await c.end();
  }
}

async function alertStates(target: DbTarget): Promise<Array<{ site: string; metric: string; state: string }>> {
  const sql = 'SELECT site, metric, state FROM alert_states ORDER BY site, metric';
  if (target.kind === 'sqlite') {
    const db = new Database(target.path, { readonly: true });
    try {
      return db.prepare(sql).all() as Array<{ site: string; metric: string; state: string }>;
    } finally {
      db.close();
    }
  }
  const c = new pg.Client({ connectionString: target.url });
  await c.connect();
  try {
    return (await c.query<{ site: string; metric: string; state: string }>(sql)).rows;
  } finally {
    await c.end();
  }
}

describe('site keys', () => {
  it('a name canonicalSite refuses keeps its text as its key; two spellings of one alert state become one, the raised kept', () => {
    expect(siteKeyOf(' Paris   OFFICE ')).toBe('paris office');
    expect(siteKeyOf('=cmd')).toBe('=cmd');
    const a = { site: 'Paris office', metric: 'latency-rtt', state: 'raised', updatedAtMs: 10 };
    const b = { site: 'paris  office', metric: 'latency-rtt', state: 'ok', updatedAtMs: 20 };
    const c = { site: 'paris office', metric: 'loss-15s', state: 'ok', updatedAtMs: 5 };
    expect(rekeyAlertStates([a, b, c])).toEqual({ drop: [b], rename: [{ row: a, key: 'paris office' }] });
  });
});

describe.each([sqliteKind(), postgresKind()])('migration 5 files site names under their key: $name', (kind) => {
  const run = describeKind('migration 5 files site names under their key', kind);
  run(`on ${kind.name}`, () => {
    beforeAll(async () => {
      await kind.setup();
    }, 90_000);
    afterAll(async () => {
      await kind.teardown();
    }, 60_000);

    it('keys the rows stored before it, keeps their display names, fills sites and merges alert states', async () => {
      const target = await kind.freshTarget();
      const clock = testClock();
      const before = await open(target, storeOptions(clock, 51));
      await before.results.put(row('Paris office', 0));
      await before.results.put(row('paris  office', 1, 'could-not-test'));
      clock.advance(60_000);
      await before.results.put(row('PARIS OFFICE', 2));
      const parisReportStoredAt = clock.nowMs();
      clock.advance(60_000);
      await before.results.put(row('=cmd', 3));
      await before.results.put(row(null, 4));
      await before.close();
      await backToSchema4(target);

      const after = await open(target, storeOptions(clock, 52));
      try {
        const paris = await after.sites.samples({ site: 'Paris Office', sinceMs: 0, limit: 10 });
        expect(paris.map((r) => r.sampleId)).toEqual(['legacy-0000', 'legacy-0001', 'legacy-0002']);
        expect((await after.results.list({ sinceMs: null, site: ' paris office', limit: 10 })).map((r) => [r.site, r.siteKey])).toEqual([
          ['Paris office', 'paris office'],
          ['paris  office', 'paris office'],
          ['PARIS OFFICE', 'paris office'],
        ]);
        const sites = await after.sites.list();
        expect(sites.map((s) => s.key)).toEqual(['=cmd', 'paris office']);
        expect(sites.find((s) => s.key === 'paris office')).toMatchObject({
          firstStartedAtMs: T0,
          lastStartedAtMs: T0 + 2 * 600_000,
          lastReportAtMs: T0 + 2 * 600_000,
          // Migration 9: the newest report's receive time, from its stored_at.
          lastReportStoredAtMs: parisReportStoredAt,
        });
        expect(await alertStates(target)).toEqual([
          { site: 'paris office', metric: 'latency-rtt', state: 'raised' },
          { site: 'paris office', metric: 'loss-15s', state: 'ok' },
        ]);
        // A new sample moves the site forward, under the spelling it was stored with.
        await after.results.put(row('Paris Office', 9));
        expect((await after.sites.list()).find((s) => s.key === 'paris office')).toMatchObject({ display: 'Paris Office', lastStartedAtMs: T0 + 9 * 600_000 });
        const newReportStoredAt = clock.nowMs();
        // A late one (from a spool) moves nothing back; a could-not-test record is no report.
        clock.advance(60_000);
        await after.results.put(row('Paris Office', 5, 'could-not-test'));
        expect((await after.sites.list()).find((s) => s.key === 'paris office')).toMatchObject({
          lastStartedAtMs: T0 + 9 * 600_000,
          lastReportAtMs: T0 + 9 * 600_000,
          lastReportStoredAtMs: newReportStoredAt,
        });
      } finally {
        await after.close();
      }
    }, 60_000);
  });
});
