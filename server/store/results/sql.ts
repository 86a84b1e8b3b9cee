/** What both engines' results repositories share: the columns, the row mapping, the INSERT's values and the list's query. */
import { CONSTANTS } from '../../../src/protocol/defaults.js';
import { addressPrefix } from '../address.js';
import { freshCode, freshId, ms, type Placeholder } from '../common.js';
import { siteKeyOf, unverifiedSiteKeyOf } from '../site-key.js';
import { previousCodeOf } from '../chain/repository.js';
import { SUMMARY_COLUMNS, summaryValues, type SampleSummary } from '../summary.js';
import { StoreError, type StoreOptions } from '../types.js';
import type { ListQuery, NewResult, PutOutcome, ResultKind, StoredAddress, StoredResult } from './types.js';

/** A fresh code is tried this often before giving up: with 2^40 codes, even at a million stored a second try almost never happens. */
const CODE_ATTEMPTS = 8;

/**
 * A put with a fresh id and code (and the time now), tried again with others while
 * `isCodeConflict` says the one tried was taken, CODE_ATTEMPTS times at most.
 */
export async function putWithFreshCode(
  opts: StoreOptions,
  putOnce: (id: string, code: string, storedAtMs: number) => PutOutcome | Promise<PutOutcome>,
  isCodeConflict: (err: unknown) => boolean,
): Promise<PutOutcome> {
  for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
    try {
      return await putOnce(freshId(opts), freshCode(opts), opts.nowMs());
    } catch (err) {
      if (!isCodeConflict(err)) throw err;
    }
  }
  throw new StoreError('no-free-code', `no unused result code after ${CODE_ATTEMPTS} attempts`);
}

/** The truncated form stored beside a full address (IPv4 /24, IPv6 /48); an unparsable address is kept as "unknown". */
export function truncatedAddress(address: string): string {
  return addressPrefix(address, CONSTANTS.results.truncateIpv4Bits, CONSTANTS.results.truncateIpv6Bits) ?? 'unknown';
}

/**
 * The LIKE pattern (with a backslash as ESCAPE) of the texts that start with `prefix`, in lower
 * case: the store compares it with lower(column), so `%`, `_` and a backslash typed in a ticket
 * match only themselves.
 */
function lowerPrefixPattern(prefix: string): string {
  return `${prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A results row as either driver returns it (PostgreSQL's BIGINT arrives as a string). */
export interface ResultRow {
  id: string;
  code: string;
  sample_id: string | null;
  kind: string;
  stored_at: number | string | bigint;
  started_at: number | string | bigint;
  site: string | null;
  site_key: string | null;
  ticket: string | null;
  verdict: string | null;
  report: string;
}

export interface AddressRow {
  address: string;
  truncated: string;
  stored_at: number | string | bigint;
}

/** A row's kind, checked: a row of another kind is not ours. */
export function kindOf(row: Pick<ResultRow, 'id' | 'kind'>): ResultKind {
  if (row.kind !== 'report' && row.kind !== 'could-not-test') throw new StoreError('bad-row', `result ${row.id}: unknown kind "${row.kind}"`);
  return row.kind;
}

export function toResult(row: ResultRow): StoredResult {
  return {
    id: row.id,
    code: row.code,
    sampleId: row.sample_id,
    kind: kindOf(row),
    storedAtMs: ms(row.stored_at, 'stored_at'),
    startedAtMs: ms(row.started_at, 'started_at'),
    site: row.site,
    siteKey: row.site_key,
    ticket: row.ticket,
    verdict: row.verdict,
    reportJson: row.report,
  };
}

export function toAddress(row: AddressRow): StoredAddress {
  return { address: row.address, truncated: row.truncated, storedAtMs: ms(row.stored_at, 'stored_at') };
}

export const RESULT_COLUMNS = 'id, code, sample_id, kind, stored_at, started_at, site, site_key, ticket, verdict, report';

/**
 * The INSERT column list and the values of a result with its summary (computed from its body
 * here, the one place), the key of a site it names unverified, and the earlier result it claims
 * (`meta.previousCode`, which the upload door checked: ../chain/repository.ts).
 */
export const INSERT_COLUMNS = `${RESULT_COLUMNS}, ${SUMMARY_COLUMNS.join(', ')}, unverified_site_key, previous_code, previous_other_network`;

export function insertValues(r: NewResult, id: string, code: string, storedAtMs: number, summary: SampleSummary): Array<string | number | null> {
  const siteKey = r.site === null ? null : siteKeyOf(r.site);
  return [
    id,
    code,
    r.sampleId,
    r.kind,
    storedAtMs,
    r.startedAtMs,
    r.site,
    siteKey,
    r.ticket,
    r.verdict,
    r.reportJson,
    ...summaryValues(summary),
    r.site === null ? unverifiedSiteKeyOf(r.reportJson) : null,
    previousCodeOf(r.reportJson),
    r.previousOtherNetwork === undefined || r.previousOtherNetwork === null ? null : r.previousOtherNetwork ? 1 : 0,
  ];
}

/** The list's SELECT and its values: `?` (SQLite, bound in order) or `$n` placeholders. */
export function listSql(q: ListQuery, ph: Placeholder): { sql: string; values: Array<string | number> } {
  const where: string[] = [];
  const values: Array<string | number> = [];
  const add = (clause: (p: string) => string, value: string | number): void => {
    values.push(value);
    where.push(clause(ph(values.length)));
  };
  if (q.sinceMs !== null) add((p) => `started_at >= ${p}`, q.sinceMs);
  if (q.site !== null && q.siteUnverifiedToo === true) {
    const key = siteKeyOf(q.site);
    values.push(key, key);
    where.push(`(site_key = ${ph(values.length - 1)} OR unverified_site_key = ${ph(values.length)})`);
  } else if (q.site !== null) add((p) => `site_key = ${p}`, siteKeyOf(q.site));
  if (q.untilMs != null) add((p) => `started_at < ${p}`, q.untilMs);
  if (q.ticketPrefix != null) add((p) => `lower(ticket) LIKE ${p} ESCAPE '\\'`, lowerPrefixPattern(q.ticketPrefix));
  if (q.verdict != null) add((p) => `verdict = ${p}`, q.verdict);
  if (q.couldNotTest != null) where.push(q.couldNotTest ? "kind = 'could-not-test'" : "kind = 'report'");
  values.push(q.limit);
  const order = q.newestFirst === true ? 'started_at DESC, id DESC' : 'started_at, id';
  const sql = `SELECT ${RESULT_COLUMNS} FROM results ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ${ph(values.length)}`;
  return { sql, values };
}
