/** The results repository on SQLite: prepared statements, and each put in one IMMEDIATE transaction. */
import * as shared from './sql.js';
import { bind, named, type SqliteDriver } from '../driver/sqlite.js';
import { freshId } from '../common.js';
import { insertPostSql } from '../alerts/sql.js';
import { resultQueue } from '../alerts/types.js';
import { siteUpsertSql, siteUpsertValues } from '../sites/sql.js';
import { summaryOf } from '../summary.js';
import { StoreError, type StoreOptions } from '../types.js';
import type { NewResult, PutOutcome, ResultsRepository, StoredAddress } from './types.js';

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_UNIQUE' || (err as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function sqliteResults({ db }: SqliteDriver, opts: StoreOptions): ResultsRepository {
  const insertResult = db.prepare(
    `INSERT INTO results (${shared.INSERT_COLUMNS}) VALUES (${shared.INSERT_COLUMNS.split(',')
      .map(() => '?')
      .join(', ')}) ON CONFLICT (sample_id) DO NOTHING`,
  );
  const insertAddress = db.prepare('INSERT INTO result_addresses (result_id, address, truncated, stored_at) VALUES (?, ?, ?, ?)');
  const bySampleId = db.prepare(`SELECT ${shared.RESULT_COLUMNS} FROM results WHERE sample_id = ?`);
  const byCode = db.prepare(`SELECT ${shared.RESULT_COLUMNS} FROM results WHERE code = ?`);
  const byId = db.prepare(`SELECT ${shared.RESULT_COLUMNS} FROM results WHERE id = ?`);
  const addressesOf = db.prepare('SELECT address, truncated, stored_at FROM result_addresses WHERE result_id = ? ORDER BY stored_at');
  const upsertSite = db.prepare(siteUpsertSql((i) => `?${i}`, 'max'));
  const insertPost = db.prepare(insertPostSql(named));

  const putOnce = db.transaction((r: NewResult, id: string, code: string, storedAtMs: number): PutOutcome => {
    const summary = summaryOf(r.reportJson);
    const info = insertResult.run(...shared.insertValues(r, id, code, storedAtMs, summary));
    if (info.changes === 0) {
      const first = bySampleId.get(r.sampleId) as shared.ResultRow | undefined;
      if (!first) throw new StoreError('bad-row', `sampleId ${r.sampleId ?? 'null'} conflicted but no row has it`);
      return { result: shared.toResult(first), created: false };
    }
    if (r.address !== null) insertAddress.run(id, r.address, shared.truncatedAddress(r.address), storedAtMs);
    // Numbered parameters (?1 ... ?5, some used twice): better-sqlite3 binds them from an object.
    if (r.site !== null) upsertSite.run(Object.fromEntries(siteUpsertValues(r, storedAtMs, summary).map((v, i) => [i + 1, v])));
    (r.posts ?? []).forEach((p, i) => insertPost.run(bind([freshId(opts), resultQueue(id), i, p.body, storedAtMs, p.receiver])));
    const row = byId.get(id) as shared.ResultRow;
    return { result: shared.toResult(row), created: true };
  });

  return {
    put: (r) => shared.putWithFreshCode(opts, (id, code, storedAtMs) => putOnce.immediate(r, id, code, storedAtMs), isUniqueViolation),
    getByCode: async (code) => {
      const row = byCode.get(code) as shared.ResultRow | undefined;
      return row ? shared.toResult(row) : null;
    },
    getBySampleId: async (sampleId) => {
      const row = bySampleId.get(sampleId) as shared.ResultRow | undefined;
      return row ? shared.toResult(row) : null;
    },
    getById: async (id) => {
      const row = byId.get(id) as shared.ResultRow | undefined;
      if (!row) return null;
      const addresses: StoredAddress[] = (addressesOf.all(id) as shared.AddressRow[]).map(shared.toAddress);
      return { ...shared.toResult(row), addresses };
    },
    list: async (q) => {
      const { sql, values } = shared.listSql(q, () => '?');
      return (db.prepare(sql).all(...values) as shared.ResultRow[]).map(shared.toResult);
    },
  };
}
