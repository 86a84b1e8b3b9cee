/**
 * The results store: one interface, two implementations (SQLite embedded, PostgreSQL
 * for fleets), one schema (./schema.ts). Reports are stored as the client sent them, apart from
 * the client's address (personal data), which lives in its own table and is purged sooner.
 */

/** What a stored record is: a graded report, or a test that could not run but reached the server. */
export type ResultKind = 'report' | 'could-not-test';

/** One result to store, already validated (src/analysis/report/accept.ts). */
import type { OverviewGroup } from '../../src/analysis/site/overview.js';
import type { SampleSummary } from './summary.js';
import type { AlertTrack } from '../../src/analysis/alert/hysteresis.js';
import type { TargetId } from '../../src/analysis/schema/report-schema.js';
import { TypedError } from '../../src/protocol/typed-error.js';

export interface NewResult {
  /** Client-made id of this upload: a second put with the same one stores nothing (idempotent). */
  sampleId: string | null;
  kind: ResultKind;
  /** When the test started (report meta.startedAt, or a could-not-test record's atMs), ms since the epoch. */
  startedAtMs: number;
  /** The site's name as shown (the upload door stores canonicalSite's `display`); filed under its key (./site-key.ts). */
  site: string | null;
  ticket: string | null;
  /** pass / fail / insufficient, or null for a could-not-test record. */
  verdict: string | null;
  /** The report JSON as the client sent it (without the upload's sampleId). */
  reportJson: string;
  /** The client's address as the server saw it, or null when unknown. */
  address: string | null;
}

/** An upload-only site token as the store keeps it (never the token itself). */
export interface SiteToken {
  id: string;
  siteKey: string;
  /** The site's name as given when the token was made. */
  display: string;
  createdAtMs: number;
  revokedAtMs: number | null;
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
  siteKey: string | null;
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
  /** Only this site: any spelling, matched by its key (./site-key.ts). */
  site: string | null;
  /** At most this many rows, oldest first (newest first with `newestFirst`). */
  limit: number;
  /** Only tests started before this (ms since the epoch). */
  untilMs?: number | null;
  /**
   * Only tickets that start with this, letters' case ignored (the help desk types "inc-47" for
   * INC-4711; SQLite folds the case of ASCII letters only, PostgreSQL of every letter).
   */
  ticketPrefix?: string | null;
  /** Only this verdict (pass / fail / insufficient). */
  verdict?: string | null;
  /** Only could-not-test records (true) or only reports (false). */
  couldNotTest?: boolean | null;
  /** The help desk console's search: newest first. */
  newestFirst?: boolean;
}

/** A site's samples since a time (the site report). */
export interface SiteQuery {
  /** Any spelling of the site's name, matched by its key (./site-key.ts). */
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

/** The state of a site's rule: a P90 rule's target, or 'silence' or 'could-not-test' (server/alerts/config.ts). */
export type AlertMetric = TargetId | 'silence' | 'could-not-test';

/** A webhook post to keep (table alert_posts) in the transaction that decided its change of state. */
export interface NewAlertPost {
  /** The event as posted (JSON), with its idempotency key. */
  body: string;
}

/**
 * Given each P90 rule's window (oldest first, by started_at then id) and each rule's stored state
 * ('ok' with no counts when new), the states to store (only those returned are written) and the
 * webhook posts the changes make, kept in the same transaction.
 */
export type AlertDecide = (
  windows: ReadonlyMap<TargetId, readonly AlertWindowRow[]>,
  tracks: ReadonlyMap<AlertMetric, AlertTrack>,
) => { tracks: ReadonlyMap<AlertMetric, AlertTrack>; posts: readonly NewAlertPost[] };

/** One `serve` instance's run as its heartbeats left it (table heartbeats). */
export interface HeartbeatRow {
  instance: string;
  startedAtMs: number;
  lastBeatMs: number;
  /** Set by a clean stop; null while it runs or when it died. */
  stoppedAtMs: number | null;
}

/** A webhook post waiting in the store (table alert_posts). */
export interface AlertPost {
  /** Its idempotency key, in the post. */
  id: string;
  siteKey: string;
  body: string;
  createdAtMs: number;
  attempts: number;
  nextAtMs: number;
}

/** What became of one delivery attempt. */
export type PostOutcome = { kind: 'delivered' } | { kind: 'retry'; nextAtMs: number; error: string } | { kind: 'gave-up'; error: string };

/** A raised alert (table alert_states). */
export interface RaisedAlert {
  siteKey: string;
  metric: string;
  sinceMs: number | null;
}

export interface PurgeOutcome {
  addressesDeleted: number;
  resultsDeleted: number;
  /**
   * Whether every row deleted so far is gone from the store's files, not just from its tables
   * (SQLite: secure_delete zeroes it in its page, and the write-ahead log was checkpointed and
   * truncated; PostgreSQL: the address table was rewritten by VACUUM FULL). False when that
   * could not be done now (another connection reading the SQLite file): the next purge retries.
   */
  wiped: boolean;
}

export interface ResultStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Stores one result with a fresh id and code; resolves once it is durable (an acknowledged 201 survives kill -9). */
  put(result: NewResult): Promise<PutOutcome>;
  /** By its canonical code `XXXX-XXXX`. */
  getByCode(code: string): Promise<StoredResult | null>;
  /** By the client-made sampleId of its upload. */
  getBySampleId(sampleId: string): Promise<StoredResult | null>;
  /** By its internal id, with the addresses still kept (operators only). */
  getById(id: string): Promise<(StoredResult & { addresses: StoredAddress[] }) | null>;
  /** Oldest test first; the export reads this. */
  list(query: ListQuery): Promise<StoredResult[]>;
  /**
   * One site's samples started at or after `sinceMs`, oldest first (then by id): served by the
   * index results_site_key_started_at (site_key, started_at) of migration 5.
   */
  siteSamples(query: SiteQuery): Promise<SiteSampleRow[]>;
  /** Every site that has a stored sample (table sites), by key. */
  sites(): Promise<KnownSite[]>;
  /**
   * Every site's samples since a time, grouped by site, body state, profile and probe path, with
   * each metric's counts and nearest-rank P90 (src/analysis/measure/percentile.ts): from the
   * summary columns only (PostgreSQL: percentile_disc in the database; SQLite: in TS).
   */
  siteOverview(query: OverviewQuery): Promise<OverviewGroup[]>;
  /**
   * Site alerts (serve --alerts): in one transaction that holds the site's alert state rows of
   * `metrics` (PostgreSQL: inserted if missing, then SELECT ... FOR UPDATE; SQLite: BEGIN
   * IMMEDIATE), reads each P90 rule's window (`specs`) from the summary columns and the states,
   * calls `decide`, writes the states and keeps the webhook posts it returns, commits. Two instances evaluating one site run one after the other, each seeing
   * the other's committed state: a change of state is decided by exactly one of them.
   */
  evaluateAlerts(site: string, specs: readonly AlertWindowSpec[], metrics: readonly AlertMetric[], decide: AlertDecide): Promise<void>;
  /** Every raised alert (the overview and the console flag them). */
  raisedAlerts(): Promise<RaisedAlert[]>;
  /** One site's samples started at or after `sinceMs`: when each started and, for a could-not-test record, its reason (the could-not-test rule reads them). */
  siteOutcomes(site: string, sinceMs: number): Promise<Array<{ startedAtMs: number; couldNotTest: string | null }>>;
  /** Per site key, the could-not-test samples that started inside one of the intervals (callprobe's downtime: our outages). */
  couldNotTestDuring(intervals: ReadonlyArray<{ startMs: number; endMs: number }>): Promise<Map<string, number>>;
  /** Records that an instance runs (its row inserted or its beat moved), or stopped cleanly. */
  beat(instance: string, startedAtMs: number, nowMs: number, stopped: boolean): Promise<void>;
  /** The runs still up at or after `sinceMs` (their last beat or stop at or after it), and every one that began after. */
  heartbeats(sinceMs: number): Promise<HeartbeatRow[]>;
  /** Takes or renews the lease `name` for `holder` until nowMs + ttlMs; false while another holder's lease runs. */
  tryLease(name: string, holder: string, nowMs: number, ttlMs: number): Promise<boolean>;
  /** The oldest pending post of each site whose next attempt is due, oldest first, at most `limit` (a site's later posts wait for it). */
  duePosts(nowMs: number, limit: number): Promise<AlertPost[]>;
  /** Records what became of an attempt of a post. */
  settlePost(id: string, outcome: PostOutcome, nowMs: number): Promise<void>;
  /** Posts still pending. */
  pendingPosts(): Promise<number>;
  /** Deletes addresses older than retainIpDays and results older than retainDays, as of `nowMs`, and wipes them from the files. */
  /** Keeps a new upload-only site token (its hash only: ./site-tokens.ts). */
  createSiteToken(t: { id: string; siteKey: string; display: string; tokenHash: string; createdAtMs: number }): Promise<void>;
  /** The site tokens issued (revoked ones too), of one site key or of all (null). */
  siteTokens(siteKey: string | null): Promise<SiteToken[]>;
  /** Revokes a token by id: false when no live token has it. */
  revokeSiteToken(id: string, nowMs: number): Promise<boolean>;
  /** The live token with this hash, or null. */
  siteTokenByHash(tokenHash: string): Promise<SiteToken | null>;
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
export class StoreError extends TypedError<StoreErrorReason> {
  override readonly name = 'StoreError';
}

export const DAY_MS = 86_400_000;
