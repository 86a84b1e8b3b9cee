/** The results repository on PostgreSQL: each put in one transaction, its row returned by the INSERT. */
import * as shared from './sql.js';
import type { PostgresDriver } from '../driver/postgres.js';
import { freshId } from '../common.js';
import { insertPostSql } from '../alerts/sql.js';
import { resultQueue } from '../alerts/types.js';
import { siteUpsertSql, siteUpsertValues } from '../sites/sql.js';
import { summaryOf } from '../summary.js';
import { StoreError, type StoreOptions } from '../types.js';
import type { NewResult, PutOutcome, ResultsRepository } from './types.js';

interface PgError {
  code?: string;
  constraint?: string;
}

function isCodeOrIdConflict(err: unknown): boolean {
  const e = err as PgError | null;
  return e?.code === '23505' && e.constraint !== 'results_sample_id_key';
}

export function postgresResults({ pool, transaction }: PostgresDriver, opts: StoreOptions): ResultsRepository {
  const putOnce = (r: NewResult, id: string, code: string, storedAtMs: number): Promise<PutOutcome> =>
    transaction(async (c) => {
      const summary = summaryOf(r.reportJson);
      const values = shared.insertValues(r, id, code, storedAtMs, summary);
      const ins = await c.query(
        `INSERT INTO results (${shared.INSERT_COLUMNS}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT (sample_id) DO NOTHING RETURNING ${shared.RESULT_COLUMNS}`,
        values,
      );
      const row = ins.rows[0] as shared.ResultRow | undefined;
      if (!row) {
        const first = (await c.query(`SELECT ${shared.RESULT_COLUMNS} FROM results WHERE sample_id = $1`, [r.sampleId])).rows[0] as
          shared.ResultRow | undefined;
        if (!first) throw new StoreError('bad-row', `sampleId ${r.sampleId ?? 'null'} conflicted but no row has it`);
        return { result: shared.toResult(first), created: false };
      }
      if (r.site !== null)
        await c.query(
          siteUpsertSql((i) => `$${i}`, 'greatest'),
          siteUpsertValues(r, storedAtMs, summary),
        );
      if (r.address !== null) {
        await c.query('INSERT INTO result_addresses (result_id, address, truncated, stored_at) VALUES ($1, $2, $3, $4)', [
          id,
          r.address,
          shared.truncatedAddress(r.address),
          storedAtMs,
        ]);
      }
      for (const [i, p] of (r.posts ?? []).entries())
        await c.query(
          insertPostSql((k) => `$${k}`),
          [freshId(opts), resultQueue(id), i, p.body, storedAtMs, p.receiver],
        );
      return { result: shared.toResult(row), created: true };
    });

  return {
    put: (r) => shared.putWithFreshCode(opts, (id, code, storedAtMs) => putOnce(r, id, code, storedAtMs), isCodeOrIdConflict),
    getByCode: async (code) => {
      const row = (await pool.query(`SELECT ${shared.RESULT_COLUMNS} FROM results WHERE code = $1`, [code])).rows[0] as shared.ResultRow | undefined;
      return row ? shared.toResult(row) : null;
    },
    getBySampleId: async (sampleId) => {
      const row = (await pool.query(`SELECT ${shared.RESULT_COLUMNS} FROM results WHERE sample_id = $1`, [sampleId])).rows[0] as shared.ResultRow | undefined;
      return row ? shared.toResult(row) : null;
    },
    getById: async (id) => {
      const row = (await pool.query(`SELECT ${shared.RESULT_COLUMNS} FROM results WHERE id = $1`, [id])).rows[0] as shared.ResultRow | undefined;
      if (!row) return null;
      const addresses = (await pool.query('SELECT address, truncated, stored_at FROM result_addresses WHERE result_id = $1 ORDER BY stored_at', [id]))
        .rows as shared.AddressRow[];
      return { ...shared.toResult(row), addresses: addresses.map(shared.toAddress) };
    },
    list: async (q) => {
      const { sql, values } = shared.listSql(q, (i) => `$${i}`);
      return ((await pool.query(sql, values)).rows as shared.ResultRow[]).map(shared.toResult);
    },
  };
}
