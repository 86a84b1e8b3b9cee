/**
 * The embedded results store: one SQLite file (better-sqlite3), WAL journal and
 * synchronous=FULL, so a result is on disk before its 201 is sent and survives kill -9 (and
 * a power cut, as far as the disk keeps its fsync promise). Created on first start.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { groupThresholds, type OverviewGroup } from '../../src/analysis/site/overview.js';
import { INTERRUPTED_REASON } from '../../src/analysis/site/outages.js';
import { METRIC_COLUMNS, summaryOf, summaryValuesOf } from './summary.js';
import { LATEST_SCHEMA, MIGRATIONS, SCHEMA_MIGRATIONS_TABLE } from './schema.js';
import * as shared from './common.js';
import { rekeyAlertStates, siteKeyOf } from './site-key.js';
import { insertPostSql, purgeFleetSql } from './fleet-sql.js';
import { bind, named, sqliteFleet } from './sqlite-fleet.js';
import { siteTokenMethods } from './site-tokens.js';
import type { AlertTrack } from '../../src/analysis/alert/hysteresis.js';
import type { TargetId } from '../../src/analysis/schema/report-schema.js';
import {
  StoreError,
  type AlertDecide,
  type AlertMetric,
  type AlertWindowRow,
  type AlertWindowSpec,
  type ListQuery,
  type NewResult,
  type PutOutcome,
  type PurgeOutcome,
  type ResultStore,
  type StoreOptions,
  type StoredAddress,
  type StoredResult,
} from './types.js';

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_UNIQUE' || (err as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Fills a migration's new summary columns of every stored row from its body. */
function backfill(db: Database.Database, columns: readonly string[]): void {
  const next = db.prepare(`SELECT id, report FROM results WHERE id > ? ORDER BY id LIMIT ${shared.BACKFILL_BATCH}`);
  const update = db.prepare(shared.summaryUpdateSql(columns, () => '?'));
  for (let after = ''; ;) {
    const rows = next.all(after) as Array<{ id: string; report: string }>;
    if (rows.length === 0) return;
    for (const r of rows) update.run(...summaryValuesOf(summaryOf(r.report), columns), r.id);
    after = rows.at(-1)?.id ?? after;
  }
}

/** Migration 4: IP addresses out of the bodies and tickets stored before the upload door scrubbed them. */
function scrubBodies(db: Database.Database): void {
  const next = db.prepare(`SELECT id, report, ticket FROM results WHERE id > ? ORDER BY id LIMIT ${shared.BACKFILL_BATCH}`);
  const update = db.prepare('UPDATE results SET report = ?, ticket = ? WHERE id = ?');
  for (let after = ''; ;) {
    const rows = next.all(after) as Array<{ id: string; report: string; ticket: string | null }>;
    if (rows.length === 0) return;
    for (const r of rows) {
      const clean = shared.scrubbedRow(r.report, r.ticket);
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

function migrate(db: Database.Database, nowMs: number): void {
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
      for (const s of m.after ?? []) db.exec(s);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, nowMs);
    }
  });
  // IMMEDIATE: a second process opening the same file waits instead of migrating twice.
  apply.immediate();
}

/** Opens (creating the file and its folder on first start) and migrates an SQLite store. */
export function openSqliteStore(path: string, opts: StoreOptions): ResultStore {
  let db: Database.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    // Another process (a second serve on the same file) may hold the lock for a moment.
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    // FULL: every commit is fsynced before put() returns, so the 201 follows a durable write.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // A deleted row is overwritten with zeros in its page, not just unlinked: a purged address leaves no bytes behind.
    db.pragma('secure_delete = ON');
  } catch (err) {
    throw new StoreError('open-failed', `cannot open the results database ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    migrate(db, opts.nowMs());
  } catch (err) {
    db.close();
    if (err instanceof StoreError) throw err;
    throw new StoreError('migration-failed', `cannot migrate the results database ${path}: ${(err as Error).message}`, { cause: err });
  }

  const insertResult = db.prepare(
    `INSERT INTO results (${shared.INSERT_COLUMNS}) VALUES (${shared.INSERT_COLUMNS.split(',')
      .map(() => '?')
      .join(', ')}) ON CONFLICT (sample_id) DO NOTHING`,
  );
  const overview = db.prepare(
    `SELECT site_key, body_state, profile_id, profile_region, profile_from, probe_path, insufficient_mask, ${METRIC_COLUMNS.join(', ')}, body_note FROM results INDEXED BY results_site_key_started_at WHERE site_key IS NOT NULL AND started_at >= ? ORDER BY site_key`,
  );
  const insertAddress = db.prepare('INSERT INTO result_addresses (result_id, address, truncated, stored_at) VALUES (?, ?, ?, ?)');
  const bySampleId = db.prepare(`SELECT ${shared.RESULT_COLUMNS} FROM results WHERE sample_id = ?`);
  const byCode = db.prepare(`SELECT ${shared.RESULT_COLUMNS} FROM results WHERE code = ?`);
  const byId = db.prepare(`SELECT ${shared.RESULT_COLUMNS} FROM results WHERE id = ?`);
  const addressesOf = db.prepare('SELECT address, truncated, stored_at FROM result_addresses WHERE result_id = ? ORDER BY stored_at');
  const siteSamples = db.prepare(`SELECT ${shared.SITE_SAMPLE_COLUMNS} FROM results WHERE site_key = ? AND started_at >= ? ORDER BY started_at, id LIMIT ?`);
  const upsertSite = db.prepare(shared.siteUpsertSql((i) => `?${i}`, 'max'));
  const allSites = db.prepare(`SELECT ${shared.SITE_COLUMNS} FROM sites ORDER BY site_key`);
  const deleteAddresses = db.prepare('DELETE FROM result_addresses WHERE stored_at < ?');
  const deleteResultAddresses = db.prepare('DELETE FROM result_addresses WHERE result_id IN (SELECT id FROM results WHERE stored_at < ?)');
  const deleteResults = db.prepare('DELETE FROM results WHERE stored_at < ?');

  const putOnce = db.transaction((r: NewResult, id: string, code: string, storedAtMs: number): PutOutcome => {
    const info = insertResult.run(...shared.insertValues(r, id, code, storedAtMs));
    if (info.changes === 0) {
      const first = bySampleId.get(r.sampleId) as shared.ResultRow | undefined;
      if (!first) throw new StoreError('bad-row', `sampleId ${r.sampleId ?? 'null'} conflicted but no row has it`);
      return { result: shared.toResult(first), created: false };
    }
    if (r.address !== null) insertAddress.run(id, r.address, shared.truncatedAddress(r.address), storedAtMs);
    // Numbered parameters (?1 ... ?5, some used twice): better-sqlite3 binds them from an object.
    if (r.site !== null) upsertSite.run(Object.fromEntries(shared.siteUpsertValues(r, storedAtMs).map((v, i) => [i + 1, v])));
    const row = byId.get(id) as shared.ResultRow;
    return { result: shared.toResult(row), created: true };
  });

  const insertAlertState = db.prepare(
    "INSERT INTO alert_states (site, metric, state, breaches, passes, since_at, updated_at) VALUES (?, ?, 'ok', 0, 0, NULL, ?) ON CONFLICT (site, metric) DO NOTHING",
  );
  const alertStates = db.prepare('SELECT metric, state, breaches, passes, since_at FROM alert_states WHERE site = ? ORDER BY metric');
  const updateAlertState = db.prepare(
    'UPDATE alert_states SET state = ?, breaches = ?, passes = ?, since_at = ?, updated_at = ? WHERE site = ? AND metric = ?',
  );
  const alertWindows = new Map<TargetId, Database.Statement>();
  const alertWindow = (metric: TargetId): Database.Statement => {
    let st = alertWindows.get(metric);
    if (st === undefined) {
      st = db.prepare(shared.alertWindowSql(metric, '?', '?'));
      alertWindows.set(metric, st);
    }
    return st;
  };
  const insertPost = db.prepare(insertPostSql(named));
  const evaluateOnce = db.transaction((site: string, specs: readonly AlertWindowSpec[], metrics: readonly AlertMetric[], decide: AlertDecide): void => {
    const now = opts.nowMs();
    for (const m of metrics) insertAlertState.run(site, m, now);
    const tracks = new Map<AlertMetric, AlertTrack>();
    const wanted = new Set<string>(metrics);
    for (const row of alertStates.all(site) as shared.AlertStateRow[])
      if (wanted.has(row.metric)) tracks.set(row.metric as AlertMetric, shared.toAlertTrack(row));
    const windows = new Map<TargetId, AlertWindowRow[]>();
    for (const sp of specs)
      windows.set(sp.metric, shared.toAlertWindow(sp.metric, alertWindow(sp.metric).all(site, sp.samples) as Array<Record<string, unknown>>));
    const decided = decide(windows, tracks);
    for (const [metric, t] of decided.tracks) updateAlertState.run(t.state, t.breaches, t.passes, t.sinceMs, now, site, metric);
    decided.posts.forEach((p, i) => insertPost.run(bind([shared.freshId(opts), site, i, p.body, now])));
  });

  const store: ResultStore = {
    kind: 'sqlite',
    put: async (r) => {
      for (let attempt = 0; attempt < shared.CODE_ATTEMPTS; attempt++) {
        try {
          return putOnce.immediate(r, shared.freshId(opts), shared.freshCode(opts), opts.nowMs());
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
        }
      }
      throw new StoreError('no-free-code', `no unused result code after ${shared.CODE_ATTEMPTS} attempts`);
    },
    getByCode: async (code) => {
      const row = byCode.get(code) as shared.ResultRow | undefined;
      return row ? shared.toResult(row) : null;
    },
    getBySampleId: async (sampleId) => {
      const row = bySampleId.get(sampleId) as shared.ResultRow | undefined;
      return row ? shared.toResult(row) : null;
    },
    getById: async (id) => {
      const row = byId.get(id) as shared.ResultRow | undefined;
      if (!row) return null;
      const addresses: StoredAddress[] = (addressesOf.all(id) as shared.AddressRow[]).map(shared.toAddress);
      return { ...shared.toResult(row), addresses };
    },
    list: async (q: ListQuery): Promise<StoredResult[]> => {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (q.sinceMs !== null) {
        where.push('started_at >= ?');
        params.push(q.sinceMs);
      }
      if (q.site !== null) {
        where.push('site_key = ?');
        params.push(siteKeyOf(q.site));
      }
      if (q.untilMs != null) {
        where.push('started_at < ?');
        params.push(q.untilMs);
      }
      if (q.ticketPrefix != null) {
        where.push("lower(ticket) LIKE ? ESCAPE '\\'");
        params.push(shared.lowerPrefixPattern(q.ticketPrefix));
      }
      if (q.verdict != null) {
        where.push('verdict = ?');
        params.push(q.verdict);
      }
      if (q.couldNotTest != null) where.push(q.couldNotTest ? "kind = 'could-not-test'" : "kind = 'report'");
      const order = q.newestFirst === true ? 'started_at DESC, id DESC' : 'started_at, id';
      const sql = `SELECT ${shared.RESULT_COLUMNS} FROM results ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ?`;
      return (db.prepare(sql).all(...params, q.limit) as shared.ResultRow[]).map(shared.toResult);
    },
    siteSamples: async (q) => (siteSamples.all(siteKeyOf(q.site), q.sinceMs, q.limit) as shared.SiteSampleDbRow[]).map(shared.toSiteSample),
    sites: async () => (allSites.all() as shared.SiteDbRow[]).map(shared.toKnownSite),
    siteOverview: async (q) => {
      // SQLite has no percentile: the rows come site by site in the order of the index
      // results_site_key_started_at (no sort), each site's groups are gathered and their P90s computed in TS.
      const groups: OverviewGroup[] = [];
      let site: string | null = null;
      let bySite = new Map<string, { head: Array<string | null>; acc: shared.OverviewAccumulator }>();
      const flush = (): void => {
        for (const { head, acc } of bySite.values()) {
          const [s0, body, profileId, profileRegion, profileFrom, probePath] = head;
          groups.push({
            site: s0 ?? '',
            body: body === 'report' || body === 'could-not-test' ? body : 'unreadable',
            profileId: profileId ?? null,
            profileRegion: profileRegion ?? null,
            profileFrom: profileFrom ?? null,
            probePath: probePath ?? null,
            samples: acc.samples,
            interrupted: acc.interrupted,
            metrics: acc.metrics(),
          });
        }
        bySite = new Map();
      };
      const metricCount = METRIC_COLUMNS.length;
      for (const row of overview.raw().iterate(q.sinceMs) as IterableIterator<unknown[]>) {
        const head = row.slice(0, 6) as Array<string | null>;
        if (head[0] !== site) {
          flush();
          site = head[0] ?? null;
        }
        const key = head
          .slice(1)
          .map((v) => v ?? '\u0001')
          .join('\u0000');
        let g = bySite.get(key);
        if (g === undefined) {
          g = {
            head,
            acc: new shared.OverviewAccumulator(groupThresholds({ profileId: head[2] ?? null, profileRegion: head[3] ?? null, profileFrom: head[4] ?? null })),
          };
          bySite.set(key, g);
        }
        g.acc.add(row.slice(7, 7 + metricCount) as Array<number | null>, Number(row[6] ?? 0));
        if (head[1] === 'could-not-test' && row[7 + metricCount] === INTERRUPTED_REASON) g.acc.interrupted++;
      }
      flush();
      return groups;
    },
    // IMMEDIATE: the write lock is taken at BEGIN, so a second process evaluating the same site waits for this commit.
    evaluateAlerts: async (site, specs, metrics, decide) => evaluateOnce.immediate(siteKeyOf(site), specs, metrics, decide),
    ...sqliteFleet(db),
    ...siteTokenMethods({
      param: named,
      all: async (sql, values) => db.prepare(sql).all(bind(values)) as Array<Record<string, unknown>>,
      run: async (sql, values) => db.prepare(sql).run(bind(values)).changes,
    }),
    purge: async (nowMs): Promise<PurgeOutcome> => {
      const c = shared.cutoffs(opts, nowMs);
      const deleted = db
        .transaction(() => {
          const a = deleteAddresses.run(c.addressesBefore).changes + deleteResultAddresses.run(c.resultsBefore).changes;
          const r = deleteResults.run(c.resultsBefore).changes;
          for (const sql of purgeFleetSql(named)) db.prepare(sql).run(bind([c.resultsBefore]));
          return { addressesDeleted: a, resultsDeleted: r };
        })
        .immediate();
      // The WAL still holds the pages as they were before the delete: copy it into the file and
      // truncate it to nothing. Busy while another connection reads an older snapshot (a second
      // process on the same file): then the next purge tries again.
      const [cp] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
      return { ...deleted, wiped: cp?.busy === 0 };
    },
    close: async () => {
      if (db.open) db.close();
    },
  };
  return store;
}
