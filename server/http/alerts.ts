/**
 * The alerts plugin: POST /api/alerts/test (the operator token), what `callprobe alerts test`
 * asks. It posts one test event (`"test": true`, server/alerts/events.ts testEvent) to every
 * webhook of serve's alerts file, at once and not through the store (nothing is kept or
 * retried), and answers what each receiver answered. 404 `no-alerts` without --alerts.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ALERTS_TEST_PATH, type AlertsTestAnswer, type AlertsTestReceiver } from '../../src/protocol/api.js';
import type { AlertsConfig } from '../alerts/config.js';
import { testEvent } from '../alerts/events.js';
import { WebhookError, webhookPoster } from '../alerts/webhook.js';
import { operatorCheck } from './access.js';
import { rateLimited, Refusal, refusalHandler } from './refusal.js';

export interface AlertsOptions {
  adminToken: string | null;
  /** The webhooks of serve --alerts, or null: no alerts file. */
  webhooks: ReadonlyArray<AlertsConfig['webhook']> | null;
  /** One post's timeout (the delivery's). */
  webhookTimeoutMs: number;
  /** Test posts a minute per source. */
  testsPerMinute: number;
  nowMs: () => number;
}

/** The origin of a webhook URL: its path, which often holds the webhook's secret (Teams, Slack), is never echoed. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the webhook';
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
      if (opts.webhooks === null || opts.webhooks.length === 0)
        throw new Refusal('no-alerts', 'this server posts no alerts: start serve with --alerts FILE (its webhook is where the test goes)', 404);
      const event = testEvent(req.hostname, opts.nowMs());
      const receivers = await Promise.all(
        opts.webhooks.map(async (w): Promise<AlertsTestReceiver> => {
          const base = { webhook: originOf(w.url), format: w.format };
          try {
            const status = await webhookPoster({ ...w, timeoutMs: opts.webhookTimeoutMs, maxInFlight: 1 }).post(event, randomBytes(16).toString('hex'));
            return { ...base, ok: true, status, message: `the webhook answered ${status}` };
          } catch (err) {
            if (!(err instanceof WebhookError)) throw err;
            return { ...base, ok: false, status: err.status, message: err.message };
          }
        }),
      );
      req.log.info({ alertsTest: receivers }, `alerts test posted to ${receivers.length} webhook(s): ${receivers.filter((r) => r.ok).length} answered 2xx`);
      reply.header('cache-control', 'no-store');
      return { receivers };
    },
  );
};
