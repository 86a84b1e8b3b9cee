/**
 * The summary columns of a stored result (migration 2): what the site report and the
 * all-sites overview read instead of the report body. Computed in one place, from the body, by
 * `summaryOf` (the same checks as every other reader: accept.ts), at save time and by the
 * migration that backfills older rows.
 */
import { SITE_METRIC_KEYS, siteReportFields, type SiteGrade, type SiteReportFields, type SiteSample } from '../../src/analysis/site/site.js';
import type { TargetId } from '../../src/analysis/schema/report-schema.js';
import { acceptResult, ReportShapeError } from '../../src/analysis/report/accept.js';

/** What a stored body is to the site report. */
export type BodyState = 'report' | 'could-not-test' | 'unreadable';

/** The summary of one stored result. */
export interface SampleSummary {
  body: BodyState;
  /** A could-not-test record's reason, or why the body is unreadable; null for a report. */
  note: string | null;
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

/** The summary columns in the order `summaryValues` gives them. */
export const SUMMARY_COLUMNS: readonly string[] = [
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
    profileId: p.id,
    profileRegion: p.azureRegion ?? null,
    profileFrom: p.from ?? null,
    probePath: r.probe.path,
    verdict: r.summary.verdict,
    metrics,
    insufficientMask,
  };
}

const empty = (body: BodyState, note: string): SampleSummary => ({
  body,
  note,
  profileId: null,
  profileRegion: null,
  profileFrom: null,
  probePath: null,
  verdict: null,
  metrics: SITE_METRIC_KEYS.map(() => null),
  insufficientMask: 0,
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
    return accepted.kind === 'could-not-test' ? empty('could-not-test', accepted.record.reason) : summaryOfFields(siteReportFields(accepted.report));
  } catch (err) {
    if (err instanceof ReportShapeError) return empty('unreadable', `${err.reason}: ${err.message}`);
    throw err;
  }
}

/** The column values of a summary, in SUMMARY_COLUMNS order. */
export function summaryValues(s: SampleSummary): Array<string | number | null> {
  return [s.body, s.note, s.profileId, s.profileRegion, s.profileFrom, s.probePath, s.verdict, s.insufficientMask, ...s.metrics];
}

/** A summary row as either driver returns it. */
export type SummaryDbRow = Record<string, unknown>;

function text(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

/** The summary of a row holding the SUMMARY_COLUMNS. */
export function summaryFromRow(row: SummaryDbRow): SampleSummary {
  const body = row.body_state;
  return {
    body: body === 'report' || body === 'could-not-test' ? body : 'unreadable',
    note: body === 'report' || body === 'could-not-test' || body === 'unreadable' ? text(row.body_note) : `unknown body state ${String(body)}`,
    profileId: text(row.profile_id),
    profileRegion: text(row.profile_region),
    profileFrom: text(row.profile_from),
    probePath: text(row.probe_path),
    verdict: text(row.report_verdict),
    metrics: METRIC_COLUMNS.map((c) => num(row[c])),
    insufficientMask: num(row.insufficient_mask) ?? 0,
  };
}

/** The grades of a summary, in SITE_METRIC_KEYS order (the order grade/grade.ts grades them). */
function gradesOf(s: SampleSummary): SiteGrade[] {
  const out: SiteGrade[] = [];
  SITE_METRIC_KEYS.forEach((k, i) => {
    const value = s.metrics[i] ?? null;
    if ((s.insufficientMask & (1 << i)) !== 0) out.push({ target: k.target, direction: k.direction, status: 'insufficient', value: null });
    // Only pass or fail matter from here on: the site report grades the values, not each test's status.
    else if (value !== null) out.push({ target: k.target, direction: k.direction, status: 'pass', value });
  });
  return out;
}

/** The sample the site report reads, from the summary columns alone (never the body). */
export function siteSampleOfSummary(base: { id: string; code: string | null; startedAtMs: number }, s: SampleSummary): SiteSample {
  if (s.body === 'could-not-test') return { ...base, body: { kind: 'could-not-test', reason: s.note ?? 'unknown' } };
  if (s.body === 'unreadable') return { ...base, body: { kind: 'unreadable', problem: s.note ?? 'unreadable' } };
  return {
    ...base,
    body: {
      kind: 'report',
      report: {
        meta: {
          profile: {
            id: s.profileId as SiteReportFields['meta']['profile']['id'],
            azureRegion: s.profileRegion,
            from: s.profileFrom as SiteReportFields['meta']['profile']['from'],
          },
        },
        probe: { path: s.probePath as SiteReportFields['probe']['path'] },
        summary: { verdict: s.verdict as SiteReportFields['summary']['verdict'] },
        grades: gradesOf(s),
      },
    },
  };
}
