/**
 * The PostgreSQL driver (pg): one pool, connected and migrated (./postgres-migrate.ts) at open,
 * its transactions, and the SQL runner the engine-neutral repositories use. Several
 * `callprobe serve` instances (one per region) share one database. A put commits
 * (synchronous_commit as the server has it, on by default) before the 201.
 */
import pg from 'pg';
import type { SqlRunner } from '../common.js';
import { StoreError, type StoreOptions } from '../types.js';
import { inTransaction, migrate } from './postgres-migrate.js';

export interface PostgresDriver {
  readonly pool: pg.Pool;
  readonly runner: SqlRunner;
  /** BEGIN, `fn` on one connection, COMMIT (ROLLBACK when it throws). */
  transaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
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

/** Connects to and migrates a PostgreSQL database. */
export async function openPostgresDriver(url: string, opts: StoreOptions): Promise<PostgresDriver> {
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
  return {
    pool,
    runner: {
      param: (i) => `$${i}`,
      all: async <R>(sql: string, values: readonly unknown[]) => (await pool.query(sql, [...values])).rows as R[],
      run: async (sql, values) => (await pool.query(sql, [...values])).rowCount ?? 0,
    },
    transaction: (fn) => inTransaction(pool, fn),
    close: async () => {
      await pool.end();
    },
  };
}
