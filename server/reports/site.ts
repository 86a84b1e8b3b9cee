/**
 * The site report from the results store (issue 12): one site's stored samples since a time,
 * read through the same checks as every other reader (accept.ts), then the pure site report
 * (src/analysis/report/site-report.ts), the same code `callprobe aggregate` runs over files.
 */
import { buildSiteReport, type SiteReport } from '../../src/analysis/report/site-report.js';
import { siteReportFields, type PoolChoice, type SiteSample } from '../../src/analysis/site/site.js';
import { BOUNDS } from '../../src/protocol/defaults.js';
import { acceptResult, ReportShapeError } from './accept.js';
import type { ResultStore, SiteSampleRow } from '../store/types.js';

/** Typed error: more samples than one site report reads. */
export class SiteReportTooLarge extends Error {
  override readonly name = 'SiteReportTooLarge';
  readonly reason = 'too-many-samples';
  constructor(
    readonly site: string,
    readonly sinceMs: number,
    readonly max: number,
  ) {
    super(`site "${site}" has more than ${max} samples since ${new Date(sinceMs).toISOString()}: ask for a shorter span (since)`);
  }
}

/**
 * A stored row as the site report reads it. A body that is not JSON or not a report of a
 * version callprobe reads is not dropped: it becomes an `unreadable` sample, counted apart.
 */
export function siteSampleOf(row: SiteSampleRow): SiteSample {
  const base = { id: row.id, code: row.code, startedAtMs: row.startedAtMs };
  let value: unknown;
  try {
    value = JSON.parse(row.reportJson);
  } catch (err) {
    return { ...base, body: { kind: 'unreadable', problem: `not JSON: ${(err as Error).message}` } };
  }
  try {
    const accepted = acceptResult(value);
    return accepted.kind === 'could-not-test'
      ? { ...base, body: { kind: 'could-not-test', reason: accepted.record.reason } }
      : { ...base, body: { kind: 'report', report: siteReportFields(accepted.report) } };
  } catch (err) {
    if (err instanceof ReportShapeError) return { ...base, body: { kind: 'unreadable', problem: `${err.reason}: ${err.message}` } };
    throw err;
  }
}

export interface SiteReportQuery {
  site: string;
  sinceMs: number;
  choice: PoolChoice;
  timeZone: string;
}

/** Reads the site's samples (at most `max`, BOUNDS.siteReportMaxSamples, else SiteReportTooLarge) and builds its report. */
export async function siteReportFromStore(store: ResultStore, q: SiteReportQuery, max: number = BOUNDS.siteReportMaxSamples): Promise<SiteReport> {
  const rows = await store.siteSamples({ site: q.site, sinceMs: q.sinceMs, limit: max + 1 });
  if (rows.length > max) throw new SiteReportTooLarge(q.site, q.sinceMs, max);
  return buildSiteReport(rows.map(siteSampleOf), { site: q.site, sinceMs: q.sinceMs, choice: q.choice, settings: { timeZone: q.timeZone } });
}
