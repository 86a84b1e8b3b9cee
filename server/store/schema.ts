/**
 * The one schema of the results store, as migrations both SQLite and PostgreSQL run (plain SQL
 * both accept: TEXT, BIGINT, INTEGER). Applied at start, in order, each once, recorded in
 * schema_migrations. Never edit a released migration: add the next one.
 */
import { METRIC_COLUMNS, SUMMARY_COLUMNS } from './summary.js';

export interface Migration {
  version: number;
  about: string;
  statements: readonly string[];
  /** After the statements, in the same transaction: fill the summary columns of existing rows from their bodies (./summary.ts). */
  backfillSummaries?: boolean;
}

/** The SQL type of each summary column (both dialects read DOUBLE PRECISION; SQLite gives it REAL affinity). */
export function summaryColumnType(column: string): string {
  return column === 'insufficient_mask' ? 'INTEGER' : METRIC_COLUMNS.includes(column) ? 'DOUBLE PRECISION' : 'TEXT';
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    about: 'results (address-free reports) and result_addresses (personal data, purged sooner)',
    statements: [
      `CREATE TABLE results (
        id TEXT PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        sample_id TEXT UNIQUE,
        kind TEXT NOT NULL,
        stored_at BIGINT NOT NULL,
        started_at BIGINT NOT NULL,
        site TEXT,
        ticket TEXT,
        verdict TEXT,
        report TEXT NOT NULL
      )`,
      'CREATE INDEX results_site_started_at ON results (site, started_at)',
      'CREATE INDEX results_started_at ON results (started_at)',
      'CREATE INDEX results_stored_at ON results (stored_at)',
      `CREATE TABLE result_addresses (
        result_id TEXT NOT NULL REFERENCES results (id) ON DELETE CASCADE,
        address TEXT NOT NULL,
        truncated TEXT NOT NULL,
        stored_at BIGINT NOT NULL
      )`,
      'CREATE INDEX result_addresses_result_id ON result_addresses (result_id)',
      'CREATE INDEX result_addresses_stored_at ON result_addresses (stored_at)',
    ],
  },
  {
    version: 2,
    about:
      'summary columns (body state, profile, probe path, verdict, one column per graded metric) the site report and the all-sites overview read instead of the bodies; existing rows backfilled from their bodies',
    statements: SUMMARY_COLUMNS.map((c) => `ALTER TABLE results ADD COLUMN ${c} ${summaryColumnType(c)}`),
    backfillSummaries: true,
  },
  {
    version: 3,
    about:
      'alert_states: the hysteresis state of each (site, metric) alert rule (serve --alerts), shared by every instance on the store and kept across restarts',
    statements: [
      `CREATE TABLE alert_states (
        site TEXT NOT NULL,
        metric TEXT NOT NULL,
        state TEXT NOT NULL,
        breaches INTEGER NOT NULL,
        passes INTEGER NOT NULL,
        since_at BIGINT,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (site, metric)
      )`,
    ],
  },
];

export const SCHEMA_MIGRATIONS_TABLE = 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)';

/** The newest schema this build knows. */
export const LATEST_SCHEMA = Math.max(...MIGRATIONS.map((m) => m.version));
