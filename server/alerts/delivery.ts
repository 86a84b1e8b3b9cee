/**
 * Delivery of the webhook posts kept in the store (table alert_posts), by the one instance that
 * holds the alerts lease (server/fleet/loop.ts): the oldest pending post of each site is posted
 * (sites in parallel, at most maxInFlight at once), a site's next one only after it. A post that
 * fails is tried again after a backoff (retryBaseMs doubling up to retryMaxMs) for retryForMs,
 * then given up: logged and counted. Posts survive a restart (they are in the store), and a post
 * whose answer was lost (the process died after sending) is sent again: delivery is at least
 * once, with the post's idempotency key in every attempt (./webhook.ts).
 */
import type { AlertsRepository } from '../store/alerts/types.js';
import type { AlertsConfig } from './config.js';
import { parseEvent } from './events.js';
import { webhookPoster, WebhookError, type WebhookPoster } from './webhook.js';
import type { AlertLog } from './index.js';

export interface DeliverySettings {
  retryBaseMs: number;
  retryMaxMs: number;
  retryForMs: number;
  postsPerPass: number;
  webhookTimeoutMs: number;
  maxInFlight: number;
}

/** The wait before the next try after `attempts` failed ones (1, 2, 3 ...): base doubled each time, at most max. */
export function backoffMs(attempts: number, s: Pick<DeliverySettings, 'retryBaseMs' | 'retryMaxMs'>): number {
  return Math.min(s.retryMaxMs, s.retryBaseMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));
}

export class AlertDelivery {
  /** Attempts by outcome (callprobe_alert_posts_total{outcome}): delivered, failed (tried again later), gave-up. */
  readonly counts = { delivered: 0, failed: 0, gaveUp: 0 };
  private readonly poster: WebhookPoster;

  constructor(
    private readonly store: AlertsRepository,
    config: Pick<AlertsConfig, 'webhook'>,
    private readonly log: AlertLog,
    private readonly settings: DeliverySettings,
    poster?: WebhookPoster,
  ) {
    this.poster = poster ?? webhookPoster({ ...config.webhook, timeoutMs: settings.webhookTimeoutMs, maxInFlight: settings.maxInFlight });
  }

  /**
   * Posts what is due at `nowMs()`, round after round while posts keep coming due (a site's next
   * post after its previous one was delivered), at most postsPerPass in all. Resolves with the
   * number of attempts made.
   */
  async deliverDue(nowMs: () => number): Promise<number> {
    let attempts = 0;
    while (attempts < this.settings.postsPerPass) {
      const due = await this.store.duePosts(nowMs(), Math.min(this.settings.maxInFlight, this.settings.postsPerPass - attempts));
      if (due.length === 0) break;
      attempts += due.length;
      await Promise.all(due.map((p) => this.attempt(p, nowMs)));
    }
    return attempts;
  }

  private async attempt(p: Awaited<ReturnType<AlertsRepository['duePosts']>>[number], nowMs: () => number): Promise<void> {
    const event = parseEvent(p.body);
    try {
      await this.poster.post(event, p.id);
      await this.store.settlePost(p.id, { kind: 'delivered' }, nowMs());
      this.counts.delivered++;
      this.log.info({ alert: event, attempts: p.attempts + 1 }, `alert webhook delivered: ${event.site} ${event.metric} ${event.state}`);
    } catch (err) {
      const error = err instanceof WebhookError ? `${err.reason}: ${err.message}` : err instanceof Error ? err.message : String(err);
      const now = nowMs();
      const nextAtMs = now + backoffMs(p.attempts + 1, this.settings);
      if (nextAtMs - p.createdAtMs > this.settings.retryForMs) {
        await this.store.settlePost(p.id, { kind: 'gave-up', error }, now);
        this.counts.gaveUp++;
        this.log.warn({ alert: event, attempts: p.attempts + 1, error }, `alert webhook given up after ${p.attempts + 1} attempts: ${error}`);
        return;
      }
      await this.store.settlePost(p.id, { kind: 'retry', nextAtMs, error }, now);
      this.counts.failed++;
      this.log.warn(
        { alert: event, attempts: p.attempts + 1, error, nextAt: new Date(nextAtMs).toISOString() },
        `alert webhook failed (tried again in ${Math.round((nextAtMs - now) / 1000)} s): ${error}`,
      );
    }
  }
}
