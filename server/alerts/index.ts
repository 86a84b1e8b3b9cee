/**
 * Site alerts behind `serve --alerts FILE` (issue 12): every stored report with a site feeds
 * the hysteresis machine (src/analysis/alert), and each change of state is posted once to the
 * operator's webhook. State lives in this process: samples are taken in the order they are
 * stored (a spooled backlog arrives late but in order), and a restart starts every site at 'ok'.
 */
import { AlertMachine, sampleValues, type AlertEvent } from '../../src/analysis/alert/hysteresis.js';
import type { GradeEntry } from '../../src/analysis/schema/report-schema.js';
import { DEFAULTS } from '../../src/protocol/defaults.js';
import type { AlertsConfig } from './config.js';
import { webhookPoster, WebhookError, type WebhookPoster } from './webhook.js';

export interface AlertLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export class SiteAlerts {
  private readonly machine: AlertMachine;
  private readonly poster: WebhookPoster;
  /** Posted, failed (by reason): for /metrics and tests. */
  readonly counts = { posted: 0, failed: new Map<WebhookError['reason'], number>() };

  constructor(
    config: AlertsConfig,
    private readonly log: AlertLog,
    poster?: WebhookPoster,
  ) {
    this.machine = new AlertMachine(config.rules);
    this.poster = poster ?? webhookPoster({ ...config.webhook, timeoutMs: DEFAULTS.alerts.webhookTimeoutMs, maxInFlight: DEFAULTS.alerts.maxInFlight });
  }

  /** One stored report of `site`; posts the events it causes (without waiting for them). */
  observe(site: string, startedAtMs: number, grades: ReadonlyArray<Pick<GradeEntry, 'target' | 'value' | 'threshold' | 'status'>>): AlertEvent[] {
    const events = this.machine.observe(site, startedAtMs, sampleValues(grades));
    for (const e of events) {
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
    return events;
  }
}
