/**
 * The alerts plugin: POST /api/alerts/test (the operator token), what `callprobe alerts test`
 * asks. It posts one test event (`"test": true`: server/alerts/events.ts testEvent in each
 * webhook's format, and a result's shape to each `--result-webhook`) to every webhook of serve's
 * alerts file and every result webhook, at once and not through the store (nothing is kept or
 * retried), and answers what each receiver answered. 404 `no-alerts` with neither.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ALERTS_TEST_PATH, type AlertsTestAnswer, type AlertsTestReceiver } from '../../src/protocol/api.js';
import type { AlertWebhook } from '../alerts/config.js';
import { testEvent } from '../alerts/events.js';
import { webhookOrigin } from '../alerts/receivers.js';
import { testResultEvent } from '../alerts/result-event.js';
import type { ResultWebhook } from '../alerts/result-webhook.js';
import { webhookBody, WebhookError, webhookPoster } from '../alerts/webhook.js';
import { operatorCheck } from './access.js';
import { rateLimited, Refusal, refusalHandler } from './refusal.js';

export interface AlertsOptions {
  adminToken: string | null;
  /** The webhooks of serve --alerts, or null: no alerts file. */
  webhooks: readonly AlertWebhook[] | null;
  /** serve --result-webhook (none: empty), and the origin of their share links. */
  resultWebhooks: readonly ResultWebhook[];
  shareBase: () => string;
  /** One post's timeout (the delivery's). */
  webhookTimeoutMs: number;
  /** Test posts a minute per source. */
  testsPerMinute: number;
  nowMs: () => number;
}

/** One test post to `url` (the body made with its idempotency key) and what its receiver answered. */
async function tested(
  url: string,
  body: (key: string) => unknown,
  about: Pick<AlertsTestReceiver, 'format' | 'receives'>,
  timeoutMs: number,
): Promise<AlertsTestReceiver> {
  const head = { webhook: webhookOrigin(url), ...about };
  const key = randomBytes(16).toString('hex');
  try {
    const status = await webhookPoster({ url, timeoutMs, maxInFlight: 1 }).post(body(key), key);
    return { ...head, ok: true, status, message: `the webhook answered ${status}` };
  } catch (err) {
    if (!(err instanceof WebhookError)) throw err;
    return { ...head, ok: false, status: err.status, message: err.message };
  }
}

export const alertsPlugin: FastifyPluginAsync<AlertsOptions> = async (app, opts) => {
  app.setErrorHandler(refusalHandler);
  const operator = async (req: FastifyRequest): Promise<void> => {
    const who = operatorCheck(req, opts.adminToken);
    if (who !== 'ok') throw who;
  };

  app.post(
    ALERTS_TEST_PATH,
    { config: rateLimited(opts.testsPerMinute, 'alerts-test'), preValidation: operator },
    async (req, reply): Promise<AlertsTestAnswer> => {
      const alerts = opts.webhooks ?? [];
      if (alerts.length === 0 && opts.resultWebhooks.length === 0)
        throw new Refusal(
          'no-alerts',
          'this server posts no alerts and no results: start serve with --alerts FILE or --result-webhook URL (their webhooks are where the test goes)',
          404,
        );
      const event = testEvent(req.hostname, opts.nowMs());
      const result = testResultEvent(req.hostname, opts.shareBase(), opts.nowMs());
      const receivers = await Promise.all([
        ...alerts.map((w) => tested(w.url, (key) => webhookBody(event, w.format, key), { format: w.format, receives: 'alerts' }, opts.webhookTimeoutMs)),
        ...opts.resultWebhooks.map((w) =>
          tested(w.url, (key) => ({ ...result, idempotencyKey: key }), { format: 'json', receives: 'results' }, opts.webhookTimeoutMs),
        ),
      ]);
      req.log.info({ alertsTest: receivers }, `alerts test posted to ${receivers.length} webhook(s): ${receivers.filter((r) => r.ok).length} answered 2xx`);
      reply.header('cache-control', 'no-store');
      return { receivers };
    },
  );
};
