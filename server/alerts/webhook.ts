/**
 * Alert events to the operator's webhook: the plain JSON body, or the body of a Microsoft Teams
 * or Slack incoming webhook. Bounded: one POST per event, a timeout, a cap on posts in flight.
 */
import type { AlertEvent } from '../../src/analysis/alert/hysteresis.js';
import { TARGET_LABELS, targetUnit } from '../../src/analysis/grade/targets.js';
import type { WebhookFormat } from './config.js';

/** One line a person reads: "Paris: round trip P90 150 ms is above its 100 ms target (raised since ...)". */
export function alertText(e: AlertEvent): string {
  const u = targetUnit(e.metric);
  const what = `${e.site}: ${TARGET_LABELS[e.metric].toLowerCase()} P90 ${e.p90} ${u}`;
  return e.state === 'raised'
    ? `${what} is not below its ${e.target} ${u} target (alert raised ${e.since})`
    : `${what} is back below its ${e.target} ${u} target (alert cleared ${e.since})`;
}

/** The POST body for the chosen format. */
export function webhookBody(e: AlertEvent, format: WebhookFormat): unknown {
  switch (format) {
    case 'json':
      return { site: e.site, metric: e.metric, p90: e.p90, target: e.target, state: e.state, since: e.since };
    case 'slack':
      return { text: alertText(e) };
    case 'teams':
      // Office 365 connector card (Teams incoming webhook).
      return { '@type': 'MessageCard', '@context': 'https://schema.org/extensions', summary: `callprobe: ${e.site} ${e.state}`, text: alertText(e) };
  }
}

export class WebhookError extends Error {
  override readonly name = 'WebhookError';
  constructor(
    readonly reason: 'status' | 'timeout' | 'network' | 'busy',
    message: string,
  ) {
    super(message);
  }
}

export interface WebhookPoster {
  /** Resolves when the receiver answered 2xx; rejects with WebhookError otherwise. */
  post(e: AlertEvent): Promise<void>;
}

export function webhookPoster(opts: { url: string; format: WebhookFormat; timeoutMs: number; maxInFlight: number }): WebhookPoster {
  let inFlight = 0;
  return {
    async post(e) {
      if (inFlight >= opts.maxInFlight) throw new WebhookError('busy', `${opts.maxInFlight} webhook posts already in flight: event dropped`);
      inFlight++;
      try {
        const res = await fetch(opts.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(webhookBody(e, opts.format)),
          signal: AbortSignal.timeout(opts.timeoutMs),
          redirect: 'error',
        });
        // The body is not needed; read it so the connection can be reused.
        await res.arrayBuffer();
        if (!res.ok) throw new WebhookError('status', `the webhook answered ${res.status}`);
      } catch (err) {
        if (err instanceof WebhookError) throw err;
        const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
        throw new WebhookError(timedOut ? 'timeout' : 'network', timedOut ? `no answer in ${opts.timeoutMs} ms` : `could not post: ${(err as Error).message}`);
      } finally {
        inFlight--;
      }
    },
  };
}
