/** The PostgreSQL store's migrations (../schema.ts) and its transactions: under an advisory lock, so instances starting together migrate once. */
import type pg from 'pg';
import { summaryOf, summaryValuesOf } from '../summary.js';
import { LATEST_SCHEMA, MIGRATIONS, SCHEMA_MIGRATIONS_TABLE } from '../schema.js';
import { BACKFILL_BATCH, scrubbedRow, summaryUpdateSql, unverifiedSiteCandidatesSql } from './backfill.js';
import { rekeyAlertStates, siteKeyOf, unverifiedSiteKeyOf } from '../site-key.js';
import { StoreError } from '../types.js';

/** pg_advisory_xact_lock key of callprobe's migrations ("callprob" in ASCII, fits a bigint). */
const MIGRATION_LOCK = '7161124082441483874';

export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A failed ROLLBACK means a broken connection: the pool then destroys it instead of reusing it.
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackErr: Error) => {
      broken = rollbackErr;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}

/** Fills a migration's new summary columns of every stored row from its body. */
async function backfill(c: pg.PoolClient, columns: readonly string[]): Promise<void> {
  const update = summaryUpdateSql(columns, (i) => `$${i}`);
  for (let after = ''; ;) {
    const rows = (await c.query<{ id: string; report: string }>(`SELECT id, report FROM results WHERE id > $1 ORDER BY id LIMIT ${BACKFILL_BATCH}`, [after]))
      .rows;
    if (rows.length === 0) return;
    for (const r of rows) await c.query(update, [...summaryValuesOf(summaryOf(r.report), columns), r.id]);
    after = rows.at(-1)?.id ?? after;
  }
}

/** Migration 4: IP addresses out of the bodies and tickets stored before the upload door scrubbed them. */
async function scrubBodies(c: pg.PoolClient): Promise<void> {
  for (let after = ''; ;) {
    const rows = (
      await c.query<{ id: string; report: string; ticket: string | null }>(
        `SELECT id, report, ticket FROM results WHERE id > $1 ORDER BY id LIMIT ${BACKFILL_BATCH}`,
        [after],
      )
    ).rows;
    if (rows.length === 0) return;
    for (const r of rows) {
      const clean = scrubbedRow(r.report, r.ticket);
      if (clean !== null) await c.query('UPDATE results SET report = $1, ticket = $2 WHERE id = $3', [clean.report, clean.ticket, r.id]);
    }
    after = rows.at(-1)?.id ?? after;
  }
}

/** Migration 5: every site name filed under its key (one UPDATE per distinct name, through the old (site, started_at) index), alert states re-keyed. */
async function backfillSiteKeys(c: pg.PoolClient): Promise<void> {
  for (const { site } of (await c.query<{ site: string }>('SELECT DISTINCT site FROM results WHERE site IS NOT NULL')).rows)
    await c.query('UPDATE results SET site_key = $1 WHERE site = $2', [siteKeyOf(site), site]);
  const rows = (await c.query<{ site: string; metric: string; state: string; updated_at: string }>('SELECT site, metric, state, updated_at FROM alert_states'))
    .rows;
  const plan = rekeyAlertStates(rows.map((r) => ({ site: r.site, metric: r.metric, state: r.state, updatedAtMs: Number(r.updated_at) })));
  for (const r of plan.drop) await c.query('DELETE FROM alert_states WHERE site = $1 AND metric = $2', [r.site, r.metric]);
  for (const { row, key } of plan.rename) await c.query('UPDATE alert_states SET site = $1 WHERE site = $2 AND metric = $3', [key, row.site, row.metric]);
}

/** Migration 11: results.unverified_site_key from the bodies that name a site without the token. */
async function backfillUnverifiedSites(c: pg.PoolClient): Promise<void> {
  for (let after = ''; ;) {
    const rows = (await c.query<{ id: string; report: string }>(unverifiedSiteCandidatesSql('$1'), [after])).rows;
    if (rows.length === 0) return;
    for (const r of rows) {
      const key = unverifiedSiteKeyOf(r.report);
      if (key !== null) await c.query('UPDATE results SET unverified_site_key = $1 WHERE id = $2', [key, r.id]);
    }
    after = rows.at(-1)?.id ?? after;
  }
}

export async function migrate(pool: pg.Pool, nowMs: number): Promise<void> {
  await inTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await c.query(SCHEMA_MIGRATIONS_TABLE);
    const applied = new Set((await c.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
    const newest = Math.max(0, ...applied);
    if (newest > LATEST_SCHEMA)
      throw new StoreError('newer-schema', `the database has schema ${newest}, this callprobe knows up to ${LATEST_SCHEMA}: upgrade callprobe`);
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      for (const s of m.statements) await c.query(s);
      if (m.backfillSummaries !== undefined) await backfill(c, m.backfillSummaries);
      if (m.scrubBodies === true) await scrubBodies(c);
      if (m.backfillSiteKeys === true) await backfillSiteKeys(c);
      if (m.backfillUnverifiedSites === true) await backfillUnverifiedSites(c);
      for (const s of m.after ?? []) await c.query(s);
      await c.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [m.version, nowMs]);
    }
  });
}
