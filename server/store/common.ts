/**
 * What every repository shares, whatever the engine: the SQL runner the engine-neutral ones are
 * written over, fresh ids and codes, and the reading of a time column.
 */
import { encodeResultCode, RESULT_CODE_BYTES } from '../../src/protocol/result-code.js';
import { StoreError, type StoreOptions } from './types.js';

/** The placeholder of parameter i (1-based): `$i` for PostgreSQL, `@pi` for SQLite (bound from an object). */
export type Placeholder = (i: number) => string;

export type SqlValue = string | number | null;

/** What each driver gives the repositories whose SQL is the same on both engines: a query's rows, a statement's changed-row count, and the parameter style. */
export interface SqlRunner {
  param: Placeholder;
  all<R = Record<string, unknown>>(sql: string, values: readonly SqlValue[]): Promise<R[]>;
  run(sql: string, values: readonly SqlValue[]): Promise<number>;
}

export function freshId(opts: StoreOptions): string {
  return Buffer.from(opts.randomBytes(16)).toString('hex');
}

export function freshCode(opts: StoreOptions): string {
  return encodeResultCode(opts.randomBytes(RESULT_CODE_BYTES));
}

/** A time column (ms since the epoch; PostgreSQL's BIGINT arrives as a string), checked: a row with another value is not ours. */
export function ms(v: unknown, what: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new StoreError('bad-row', `${what} is not an integer of ms: ${String(v)}`);
  return n;
}

export const msOrNull = (v: unknown, what: string): number | null => (v === null || v === undefined ? null : ms(v, what));
