/**
 * The results store: one driver per database (./driver/: the handle, transactions, migrations)
 * and one repository per feature over it (results, sites, alerts, fleet, site tokens, edges: each an
 * interface in its folder's types.ts), over one schema (./schema.ts). Reports are stored as the
 * client sent them, apart from the client's address (personal data), which lives in its own
 * table and is purged sooner.
 */
import { TypedError } from '../../src/protocol/typed-error.js';
import type { AlertsRepository } from './alerts/types.js';
import type { FleetRepository } from './fleet/types.js';
import type { ResultsRepository } from './results/types.js';
import type { SiteTokensRepository } from './site-tokens/types.js';
import type { ConsoleSessionsRepository } from './console-sessions/types.js';
import type { SitesRepository } from './sites/types.js';
import type { EdgesRepository } from './edges/types.js';
import type { ChainRepository } from './chain/types.js';

export interface PurgeOutcome {
  addressesDeleted: number;
  resultsDeleted: number;
  /**
   * Whether every row deleted so far is gone from the store's files, not just from its tables
   * (SQLite: secure_delete zeroes it in its page, and the write-ahead log was checkpointed and
   * truncated; PostgreSQL: the address table was rewritten by VACUUM FULL). False when that
   * could not be done now (another connection reading the SQLite file): the next purge retries.
   */
  wiped: boolean;
}

/** The whole store: what serve opens and hands out, each consumer taking only the repositories it reads. */
export interface ResultStore {
  readonly kind: 'sqlite' | 'postgres';
  readonly results: ResultsRepository;
  readonly sites: SitesRepository;
  readonly alerts: AlertsRepository;
  readonly fleet: FleetRepository;
  readonly siteTokens: SiteTokensRepository;
  readonly consoleSessions: ConsoleSessionsRepository;
  /** A hub's edge tokens and the registry of its edges. */
  readonly edges: EdgesRepository;
  /** Which earlier result each test claims (run again from its page), read both ways. */
  readonly chain: ChainRepository;
  /** Deletes addresses older than retainIpDays and results older than retainDays, as of `nowMs`, and wipes them from the files. */
  purge(nowMs: number): Promise<PurgeOutcome>;
  close(): Promise<void>;
}

/** What both implementations are given: the clock, the randomness and the retention periods. */
export interface StoreOptions {
  nowMs(): number;
  /** Cryptographic randomness (node:crypto randomBytes in the server, a seeded source in tests). */
  randomBytes(n: number): Uint8Array;
  retainDays: number;
  retainIpDays: number;
  /** Problems outside any request (a lost idle connection), for the server's log. */
  warn(message: string): void;
}

export type StoreErrorReason = 'open-failed' | 'newer-schema' | 'migration-failed' | 'no-free-code' | 'bad-row';

/** Typed error of the store: the database cannot be opened or migrated, or a row is not ours. */
export class StoreError extends TypedError<StoreErrorReason> {
  override readonly name = 'StoreError';
}

export const DAY_MS = 86_400_000;
