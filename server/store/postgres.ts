/**
 * The results store on PostgreSQL (pg): several `callprobe serve` instances (one per region)
 * share one database. Same schema and migrations as SQLite; migrations run under an advisory
 * lock so instances starting together migrate once. A put commits (synchronous_commit as the
 * server has it, on by default) before the 201.
 */
import pg from 'pg';
import { groupThresholds, pickPool, type OverviewGroup } from '../../src/analysis/site/overview.js';
import { INTERRUPTED_REASON } from '../../src/analysis/site/outages.js';
import { METRIC_COLUMNS } from './summary.js';
import { DEFAULTS } from '../../src/protocol/defaults.js';
import * as shared from './common.js';
import { siteKeyOf } from './site-key.js';
import { insertPostSql, purgeFleetSql } from './fleet-sql.js';
import { postgresFleet } from './postgres-fleet.js';
import { siteTokenMethods } from './site-tokens.js';
import { inTransaction, migrate } from './postgres-migrate.js';
import type { AlertTrack } from '../../src/analysis/alert/hysteresis.js';
import type { TargetId } from '../../src/analysis/schema/report-schema.js';
import {
  StoreError,
  type AlertMetric,
  type AlertWindowRow,
  type NewResult,
  type PutOutcome,
  type ResultStore,
  type StoreOptions,
  type StoredResult,
} from './types.js';

interface PgError {
  code?: string;
  constraint?: string;
}

function isCodeOrIdConflict(err: unknown): boolean {
  const e = err as PgError | null;
  return e?.code === '23505' && e.constraint !== 'results_sample_id_key';
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://...';
  }
}

/** The overview's first query: per group, the samples and each metric's graded and insufficient counts (a hash aggregate, parallel). */
const OVERVIEW_COUNTS_SQL = `SELECT site_key, body_state, profile_id, profile_region, profile_from, probe_path, count(*) AS samples,
  count(*) FILTER (WHERE body_state = 'could-not-test' AND body_note = '${INTERRUPTED_REASON}') AS interrupted, ${METRIC_COLUMNS.map(
    (c, i) => `count(${c}) AS n${i}, count(*) FILTER (WHERE insufficient_mask & ${1 << i} <> 0) AS i${i}`,
  ).join(', ')}
  FROM results WHERE started_at >= $1 AND site_key IS NOT NULL
  GROUP BY site_key, body_state, profile_id, profile_region, profile_from, probe_path`;

/**
 * The overview's second query: the P90s of the given metrics over each listed site's pool, one
 * site at a time through the index results_site_key_started_at (no sort of the table). percentile_disc(0.9)
 * is the nearest rank of src/analysis/measure/percentile.ts: the value at rank ceil(0.9 n) of the
 * n non-null values, 0.9 * n computed in float8 as in TS, so the same value (tested against the TS code).
 * Beside each P90, the values at or above the pool's target for that metric ($8 on: one array of
 * targets per metric, one entry per pool), which an early fail reads.
 */
function overviewP90Sql(metrics: readonly number[]): string {
  const col = (i: number): string => METRIC_COLUMNS[i] ?? '';
  const p90s = metrics
    .map((i) => `percentile_disc(0.9) WITHIN GROUP (ORDER BY r.${col(i)}) AS p${i}, count(*) FILTER (WHERE r.${col(i)} >= p.t${i}) AS m${i}`)
    .join(', ');
  const targets = metrics.map((i, k) => `$${8 + k}::float8[]`).join(', ');
  return `SELECT p.i, x.* FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], ${targets}) AS p(i, site, pid, reg, frm, path, ${metrics.map((i) => `t${i}`).join(', ')})
  CROSS JOIN LATERAL (SELECT ${p90s} FROM results r WHERE r.site_key = p.site AND r.started_at >= $1 AND r.body_state = 'report'
    AND r.profile_id IS NOT DISTINCT FROM p.pid AND r.profile_region IS NOT DISTINCT FROM p.reg
    AND r.profile_from IS NOT DISTINCT FROM p.frm AND r.probe_path IS NOT DISTINCT FROM p.path) x`;
}

/** `items` in at most `chunks` contiguous parts of near-equal size. */
export function chunked<T>(items: readonly T[], chunks: number): T[][] {
  const n = Math.max(1, Math.min(chunks, items.length));
  return Array.from({ length: n }, (_, i) => items.slice(Math.floor((i * items.length) / n), Math.floor(((i + 1) * items.length) / n))).filter(
    (c) => c.length > 0,
  );
}

/** Connects to and migrates a PostgreSQL store. */
export async function openPostgresStore(url: string, opts: StoreOptions): Promise<ResultStore> {
  const pool = new pg.Pool({ connectionString: url, max: 8, connectionTimeoutMillis: 10_000 });
  // An idle client losing its connection must not crash the server: the next query reconnects.
  pool.on('error', (err) => opts.warn(`results database: idle connection lost: ${err.message}`));
  try {
    await migrate(pool, opts.nowMs());
  } catch (err) {
    await pool.end();
    if (err instanceof StoreError) throw err;
    throw new StoreError('open-failed', `cannot open the results database ${redact(url)}: ${(err as Error).message}`, { cause: err });
  }

  const putOnce = (r: NewResult, id: string, code: string, storedAtMs: number): Promise<PutOutcome> =>
    inTransaction(pool, async (c) => {
      const values = shared.insertValues(r, id, code, storedAtMs);
      const ins = await c.query(
        `INSERT INTO results (${shared.INSERT_COLUMNS}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT (sample_id) DO NOTHING RETURNING ${shared.RESULT_COLUMNS}`,
        values,
      );
      const row = ins.rows[0] as shared.ResultRow | undefined;
      if (!row) {
        const first = (await c.query(`SELECT ${shared.RESULT_COLUMNS} FROM results WHERE sample_id = $1`, [r.sampleId])).rows[0] as
          shared.ResultRow | undefined;
        if (!first) throw new StoreError('bad-row', `sampleId ${r.sampleId ?? 'null'} conflicted but no row has it`);
        return { result: shared.toResult(first), created: false };
      }
      if (r.site !== null)
        await c.query(
          shared.siteUpsertSql((i) => `$${i}`, 'greatest'),
          shared.siteUpsertValues(r, storedAtMs),
        );
      if (r.address !== null) {
        await c.query('INSERT INTO result_addresses (result_id, address, truncated, stored_at) VALUES ($1, $2, $3, $4)', [
          id,
          r.address,
          shared.truncatedAddress(r.address),
          storedAtMs,
        ]);
      }
      return { result: shared.toResult(row), created: true };
    });
  /** Deleted addresses may still be in the table's file: at open (rows deleted before a restart, or by an older callprobe) and after each purge that deleted some. */
  let addressVacuumDue = true;

  return {
    kind: 'postgres',
    put: async (r) => {
      for (let attempt = 0; attempt < shared.CODE_ATTEMPTS; attempt++) {
        try {
          return await putOnce(r, shared.freshId(opts), shared.freshCode(opts), opts.nowMs());
        } catch (err) {
          if (!isCodeOrIdConflict(err)) throw err;
        }
      }
      throw new StoreError('no-free-code', `no unused result code after ${shared.CODE_ATTEMPTS} attempts`);
    },
    getByCode: async (code) => {
      const row = (await pool.query(`SELECT ${shared.RESULT_COLUMNS} FROM results WHERE code = $1`, [code])).rows[0] as shared.ResultRow | undefined;
      return row ? shared.toResult(row) : null;
    },
    getBySampleId: async (sampleId) => {
      const row = (await pool.query(`SELECT ${shared.RESULT_COLUMNS} FROM results WHERE sample_id = $1`, [sampleId])).rows[0] as shared.ResultRow | undefined;
      return row ? shared.toResult(row) : null;
    },
    getById: async (id) => {
      const row = (await pool.query(`SELECT ${shared.RESULT_COLUMNS} FROM results WHERE id = $1`, [id])).rows[0] as shared.ResultRow | undefined;
      if (!row) return null;
      const addresses = (await pool.query('SELECT address, truncated, stored_at FROM result_addresses WHERE result_id = $1 ORDER BY stored_at', [id]))
        .rows as shared.AddressRow[];
      return { ...shared.toResult(row), addresses: addresses.map(shared.toAddress) };
    },
    list: async (q): Promise<StoredResult[]> => {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (q.sinceMs !== null) {
        params.push(q.sinceMs);
        where.push(`started_at >= $${params.length}`);
      }
      if (q.site !== null) {
        params.push(siteKeyOf(q.site));
        where.push(`site_key = $${params.length}`);
      }
      if (q.untilMs != null) {
        params.push(q.untilMs);
        where.push(`started_at < $${params.length}`);
      }
      if (q.ticketPrefix != null) {
        params.push(shared.lowerPrefixPattern(q.ticketPrefix));
        where.push(`lower(ticket) LIKE $${params.length} ESCAPE '\\'`);
      }
      if (q.verdict != null) {
        params.push(q.verdict);
        where.push(`verdict = $${params.length}`);
      }
      if (q.couldNotTest != null) where.push(q.couldNotTest ? "kind = 'could-not-test'" : "kind = 'report'");
      params.push(q.limit);
      const order = q.newestFirst === true ? 'started_at DESC, id DESC' : 'started_at, id';
      const sql = `SELECT ${shared.RESULT_COLUMNS} FROM results ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT $${params.length}`;
      return ((await pool.query(sql, params)).rows as shared.ResultRow[]).map(shared.toResult);
    },
    siteSamples: async (q) => {
      const sql = `SELECT ${shared.SITE_SAMPLE_COLUMNS} FROM results WHERE site_key = $1 AND started_at >= $2 ORDER BY started_at, id LIMIT $3`;
      return ((await pool.query(sql, [siteKeyOf(q.site), q.sinceMs, q.limit])).rows as shared.SiteSampleDbRow[]).map(shared.toSiteSample);
    },
    sites: async () => ((await pool.query(`SELECT ${shared.SITE_COLUMNS} FROM sites ORDER BY site_key`)).rows as shared.SiteDbRow[]).map(shared.toKnownSite),
    siteOverview: async (q) => {
      const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
      const groups = (await pool.query<Record<string, unknown>>(OVERVIEW_COUNTS_SQL, [q.sinceMs])).rows.map((r): OverviewGroup => ({
        site: String(r.site_key),
        body: r.body_state === 'report' || r.body_state === 'could-not-test' ? r.body_state : 'unreadable',
        profileId: text(r.profile_id),
        profileRegion: text(r.profile_region),
        profileFrom: text(r.profile_from),
        probePath: text(r.probe_path),
        samples: Number(r.samples),
        interrupted: Number(r.interrupted),
        metrics: METRIC_COLUMNS.map((_, i) => ({ graded: Number(r[`n${i}`]), insufficient: Number(r[`i${i}`]), p90: null, missed: null })),
      }));
      // The P90s only of each site's pool, and only of metrics it graded.
      const bySite = new Map<string, OverviewGroup[]>();
      for (const g of groups) if (g.body === 'report') bySite.set(g.site, [...(bySite.get(g.site) ?? []), g]);
      const pooled = [...bySite.values()].map((gs) => pickPool(gs)).filter((g): g is OverviewGroup => g !== null);
      const metrics = METRIC_COLUMNS.map((_, i) => i).filter((i) => pooled.some((g) => (g.metrics[i]?.graded ?? 0) > 0));
      if (metrics.length === 0) return groups;
      const sql = overviewP90Sql(metrics);
      const thresholds = pooled.map((g) => groupThresholds(g));
      // Sorting the values is CPU: several parts of the site list at once, each on its own connection (no JIT: compiling costs more than it saves).
      const parts = chunked(
        pooled.map((g, i) => ({ g, i })),
        DEFAULTS.siteReport.overviewQueryChunks,
      );
      await Promise.all(
        parts.map((part) =>
          inTransaction(pool, async (c) => {
            await c.query('SET LOCAL jit = off');
            const rows = (
              await c.query<Record<string, unknown>>(sql, [
                q.sinceMs,
                part.map((p) => p.i),
                part.map((p) => p.g.site),
                part.map((p) => p.g.profileId),
                part.map((p) => p.g.profileRegion),
                part.map((p) => p.g.profileFrom),
                part.map((p) => p.g.probePath),
                ...metrics.map((i) => part.map((p) => thresholds[p.i]?.[i] ?? null)),
              ])
            ).rows;
            for (const r of rows) {
              const g = pooled[Number(r.i)];
              if (g === undefined) continue;
              for (const i of metrics) {
                const m = g.metrics[i];
                const v = r[`p${i}`];
                if (m === undefined) continue;
                m.p90 = v === null || v === undefined ? null : Number(v);
                m.missed = thresholds[Number(r.i)] == null ? null : Number(r[`m${i}`]);
              }
            }
          }),
        ),
      );
      return groups;
    },
    evaluateAlerts: async (siteName, specs, metrics, decide) =>
      inTransaction(pool, async (c) => {
        const site = siteKeyOf(siteName);
        const now = opts.nowMs();
        // The state rows exist before they are locked (a concurrent insert of the same row waits, then does nothing) ...
        await c.query(
          "INSERT INTO alert_states (site, metric, state, breaches, passes, since_at, updated_at) SELECT $1, m, 'ok', 0, 0, NULL, $3 FROM unnest($2::text[]) AS m ON CONFLICT (site, metric) DO NOTHING",
          [site, metrics, now],
        );
        // ... and are locked in one order, so two instances on one site queue here instead of deadlocking.
        const rows = (
          await c.query<shared.AlertStateRow>(
            'SELECT metric, state, breaches, passes, since_at FROM alert_states WHERE site = $1 AND metric = ANY($2::text[]) ORDER BY metric FOR UPDATE',
            [site, metrics],
          )
        ).rows;
        const tracks = new Map<AlertMetric, AlertTrack>(rows.map((r) => [r.metric as AlertMetric, shared.toAlertTrack(r)]));
        // READ COMMITTED: each statement after the lock sees every sample committed before it, the other instance's too.
        const windows = new Map<TargetId, AlertWindowRow[]>();
        for (const sp of specs)
          windows.set(
            sp.metric,
            shared.toAlertWindow(sp.metric, (await c.query<Record<string, unknown>>(shared.alertWindowSql(sp.metric, '$1', '$2'), [site, sp.samples])).rows),
          );
        const decided = decide(windows, tracks);
        for (const [i, p] of decided.posts.entries())
          await c.query(
            insertPostSql((k) => `$${k}`),
            [shared.freshId(opts), site, i, p.body, now],
          );
        for (const [metric, t] of decided.tracks)
          await c.query('UPDATE alert_states SET state = $1, breaches = $2, passes = $3, since_at = $4, updated_at = $5 WHERE site = $6 AND metric = $7', [
            t.state,
            t.breaches,
            t.passes,
            t.sinceMs,
            now,
            site,
            metric,
          ]);
      }),
    purge: async (nowMs) => {
      const c = shared.cutoffs(opts, nowMs);
      const deleted = await inTransaction(pool, async (client) => {
        const a1 = await client.query('DELETE FROM result_addresses WHERE stored_at < $1', [c.addressesBefore]);
        const a2 = await client.query('DELETE FROM result_addresses WHERE result_id IN (SELECT id FROM results WHERE stored_at < $1)', [c.resultsBefore]);
        const r = await client.query('DELETE FROM results WHERE stored_at < $1', [c.resultsBefore]);
        for (const sql of purgeFleetSql((k) => `$${k}`)) await client.query(sql, [c.resultsBefore]);
        return { addressesDeleted: (a1.rowCount ?? 0) + (a2.rowCount ?? 0), resultsDeleted: r.rowCount ?? 0 };
      });
      if (deleted.addressesDeleted > 0) addressVacuumDue = true;
      if (addressVacuumDue) {
        // A deleted row stays in its heap page until the page is rewritten: plain VACUUM only
        // compacts pages (what it frees keeps its bytes, and it leaves copies of the rows it
        // moves). VACUUM FULL writes the table anew, without them, and drops the old file. It
        // locks the table while it runs (inserts wait): it holds only --retain-ip-days of
        // addresses, about 150 bytes each.
        await pool.query('VACUUM FULL result_addresses');
        addressVacuumDue = false;
      }
      return { ...deleted, wiped: true };
    },
    ...postgresFleet(pool),
    ...siteTokenMethods({
      param: (i) => `$${i}`,
      all: async (sql, values) => (await pool.query<Record<string, unknown>>(sql, [...values])).rows,
      run: async (sql, values) => (await pool.query(sql, [...values])).rowCount ?? 0,
    }),
    close: async () => {
      await pool.end();
    },
  };
}
