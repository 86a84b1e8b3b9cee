/** The sites repository: what the site report, the overview and the site rules read of the stored samples (table sites, the summary columns). */
import type { OverviewGroup } from '../../../src/analysis/site/overview.js';
import type { TargetId } from '../../../src/analysis/schema/report-schema.js';
import type { ResultKind, SampleSummary } from '../summary.js';
import type { Side } from '../../../src/protocol/could-not-finish.js';

/** A site's samples since a time (the site report). */
interface SiteQuery {
  /** Any spelling of the site's name, matched by its key (../site-key.ts). */
  site: string;
  /** Tests started at or after this (ms since the epoch). */
  sinceMs: number;
  /** At most this many rows, oldest first. */
  limit: number;
}

/** What a site report reads of one stored sample: its summary columns (migration 2), never the report body. */
export interface SiteSampleRow {
  id: string;
  code: string;
  sampleId: string | null;
  kind: ResultKind;
  startedAtMs: number;
  verdict: string | null;
  summary: SampleSummary;
}

/** One known site (table sites): its key, the name to show, and when it was last heard of. */
export interface KnownSite {
  key: string;
  /** The newest spelling stored. */
  display: string;
  firstStartedAtMs: number;
  /** The newest sample's start, whatever it was. */
  lastStartedAtMs: number;
  /** The newest report's start (a sample that tested), or null when none ever did. */
  lastReportAtMs: number | null;
  lastStoredAtMs: number;
  /**
   * When the newest report was stored (the server's clock), or null when none ever was: with
   * lastReportAtMs, when the site was last heard of (src/analysis/site/health.ts lastReportHeardAtMs).
   */
  lastReportStoredAtMs: number | null;
}

/** One stored sample as the site rules read it (the could-not-test and could-not-judge rules). */
export interface SiteOutcome {
  startedAtMs: number;
  /** A could-not-test sample's reason (a record's, or a report that could not connect), or null. */
  couldNotTest: string | null;
  /** Its side (src/protocol/could-not-finish.ts), as stored; null when not stored (then its reason's) or not could-not-test. */
  side: Side | null;
  /** A report's targets none of whose directions could be judged (null for a sample that is not a report). */
  notJudged: readonly TargetId[] | null;
}

/** The all-sites overview's query: every site's samples started at or after `sinceMs`. */
interface OverviewQuery {
  sinceMs: number;
}

export interface SitesRepository {
  /** Every site that has a stored sample (table sites), by key. */
  list(): Promise<KnownSite[]>;
  /**
   * One site's samples started at or after `sinceMs`, oldest first (then by id): served by the
   * index results_site_key_started_at (site_key, started_at) of migration 5.
   */
  samples(query: SiteQuery): Promise<SiteSampleRow[]>;
  /**
   * Every site's samples since a time, grouped by site, body state, profile and probe path, with
   * each metric's counts and nearest-rank P90 (src/analysis/measure/percentile.ts): from the
   * summary columns only (PostgreSQL: percentile_disc in the database; SQLite: in TS).
   */
  overview(query: OverviewQuery): Promise<OverviewGroup[]>;
  /** One site's samples started at or after `sinceMs`, oldest first: what the could-not-test and could-not-judge rules read. */
  outcomes(site: string, sinceMs: number): Promise<SiteOutcome[]>;
  /** Per site key, the could-not-test samples that started inside one of the intervals (callprobe's downtime: our outages). */
  couldNotTestDuring(intervals: ReadonlyArray<{ startMs: number; endMs: number }>): Promise<Map<string, number>>;
}
