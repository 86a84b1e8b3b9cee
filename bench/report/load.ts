/**
 * Bulk loading of the report benchmark's rows, the fast way each database offers: SQLite one
 * transaction through one prepared INSERT (synchronous=OFF while loading: a benchmark, not a
 * server), PostgreSQL multi-row INSERT ... SELECT FROM unnest($1::text[], ...) in batches inside
 * one transaction, then the sites table filled from them (as migration 5 does), then VACUUM (ANALYZE) (what autovacuum would do next, so it does not run during the timings). The schema is the store's own: each
 * database is opened (and migrated) by the store first.
 */
import { statSync, existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { INSERT_COLUMNS } from '../../server/store/results/sql.js';
import { SITES_FROM_RESULTS, SITES_LAST_REPORT_STORED } from '../../server/store/schema.js';
import { SUMMARY_COLUMNS, summaryColumnType } from '../../server/store/summary.js';
import type { BenchRow } from './generate.js';

export interface LoadStats {
  rows: number;
  /** Rows with a full report body. */
  rowsWithBody: number;
  rowsCouldNotTest: number;
  insertMs: number;
  /** VACUUM (ANALYZE) or the checkpoint after the inserts. */
  finishMs: number;
  dbBytes: number;
  tableBytes: number | null;
  indexBytes: number | null;
}

const COLUMNS = INSERT_COLUMNS.split(',').map((c) => c.trim());

/** The SQL type of each INSERT column (the base columns of migration 1, then the summary columns). */
const TYPES: Record<string, string> = {
  id: 'text',
  code: 'text',
  sample_id: 'text',
  kind: 'text',
  stored_at: 'bigint',
  started_at: 'bigint',
  site: 'text',
  site_key: 'text',
  ticket: 'text',
  verdict: 'text',
  report: 'text',
  previous_other_network: 'integer',
  ...Object.fromEntries(SUMMARY_COLUMNS.map((c) => [c, summaryColumnType(c).toLowerCase()])),
};

/** Counts the rows as they are loaded, for the LoadStats of either database. */
function rowTally(): {
  add(r: BenchRow): void;
  stats(timings: Pick<LoadStats, 'insertMs' | 'finishMs'>, sizes: Pick<LoadStats, 'dbBytes' | 'tableBytes' | 'indexBytes'>): LoadStats;
} {
  const counts = { rows: 0, rowsWithBody: 0, rowsCouldNotTest: 0 };
  return {
    add: (r) => {
      counts.rows++;
      if (r.hasBody) counts.rowsWithBody++;
      if (r.couldNotTest) counts.rowsCouldNotTest++;
    },
    stats: (timings, sizes) => ({ ...counts, ...timings, ...sizes }),
  };
}

/** Loads `rows` into the SQLite file at `path` (already created and migrated by the store). */
export function loadSqlite(path: string, rows: Iterable<BenchRow>): LoadStats {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    const insert = db.prepare(`INSERT INTO results (${INSERT_COLUMNS}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
    const tally = rowTally();
    const t0 = performance.now();
    db.transaction(() => {
      for (const r of rows) {
        insert.run(...r.values);
        tally.add(r);
      }
      db.exec(SITES_FROM_RESULTS);
      db.exec(SITES_LAST_REPORT_STORED);
    })();
    const t1 = performance.now();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const t2 = performance.now();
    const wal = `${path}-wal`;
    return tally.stats(
      { insertMs: t1 - t0, finishMs: t2 - t1 },
      { dbBytes: statSync(path).size + (existsSync(wal) ? statSync(wal).size : 0), tableBytes: null, indexBytes: null },
    );
  } finally {
    db.close();
  }
}

/** Rows per INSERT ... SELECT FROM unnest(...) statement. */
const PG_BATCH = 2000;

/** Loads `rows` into the PostgreSQL database at `url` (already migrated by the store). */
export async function loadPostgres(url: string, rows: Iterable<BenchRow>): Promise<LoadStats> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const sql = `INSERT INTO results (${INSERT_COLUMNS}) SELECT * FROM unnest(${COLUMNS.map((col, i) => `$${i + 1}::${TYPES[col] ?? 'text'}[]`).join(', ')})`;
    const tally = rowTally();
    let batch: Array<Array<string | number | null>> = COLUMNS.map(() => []);
    const flush = async (): Promise<void> => {
      if ((batch[0]?.length ?? 0) === 0) return;
      await c.query(sql, batch);
      batch = COLUMNS.map(() => []);
    };
    const t0 = performance.now();
    await c.query('BEGIN');
    for (const r of rows) {
      r.values.forEach((v, i) => batch[i]?.push(v));
      tally.add(r);
      if ((batch[0]?.length ?? 0) >= PG_BATCH) await flush();
    }
    await flush();
    await c.query(SITES_FROM_RESULTS);
    await c.query(SITES_LAST_REPORT_STORED);
    await c.query('COMMIT');
    const t1 = performance.now();
    await c.query('VACUUM (ANALYZE) results');
    const t2 = performance.now();
    const size = (
      await c.query<{ db: string; table: string; indexes: string }>(
        "SELECT pg_database_size(current_database()) AS db, pg_table_size('results') AS table, pg_indexes_size('results') AS indexes",
      )
    ).rows[0];
    return tally.stats(
      { insertMs: t1 - t0, finishMs: t2 - t1 },
      { dbBytes: Number(size?.db ?? 0), tableBytes: Number(size?.table ?? 0), indexBytes: Number(size?.indexes ?? 0) },
    );
  } finally {
    await c.end();
  }
}
