/**
 * The SQLite driver (better-sqlite3): one file, WAL journal and synchronous=FULL, so a result
 * is on disk before its 201 is sent and survives kill -9 (and a power cut, as far as the disk
 * keeps its fsync promise). Created and migrated (./sqlite-migrate.ts) at open; gives the
 * handle itself (transactions are better-sqlite3's own) and the SQL runner the engine-neutral
 * repositories use.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SqlRunner, SqlValue } from '../common.js';
import { StoreError } from '../types.js';
import { migrate } from './sqlite-migrate.js';

export interface SqliteDriver {
  readonly db: Database.Database;
  readonly runner: SqlRunner;
  close(): Promise<void>;
}

/** `@p1`, `@p2` ... bound from an object by position. */
export const named = (i: number): string => `@p${i}`;
export const bind = (values: readonly SqlValue[]): Record<string, SqlValue> => Object.fromEntries(values.map((v, i) => [`p${i + 1}`, v]));

/** The runner over `db`: `@pN` parameters, each statement prepared once (the SQL texts are a fixed few). */
function runner(db: Database.Database): SqlRunner {
  const prepared = new Map<string, Database.Statement>();
  const statement = (sql: string): Database.Statement => {
    let st = prepared.get(sql);
    if (st === undefined) {
      st = db.prepare(sql);
      prepared.set(sql, st);
    }
    return st;
  };
  return {
    param: named,
    all: async <R>(sql: string, values: readonly SqlValue[]) => (values.length === 0 ? statement(sql).all() : statement(sql).all(bind(values))) as R[],
    run: async (sql, values) => (values.length === 0 ? statement(sql).run() : statement(sql).run(bind(values))).changes,
  };
}

/** Opens (creating the file and its folder on first start) and migrates an SQLite database. */
export function openSqliteDriver(path: string, nowMs: number): SqliteDriver {
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
    migrate(db, nowMs);
  } catch (err) {
    db.close();
    if (err instanceof StoreError) throw err;
    throw new StoreError('migration-failed', `cannot migrate the results database ${path}: ${(err as Error).message}`, { cause: err });
  }
  return {
    db,
    runner: runner(db),
    close: async () => {
      if (db.open) db.close();
    },
  };
}
