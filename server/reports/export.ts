/**
 * The results export (GET /api/results?format=csv|ndjson|json) and `callprobe run --csv`: one
 * row per test, the same columns for a report and a could-not-test record. Times are ISO 8601
 * UTC, numbers use `.` and never an exponent, the CSV has a header row and CRLF line ends
 * (RFC 4180), whatever the locale of the machine.
 */
import { upgradeReport } from '../../src/analysis/report/migrate.js';
import type { Report, ReportV1 } from '../../src/analysis/schema/report-schema.js';
import type { CouldNotTest } from '../../src/analysis/schema/could-not-test-schema.js';

export type Cell = string | number | null;

const SUMMARY_FIELDS = [
  'rttMsP50',
  'rttMsP90',
  'jitterMs',
  'jitterMsMax15s',
  'lossPct',
  'lossPctMax15s',
  'burstLossPctMax200ms',
  'reorderPct',
  'rttLossPct',
  'duplicates',
  'packetsSent',
  'packetsReceived',
  'ratePps',
  'mos',
] as const;
const DIRECTION_FIELDS = ['lossPct', 'jitterMs', 'reorderPct', 'packetsLost'] as const;

/** The columns, in order. */
export const EXPORT_COLUMNS: readonly string[] = [
  'id',
  'code',
  'kind',
  'site',
  'ticket',
  'startedAt',
  'verdict',
  'reason',
  ...SUMMARY_FIELDS,
  ...DIRECTION_FIELDS.map((f) => `upstream.${f}`),
  ...DIRECTION_FIELDS.map((f) => `downstream.${f}`),
];

export interface RowIdentity {
  /** The stored result's id and code, or null (not saved: `run --no-save --csv`). */
  id: string | null;
  code: string | null;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** One export row for a report (any stored schema version). */
export function reportRow(who: RowIdentity, stored: Report | ReportV1): Record<string, Cell> {
  const r = upgradeReport(stored);
  const s = r.summary;
  const row: Record<string, Cell> = {
    id: who.id,
    code: who.code,
    kind: 'report',
    site: r.meta.site,
    ticket: r.meta.ticket,
    startedAt: Number.isFinite(Date.parse(r.meta.startedAt)) ? iso(Date.parse(r.meta.startedAt)) : r.meta.startedAt,
    verdict: s.verdict,
    reason: null,
  };
  for (const f of SUMMARY_FIELDS) row[f] = s[f];
  for (const f of DIRECTION_FIELDS) {
    row[`upstream.${f}`] = s.upstream?.[f] ?? null;
    row[`downstream.${f}`] = s.downstream?.[f] ?? null;
  }
  return row;
}

/** One export row for a could-not-test record: its reason, no figures. */
export function couldNotTestRow(who: RowIdentity, rec: CouldNotTest, startedAtMs: number): Record<string, Cell> {
  const row: Record<string, Cell> = {};
  for (const c of EXPORT_COLUMNS) row[c] = null;
  return {
    ...row,
    id: who.id,
    code: who.code,
    kind: 'could-not-test',
    site: typeof rec.meta.site === 'string' ? rec.meta.site : null,
    ticket: typeof rec.meta.ticket === 'string' ? rec.meta.ticket : null,
    startedAt: iso(startedAtMs),
    verdict: null,
    reason: rec.reason,
  };
}

/** A number with `.` decimals and no exponent (String() writes 1e-7 and 1e+21). */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '';
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return Math.abs(n) < 1 ? n.toFixed(20).replace(/\.?0+$/, '') : BigInt(Math.round(n)).toString();
}

/**
 * One CSV field (RFC 4180 §2): quoted when it holds a comma, quote or line break. Text that a
 * spreadsheet would run as a formula (=, +, -, @, tab, CR first: OWASP "CSV injection") gets a
 * leading apostrophe; a ticket comes from anonymous users.
 */
export function csvField(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'number') return formatNumber(v);
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvHeader(): string {
  return `${EXPORT_COLUMNS.map(csvField).join(',')}\r\n`;
}

export function csvLine(row: Record<string, Cell>): string {
  return `${EXPORT_COLUMNS.map((c) => csvField(row[c] ?? null)).join(',')}\r\n`;
}

/** A row with the columns in order (for NDJSON and JSON). */
export function orderedRow(row: Record<string, Cell>): Record<string, Cell> {
  const out: Record<string, Cell> = {};
  for (const c of EXPORT_COLUMNS) out[c] = row[c] ?? null;
  return out;
}
