/** The alerts repository: each site rule's state (table alert_states) and the webhook posts its changes make (table alert_posts). */
import type { AlertTrack } from '../../../src/analysis/alert/hysteresis.js';
import type { TargetId } from '../../../src/analysis/schema/report-schema.js';

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
interface NewAlertPost {
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

export interface AlertsRepository {
  /**
   * Site alerts (serve --alerts): in one transaction that holds the site's alert state rows of
   * `metrics` (PostgreSQL: inserted if missing, then SELECT ... FOR UPDATE; SQLite: BEGIN
   * IMMEDIATE), reads each P90 rule's window (`specs`) from the summary columns and the states,
   * calls `decide`, writes the states and keeps the webhook posts it returns, commits. Two
   * instances evaluating one site run one after the other, each seeing the other's committed
   * state: a change of state is decided by exactly one of them.
   */
  evaluate(site: string, specs: readonly AlertWindowSpec[], metrics: readonly AlertMetric[], decide: AlertDecide): Promise<void>;
  /** Every raised alert (the overview and the console flag them). */
  raised(): Promise<RaisedAlert[]>;
  /** The oldest pending post of each site whose next attempt is due, oldest first, at most `limit` (a site's later posts wait for it). */
  duePosts(nowMs: number, limit: number): Promise<AlertPost[]>;
  /** Records what became of an attempt of a post. */
  settlePost(id: string, outcome: PostOutcome, nowMs: number): Promise<void>;
  /** Posts still pending. */
  pendingPosts(): Promise<number>;
}
