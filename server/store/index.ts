/** Opens the results store `--db` names: an SQLite file or a PostgreSQL URL. */
import type { DbTarget } from './target.js';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { ResultStore, StoreOptions } from './types.js';

export async function openStore(target: DbTarget, opts: StoreOptions): Promise<ResultStore> {
  return target.kind === 'sqlite' ? openSqliteStore(target.path, opts) : openPostgresStore(target.url, opts);
}

export {
  StoreError,
  DAY_MS,
  type ResultStore,
  type StoreOptions,
  type NewResult,
  type StoredResult,
  type StoredAddress,
  type ResultKind,
  type SiteQuery,
  type SiteSampleRow,
} from './types.js';
