/**
 * Opens the results store `--db` names: an SQLite file or a PostgreSQL URL. What it returns
 * holds one repository per feature (./types.ts); serve hands each consumer only those it reads.
 */
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { DbTarget } from './target.js';
import type { ResultStore, StoreOptions } from './types.js';

export async function openStore(target: DbTarget, opts: StoreOptions): Promise<ResultStore> {
  return target.kind === 'sqlite' ? openSqliteStore(target.path, opts) : openPostgresStore(target.url, opts);
}

export { StoreError, DAY_MS, type ResultStore, type StoreOptions } from './types.js';
export type { DbTarget } from './target.js';
export type { NewResult } from './results/types.js';
