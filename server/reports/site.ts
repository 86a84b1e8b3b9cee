/**
 * The site report from the results store (issue 12): one site's stored samples since a time,
 * as their summary columns (computed at save time through the checks of accept.ts), then the pure site report
 * (src/analysis/report/site-report.ts), the same code `callprobe aggregate` runs over files.
 */
import { buildSiteReport, type SiteReport } from '../../src/analysis/report/site-report.js';
import type { PoolChoice, SiteSample } from '../../src/analysis/site/site.js';
import { sitesOverview, type SitesOverview } from '../../src/analysis/site/overview.js';
import { BOUNDS } from '../../src/protocol/defaults.js';
import { siteSampleOfSummary } from '../store/summary.js';
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
 * A stored row as the site report reads it: from its summary columns alone (../store/summary.ts,
 * computed from the body at save time), never the body. A body that was not JSON or not a
 * report of a version callprobe reads is not dropped: it is an `unreadable` sample, counted apart.
 */
export function siteSampleOf(row: SiteSampleRow): SiteSample {
  return siteSampleOfSummary({ id: row.id, code: row.code, startedAtMs: row.startedAtMs }, row.summary);
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

/** The all-sites overview since a time: the store's groups (summary columns only), graded (src/analysis/site/overview.ts). */
export async function sitesOverviewFromStore(store: ResultStore, sinceMs: number): Promise<SitesOverview> {
  return sitesOverview(await store.siteOverview({ sinceMs }), sinceMs);
}
