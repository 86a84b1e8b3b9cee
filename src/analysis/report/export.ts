/**
 * The results export (GET /api/results?format=csv|ndjson|json) and `callprobe run --csv`: one
 * row per test, the same columns for a report and a could-not-test record. Times are ISO 8601
 * UTC, numbers use `.` and never an exponent, the CSV has a header row and CRLF line ends
 * (RFC 4180), whatever the locale of the machine. JSON and NDJSON carry the raw values; the CSV,
 * read by people in a spreadsheet, the values rounded as the page shows them (`pageRounded`).
 * For spreadsheets whose list separator is `;` (locales with a decimal comma), the CSV can use
 * `;` between fields, and a UTF-8 byte order mark so they read the text as UTF-8.
 */
import { DECIMAL_COMMA_LANGS, pickLang } from '../../protocol/lang.js';
import { upgradeReport } from './migrate.js';
import { cautionOfReport } from '../grade/caution.js';
import { figureValue, numValue, type FigureUnit } from '../present/format.js';
import type { Report, TargetId } from '../schema/report-schema.js';
import type { ReportV1 } from '../schema/report-v1-schema.js';
import type { ReportV2 } from '../schema/report-v2-schema.js';
import { insufficientCauseText } from '../present/cause-text.js';
import { cautionText } from '../present/facts.js';
import type { CouldNotTest } from '../schema/could-not-test-schema.js';
import { countedPackets } from '../grade/qos.js';
import { PROBE_DSCP } from '../../protocol/dscp.js';
import type { DscpCounts } from '../../protocol/wire.js';

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
const LOAD_DIRECTION_FIELDS = ['goodputMbps', 'addedDelayMs', 'addedDelayMsP90', 'lossPct', 'grade', 'saturated'] as const;
const LOAD_COLUMNS: readonly string[] = [
  'load.verdict',
  'load.outcome',
  ...LOAD_DIRECTION_FIELDS.map((f) => `load.up.${f}`),
  ...LOAD_DIRECTION_FIELDS.map((f) => `load.down.${f}`),
  'load.bytes',
];

const EDGE_COLUMNS: readonly string[] = ['edge.id', 'edge.azureRegion', 'edge.locateRttMsP50', 'locate.nearest', 'leg'];

/** Whether the QoS mark survived each way (../schema/qos-schema.ts: its state, and the share of the packets counted that kept EF). */
const QOS_COLUMNS: readonly string[] = ['qos.upstream', 'qos.upstream.efPct', 'qos.downstream', 'qos.downstream.efPct'];

/** The video phase each way (empty for a test without it): kbit/s carried nearly whole and at best, loss, what held it; and what fits. */
const VIDEO_DIRECTION_FIELDS = ['cleanKbps', 'arrivedKbps', 'lossPct', 'worstLossPct', 'limitedBy'] as const;
const VIDEO_COLUMNS: readonly string[] = [
  ...VIDEO_DIRECTION_FIELDS.map((f) => `video.upstream.${f}`),
  ...VIDEO_DIRECTION_FIELDS.map((f) => `video.downstream.${f}`),
  'video.room',
];

/** The columns, in order. */
export const EXPORT_COLUMNS: readonly string[] = [
  'id',
  'code',
  'kind',
  'site',
  'ticket',
  'startedAt',
  'sampleId',
  'profile',
  'path',
  'outcome',
  'verdict',
  'caution',
  'insufficientCause',
  'insufficientCauseText',
  'reason',
  ...SUMMARY_FIELDS,
  ...DIRECTION_FIELDS.map((f) => `upstream.${f}`),
  ...DIRECTION_FIELDS.map((f) => `downstream.${f}`),
  // The busy-line phase (empty when the test did not load the line).
  ...LOAD_COLUMNS,
  // The edge of a hub the test ran on, and its round trip in the locate (empty without one); added after the rest.
  ...EDGE_COLUMNS,
  // The caution in the words the answer says it on top (a pass only over a fallback path, a computer too busy); added after the rest.
  'cautionText',
  // The QoS marks each way (empty for a test without them); never graded; added after the rest.
  ...QOS_COLUMNS,
  // The video phase (empty for a test without it); never graded; added after the rest.
  ...VIDEO_COLUMNS,
];

export interface RowIdentity {
  /** The stored result's id and code, or null (not saved: `run --no-save --csv`). */
  id: string | null;
  code: string | null;
  /** The upload's sampleId (a scheduled sample's), or null. */
  sampleId: string | null;
}

/** "client-to-edge", "azure-region westeurope from site": the profile a report was graded against. */
function profileText(p: Report['meta']['profile']): string {
  return p.id === 'azure-region' ? `azure-region ${p.azureRegion ?? '?'}${p.from === null ? '' : ` from ${p.from}`}` : p.id;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** How the page shows each figure column: its unit and the target whose threshold it is told apart from. */
const COLUMN_FIGURES: Readonly<Record<string, { unit: FigureUnit | 'prose'; target?: TargetId }>> = {
  rttMsP50: { unit: 'ms', target: 'latency-rtt' },
  rttMsP90: { unit: 'ms', target: 'latency-rtt' },
  jitterMs: { unit: 'ms', target: 'jitter-15s' },
  jitterMsMax15s: { unit: 'ms', target: 'jitter-15s' },
  lossPct: { unit: '%', target: 'loss-15s' },
  lossPctMax15s: { unit: '%', target: 'loss-15s' },
  burstLossPctMax200ms: { unit: '%', target: 'burst-loss-200ms' },
  reorderPct: { unit: '%', target: 'reorder' },
  rttLossPct: { unit: '%' },
  duplicates: { unit: 'count' },
  packetsSent: { unit: 'count' },
  packetsReceived: { unit: 'count' },
  ratePps: { unit: 'count' },
  mos: { unit: 'mos' },
  'upstream.lossPct': { unit: '%', target: 'loss-15s' },
  'upstream.jitterMs': { unit: 'ms', target: 'jitter-15s' },
  'upstream.reorderPct': { unit: '%', target: 'reorder' },
  'upstream.packetsLost': { unit: 'count' },
  'downstream.lossPct': { unit: '%', target: 'loss-15s' },
  'downstream.jitterMs': { unit: 'ms', target: 'jitter-15s' },
  'downstream.reorderPct': { unit: '%', target: 'reorder' },
  'downstream.packetsLost': { unit: 'count' },
  ...Object.fromEntries(
    (['up', 'down'] as const).flatMap((d) => [
      [`load.${d}.goodputMbps`, { unit: 'prose' }],
      [`load.${d}.addedDelayMs`, { unit: 'ms' }],
      [`load.${d}.addedDelayMsP90`, { unit: 'ms' }],
      [`load.${d}.lossPct`, { unit: '%' }],
    ]),
  ),
  'load.bytes': { unit: 'count' },
  'edge.locateRttMsP50': { unit: 'ms' },
  'qos.upstream.efPct': { unit: '%' },
  'qos.downstream.efPct': { unit: '%' },
  ...Object.fromEntries(
    (['upstream', 'downstream'] as const).flatMap((d) => [
      [`video.${d}.lossPct`, { unit: '%' }],
      [`video.${d}.worstLossPct`, { unit: '%' }],
      [`video.${d}.cleanKbps`, { unit: 'count' }],
      [`video.${d}.arrivedKbps`, { unit: 'count' }],
    ]),
  ),
};

/**
 * A report's row with every figure rounded as the page shows it (src/analysis/present/format.ts:
 * ms to 0.1, % and MOS to 0.01, counts whole, more decimals where a value would otherwise read
 * as zero or as its target), for the CSV; `row` is `reportRow`'s, `stored` the same report.
 */
function pageRounded(row: Record<string, Cell>, stored: Report | ReportV2 | ReportV1): Record<string, Cell> {
  const targets = upgradeReport(stored).meta.targets;
  const out: Record<string, Cell> = { ...row };
  for (const [column, how] of Object.entries(COLUMN_FIGURES)) {
    const v = row[column];
    if (typeof v !== 'number') continue;
    const threshold = how.target === undefined ? undefined : targets.find((t) => t.target === how.target)?.threshold;
    // Goodput is printed in prose (about two significant digits), the rest as figures.
    out[column] = how.unit === 'prose' ? numValue(v) : figureValue(v, how.unit, threshold);
  }
  return out;
}

/**
 * A report's export rows, split by edge: its own row, then one row per leg (`leg` "region": the
 * region leg's own test on its edge, its figures and verdict, the same id and code, the parent's
 * locate figure of that edge). `figures` 'page' rounds them as the page shows them (the CSV).
 */
export function reportRows(who: RowIdentity, stored: Report | ReportV2 | ReportV1, figures: 'raw' | 'page' = 'raw'): Array<Record<string, Cell>> {
  const row = (r: Report | ReportV2 | ReportV1): Record<string, Cell> => (figures === 'page' ? reportCsvRow(who, r) : reportRow(who, r));
  const r = upgradeReport(stored);
  return [
    row(stored),
    // A leg that could not run has no row of its own: the parent's verdict says so.
    ...(r.legs ?? [])
      .flatMap((leg) => (leg.report === null ? [] : [{ leg, report: leg.report }]))
      .map(({ leg, report }) => ({
        ...row(report),
        'edge.locateRttMsP50': r.locate?.edges.find((e) => e.id === leg.edge.id)?.rttMsP50 ?? null,
        'locate.nearest': r.locate?.nearest ?? null,
        leg: leg.role,
      })),
  ];
}

/** A report's CSV row: `reportRow` with its figures rounded as the page shows them. */
export function reportCsvRow(who: RowIdentity, stored: Report | ReportV2 | ReportV1): Record<string, Cell> {
  return pageRounded(reportRow(who, stored), stored);
}

/** One export row for a report (any stored schema version). */
export function reportRow(who: RowIdentity, stored: Report | ReportV2 | ReportV1): Record<string, Cell> {
  const r = upgradeReport(stored);
  const s = r.summary;
  const row: Record<string, Cell> = {
    id: who.id,
    code: who.code,
    kind: 'report',
    site: r.meta.site,
    ticket: r.meta.ticket,
    startedAt: Number.isFinite(Date.parse(r.meta.startedAt)) ? iso(Date.parse(r.meta.startedAt)) : r.meta.startedAt,
    sampleId: who.sampleId,
    profile: profileText(r.meta.profile),
    path: r.probe.path,
    // How the test ended: complete, or cut short (could-not-connect, connection-lost) with what it measured.
    outcome: r.outcome?.reason ?? 'complete',
    verdict: s.verdict,
    // Why a verdict is not a plain one (a pass only over a fallback path, a computer too busy); empty otherwise.
    caution: cautionOfReport(r),
    // Why there is no verdict (a code, and the same sentence the page says); empty otherwise.
    insufficientCause: s.insufficientCause,
    insufficientCauseText: insufficientCauseText(r),
    reason: null,
  };
  for (const f of SUMMARY_FIELDS) row[f] = s[f];
  for (const f of DIRECTION_FIELDS) {
    row[`upstream.${f}`] = s.upstream?.[f] ?? null;
    row[`downstream.${f}`] = s.downstream?.[f] ?? null;
  }
  const l = r.load;
  row['load.verdict'] = l?.verdict?.kind ?? null;
  row['load.outcome'] = l?.outcome?.reason ?? null;
  for (const f of LOAD_DIRECTION_FIELDS) {
    for (const [name, d] of [
      ['up', l?.up],
      ['down', l?.down],
    ] as const) {
      const v = d?.[f] ?? null;
      row[`load.${name}.${f}`] = typeof v === 'boolean' ? String(v) : v;
    }
  }
  row['load.bytes'] = l?.bytes ?? null;
  const edge = r.meta.edge;
  row['edge.id'] = edge?.id ?? null;
  row['edge.azureRegion'] = edge?.azureRegion ?? null;
  row['edge.locateRttMsP50'] = r.locate?.edges.find((e) => e.id === edge?.id)?.rttMsP50 ?? null;
  row['locate.nearest'] = r.locate?.nearest ?? null;
  // A leg's own row says so (reportRows); the report's row is the nearest edge's test.
  row.leg = null;
  row.cautionText = cautionText(r);
  for (const [name, d] of [
    ['upstream', r.qos?.upstream],
    ['downstream', r.qos?.downstream],
  ] as const) {
    row[`qos.${name}`] = d?.state ?? null;
    row[`qos.${name}.efPct`] = d?.counts ? efPct(d.counts) : null;
  }
  const v = r.video;
  for (const f of VIDEO_DIRECTION_FIELDS) {
    row[`video.upstream.${f}`] = v?.upstream[f] ?? null;
    row[`video.downstream.${f}`] = v?.downstream[f] ?? null;
  }
  // What fits both ways, space-separated codes (one cell: "audio screen-sharing video-360p").
  row['video.room'] = v ? v.room.join(' ') : null;
  return row;
}

/** Of the packets counted, the share that arrived marked EF, percent; null when none was counted. */
function efPct(counts: DscpCounts): number | null {
  const total = countedPackets(counts);
  return total === 0 ? null : (100 * (counts[String(PROBE_DSCP)] ?? 0)) / total;
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
    sampleId: who.sampleId,
    outcome: 'could-not-test',
    verdict: null,
    reason: rec.reason,
  };
}

/** A number with `.` decimals and no exponent (String() writes 1e-7 and 1e+21). */
function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '';
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return Math.abs(n) < 1 ? n.toFixed(20).replace(/\.?0+$/, '') : BigInt(Math.round(n)).toString();
}

/** The CSV's field separator: `,` (RFC 4180), or `;` for spreadsheets whose list separator it is. */
export type CsvSeparator = ',' | ';';

/** The CSV's decimal mark: `.`, or `,` for spreadsheets that read `18.8` as a date. */
export type CsvDecimal = '.' | ',';

export interface CsvOptions {
  sep: CsvSeparator;
  /** Start with a UTF-8 byte order mark (U+FEFF), so a spreadsheet reads the text as UTF-8. */
  bom: boolean;
  /** The decimal mark of numbers; `.` when absent. Independent of the separator: a `,` decimal under a `,` separator is quoted. */
  decimal?: CsvDecimal;
}

export const CSV_DEFAULTS: CsvOptions = { sep: ',', bom: false };

/**
 * The decimal mark asked for: `decimal=comma` or `decimal=point` as given, else the reader's
 * language's (a comma for the languages in DECIMAL_COMMA_LANGS), else `.`. Never the separator's:
 * `sep=semicolon` alone keeps `.`.
 */
export function csvDecimalOf(decimal: 'point' | 'comma' | undefined, lang: string | undefined): CsvDecimal {
  if (decimal !== undefined) return decimal === 'comma' ? ',' : '.';
  const picked = lang === undefined ? null : pickLang([lang]);
  return picked !== null && DECIMAL_COMMA_LANGS.has(picked) ? ',' : '.';
}

/** A separator by its name, as a query (`sep=semicolon`) or flag (`--csv-sep semicolon`) gives it; null when it is neither. */
export function csvSeparatorNamed(name: string): CsvSeparator | null {
  return name === 'comma' ? ',' : name === 'semicolon' ? ';' : null;
}

/**
 * Text a spreadsheet may run as a formula (OWASP "CSV Injection"): a cell that starts with
 * `=`, `+`, `-`, `@`, a tab or a line break, or with `;` or `|` (separators some spreadsheets
 * read a cell after), also once leading white space (spaces, U+00A0, tabs, line breaks) is
 * skipped and once full-width forms (U+FF1D `＝` and its kin) are read as the plain ones (NFKC).
 */
export function looksLikeFormula(text: string): boolean {
  if (/^[\t\r\n]/.test(text)) return true;
  const first = text.normalize('NFKC').replace(/^[\s\u00a0\u200b\ufeff]+/u, '');
  return /^[=+\-@;|]/.test(first);
}

/**
 * One CSV field (RFC 4180 §2): quoted when it holds the separator, a quote or a line break. Text
 * that a spreadsheet could run as a formula (looksLikeFormula) gets a leading apostrophe, so it
 * is read as text; tickets, browsers and messages come from anonymous users.
 */
export function csvField(v: Cell, sep: CsvSeparator = ',', decimal: CsvDecimal = '.'): string {
  if (v === null) return '';
  const safe = typeof v === 'number' ? (decimal === '.' ? formatNumber(v) : formatNumber(v).replace('.', decimal)) : looksLikeFormula(v) ? `'${v}` : v;
  return safe.includes(sep) || /["\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The header row, after the byte order mark when `bom`. */
export function csvHeader(o: CsvOptions = CSV_DEFAULTS): string {
  return `${o.bom ? '\uFEFF' : ''}${EXPORT_COLUMNS.map((c) => csvField(c, o.sep)).join(o.sep)}\r\n`;
}

export function csvLine(row: Record<string, Cell>, o: CsvOptions = CSV_DEFAULTS): string {
  return `${EXPORT_COLUMNS.map((c) => csvField(row[c] ?? null, o.sep, o.decimal)).join(o.sep)}\r\n`;
}

/** Rows of cells as CSV (RFC 4180 quoting, the formula guard, CRLF), after the byte order mark when `bom`. */
export function csvRows(rows: readonly (readonly Cell[])[], o: CsvOptions = CSV_DEFAULTS): string {
  return `${o.bom ? '\uFEFF' : ''}${rows.map((row) => `${row.map((c) => csvField(c, o.sep, o.decimal)).join(o.sep)}\r\n`).join('')}`;
}

/** A row with the columns in order (for NDJSON and JSON). */
export function orderedRow(row: Record<string, Cell>): Record<string, Cell> {
  const out: Record<string, Cell> = {};
  for (const c of EXPORT_COLUMNS) out[c] = row[c] ?? null;
  return out;
}
