/** The SQLite store's migrations (../schema.ts), in one IMMEDIATE transaction: a second process opening the same file waits instead of migrating twice. */
import type Database from 'better-sqlite3';
import { summaryOf, summaryValuesOf } from '../summary.js';
import { LATEST_SCHEMA, MIGRATIONS, SCHEMA_MIGRATIONS_TABLE } from '../schema.js';
import { rekeyAlertStates, siteKeyOf, unverifiedSiteKeyOf } from '../site-key.js';
import { StoreError } from '../types.js';
import { BACKFILL_BATCH, scrubbedRow, summaryUpdateSql, unverifiedSiteCandidatesSql } from './backfill.js';

/** Fills a migration's new summary columns of every stored row from its body. */
function backfill(db: Database.Database, columns: readonly string[]): void {
  const next = db.prepare(`SELECT id, report FROM results WHERE id > ? ORDER BY id LIMIT ${BACKFILL_BATCH}`);
  const update = db.prepare(summaryUpdateSql(columns, () => '?'));
  for (let after = ''; ;) {
    const rows = next.all(after) as Array<{ id: string; report: string }>;
    if (rows.length === 0) return;
    for (const r of rows) update.run(...summaryValuesOf(summaryOf(r.report), columns), r.id);
    after = rows.at(-1)?.id ?? after;
  }
}

/** Migration 4: IP addresses out of the bodies and tickets stored before the upload door scrubbed them. */
function scrubBodies(db: Database.Database): void {
  const next = db.prepare(`SELECT id, report, ticket FROM results WHERE id > ? ORDER BY id LIMIT ${BACKFILL_BATCH}`);
  const update = db.prepare('UPDATE results SET report = ?, ticket = ? WHERE id = ?');
  for (let after = ''; ;) {
    const rows = next.all(after) as Array<{ id: string; report: string; ticket: string | null }>;
    if (rows.length === 0) return;
    for (const r of rows) {
      const clean = scrubbedRow(r.report, r.ticket);
      if (clean !== null) update.run(clean.report, clean.ticket, r.id);
    }
    after = rows.at(-1)?.id ?? after;
  }
}

/** Migration 5: every site name filed under its key (one UPDATE per distinct name, through the old (site, started_at) index), alert states re-keyed. */
function backfillSiteKeys(db: Database.Database): void {
  const update = db.prepare('UPDATE results SET site_key = ? WHERE site = ?');
  for (const { site } of db.prepare('SELECT DISTINCT site FROM results WHERE site IS NOT NULL').all() as Array<{ site: string }>)
    update.run(siteKeyOf(site), site);
  const rows = (
    db.prepare('SELECT site, metric, state, updated_at FROM alert_states').all() as Array<{ site: string; metric: string; state: string; updated_at: number }>
  ).map((r) => ({ site: r.site, metric: r.metric, state: r.state, updatedAtMs: Number(r.updated_at) }));
  const plan = rekeyAlertStates(rows);
  const drop = db.prepare('DELETE FROM alert_states WHERE site = ? AND metric = ?');
  const rename = db.prepare('UPDATE alert_states SET site = ? WHERE site = ? AND metric = ?');
  for (const r of plan.drop) drop.run(r.site, r.metric);
  for (const { row, key } of plan.rename) rename.run(key, row.site, row.metric);
}

/** Migration 11: results.unverified_site_key from the bodies that name a site without the token. */
function backfillUnverifiedSites(db: Database.Database): void {
  const next = db.prepare(unverifiedSiteCandidatesSql('?'));
  const update = db.prepare('UPDATE results SET unverified_site_key = ? WHERE id = ?');
  for (let after = ''; ;) {
    const rows = next.all(after) as Array<{ id: string; report: string }>;
    if (rows.length === 0) return;
    for (const r of rows) {
      const key = unverifiedSiteKeyOf(r.report);
      if (key !== null) update.run(key, r.id);
    }
    after = rows.at(-1)?.id ?? after;
  }
}

export function migrate(db: Database.Database, nowMs: number): void {
  db.exec(SCHEMA_MIGRATIONS_TABLE);
  const apply = db.transaction(() => {
    const applied = new Set(
      db
        .prepare('SELECT version FROM schema_migrations')
        .all()
        .map((r) => Number((r as { version: number }).version)),
    );
    const newest = Math.max(0, ...applied);
    if (newest > LATEST_SCHEMA)
      throw new StoreError('newer-schema', `the database has schema ${newest}, this callprobe knows up to ${LATEST_SCHEMA}: upgrade callprobe`);
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      for (const s of m.statements) db.exec(s);
      if (m.backfillSummaries !== undefined) backfill(db, m.backfillSummaries);
      if (m.scrubBodies === true) scrubBodies(db);
      if (m.backfillSiteKeys === true) backfillSiteKeys(db);
      if (m.backfillUnverifiedSites === true) backfillUnverifiedSites(db);
      for (const s of m.after ?? []) db.exec(s);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, nowMs);
    }
  });
  // IMMEDIATE: a second process opening the same file waits instead of migrating twice.
  apply.immediate();
}
