/**
 * The one schema of the results store, as migrations both SQLite and PostgreSQL run (plain SQL
 * both accept: TEXT, BIGINT, INTEGER). Applied at start, in order, each once, recorded in
 * schema_migrations. Never edit a released migration: add the next one.
 */
export interface Migration {
  version: number;
  about: string;
  statements: readonly string[];
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
];

export const SCHEMA_MIGRATIONS_TABLE = 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)';

/** The newest schema this build knows. */
export const LATEST_SCHEMA = Math.max(...MIGRATIONS.map((m) => m.version));
