/**
 * Delivery of the webhook posts kept in the store (table alert_posts), by the one instance that
 * holds the alerts lease (server/fleet/loop.ts): the alerts' changes of state (./index.ts) and the
 * stored results' posts (./result-webhook.ts), each to the webhook it names. The oldest pending
 * post of each queue (a site's posts to one webhook, or one result's) is posted (queues in
 * parallel, at most maxInFlight at once), a queue's next one only after it: a webhook that is
 * down holds back no other. A post that fails is tried again after a backoff (retryBaseMs
 * doubling up to retryMaxMs) for retryForMs, then given up: logged and counted. Posts survive a
 * restart (they are in the store), and a post whose answer was lost (the process died after
 * sending) is sent again: delivery is at least once, with the post's idempotency key in every
 * attempt (./webhook.ts). A post is rendered when it is sent: an alert's event in its webhook's
 * format, a result as stored then, worded in the language its upload asked for.
 */
import type { AlertsRepository, AlertPost } from '../store/alerts/types.js';
import { resultIdOfQueue, RESULT_RECEIVER_PREFIX } from '../store/alerts/types.js';
import type { ResultsRepository } from '../store/results/types.js';
import type { AlertWebhook } from './config.js';
import { parseEvent } from './events.js';
import { webhookOrigin } from './receivers.js';
import { resultEvent } from './result-event.js';
import { resultPostLang, type ResultWebhook } from './result-webhook.js';
import { webhookBody, webhookPoster, WebhookError, type WebhookPoster } from './webhook.js';
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

/** Where the kept posts go: the alerts file's webhooks and the result webhooks, by the id each post names. */
export interface DeliveryReceivers {
  /** The alerts file's webhooks, in its order: the first takes the posts kept before posts named a webhook (receiver ''). */
  alerts: readonly AlertWebhook[];
  results: readonly ResultWebhook[];
  /** The origin the result posts' share links are on (--public-url, else where serve listens), read when a post is sent. */
  shareBase: () => string;
}

/** Attempts by outcome: delivered, failed (tried again later), gave-up. */
interface Counts {
  delivered: number;
  failed: number;
  gaveUp: number;
}

type Target = { kind: 'alert'; hook: AlertWebhook; poster: WebhookPoster } | { kind: 'result'; hook: ResultWebhook; poster: WebhookPoster };

/** A post as it goes out: its body, and the words and fields of its log lines. */
interface Rendered {
  body: unknown;
  what: string;
  fields: object;
}

export class AlertDelivery {
  /** The alerts' attempts by outcome (callprobe_alert_posts_total{outcome}). */
  readonly counts: Counts = { delivered: 0, failed: 0, gaveUp: 0 };
  /** The result posts' attempts by outcome (callprobe_result_posts_total{outcome}). */
  readonly resultCounts: Counts = { delivered: 0, failed: 0, gaveUp: 0 };
  private readonly targets = new Map<string, Target>();

  constructor(
    private readonly store: { alerts: AlertsRepository; results: Pick<ResultsRepository, 'getById'> },
    private readonly receivers: DeliveryReceivers,
    private readonly log: AlertLog,
    private readonly settings: DeliverySettings,
  ) {
    const poster = (url: string): WebhookPoster => webhookPoster({ url, timeoutMs: settings.webhookTimeoutMs, maxInFlight: settings.maxInFlight });
    for (const hook of receivers.alerts) this.targets.set(hook.id, { kind: 'alert', hook, poster: poster(hook.url) });
    for (const hook of receivers.results) this.targets.set(hook.id, { kind: 'result', hook, poster: poster(hook.url) });
  }

  /**
   * Posts what is due at `nowMs()`, round after round while posts keep coming due (a queue's next
   * post after its previous one was delivered), at most postsPerPass in all. Resolves with the
   * number of attempts made.
   */
  async deliverDue(nowMs: () => number): Promise<number> {
    let attempts = 0;
    while (attempts < this.settings.postsPerPass) {
      const due = await this.store.alerts.duePosts(nowMs(), Math.min(this.settings.maxInFlight, this.settings.postsPerPass - attempts));
      if (due.length === 0) break;
      attempts += due.length;
      await Promise.all(due.map((p) => this.attempt(p, nowMs)));
    }
    return attempts;
  }

  /** The webhook a post names ('': the alerts file's first), or undefined when it is no longer configured. */
  private targetOf(p: AlertPost): Target | undefined {
    return this.targets.get(p.receiver === '' ? (this.receivers.alerts[0]?.id ?? '') : p.receiver);
  }

  /** The post as it goes out now; null when a result post's result is no longer stored (retention). */
  private async render(t: Target, p: AlertPost): Promise<Rendered | null> {
    if (t.kind === 'alert') {
      const event = parseEvent(p.body);
      return {
        body: webhookBody(event, t.hook.format, p.id),
        what: `alert webhook delivered: ${event.site} ${event.metric} ${event.state}`,
        fields: { alert: event },
      };
    }
    const id = resultIdOfQueue(p.siteKey);
    const stored = id === null ? null : await this.store.results.getById(id);
    if (stored === null) return null;
    const event = await resultEvent(stored, resultPostLang(p.body), this.receivers.shareBase());
    return {
      body: { ...event, idempotencyKey: p.id },
      what: `result webhook delivered: ${event.code}${event.ticket === null ? '' : ` (ticket ${event.ticket})`} to ${webhookOrigin(t.hook.url)}`,
      fields: { result: { code: event.code, ticket: event.ticket, site: event.site, verdict: event.verdict } },
    };
  }

  private async attempt(p: AlertPost, nowMs: () => number): Promise<void> {
    const t = this.targetOf(p);
    const kind = p.receiver.startsWith(RESULT_RECEIVER_PREFIX) ? 'result' : 'alert';
    const counts = kind === 'result' ? this.resultCounts : this.counts;
    const giveUp = async (error: string, fields: object): Promise<void> => {
      await this.store.alerts.settlePost(p.id, { kind: 'gave-up', error }, nowMs());
      counts.gaveUp++;
      this.log.warn({ ...fields, attempts: p.attempts + 1, error }, `${kind} webhook given up after ${p.attempts + 1} attempts: ${error}`);
    };
    if (t === undefined) return giveUp('its webhook is no longer configured (removed from the alerts file or the --result-webhook flags)', { post: p.id });
    let fields: object = { post: p.id };
    try {
      const out = await this.render(t, p);
      if (out === null) return await giveUp('its result is no longer stored (retention)', fields);
      fields = out.fields;
      await t.poster.post(out.body, p.id);
      await this.store.alerts.settlePost(p.id, { kind: 'delivered' }, nowMs());
      counts.delivered++;
      this.log.info({ ...fields, attempts: p.attempts + 1 }, out.what);
    } catch (err) {
      const error = err instanceof WebhookError ? `${err.reason}: ${err.message}` : err instanceof Error ? err.message : String(err);
      const now = nowMs();
      const nextAtMs = now + backoffMs(p.attempts + 1, this.settings);
      if (nextAtMs - p.createdAtMs > this.settings.retryForMs) return giveUp(error, fields);
      await this.store.alerts.settlePost(p.id, { kind: 'retry', nextAtMs, error }, now);
      counts.failed++;
      this.log.warn(
        { ...fields, attempts: p.attempts + 1, error, nextAt: new Date(nextAtMs).toISOString() },
        `${kind} webhook failed (tried again in ${Math.round((nextAtMs - now) / 1000)} s): ${error}`,
      );
    }
  }
}
