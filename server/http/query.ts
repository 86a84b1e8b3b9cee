/**
 * What a request names, read the way every route reads it: a span or time in the query string,
 * a result code, a result by its id or code. The schemas (src/protocol/api-requests.ts) have
 * checked the shape already; these read the meaning and refuse with the contract's reasons.
 */
import { CONSTANTS } from '../../src/protocol/defaults.js';
import { parseSinceSpan } from '../../src/protocol/values.js';
import { parseResultCode, ResultCodeError } from '../../src/protocol/result-code.js';
import { parseIsoMs } from '../reports/upload.js';
import type { ResultsRepository, StoredResult, StoredAddress } from '../store/results/types.js';
import { checked, Refusal } from './refusal.js';

/** A query parameter's value, '' and absent alike as null. */
export function given<T extends string>(v: T | undefined): Exclude<T, ''> | null {
  return v === undefined || v === '' ? null : (v as Exclude<T, ''>);
}

/** An ISO 8601 time with a zone, or a date (midnight UTC), as ms; null when it is neither. */
export function instantMs(text: string): number | null {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) ? parseIsoMs(`${text}T00:00:00Z`) : parseIsoMs(text);
}

/** ?since= of the export: an ISO 8601 time with a zone, or a date; absent: null (from the first). */
export function sinceParam(text: string | undefined): number | null {
  const v = given(text);
  if (v === null) return null;
  const ms = instantMs(v);
  if (ms === null) throw new Refusal('bad-since', 'since must be ISO 8601 UTC, e.g. 2026-01-31 or 2026-01-31T08:00:00Z', 400);
  return ms;
}

/** ?since= of the site reports: 7d (a span back from now) or an ISO 8601 time or date; absent: CONSTANTS.siteReport.sinceMs back from now. */
export function siteSince(text: string | undefined, nowMs: number): number {
  const since = given(text);
  if (since === null) return nowMs - CONSTANTS.siteReport.sinceMs;
  if (/^\d+[dhm]$/.test(since)) return nowMs - checked('bad-since', () => parseSinceSpan(since, 'since'));
  return sinceParam(since) as number;
}

/** A result code as typed (any case, with or without the hyphen), or null when it is none. */
export function codeParam(text: string): string | null {
  try {
    return parseResultCode(text);
  } catch (err) {
    if (err instanceof ResultCodeError) return null;
    throw err;
  }
}

const ID = /^[0-9a-f]{32}$/;

/** The stored result of an id, or of the code a user read out (the help desk's way in); null when none. */
export async function findResult(results: ResultsRepository, idOrCode: string): Promise<(StoredResult & { addresses: StoredAddress[] }) | null> {
  const code = ID.test(idOrCode) ? null : codeParam(idOrCode);
  const id = code === null ? idOrCode : ((await results.getByCode(code))?.id ?? null);
  return id !== null && ID.test(id) ? await results.getById(id) : null;
}
