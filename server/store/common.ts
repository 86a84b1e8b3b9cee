/** What both store implementations share: fresh ids and codes, row mapping, retention cut-offs. */
import { encodeResultCode, RESULT_CODE_BYTES } from '../../src/protocol/result-code.js';
import { DEFAULTS } from '../../src/protocol/defaults.js';
import { addressPrefix } from './address.js';
import { DAY_MS, StoreError, type ResultKind, type SiteSampleRow, type StoreOptions, type StoredAddress, type StoredResult } from './types.js';

/** A fresh code is tried this often before giving up: with 2^40 codes, even at a million stored a second try almost never happens. */
export const CODE_ATTEMPTS = 8;

export function freshId(opts: StoreOptions): string {
  return Buffer.from(opts.randomBytes(16)).toString('hex');
}

export function freshCode(opts: StoreOptions): string {
  return encodeResultCode(opts.randomBytes(RESULT_CODE_BYTES));
}

/** The truncated form stored beside a full address (IPv4 /24, IPv6 /48); an unparsable address is kept as "unknown". */
export function truncatedAddress(address: string): string {
  return addressPrefix(address, DEFAULTS.results.truncateIpv4Bits, DEFAULTS.results.truncateIpv6Bits) ?? 'unknown';
}

export function cutoffs(opts: StoreOptions, nowMs: number): { addressesBefore: number; resultsBefore: number } {
  return { addressesBefore: nowMs - opts.retainIpDays * DAY_MS, resultsBefore: nowMs - opts.retainDays * DAY_MS };
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
  ticket: string | null;
  verdict: string | null;
  report: string;
}

export interface AddressRow {
  address: string;
  truncated: string;
  stored_at: number | string | bigint;
}

function ms(v: number | string | bigint, what: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new StoreError('bad-row', `${what} is not an integer of ms: ${String(v)}`);
  return n;
}

export function toResult(row: ResultRow): StoredResult {
  if (row.kind !== 'report' && row.kind !== 'could-not-test') throw new StoreError('bad-row', `result ${row.id}: unknown kind "${row.kind}"`);
  return {
    id: row.id,
    code: row.code,
    sampleId: row.sample_id,
    kind: row.kind satisfies ResultKind,
    storedAtMs: ms(row.stored_at, 'stored_at'),
    startedAtMs: ms(row.started_at, 'started_at'),
    site: row.site,
    ticket: row.ticket,
    verdict: row.verdict,
    reportJson: row.report,
  };
}

export function toAddress(row: AddressRow): StoredAddress {
  return { address: row.address, truncated: row.truncated, storedAtMs: ms(row.stored_at, 'stored_at') };
}

export const RESULT_COLUMNS = 'id, code, sample_id, kind, stored_at, started_at, site, ticket, verdict, report';

/** The columns a site report reads (no ticket, no site: the query names the site). */
export const SITE_SAMPLE_COLUMNS = 'id, code, sample_id, kind, started_at, verdict, report';

export type SiteSampleDbRow = Pick<ResultRow, 'id' | 'code' | 'sample_id' | 'kind' | 'started_at' | 'verdict' | 'report'>;

export function toSiteSample(row: SiteSampleDbRow): SiteSampleRow {
  if (row.kind !== 'report' && row.kind !== 'could-not-test') throw new StoreError('bad-row', `result ${row.id}: unknown kind "${row.kind}"`);
  return {
    id: row.id,
    code: row.code,
    sampleId: row.sample_id,
    kind: row.kind,
    startedAtMs: ms(row.started_at, 'started_at'),
    verdict: row.verdict,
    reportJson: row.report,
  };
}
