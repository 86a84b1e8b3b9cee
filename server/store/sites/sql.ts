/** What both engines' sites repositories share: the columns and row mapping of a site's samples and of the sites table, and the sites row a stored result moves. */
import { ms, msOrNull, type Placeholder } from '../common.js';
import { kindOf, type ResultRow } from '../results/sql.js';
import type { NewResult } from '../results/types.js';
import { siteKeyOf } from '../site-key.js';
import { METRIC_COLUMNS, SUMMARY_COLUMNS, type SampleSummary } from '../summary.js';
import { SITE_METRIC_KEYS } from '../../../src/analysis/site/site.js';
import type { TargetId } from '../../../src/analysis/schema/report-schema.js';
import { summaryFromRow, type SummaryDbRow } from './summary.js';
import type { KnownSite, SiteOutcome, SiteSampleRow } from './types.js';
import { isSide } from '../../../src/protocol/could-not-finish.js';

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

/**
 * The sites row a stored result updates (table sites): inserted for a new site, else its display
 * name becomes this spelling and its times move forward (never back: a late sample from the spool
 * leaves the newest times as they are). `?` or `$n` placeholders for, in order: key, display,
 * started_at, the report's started_at (null for a could-not-test record), stored_at, the report's
 * stored_at (null for a could-not-test record).
 */
export function siteUpsertSql(ph: Placeholder, greatest: 'max' | 'greatest'): string {
  const [key, display, started, report, stored, reportStored] = [1, 2, 3, 4, 5, 6].map(ph);
  // SQLite's max() of a NULL is NULL; PostgreSQL's greatest() skips NULLs.
  const newestOf = (column: string): string =>
    greatest === 'max'
      ? `max(coalesce(sites.${column}, excluded.${column}), coalesce(excluded.${column}, sites.${column}))`
      : `greatest(sites.${column}, excluded.${column})`;
  return `INSERT INTO sites (site_key, display, first_started_at, last_started_at, last_report_at, last_stored_at, last_report_stored_at)
    VALUES (${key}, ${display}, ${started}, ${started}, ${report}, ${stored}, ${reportStored})
    ON CONFLICT (site_key) DO UPDATE SET display = excluded.display,
      first_started_at = ${greatest === 'max' ? 'min' : 'least'}(sites.first_started_at, excluded.first_started_at),
      last_started_at = ${greatest}(sites.last_started_at, excluded.last_started_at),
      last_report_at = ${newestOf('last_report_at')},
      last_stored_at = ${greatest}(sites.last_stored_at, excluded.last_stored_at),
      last_report_stored_at = ${newestOf('last_report_stored_at')}`;
}

/**
 * The values of siteUpsertSql for a stored result with a site: a report that tested is the site's
 * last report; a report that connected through no relay port tested nothing (its summary's body
 * state, ../summary.ts), and is not.
 */
export function siteUpsertValues(r: NewResult, storedAtMs: number, summary: Pick<SampleSummary, 'body'>): Array<string | number | null> {
  const site = r.site ?? '';
  const report = r.kind === 'report' && summary.body !== 'could-not-test';
  return [siteKeyOf(site), site, r.startedAtMs, report ? r.startedAtMs : null, storedAtMs, report ? storedAtMs : null];
}

/** A sites row as either driver returns it. */
export interface SiteDbRow {
  site_key: string;
  display: string;
  first_started_at: number | string | bigint;
  last_started_at: number | string | bigint;
  last_report_at: number | string | bigint | null;
  last_stored_at: number | string | bigint;
  last_report_stored_at: number | string | bigint | null;
}

export const SITE_COLUMNS = 'site_key, display, first_started_at, last_started_at, last_report_at, last_stored_at, last_report_stored_at';

export function toKnownSite(row: SiteDbRow): KnownSite {
  return {
    key: row.site_key,
    display: row.display,
    firstStartedAtMs: ms(row.first_started_at, 'first_started_at'),
    lastStartedAtMs: ms(row.last_started_at, 'last_started_at'),
    lastReportAtMs: msOrNull(row.last_report_at, 'last_report_at'),
    lastStoredAtMs: ms(row.last_stored_at, 'last_stored_at'),
    lastReportStoredAtMs: msOrNull(row.last_report_stored_at, 'last_report_stored_at'),
  };
}

/** One site's samples since $2 (site key $1): start, body state and, for a could-not-test record, its reason; the graded metrics and the not-judged mask. */
export const siteOutcomesSql = (p: Placeholder): string =>
  `SELECT started_at, body_state, body_note, outcome_side, insufficient_mask, ${METRIC_COLUMNS.join(', ')} FROM results WHERE site_key = ${p(1)} AND started_at >= ${p(2)} ORDER BY started_at, id`;

/** The targets of a report none of whose directions could be judged, though one was asked for (insufficient): no P90 rule sees it. */
function notJudgedOf(r: Record<string, unknown>): TargetId[] {
  const mask = Number(r['insufficient_mask'] ?? 0);
  const judged = new Set<TargetId>();
  const insufficient = new Set<TargetId>();
  SITE_METRIC_KEYS.forEach((k, i) => {
    const v = r[METRIC_COLUMNS[i] ?? ''];
    if (v !== null && v !== undefined) judged.add(k.target);
    if ((mask & (1 << i)) !== 0) insufficient.add(k.target);
  });
  return [...insufficient].filter((t) => !judged.has(t));
}

export function toOutcome(r: Record<string, unknown>): SiteOutcome {
  const state = r['body_state'];
  return {
    startedAtMs: ms(r['started_at'], 'started_at'),
    couldNotTest: state === 'could-not-test' ? String(r['body_note'] ?? 'unknown') : null,
    side: state === 'could-not-test' && isSide(r['outcome_side']) ? r['outcome_side'] : null,
    notJudged: state === 'report' ? notJudgedOf(r) : null,
  };
}

/** Could-not-test samples (not interrupted) per site key that started in one of the intervals: values start1, end1, start2, ... */
export function couldNotTestDuringSql(p: Placeholder, intervals: number): string {
  const inside = Array.from({ length: intervals }, (_, i) => `(started_at >= ${p(2 * i + 1)} AND started_at < ${p(2 * i + 2)})`).join(' OR ');
  return `SELECT site_key, count(*) AS n FROM results WHERE site_key IS NOT NULL AND body_state = 'could-not-test'
    AND (body_note IS NULL OR body_note <> 'interrupted') AND (${inside}) GROUP BY site_key`;
}

/** A blocked sample (../../../src/analysis/site/causes.ts): it could not connect, on its network's side. */
const BLOCKED = "body_state = 'could-not-test' AND body_note = 'could-not-connect' AND outcome_side = 'network'";

/** Per group, the samples by why they could not be judged (OverviewGroup's blocked, blockedEveryPort, deviceBusy, serverSide, serverBusy), both dialects. */
export const CAUSE_COUNTS_SQL = [
  `sum(CASE WHEN ${BLOCKED} THEN 1 ELSE 0 END) AS blocked`,
  `sum(CASE WHEN ${BLOCKED} AND report_verdict = 'fail' THEN 1 ELSE 0 END) AS blocked_every_port`,
  "sum(CASE WHEN insufficient_cause = 'device-busy' THEN 1 ELSE 0 END) AS device_busy",
  "sum(CASE WHEN body_state = 'could-not-test' AND outcome_side = 'server' THEN 1 ELSE 0 END) AS server_side",
  "sum(CASE WHEN insufficient_cause IN ('server-busy', 'server-missed') THEN 1 ELSE 0 END) AS server_busy",
].join(', ');
