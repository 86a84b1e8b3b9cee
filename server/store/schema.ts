/**
 * The one schema of the results store, as migrations both SQLite and PostgreSQL run (plain SQL
 * both accept: TEXT, BIGINT, INTEGER). Applied at start, in order, each once, recorded in
 * schema_migrations. Never edit a released migration: add the next one.
 */
import { CAUSE_COLUMNS, EDGE_COLUMNS, LOAD_COLUMNS, METRIC_COLUMNS, REGION_COLUMNS, SUMMARY_COLUMNS_2, summaryColumnType } from './summary.js';

export interface Migration {
  version: number;
  about: string;
  statements: readonly string[];
  /** After the statements, in the same transaction: fill these summary columns of existing rows from their bodies (./summary.ts). */
  backfillSummaries?: readonly string[];
  /** After the statements, in the same transaction: replace the IP addresses in existing rows' bodies and tickets (driver/backfill.ts scrubbedRow). */
  scrubBodies?: boolean;
  /** After the statements, in the same transaction: file every site name under its canonical key (results.site_key, alert_states.site; ./site-key.ts). */
  backfillSiteKeys?: boolean;
  /** After the statements, in the same transaction: fill results.unverified_site_key from the bodies that name a site without the token (driver/backfill.ts). */
  backfillUnverifiedSites?: boolean;
  /** Last, in the same transaction (after the backfills). */
  after?: readonly string[];
}

/**
 * One row per site key from the results (migration 5's backfill, and the report benchmark's
 * load): one of its spellings as the display name (the greatest; the next sample stored puts its
 * own), the first and last sample's start, the last report's start (a sample that tested) and the
 * last time one was stored.
 */
export const SITES_FROM_RESULTS = `INSERT INTO sites (site_key, display, first_started_at, last_started_at, last_report_at, last_stored_at)
  SELECT site_key, max(site), min(started_at), max(started_at), max(CASE WHEN kind = 'report' THEN started_at END), max(stored_at)
  FROM results WHERE site_key IS NOT NULL GROUP BY site_key`;

/** Every site's last report's receive time (the server's clock) from the results (migration 9, and the report benchmark's load after SITES_FROM_RESULTS). */
export const SITES_LAST_REPORT_STORED = `UPDATE sites SET last_report_stored_at =
  (SELECT max(stored_at) FROM results WHERE results.site_key = sites.site_key AND results.kind = 'report')`;

/** A stored report that tested something (migration 15): not one that connected through no relay port. */
const TESTED = "results.kind = 'report' AND results.body_state <> 'could-not-test'";

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    about: 'results (address-free reports) and result_addresses (personal data, purged sooner)',
    statements: [
      `CREATE TABLE results (
        id TEXT PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        sample_id TEXT UNIQUE,
        kind TEXT NOT NULL,
        stored_at BIGINT NOT NULL,
        started_at BIGINT NOT NULL,
        site TEXT,
        ticket TEXT,
        verdict TEXT,
        report TEXT NOT NULL
      )`,
      'CREATE INDEX results_site_started_at ON results (site, started_at)',
      'CREATE INDEX results_started_at ON results (started_at)',
      'CREATE INDEX results_stored_at ON results (stored_at)',
      `CREATE TABLE result_addresses (
        result_id TEXT NOT NULL REFERENCES results (id) ON DELETE CASCADE,
        address TEXT NOT NULL,
        truncated TEXT NOT NULL,
        stored_at BIGINT NOT NULL
      )`,
      'CREATE INDEX result_addresses_result_id ON result_addresses (result_id)',
      'CREATE INDEX result_addresses_stored_at ON result_addresses (stored_at)',
    ],
  },
  {
    version: 2,
    about:
      'summary columns (body state, profile, probe path, verdict, one column per graded metric) the site report and the all-sites overview read instead of the bodies; existing rows backfilled from their bodies',
    statements: SUMMARY_COLUMNS_2.map((c) => `ALTER TABLE results ADD COLUMN ${c} ${summaryColumnType(c)}`),
    backfillSummaries: SUMMARY_COLUMNS_2,
  },
  {
    version: 3,
    about:
      'alert_states: the hysteresis state of each (site, metric) alert rule (serve --alerts), shared by every instance on the store and kept across restarts',
    statements: [
      `CREATE TABLE alert_states (
        site TEXT NOT NULL,
        metric TEXT NOT NULL,
        state TEXT NOT NULL,
        breaches INTEGER NOT NULL,
        passes INTEGER NOT NULL,
        since_at BIGINT,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (site, metric)
      )`,
    ],
  },
  {
    version: 4,
    about:
      'no client address in a report body: IP addresses in the texts of bodies and tickets stored before the upload door replaced them (src/analysis/report/client-addresses.ts)',
    statements: [],
    scrubBodies: true,
  },
  {
    version: 5,
    about:
      'site names by canonical key (src/protocol/site-name.ts): results.site_key and its index, the display name kept in results.site; sites: one row per key (display name, first and last sample, last report); alert states re-keyed',
    statements: ['ALTER TABLE results ADD COLUMN site_key TEXT'],
    backfillSiteKeys: true,
    after: [
      'CREATE INDEX results_site_key_started_at ON results (site_key, started_at)',
      'DROP INDEX results_site_started_at',
      `CREATE TABLE sites (
        site_key TEXT PRIMARY KEY,
        display TEXT NOT NULL,
        first_started_at BIGINT NOT NULL,
        last_started_at BIGINT NOT NULL,
        last_report_at BIGINT,
        last_stored_at BIGINT NOT NULL
      )`,
      SITES_FROM_RESULTS,
    ],
  },
  {
    version: 6,
    about:
      "the fleet's health: heartbeats of every serve instance (our downtime told from the site's outages), leases (one instance sweeps and delivers), and the webhook posts waiting for delivery (retried in order per site, across restarts)",
    statements: [
      `CREATE TABLE heartbeats (
        instance TEXT PRIMARY KEY,
        started_at BIGINT NOT NULL,
        beat_at BIGINT NOT NULL,
        stopped_at BIGINT
      )`,
      'CREATE INDEX heartbeats_beat_at ON heartbeats (beat_at)',
      `CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at BIGINT NOT NULL
      )`,
      `CREATE TABLE alert_posts (
        id TEXT PRIMARY KEY,
        site_key TEXT NOT NULL,
        seq INTEGER NOT NULL,
        body TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        attempts INTEGER NOT NULL,
        next_at BIGINT NOT NULL,
        state TEXT NOT NULL,
        last_error TEXT,
        done_at BIGINT
      )`,
      'CREATE INDEX alert_posts_state ON alert_posts (state, site_key, created_at, seq)',
    ],
  },
  {
    version: 7,
    about:
      "upload-only site tokens: one row per token (its site's key and display name, the token's SHA-256, never the token), revoked in place so the list keeps what was issued",
    statements: [
      `CREATE TABLE site_tokens (
        id TEXT PRIMARY KEY,
        site_key TEXT NOT NULL,
        display TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at BIGINT NOT NULL,
        revoked_at BIGINT
      )`,
      'CREATE INDEX site_tokens_site_key ON site_tokens (site_key)',
    ],
  },
  {
    version: 8,
    about:
      "the busy line in the summary columns (the phase's verdict kind or not-run, each direction's added delay and goodput), read by the site report instead of the bodies; existing rows backfilled from their bodies",
    statements: LOAD_COLUMNS.map((c) => `ALTER TABLE results ADD COLUMN ${c} ${summaryColumnType(c)}`),
    backfillSummaries: LOAD_COLUMNS,
  },
  {
    version: 9,
    about:
      "sites: the last report's receive time on the server's clock (last_report_stored_at): a site's silence is counted from the earlier of it and the report's start, so a start the uploader wrote cannot hold a silence off; filled from the stored results",
    statements: ['ALTER TABLE sites ADD COLUMN last_report_stored_at BIGINT', SITES_LAST_REPORT_STORED],
  },
  {
    version: 10,
    about:
      "the help desk console's sessions, so a login survives a restart and is shared by every serve on the store: one row per session (the SHA-256 of its id, never the id; its user, role, start and last request), dropped once expired",
    statements: [
      `CREATE TABLE console_sessions (
        id_hash TEXT PRIMARY KEY,
        user_name TEXT NOT NULL,
        role TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        last_seen_at BIGINT NOT NULL
      )`,
      'CREATE INDEX console_sessions_created_at ON console_sessions (created_at)',
      'CREATE INDEX console_sessions_last_seen_at ON console_sessions (last_seen_at)',
    ],
  },
  {
    version: 11,
    about:
      "results.unverified_site_key: the key of a site a ?site= link named without the token (meta.siteUnverified), so the help desk's site search finds those results too, marked unverified; never read by site reports, alerts or exports; filled from the stored bodies",
    statements: ['ALTER TABLE results ADD COLUMN unverified_site_key TEXT'],
    backfillUnverifiedSites: true,
    after: ['CREATE INDEX results_unverified_site_key_started_at ON results (unverified_site_key, started_at)'],
  },
  {
    version: 12,
    about:
      "a hub's edges: edge tokens (the edge each registers, the token's SHA-256, never the token; revoked in place) and the registry, one row per edge with its last beat as sent and its relay's TURN REST secret, which the hub mints the edge's credentials with",
    statements: [
      `CREATE TABLE edge_tokens (
        id TEXT PRIMARY KEY,
        edge_id TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at BIGINT NOT NULL,
        revoked_at BIGINT
      )`,
      'CREATE INDEX edge_tokens_edge_id ON edge_tokens (edge_id)',
      `CREATE TABLE edges (
        id TEXT PRIMARY KEY,
        token_id TEXT NOT NULL,
        azure_region TEXT NOT NULL,
        state TEXT NOT NULL,
        started_at BIGINT NOT NULL,
        beat_at BIGINT NOT NULL,
        beat TEXT NOT NULL,
        turn_secret TEXT NOT NULL
      )`,
      'CREATE INDEX edges_beat_at ON edges (beat_at)',
    ],
  },
  {
    version: 13,
    about:
      'the edges in the summary columns: the edge of a hub each test ran on (edge_id, edge_region) and every edge its locate measured with its round trip (locate_edges), read by the site x region table, the overview and the exports split by edge; existing rows backfilled from their bodies',
    statements: EDGE_COLUMNS.map((c) => `ALTER TABLE results ADD COLUMN ${c} ${summaryColumnType(c)}`),
    backfillSummaries: EDGE_COLUMNS,
  },
  {
    version: 14,
    about:
      "results.previous_code: the earlier result a test was run again from (meta.previousCode, the browser's claim, kept by the upload door only for a code stored within 30 days), so the help desk sees one browser's tests linked both ways; no stored body names one yet",
    statements: ['ALTER TABLE results ADD COLUMN previous_code TEXT'],
    after: ['CREATE INDEX results_previous_code ON results (previous_code)'],
  },
  {
    version: 15,
    about:
      "why a sample could not be judged, in the summary columns: a could-not-test sample's side (outcome_side), the relay ports its network blocked (blocked_ports), a report's insufficientCause; a report that connected through no relay port tested nothing, so it becomes a could-not-test sample (body_state, body_note: its reason) and no longer counts as its site's last report; existing rows backfilled from their bodies, and each site's last report read again",
    statements: CAUSE_COLUMNS.map((c) => `ALTER TABLE results ADD COLUMN ${c} ${summaryColumnType(c)}`),
    backfillSummaries: ['body_state', 'body_note', 'report_verdict', ...CAUSE_COLUMNS],
    after: [
      `UPDATE sites SET
        last_report_at = (SELECT max(started_at) FROM results WHERE results.site_key = sites.site_key AND ${TESTED}),
        last_report_stored_at = (SELECT max(stored_at) FROM results WHERE results.site_key = sites.site_key AND ${TESTED})`,
    ],
  },
  {
    version: 16,
    about:
      "webhook posts to several receivers: alert_posts.receiver, the webhook a post goes to (one of an alerts file's webhooks or a serve --result-webhook, by an id made from its URL; '' for the posts kept before, which go to the alerts file's first webhook), each receiver's posts of one queue (site_key: a site, or result:<id> for one stored result's post) in order",
    statements: [
      "ALTER TABLE alert_posts ADD COLUMN receiver TEXT NOT NULL DEFAULT ''",
      'DROP INDEX alert_posts_state',
      'CREATE INDEX alert_posts_state ON alert_posts (state, site_key, receiver, created_at, seq)',
    ],
  },
  {
    version: 17,
    about:
      "site_tokens.awaits_first_sample: a token made with site-token create --await-first-sample, for a probe not installed yet: its site's silence is counted from its first stored sample, not from the token (1), or from the token as before (0)",
    statements: ['ALTER TABLE site_tokens ADD COLUMN awaits_first_sample INTEGER NOT NULL DEFAULT 0'],
  },
  {
    version: 18,
    about:
      "edge_tokens.azure_region and edge_tokens.hosts: the region a token's edge must claim and the hosts (a JSON list) its URLs and TURN entries may name; a token made before has neither and its edge's beats are refused (token-unbound) until the operator makes a new one",
    statements: ['ALTER TABLE edge_tokens ADD COLUMN azure_region TEXT', 'ALTER TABLE edge_tokens ADD COLUMN hosts TEXT'],
  },
  {
    version: 19,
    about:
      'results.previous_other_network: whether a kept re-run claim (previous_code) came from another network than the claimed result (1), the same (0), or could not be compared (NULL: its address no longer kept); the console marks the first',
    statements: ['ALTER TABLE results ADD COLUMN previous_other_network INTEGER'],
  },
  {
    version: 20,
    about:
      "a test asked about an Azure row and answered by its region leg is summed up as the answer to that question: the asked profile, the latency rows the region leg's, measured to the edge in region_edge_id and region_edge_region, every other row the nearest edge's; existing rows backfilled from their bodies",
    statements: REGION_COLUMNS.map((c) => `ALTER TABLE results ADD COLUMN ${c} ${summaryColumnType(c)}`),
    backfillSummaries: ['profile_id', 'profile_region', 'profile_from', 'insufficient_mask', ...METRIC_COLUMNS, ...REGION_COLUMNS],
  },
];

export const SCHEMA_MIGRATIONS_TABLE = 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)';

/** The newest schema this build knows. */
export const LATEST_SCHEMA = Math.max(...MIGRATIONS.map((m) => m.version));
