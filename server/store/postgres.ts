/**
 * The results store on PostgreSQL (pg): several `callprobe serve` instances (one per region)
 * share one database. Same schema and migrations as SQLite; migrations run under an advisory
 * lock so instances starting together migrate once. A put commits (synchronous_commit as the
 * server has it, on by default) before the 201.
 */
import pg from 'pg';
import { pickPool, type OverviewGroup } from '../../src/analysis/site/overview.js';
import { METRIC_COLUMNS, summaryOf, summaryValues } from './summary.js';
import { DEFAULTS } from '../../src/protocol/defaults.js';
import { LATEST_SCHEMA, MIGRATIONS, SCHEMA_MIGRATIONS_TABLE } from './schema.js';
import {
  alertWindowSql,
  CODE_ATTEMPTS,
  cutoffs,
  freshCode,
  freshId,
  BACKFILL_BATCH,
  INSERT_COLUMNS,
  insertValues,
  RESULT_COLUMNS,
  SITE_SAMPLE_COLUMNS,
  summaryUpdateSql,
  toAddress,
  toAlertTrack,
  toAlertWindow,
  toResult,
  toSiteSample,
  truncatedAddress,
  type AddressRow,
  type AlertStateRow,
  type ResultRow,
  type SiteSampleDbRow,
} from './common.js';
import type { AlertTrack } from '../../src/analysis/alert/hysteresis.js';
import type { TargetId } from '../../src/analysis/schema/report-schema.js';
import { StoreError, type AlertWindowRow, type NewResult, type PutOutcome, type ResultStore, type StoreOptions, type StoredResult } from './types.js';

/** pg_advisory_xact_lock key of callprobe's migrations ("callprob" in ASCII, fits a bigint). */
const MIGRATION_LOCK = '7161124082441483874';

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

async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
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

/** Fills the summary columns of rows stored before migration 2, from their bodies. */
async function backfill(c: pg.PoolClient): Promise<void> {
  const update = summaryUpdateSql((i) => `$${i}`);
  for (;;) {
    const rows = (await c.query<{ id: string; report: string }>(`SELECT id, report FROM results WHERE body_state IS NULL ORDER BY id LIMIT ${BACKFILL_BATCH}`))
      .rows;
    if (rows.length === 0) return;
    for (const r of rows) await c.query(update, [...summaryValues(summaryOf(r.report)), r.id]);
  }
}

/** The overview's first query: per group, the samples and each metric's graded and insufficient counts (a hash aggregate, parallel). */
const OVERVIEW_COUNTS_SQL = `SELECT site, body_state, profile_id, profile_region, profile_from, probe_path, count(*) AS samples, ${METRIC_COLUMNS.map(
  (c, i) => `count(${c}) AS n${i}, count(*) FILTER (WHERE insufficient_mask & ${1 << i} <> 0) AS i${i}`,
).join(', ')}
  FROM results WHERE started_at >= $1 AND site IS NOT NULL
  GROUP BY site, body_state, profile_id, profile_region, profile_from, probe_path`;

/**
 * The overview's second query: the P90s of the given metrics over each listed site's pool, one
 * site at a time through the index results_site_started_at (no sort of the table). percentile_disc(0.9)
 * is the nearest rank of src/analysis/measure/percentile.ts: the value at rank ceil(0.9 n) of the
 * n non-null values, 0.9 * n computed in float8 as in TS, so the same value (tested against the TS code).
 */
function overviewP90Sql(metrics: readonly number[]): string {
  const p90s = metrics.map((i) => `percentile_disc(0.9) WITHIN GROUP (ORDER BY r.${METRIC_COLUMNS[i] ?? ''}) AS p${i}`).join(', ');
  return `SELECT p.i, x.* FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS p(i, site, pid, reg, frm, path)
  CROSS JOIN LATERAL (SELECT ${p90s} FROM results r WHERE r.site = p.site AND r.started_at >= $1 AND r.body_state = 'report'
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

async function migrate(pool: pg.Pool, nowMs: number): Promise<void> {
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
      if (m.backfillSummaries === true) await backfill(c);
      await c.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [m.version, nowMs]);
    }
  });
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
      const values = insertValues(r, id, code, storedAtMs);
      const ins = await c.query(
        `INSERT INTO results (${INSERT_COLUMNS}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT (sample_id) DO NOTHING RETURNING ${RESULT_COLUMNS}`,
        values,
      );
      const row = ins.rows[0] as ResultRow | undefined;
      if (!row) {
        const first = (await c.query(`SELECT ${RESULT_COLUMNS} FROM results WHERE sample_id = $1`, [r.sampleId])).rows[0] as ResultRow | undefined;
        if (!first) throw new StoreError('bad-row', `sampleId ${r.sampleId ?? 'null'} conflicted but no row has it`);
        return { result: toResult(first), created: false };
      }
      if (r.address !== null) {
        await c.query('INSERT INTO result_addresses (result_id, address, truncated, stored_at) VALUES ($1, $2, $3, $4)', [
          id,
          r.address,
          truncatedAddress(r.address),
          storedAtMs,
        ]);
      }
      return { result: toResult(row), created: true };
    });

  return {
    kind: 'postgres',
    put: async (r) => {
      for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
        try {
          return await putOnce(r, freshId(opts), freshCode(opts), opts.nowMs());
        } catch (err) {
          if (!isCodeOrIdConflict(err)) throw err;
        }
      }
      throw new StoreError('no-free-code', `no unused result code after ${CODE_ATTEMPTS} attempts`);
    },
    getByCode: async (code) => {
      const row = (await pool.query(`SELECT ${RESULT_COLUMNS} FROM results WHERE code = $1`, [code])).rows[0] as ResultRow | undefined;
      return row ? toResult(row) : null;
    },
    getById: async (id) => {
      const row = (await pool.query(`SELECT ${RESULT_COLUMNS} FROM results WHERE id = $1`, [id])).rows[0] as ResultRow | undefined;
      if (!row) return null;
      const addresses = (await pool.query('SELECT address, truncated, stored_at FROM result_addresses WHERE result_id = $1 ORDER BY stored_at', [id]))
        .rows as AddressRow[];
      return { ...toResult(row), addresses: addresses.map(toAddress) };
    },
    list: async (q): Promise<StoredResult[]> => {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (q.sinceMs !== null) {
        params.push(q.sinceMs);
        where.push(`started_at >= $${params.length}`);
      }
      if (q.site !== null) {
        params.push(q.site);
        where.push(`site = $${params.length}`);
      }
      if (q.untilMs != null) {
        params.push(q.untilMs);
        where.push(`started_at < $${params.length}`);
      }
      for (const [column, v] of [
        ['ticket', q.ticket],
        ['verdict', q.verdict],
      ] as const) {
        if (v != null) {
          params.push(v);
          where.push(`${column} = $${params.length}`);
        }
      }
      if (q.couldNotTest != null) where.push(q.couldNotTest ? "kind = 'could-not-test'" : "kind = 'report'");
      params.push(q.limit);
      const order = q.newestFirst === true ? 'started_at DESC, id DESC' : 'started_at, id';
      const sql = `SELECT ${RESULT_COLUMNS} FROM results ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT $${params.length}`;
      return ((await pool.query(sql, params)).rows as ResultRow[]).map(toResult);
    },
    siteSamples: async (q) => {
      const sql = `SELECT ${SITE_SAMPLE_COLUMNS} FROM results WHERE site = $1 AND started_at >= $2 ORDER BY started_at, id LIMIT $3`;
      return ((await pool.query(sql, [q.site, q.sinceMs, q.limit])).rows as SiteSampleDbRow[]).map(toSiteSample);
    },
    siteOverview: async (q) => {
      const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
      const groups = (await pool.query<Record<string, unknown>>(OVERVIEW_COUNTS_SQL, [q.sinceMs])).rows.map((r): OverviewGroup => ({
        site: String(r.site),
        body: r.body_state === 'report' || r.body_state === 'could-not-test' ? r.body_state : 'unreadable',
        profileId: text(r.profile_id),
        profileRegion: text(r.profile_region),
        profileFrom: text(r.profile_from),
        probePath: text(r.probe_path),
        samples: Number(r.samples),
        metrics: METRIC_COLUMNS.map((_, i) => ({ graded: Number(r[`n${i}`]), insufficient: Number(r[`i${i}`]), p90: null })),
      }));
      // The P90s only of each site's pool, and only of metrics it graded.
      const bySite = new Map<string, OverviewGroup[]>();
      for (const g of groups) if (g.body === 'report') bySite.set(g.site, [...(bySite.get(g.site) ?? []), g]);
      const pooled = [...bySite.values()].map((gs) => pickPool(gs)).filter((g): g is OverviewGroup => g !== null);
      const metrics = METRIC_COLUMNS.map((_, i) => i).filter((i) => pooled.some((g) => (g.metrics[i]?.graded ?? 0) > 0));
      if (metrics.length === 0) return groups;
      const sql = overviewP90Sql(metrics);
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
              ])
            ).rows;
            for (const r of rows) {
              const g = pooled[Number(r.i)];
              if (g === undefined) continue;
              for (const i of metrics) {
                const m = g.metrics[i];
                const v = r[`p${i}`];
                if (m !== undefined) m.p90 = v === null || v === undefined ? null : Number(v);
              }
            }
          }),
        ),
      );
      return groups;
    },
    evaluateAlerts: async (site, specs, decide) =>
      inTransaction(pool, async (c) => {
        const now = opts.nowMs();
        const metrics = specs.map((sp) => sp.metric);
        // The state rows exist before they are locked (a concurrent insert of the same row waits, then does nothing) ...
        await c.query(
          "INSERT INTO alert_states (site, metric, state, breaches, passes, since_at, updated_at) SELECT $1, m, 'ok', 0, 0, NULL, $3 FROM unnest($2::text[]) AS m ON CONFLICT (site, metric) DO NOTHING",
          [site, metrics, now],
        );
        // ... and are locked in one order, so two instances on one site queue here instead of deadlocking.
        const rows = (
          await c.query<AlertStateRow>(
            'SELECT metric, state, breaches, passes, since_at FROM alert_states WHERE site = $1 AND metric = ANY($2::text[]) ORDER BY metric FOR UPDATE',
            [site, metrics],
          )
        ).rows;
        const tracks = new Map<TargetId, AlertTrack>(rows.map((r) => [r.metric as TargetId, toAlertTrack(r)]));
        // READ COMMITTED: each statement after the lock sees every sample committed before it, the other instance's too.
        const windows = new Map<TargetId, AlertWindowRow[]>();
        for (const sp of specs)
          windows.set(
            sp.metric,
            toAlertWindow(sp.metric, (await c.query<Record<string, unknown>>(alertWindowSql(sp.metric, '$1', '$2'), [site, sp.samples])).rows),
          );
        for (const [metric, t] of decide(windows, tracks))
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
      const c = cutoffs(opts, nowMs);
      return inTransaction(pool, async (client) => {
        const a1 = await client.query('DELETE FROM result_addresses WHERE stored_at < $1', [c.addressesBefore]);
        const a2 = await client.query('DELETE FROM result_addresses WHERE result_id IN (SELECT id FROM results WHERE stored_at < $1)', [c.resultsBefore]);
        const r = await client.query('DELETE FROM results WHERE stored_at < $1', [c.resultsBefore]);
        return { addressesDeleted: (a1.rowCount ?? 0) + (a2.rowCount ?? 0), resultsDeleted: r.rowCount ?? 0 };
      });
    },
    close: async () => {
      await pool.end();
    },
  };
}
