/**
 * Site alerts behind `serve --alerts FILE` (issue 12): every stored report with a site is
 * followed by one evaluation of the site's rules, and each change of state is posted once to the
 * operator's webhook.
 *
 * State lives in the results store (table alert_states, migration 3), not in the process: the
 * window of a rule is the site's last N stored samples that graded its metric (by started_at,
 * read from the summary columns), and the evaluation runs in one transaction per site that holds
 * the site's state rows (ResultStore.evaluateAlerts). Any number of `callprobe serve` instances
 * sharing one store therefore count one sequence of evaluations per (site, metric), and exactly
 * one of them decides each change; that instance posts it after its commit. A restart keeps every
 * raised alert raised.
 *
 * Late samples (a spooled backlog, a second probe of the site): the window is by started_at, not
 * by arrival. A stored sample that is not in its rule's window (older than the window's N newest)
 * changes nothing and counts nothing. One inside it re-evaluates the window, and counts as one
 * evaluation; a change it causes is dated at the window's newest sample, never before the current
 * state's `since`.
 */
import { alertEvent, evaluateWindow, INITIAL_TRACK, sampleValues, type AlertEvent, type AlertTrack } from '../../src/analysis/alert/hysteresis.js';
import type { GradeEntry, TargetId } from '../../src/analysis/schema/report-schema.js';
import { DEFAULTS } from '../../src/protocol/defaults.js';
import type { ResultStore } from '../store/types.js';
import type { AlertsConfig } from './config.js';
import { webhookPoster, WebhookError, type WebhookPoster } from './webhook.js';

export interface AlertLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** The stored sample an evaluation follows. */
export interface StoredSample {
  /** The store's id of the new result. */
  id: string;
  site: string;
  grades: ReadonlyArray<Pick<GradeEntry, 'target' | 'value' | 'threshold' | 'status'>>;
}

export class SiteAlerts {
  private readonly poster: WebhookPoster;
  /** Posted, failed (by reason), evaluations that failed in the store: for /metrics and tests. */
  readonly counts = { posted: 0, failed: new Map<WebhookError['reason'], number>(), evaluationsFailed: 0 };

  constructor(
    private readonly config: AlertsConfig,
    private readonly store: ResultStore,
    private readonly log: AlertLog,
    poster?: WebhookPoster,
  ) {
    this.poster = poster ?? webhookPoster({ ...config.webhook, timeoutMs: DEFAULTS.alerts.webhookTimeoutMs, maxInFlight: DEFAULTS.alerts.maxInFlight });
  }

  /**
   * Evaluates the site's rules after one newly stored report and posts the changes this instance
   * decided (without waiting for the posts). Resolves with those events once the state is
   * committed; a store failure is logged and counted (the result itself is stored already) and
   * resolves with none.
   */
  async afterStored(sample: StoredSample): Promise<AlertEvent[]> {
    const values = sampleValues(sample.grades);
    const rules = this.config.rules.filter((r) => values.has(r.target));
    if (rules.length === 0) return [];
    let events: AlertEvent[] = [];
    try {
      await this.store.evaluateAlerts(
        sample.site,
        rules.map((r) => ({ metric: r.target, samples: r.samples })),
        (windows, tracks) => {
          // Decided afresh on every call: only the committed attempt's events are posted.
          events = [];
          const next = new Map<TargetId, AlertTrack>();
          for (const rule of rules) {
            const v = values.get(rule.target);
            const window = windows.get(rule.target) ?? [];
            const newest = window.at(-1);
            // Not in the window (a late sample older than the N newest): nothing to evaluate.
            if (v === undefined || newest === undefined || !window.some((w) => w.id === sample.id)) continue;
            const step = evaluateWindow(
              tracks.get(rule.target) ?? INITIAL_TRACK,
              rule,
              window.map((w) => w.value),
              v.threshold,
              newest.startedAtMs,
            );
            next.set(rule.target, step.track);
            if (step.change !== null) events.push(alertEvent(sample.site, rule.target, v.threshold, step.change));
          }
          return next;
        },
      );
    } catch (err) {
      this.counts.evaluationsFailed++;
      this.log.warn({ site: sample.site, id: sample.id }, `alert evaluation failed: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    }
    for (const e of events) this.post(e);
    return events;
  }

  private post(e: AlertEvent): void {
    this.log.info({ alert: e }, `alert ${e.state}: ${e.site} ${e.metric}`);
    this.poster.post(e).then(
      () => {
        this.counts.posted++;
      },
      (err: unknown) => {
        const reason = err instanceof WebhookError ? err.reason : 'network';
        this.counts.failed.set(reason, (this.counts.failed.get(reason) ?? 0) + 1);
        this.log.warn({ alert: e, reason }, `alert webhook failed: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  }
}
