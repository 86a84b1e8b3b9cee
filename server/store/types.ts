/**
 * The results store (issue 10): one interface, two implementations (SQLite embedded, PostgreSQL
 * for fleets), one schema (./schema.ts). Reports are stored as the client sent them, apart from
 * the client's address (personal data), which lives in its own table and is purged sooner.
 */

/** What a stored record is: a graded report, or a test that could not run but reached the server. */
export type ResultKind = 'report' | 'could-not-test';

/** One result to store, already validated (server/reports/accept.ts). */
import type { OverviewGroup } from '../../src/analysis/site/overview.js';
import type { SampleSummary } from './summary.js';
import type { AlertTrack } from '../../src/analysis/alert/hysteresis.js';
import type { TargetId } from '../../src/analysis/schema/report-schema.js';

export interface NewResult {
  /** Client-made id of this upload: a second put with the same one stores nothing (idempotent). */
  sampleId: string | null;
  kind: ResultKind;
  /** When the test started (report meta.startedAt, or a could-not-test record's atMs), ms since the epoch. */
  startedAtMs: number;
  site: string | null;
  ticket: string | null;
  /** pass / fail / insufficient, or null for a could-not-test record. */
  verdict: string | null;
  /** The report JSON as the client sent it (without the upload's sampleId). */
  reportJson: string;
  /** The client's address as the server saw it, or null when unknown. */
  address: string | null;
}

/** One stored result, address-free. */
export interface StoredResult {
  /** Internal id (operators). */
  id: string;
  /** What users see: `XXXX-XXXX` (src/protocol/result-code.ts). */
  code: string;
  sampleId: string | null;
  kind: ResultKind;
  storedAtMs: number;
  startedAtMs: number;
  site: string | null;
  ticket: string | null;
  verdict: string | null;
  /** The report JSON text as stored. */
  reportJson: string;
}

/** The personal data kept apart from a result (table result_addresses). */
export interface StoredAddress {
  /** The full address, e.g. 203.0.113.7 or 2001:db8:1:2::7. */
  address: string;
  /** The same address truncated: IPv4 /24, IPv6 /48 (e.g. 203.0.113.0/24). */
  truncated: string;
  storedAtMs: number;
}

export interface PutOutcome {
  result: StoredResult;
  /** False when this sampleId was already stored: `result` is the first record. */
  created: boolean;
}

export interface ListQuery {
  /** Only tests started at or after this (ms since the epoch). */
  sinceMs: number | null;
  /** Only this site (exact match). */
  site: string | null;
  /** At most this many rows, oldest first (newest first with `newestFirst`). */
  limit: number;
  /** Only tests started before this (ms since the epoch). */
  untilMs?: number | null;
  /** Only this ticket reference (exact match). */
  ticket?: string | null;
  /** Only this verdict (pass / fail / insufficient). */
  verdict?: string | null;
  /** Only could-not-test records (true) or only reports (false). */
  couldNotTest?: boolean | null;
  /** The help desk console's search: newest first. */
  newestFirst?: boolean;
}

/** A site's samples since a time (the site report, issue 12). */
export interface SiteQuery {
  /** Exact match. */
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

/** The all-sites overview's query: every site's samples started at or after `sinceMs`. */
export interface OverviewQuery {
  sinceMs: number;
}

/** One alert rule's window to read: the site's last `samples` samples that graded `metric`. */
export interface AlertWindowSpec {
  metric: TargetId;
  samples: number;
}

/** One sample of an alert window: its worst graded direction's value of the metric (summary columns). */
export interface AlertWindowRow {
  id: string;
  startedAtMs: number;
  value: number;
}

/**
 * Given each metric's window (oldest first, by started_at then id) and its stored state ('ok' with
 * no counts when new), the states to store: only those returned are written.
 */
export type AlertDecide = (
  windows: ReadonlyMap<TargetId, readonly AlertWindowRow[]>,
  tracks: ReadonlyMap<TargetId, AlertTrack>,
) => ReadonlyMap<TargetId, AlertTrack>;

export interface PurgeOutcome {
  addressesDeleted: number;
  resultsDeleted: number;
}

export interface ResultStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Stores one result with a fresh id and code; resolves once it is durable (an acknowledged 201 survives kill -9). */
  put(result: NewResult): Promise<PutOutcome>;
  /** By its canonical code `XXXX-XXXX`. */
  getByCode(code: string): Promise<StoredResult | null>;
  /** By its internal id, with the addresses still kept (operators only). */
  getById(id: string): Promise<(StoredResult & { addresses: StoredAddress[] }) | null>;
  /** Oldest test first; the export reads this. */
  list(query: ListQuery): Promise<StoredResult[]>;
  /**
   * One site's samples started at or after `sinceMs`, oldest first (then by id): served by the
   * index results_site_started_at (site, started_at) of migration 1.
   */
  siteSamples(query: SiteQuery): Promise<SiteSampleRow[]>;
  /**
   * Every site's samples since a time, grouped by site, body state, profile and probe path, with
   * each metric's counts and nearest-rank P90 (src/analysis/measure/percentile.ts): from the
   * summary columns only (PostgreSQL: percentile_disc in the database; SQLite: in TS).
   */
  siteOverview(query: OverviewQuery): Promise<OverviewGroup[]>;
  /**
   * Site alerts (serve --alerts): in one transaction that holds the site's alert state rows
   * (PostgreSQL: inserted if missing, then SELECT ... FOR UPDATE; SQLite: BEGIN IMMEDIATE), reads
   * each metric's window from the summary columns and its state, calls `decide`, writes the states
   * it returns, commits. Two instances evaluating one site run one after the other, each seeing
   * the other's committed state: a change of state is decided by exactly one of them.
   */
  evaluateAlerts(site: string, specs: readonly AlertWindowSpec[], decide: AlertDecide): Promise<void>;
  /** Deletes addresses older than retainIpDays and results older than retainDays, as of `nowMs`. */
  purge(nowMs: number): Promise<PurgeOutcome>;
  close(): Promise<void>;
}

/** What both implementations are given: the clock, the randomness and the retention periods. */
export interface StoreOptions {
  nowMs(): number;
  /** Cryptographic randomness (node:crypto randomBytes in the server, a seeded source in tests). */
  randomBytes(n: number): Uint8Array;
  retainDays: number;
  retainIpDays: number;
  /** Problems outside any request (a lost idle connection), for the server's log. */
  warn(message: string): void;
}

export type StoreErrorReason = 'open-failed' | 'newer-schema' | 'migration-failed' | 'no-free-code' | 'bad-row';

/** Typed error of the store: the database cannot be opened or migrated, or a row is not ours. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly reason: StoreErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const DAY_MS = 86_400_000;
