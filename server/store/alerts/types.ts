/** The alerts repository: each site rule's state (table alert_states) and the webhook posts its changes make (table alert_posts). */
import type { AlertTrack } from '../../../src/analysis/alert/hysteresis.js';
import type { TargetId } from '../../../src/analysis/schema/report-schema.js';
import type { KnownSite, SiteOutcome } from '../sites/types.js';

/**
 * One alert rule's window to read: the site's last `samples` samples that graded `metric`, or,
 * for a rule that names an edge, the site's last `samples` samples whose locate measured that
 * edge (its p50: metric latency-rtt only).
 */
export interface AlertWindowSpec {
  metric: TargetId;
  samples: number;
  edge?: string;
}

/** One sample of an alert window: its worst graded direction's value of the metric (summary columns). */
export interface AlertWindowRow {
  id: string;
  startedAtMs: number;
  value: number;
}

/** The state of a site's rule: a P90 rule's target, 'silence', 'could-not-test', or the could-not-judge rule of a target (server/alerts/config.ts). */
export type AlertMetric = TargetId | `${TargetId}@${string}` | 'silence' | 'could-not-test' | `could-not-judge:${TargetId}`;

/** The state and window key of a P90 rule: its target, or `target@edge` for a rule that names an edge. */
export function windowKey(spec: { metric: TargetId; edge?: string | undefined }): AlertMetric {
  return spec.edge === undefined ? spec.metric : `${spec.metric}@${spec.edge}`;
}

/** What an evaluation reads besides the P90 windows, in its transaction after the state rows are held. */
export interface AlertReads {
  /** The site's samples started at or after this (the could-not-test and could-not-judge windows), or absent: none read. */
  outcomesSinceMs?: number;
  /** Read the site's row (table sites: when it was last heard of): the silence rule. */
  site?: boolean;
}

/** What AlertReads asked for, read after the state rows were held (null: not asked for, or no such row). */
export interface AlertFacts {
  outcomes: readonly SiteOutcome[] | null;
  site: KnownSite | null;
}

/** A webhook post to keep (table alert_posts) in the transaction that decided its change of state (or stored its result). */
export interface NewAlertPost {
  /** What is posted (JSON): an alert's event, or what a result post is rendered from when it is sent. */
  body: string;
  /** The id of the webhook it goes to (server/alerts/receivers.ts). */
  receiver: string;
}

/** The ids of the result webhooks (serve --result-webhook) start with this; the alerts file's webhooks' with `alert:`. */
export const RESULT_RECEIVER_PREFIX = 'result:';

/** The queue (alert_posts.site_key) of one stored result's posts: each result's posts in order, no result waiting behind another. */
export const resultQueue = (resultId: string): string => `result:${resultId}`;

/** The stored result a result post's queue names, or null when the queue is a site's. */
export function resultIdOfQueue(queue: string): string | null {
  return queue.startsWith('result:') ? queue.slice('result:'.length) : null;
}

/** The posts waiting for delivery: an alerts file's, and the result webhooks'. */
export interface PendingPosts {
  alerts: number;
  results: number;
}

/**
 * Given each P90 rule's window (oldest first, by started_at then id) and each rule's stored state
 * ('ok' with no counts when new), the states to store (only those returned are written) and the
 * webhook posts the changes make, kept in the same transaction.
 */
export type AlertDecide = (
  windows: ReadonlyMap<AlertMetric, readonly AlertWindowRow[]>,
  tracks: ReadonlyMap<AlertMetric, AlertTrack>,
  facts: AlertFacts,
) => { tracks: ReadonlyMap<AlertMetric, AlertTrack>; posts: readonly NewAlertPost[] };

/** A webhook post waiting in the store (table alert_posts). */
export interface AlertPost {
  /** Its idempotency key, in the post. */
  id: string;
  /** Its queue: a site's key (that site's alerts), or resultQueue(id) (one stored result's post). */
  siteKey: string;
  /** The webhook it goes to; '' for a post kept before posts named one (the alerts file's first webhook). */
  receiver: string;
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
   * IMMEDIATE), reads each P90 rule's window (`specs`) from the summary columns, the states and
   * what `reads` asks for (the site's samples of a window, its sites row), calls `decide`, writes
   * the states and keeps the webhook posts it returns, commits. Two instances evaluating one site
   * run one after the other, each seeing the other's committed state and every sample committed
   * before its reads: a change of state is decided by exactly one of them, from facts no older
   * than the state it changes.
   */
  evaluate(site: string, specs: readonly AlertWindowSpec[], metrics: readonly AlertMetric[], decide: AlertDecide, reads?: AlertReads): Promise<void>;
  /** Every raised alert (the overview and the console flag them). */
  raised(): Promise<RaisedAlert[]>;
  /** The oldest pending post of each queue (a site's or a result's posts to one receiver) whose next attempt is due, oldest first, at most `limit` (a queue's later posts wait for it). */
  duePosts(nowMs: number, limit: number): Promise<AlertPost[]>;
  /** Records what became of an attempt of a post. */
  settlePost(id: string, outcome: PostOutcome, nowMs: number): Promise<void>;
  /** Posts still pending. */
  pendingPosts(): Promise<PendingPosts>;
  /** When the next post can be tried (the earliest next attempt of a site's oldest pending post), or null when none waits. */
  nextDueAtMs(): Promise<number | null>;
}
