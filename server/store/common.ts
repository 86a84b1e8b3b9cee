/** What both store implementations share: fresh ids and codes, row mapping, retention cut-offs. */
import { encodeResultCode, RESULT_CODE_BYTES } from '../../src/protocol/result-code.js';
import { DEFAULTS } from '../../src/protocol/defaults.js';
import { addressPrefix } from './address.js';
import { hasAddress, scrubAddresses } from '../../src/protocol/address-text.js';
import { withoutClientAddresses } from '../../src/analysis/report/client-addresses.js';
import { percentile } from '../../src/analysis/measure/percentile.js';
import type { OverviewGroupMetric } from '../../src/analysis/site/overview.js';
import { SITE_METRIC_KEYS } from '../../src/analysis/site/site.js';
import type { AlertState, AlertTrack } from '../../src/analysis/alert/hysteresis.js';
import type { TargetId } from '../../src/analysis/schema/report-schema.js';
import { METRIC_COLUMNS, SUMMARY_COLUMNS, summaryFromRow, summaryOf, summaryValues, type SummaryDbRow } from './summary.js';
import { siteKeyOf } from './site-key.js';
import {
  DAY_MS,
  StoreError,
  type AlertWindowRow,
  type KnownSite,
  type NewResult,
  type ResultKind,
  type SiteSampleRow,
  type StoreOptions,
  type StoredAddress,
  type StoredResult,
} from './types.js';

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

/**
 * The LIKE pattern (with a backslash as ESCAPE) of the texts that start with `prefix`, in lower
 * case: the store compares it with lower(column), so `%`, `_` and a backslash typed in a ticket
 * match only themselves.
 */
export function lowerPrefixPattern(prefix: string): string {
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

function ms(v: number | string | bigint, what: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new StoreError('bad-row', `${what} is not an integer of ms: ${String(v)}`);
  return n;
}

/** A row's kind, checked: a row of another kind is not ours. */
function kindOf(row: Pick<ResultRow, 'id' | 'kind'>): ResultKind {
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

/** The columns a site report reads (no ticket, no site: the query names the site; no body: its summary columns). */
export const SITE_SAMPLE_COLUMNS = `id, code, sample_id, kind, started_at, verdict, ${SUMMARY_COLUMNS.join(', ')}`;

export type SiteSampleDbRow = Pick<ResultRow, 'id' | 'code' | 'sample_id' | 'kind' | 'started_at' | 'verdict'> & SummaryDbRow;

export function toSiteSample(row: SiteSampleDbRow): SiteSampleRow {
  return {
    id: row.id,
    code: row.code,
    sampleId: row.sample_id,
    kind: kindOf(row),
    startedAtMs: ms(row.started_at, 'started_at'),
    verdict: row.verdict,
    summary: summaryFromRow(row),
  };
}

/** The INSERT column list and the values of a result with its summary (computed from its body here, the one place). */
export const INSERT_COLUMNS = `${RESULT_COLUMNS}, ${SUMMARY_COLUMNS.join(', ')}`;

export function insertValues(r: NewResult, id: string, code: string, storedAtMs: number): Array<string | number | null> {
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
    ...summaryValues(summaryOf(r.reportJson)),
  ];
}

/**
 * The sites row a stored result updates (table sites): inserted for a new site, else its display
 * name becomes this spelling and its times move forward (never back: a late sample from the spool
 * leaves the newest times as they are). `?` or `$n` placeholders for, in order: key, display,
 * started_at, the report's started_at (null for a could-not-test record), stored_at.
 */
export function siteUpsertSql(ph: (i: number) => string, greatest: 'max' | 'greatest'): string {
  const [key, display, started, report, stored] = [1, 2, 3, 4, 5].map(ph);
  return `INSERT INTO sites (site_key, display, first_started_at, last_started_at, last_report_at, last_stored_at) VALUES (${key}, ${display}, ${started}, ${started}, ${report}, ${stored})
    ON CONFLICT (site_key) DO UPDATE SET display = excluded.display,
      first_started_at = ${greatest === 'max' ? 'min' : 'least'}(sites.first_started_at, excluded.first_started_at),
      last_started_at = ${greatest}(sites.last_started_at, excluded.last_started_at),
      last_report_at = ${greatest === 'max' ? `max(coalesce(sites.last_report_at, excluded.last_report_at), coalesce(excluded.last_report_at, sites.last_report_at))` : 'greatest(sites.last_report_at, excluded.last_report_at)'},
      last_stored_at = ${greatest}(sites.last_stored_at, excluded.last_stored_at)`;
}

/** The values of siteUpsertSql for a stored result with a site. */
export function siteUpsertValues(r: NewResult, storedAtMs: number): Array<string | number | null> {
  const site = r.site ?? '';
  return [siteKeyOf(site), site, r.startedAtMs, r.kind === 'report' ? r.startedAtMs : null, storedAtMs];
}

/** A sites row as either driver returns it. */
export interface SiteDbRow {
  site_key: string;
  display: string;
  first_started_at: number | string | bigint;
  last_started_at: number | string | bigint;
  last_report_at: number | string | bigint | null;
  last_stored_at: number | string | bigint;
}

export const SITE_COLUMNS = 'site_key, display, first_started_at, last_started_at, last_report_at, last_stored_at';

export function toKnownSite(row: SiteDbRow): KnownSite {
  return {
    key: row.site_key,
    display: row.display,
    firstStartedAtMs: ms(row.first_started_at, 'first_started_at'),
    lastStartedAtMs: ms(row.last_started_at, 'last_started_at'),
    lastReportAtMs: row.last_report_at === null ? null : ms(row.last_report_at, 'last_report_at'),
    lastStoredAtMs: ms(row.last_stored_at, 'last_stored_at'),
  };
}

/** The UPDATE of some of a row's summary columns (a migration's backfill), `?` or `$n` placeholders, the id last. */
export function summaryUpdateSql(columns: readonly string[], placeholder: (i: number) => string): string {
  return `UPDATE results SET ${columns.map((c, i) => `${c} = ${placeholder(i + 1)}`).join(', ')} WHERE id = ${placeholder(columns.length + 1)}`;
}

/** Rows the backfill reads at a time. */
export const BACKFILL_BATCH = 500;

/**
 * A stored body and its ticket column with the IP addresses in their texts replaced, as the
 * upload door does now (src/analysis/report/client-addresses.ts), or null when neither has any
 * (migration 4: bodies stored before the door scrubbed them). A body that is not JSON (stored
 * by hand, read as unreadable) is left as it is.
 */
export function scrubbedRow(reportJson: string, ticket: string | null): { report: string; ticket: string | null } | null {
  const cleanTicket = ticket === null ? null : scrubAddresses(ticket);
  let report = reportJson;
  // The raw text first: most bodies hold nothing that looks like an address, and need no parse.
  if (hasAddress(reportJson)) {
    let value: unknown;
    try {
      value = JSON.parse(reportJson);
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      value = undefined;
    }
    if (value !== undefined) {
      const clean = withoutClientAddresses(value);
      if (clean.scrubbed.length > 0) report = JSON.stringify(clean.value);
    }
  }
  return report === reportJson && cleanTicket === ticket ? null : { report, ticket: cleanTicket };
}

/** Nearest-rank P90 per metric of one group's rows, and the counts (SQLite's overview, in TS). */
export class OverviewAccumulator {
  /** `thresholds`: each metric's target under the group's profile (groupThresholds), to count misses; null: not counted. */
  constructor(private readonly thresholds: readonly number[] | null) {}
  samples = 0;
  /** Could-not-test samples abandoned when the scheduler was stopped. */
  interrupted = 0;
  readonly values: number[][] = METRIC_COLUMNS.map(() => []);
  readonly insufficient: number[] = METRIC_COLUMNS.map(() => 0);
  readonly missed: number[] = METRIC_COLUMNS.map(() => 0);
  add(metrics: ReadonlyArray<number | null>, insufficientMask: number): void {
    this.samples++;
    const t = this.thresholds;
    metrics.forEach((v, i) => {
      if (v === null) return;
      this.values[i]?.push(v);
      if (t !== null && v >= (t[i] ?? Number.POSITIVE_INFINITY)) this.missed[i] = (this.missed[i] ?? 0) + 1;
    });
    if (insufficientMask !== 0) this.insufficient.forEach((n, i) => (this.insufficient[i] = (insufficientMask & (1 << i)) !== 0 ? n + 1 : n));
  }
  metrics(): OverviewGroupMetric[] {
    return this.values.map((vs, i) => ({
      graded: vs.length,
      insufficient: this.insufficient[i] ?? 0,
      p90: vs.length === 0 ? null : percentile(vs, 90),
      missed: this.thresholds === null ? null : (this.missed[i] ?? 0),
    }));
  }
}

/** The summary columns of a metric's graded directions (e.g. loss_up_pct, loss_down_pct, loss_loop_pct). */
export function alertColumns(metric: TargetId): string[] {
  return METRIC_COLUMNS.filter((_, i) => SITE_METRIC_KEYS[i]?.target === metric);
}

/**
 * A site's last `limit` samples that graded `metric`, newest first (results_site_key_started_at read
 * backwards): `?` or `$n` placeholders for the site and the limit.
 */
export function alertWindowSql(metric: TargetId, site: string, limit: string): string {
  const cols = alertColumns(metric);
  return `SELECT id, started_at, ${cols.join(', ')} FROM results WHERE site_key = ${site} AND (${cols.map((c) => `${c} IS NOT NULL`).join(' OR ')}) ORDER BY started_at DESC, id DESC LIMIT ${limit}`;
}

/** The rows of alertWindowSql, oldest first, each with its worst direction's value. */
export function toAlertWindow(metric: TargetId, rows: ReadonlyArray<Record<string, unknown>>): AlertWindowRow[] {
  const cols = alertColumns(metric);
  return rows
    .map((r) => {
      const values = cols
        .map((c) => r[c])
        .filter((v): v is number | string => v !== null && v !== undefined)
        .map(Number);
      return { id: String(r.id), startedAtMs: ms(r.started_at as number | string | bigint, 'started_at'), value: Math.max(...values) };
    })
    .reverse();
}

/** An alert_states row as either driver returns it. */
export interface AlertStateRow {
  metric: string;
  state: string;
  breaches: number | string;
  passes: number | string;
  since_at: number | string | bigint | null;
}

export function toAlertTrack(row: AlertStateRow): AlertTrack {
  if (row.state !== 'ok' && row.state !== 'raised') throw new StoreError('bad-row', `alert state of ${row.metric}: unknown state "${row.state}"`);
  return {
    state: row.state satisfies AlertState,
    breaches: Number(row.breaches),
    passes: Number(row.passes),
    sinceMs: row.since_at === null ? null : ms(row.since_at, 'since_at'),
  };
}
