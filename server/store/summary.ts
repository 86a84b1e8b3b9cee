/**
 * The summary columns of a stored result (migration 2, and migration 8's busy line): what the
 * site report and the all-sites overview read instead of the report body. Computed in one place,
 * from the body, by `summaryOf` (the same checks as every other reader: accept.ts), at save time
 * and by the migrations that backfill older rows. Read back by ./sites/summary.ts.
 */
import { SITE_METRIC_KEYS, siteReportFields, type SiteReportFields } from '../../src/analysis/site/site.js';
import type { TargetId } from '../../src/analysis/schema/report-schema.js';
import { acceptResult, ReportShapeError } from '../../src/analysis/report/accept.js';
import type { SiteLoadFields } from '../../src/analysis/site/busy-line.js';
import type { LoadVerdict } from '../../src/analysis/schema/load-schema.js';
import { locatedOf } from '../../src/analysis/site/site.js';
import { sideOf, type Side } from '../../src/protocol/could-not-finish.js';
import { blockedPorts } from '../../src/analysis/grade/blocked-ports.js';
import type { SiteLocateFields } from '../../src/analysis/site/regions.js';

/** What was stored: a graded report, or a record of a test that could not run. */
export type ResultKind = 'report' | 'could-not-test';

/**
 * What a stored body is to the site report: a report that tested, a sample that tested nothing
 * (`could-not-test`: a could-not-test record, or a report that could not connect through any
 * relay port, migration 15), or a body it cannot read.
 */
type BodyState = 'report' | 'could-not-test' | 'unreadable';

/** The summary of one stored result. */
export interface SampleSummary {
  body: BodyState;
  /** A could-not-test sample's reason (a record's, or a report's outcome), or why the body is unreadable; null for a report. */
  note: string | null;
  /** A could-not-test sample's side (src/protocol/could-not-finish.ts): what it was stored with, else its reason's; null otherwise. */
  side: Side | null;
  /** The relay ports a test that could not connect found blocked (grade/blocked-ports.ts), each `[transport, port]`; empty otherwise. */
  blockedPorts: ReadonlyArray<readonly [string, number]>;
  /** A report's summary.insufficientCause (why it has no verdict); null otherwise. */
  insufficientCause: string | null;
  /** The report's profile (meta.profile), probe path and verdict (summary.verdict); null unless a report. */
  profileId: string | null;
  profileRegion: string | null;
  profileFrom: string | null;
  probePath: string | null;
  verdict: string | null;
  /** Per SITE_METRIC_KEYS entry: the graded value (status pass or fail with a value), else null. */
  metrics: Array<number | null>;
  /** Bit i: the report has SITE_METRIC_KEYS[i] but could not grade it (insufficient or no value). */
  insufficientMask: number;
  /** The busy-line phase (report.load): null unless a report that loaded the line. */
  load: LoadSummary | null;
  /** The edge of a hub the test ran on (meta.edge); null: the server itself, or not a report. */
  edge: { id: string; azureRegion: string } | null;
  /** Every edge the locate measured with a round trip (its p50): the site x region table's figures. */
  located: SiteLocateFields['located'];
  /** The edge the latency rows were measured to, when a region leg answered the asked Azure row (SiteReportFields.regionEdge); null otherwise. */
  regionEdge: { id: string; azureRegion: string } | null;
}

/** What the site report reads of a report's busy-line phase. */
export interface LoadSummary {
  /**
   * The phase's verdict kind, or 'not-run' when it was refused or could not run (load.outcome).
   * device-busy / server-busy: the delay was this device's or the server's, not the line's.
   */
  state: LoadVerdict['kind'] | 'not-run';
  upAddedDelayMs: number | null;
  downAddedDelayMs: number | null;
  upGoodputMbps: number | null;
  downGoodputMbps: number | null;
}

const SHORT: Record<TargetId, string> = {
  'latency-one-way': 'one_way',
  'latency-rtt': 'rtt',
  'burst-loss-200ms': 'burst_loss',
  'loss-15s': 'loss',
  'jitter-15s': 'jitter',
  reorder: 'reorder',
};

/** The column of each SITE_METRIC_KEYS entry, e.g. rtt_ms, loss_up_pct, jitter_down_ms. */
export const METRIC_COLUMNS: readonly string[] = SITE_METRIC_KEYS.map((k) => {
  const unit = k.target.startsWith('latency') || k.target === 'jitter-15s' ? 'ms' : 'pct';
  return k.direction === 'round-trip' ? `${SHORT[k.target]}_${unit}` : `${SHORT[k.target]}_${k.direction}_${unit}`;
});

/** The summary columns migration 2 made (and backfilled). */
export const SUMMARY_COLUMNS_2: readonly string[] = [
  'body_state',
  'body_note',
  'profile_id',
  'profile_region',
  'profile_from',
  'probe_path',
  'report_verdict',
  'insufficient_mask',
  ...METRIC_COLUMNS,
];

/** The busy-line columns migration 8 made (and backfilled). */
export const LOAD_COLUMNS: readonly string[] = ['load_state', 'load_up_added_ms', 'load_down_added_ms', 'load_up_goodput_mbps', 'load_down_goodput_mbps'];

/** The edge columns migration 13 made (and backfilled): the edge the test ran on, and the locate's figures as JSON (`[[id, azureRegion, p50Ms], ...]`). */
export const EDGE_COLUMNS: readonly string[] = ['edge_id', 'edge_region', 'locate_edges'];

/** The causes migration 15 made (and backfilled): why a sample could not be judged. */
export const CAUSE_COLUMNS: readonly string[] = ['outcome_side', 'blocked_ports', 'insufficient_cause'];

/** The region leg's edge migration 20 made (and backfilled, with the profile and latency rows of the asked question). */
export const REGION_COLUMNS: readonly string[] = ['region_edge_id', 'region_edge_region'];

/** Every summary column, in the order `summaryValues` gives them. */
export const SUMMARY_COLUMNS: readonly string[] = [...SUMMARY_COLUMNS_2, ...LOAD_COLUMNS, ...EDGE_COLUMNS, ...CAUSE_COLUMNS, ...REGION_COLUMNS];

/** The blocked_ports column read back; a value this build cannot read is none (never a throw in a site report). */
export function blockedPortsOfText(text: string | null): SampleSummary['blockedPorts'] {
  if (text === null) return [];
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    if (err instanceof SyntaxError) return [];
    throw err;
  }
  if (!Array.isArray(v)) return [];
  return v.flatMap((x: unknown) => (Array.isArray(x) && typeof x[0] === 'string' && typeof x[1] === 'number' ? [[x[0], x[1]] as const] : []));
}

/** The locate's figures as the locate_edges column holds them (null without any). */
function locatedText(located: SiteLocateFields['located']): string | null {
  return located.length === 0 ? null : JSON.stringify(located.map((e) => [e.id, e.azureRegion, e.rttMsP50]));
}

/** The locate_edges column read back; a value this build cannot read is no figures (never a throw in a site report). */
export function locatedOfText(text: string | null): SiteLocateFields['located'] {
  if (text === null) return [];
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    if (err instanceof SyntaxError) return [];
    throw err;
  }
  if (!Array.isArray(v)) return [];
  return v.flatMap((x: unknown) =>
    Array.isArray(x) && typeof x[0] === 'string' && typeof x[1] === 'string' && typeof x[2] === 'number'
      ? [{ id: x[0], azureRegion: x[1], rttMsP50: x[2] }]
      : [],
  );
}

/** The SQL type of each summary column (both dialects read DOUBLE PRECISION; SQLite gives it REAL affinity). */
export function summaryColumnType(column: string): string {
  if (column === 'insufficient_mask') return 'INTEGER';
  if (METRIC_COLUMNS.includes(column) || (LOAD_COLUMNS.includes(column) && column !== 'load_state')) return 'DOUBLE PRECISION';
  return 'TEXT';
}

function indexOfKey(target: string, direction: string): number {
  return SITE_METRIC_KEYS.findIndex((k) => k.target === target && k.direction === direction);
}

/** The summary of a report's site fields. Grades outside SITE_METRIC_KEYS (none today) are not kept. */
export function summaryOfFields(r: SiteReportFields): SampleSummary {
  const metrics: Array<number | null> = SITE_METRIC_KEYS.map(() => null);
  let insufficientMask = 0;
  for (const g of r.grades) {
    const i = indexOfKey(g.target, g.direction);
    if (i < 0) continue;
    if (g.status === 'insufficient' || g.value === null) insufficientMask |= 1 << i;
    else metrics[i] = g.value;
  }
  const p = r.meta.profile;
  return {
    body: 'report',
    note: null,
    side: null,
    blockedPorts: [],
    insufficientCause: r.summary.insufficientCause ?? null,
    profileId: p.id,
    profileRegion: p.azureRegion ?? null,
    profileFrom: p.from ?? null,
    probePath: r.probe.path,
    verdict: r.summary.verdict,
    metrics,
    insufficientMask,
    load: r.load === undefined ? null : loadSummaryOf(r.load),
    edge: r.meta.edge ?? null,
    located: locatedOf(r),
    regionEdge: r.regionEdge ?? null,
  };
}

function loadSummaryOf(l: SiteLoadFields): LoadSummary {
  const ran = l.outcome === undefined;
  return {
    state: ran ? (l.verdict?.kind ?? 'not-run') : 'not-run',
    upAddedDelayMs: ran ? (l.up?.addedDelayMs ?? null) : null,
    downAddedDelayMs: ran ? (l.down?.addedDelayMs ?? null) : null,
    upGoodputMbps: ran ? (l.up?.goodputMbps ?? null) : null,
    downGoodputMbps: ran ? (l.down?.goodputMbps ?? null) : null,
  };
}

const empty = (body: BodyState, note: string, side: Side | null = null): SampleSummary => ({
  body,
  note,
  side,
  blockedPorts: [],
  insufficientCause: null,
  profileId: null,
  profileRegion: null,
  profileFrom: null,
  probePath: null,
  verdict: null,
  metrics: SITE_METRIC_KEYS.map(() => null),
  insufficientMask: 0,
  load: null,
  edge: null,
  located: [],
  regionEdge: null,
});

/**
 * The summary of a stored body. A body that is not JSON or not a result of a version callprobe
 * reads is not dropped: it is `unreadable`, with why, and the site report counts it apart.
 */
export function summaryOf(reportJson: string): SampleSummary {
  let value: unknown;
  try {
    value = JSON.parse(reportJson);
  } catch (err) {
    return empty('unreadable', `not JSON: ${(err as Error).message}`);
  }
  try {
    const accepted = acceptResult(value);
    if (accepted.kind === 'could-not-test') return empty('could-not-test', accepted.record.reason, sideOf(accepted.record.reason, accepted.record.side));
    const r = accepted.report;
    // A report that connected through no relay port, or whose reflector counted none of the probes the relay carried, tested
    // nothing: a could-not-test sample, with its side, blocked ports and verdict (a fail: every port Teams uses blocked).
    if (r.outcome?.reason === 'could-not-connect' || r.outcome?.reason === 'reflector-silent') {
      return {
        ...empty('could-not-test', r.outcome.reason, sideOf(r.outcome.reason, r.outcome.side)),
        blockedPorts: blockedPorts(r.connectivity).blocked.flatMap((b) => (b.port === null ? [] : [[b.transport, b.port] as const])),
        verdict: r.summary.verdict,
      };
    }
    return summaryOfFields(siteReportFields(r));
  } catch (err) {
    if (err instanceof ReportShapeError) return empty('unreadable', `${err.reason}: ${err.message}`);
    throw err;
  }
}

/** The column values of a summary, in SUMMARY_COLUMNS order. */
export function summaryValues(s: SampleSummary): Array<string | number | null> {
  const l = s.load;
  return [
    s.body,
    s.note,
    s.profileId,
    s.profileRegion,
    s.profileFrom,
    s.probePath,
    s.verdict,
    s.insufficientMask,
    ...s.metrics,
    l?.state ?? null,
    l?.upAddedDelayMs ?? null,
    l?.downAddedDelayMs ?? null,
    l?.upGoodputMbps ?? null,
    l?.downGoodputMbps ?? null,
    s.edge?.id ?? null,
    s.edge?.azureRegion ?? null,
    locatedText(s.located),
    s.side,
    s.blockedPorts.length === 0 ? null : JSON.stringify(s.blockedPorts),
    s.insufficientCause,
    s.regionEdge?.id ?? null,
    s.regionEdge?.azureRegion ?? null,
  ];
}

/** The values of `columns` (some of SUMMARY_COLUMNS) of a summary, in that order: what a migration's backfill writes. */
export function summaryValuesOf(s: SampleSummary, columns: readonly string[]): Array<string | number | null> {
  const all = summaryValues(s);
  return columns.map((c) => {
    const i = SUMMARY_COLUMNS.indexOf(c);
    if (i < 0) throw new Error(`not a summary column: ${c}`);
    return all[i] ?? null;
  });
}
