/**
 * Where results are stored (`--db`): the grammar of its value and what it names. An SQLite file,
 * or a PostgreSQL connection URI (RFC 3986 §3; libpq's postgres:// form). Throws ConfigError
 * (a usage error), like the other flag grammars.
 */
import { ConfigError } from '../../src/protocol/config-error.js';

/** An SQLite file or a PostgreSQL URL: what `openStore` (./index.ts) opens. */
export type DbTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** Parses `--db FILE|postgres://...|postgresql://...`; throws ConfigError (bad-db). */
export function parseDbTarget(text: string): DbTarget {
  const t = text.trim();
  if (t.length === 0) throw new ConfigError('bad-db', '--db is empty: give a file (SQLite) or a postgres:// URL');
  if (/^postgres(ql)?:\/\//i.test(t)) return { kind: 'postgres', url: t };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) throw new ConfigError('bad-db', `--db ${t}: only a file (SQLite) or a postgres:// URL`);
  return { kind: 'sqlite', path: t };
}
