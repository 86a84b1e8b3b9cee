/**
 * Posts to the operator's webhooks: an alert event as the plain JSON body, or as the body of a
 * Microsoft Teams or Slack incoming webhook (webhookBody), and a stored result's JSON
 * (./result-webhook.ts). Bounded: a timeout, a cap on posts in flight. Each post carries its
 * idempotency key in the `Idempotency-Key` header (IETF httpapi draft "The Idempotency-Key HTTP
 * Header Field") and, in the JSON body, as `idempotencyKey`: delivery is at least once, and a
 * receiver that saw the key before drops the repeat.
 */
import type { WebhookFormat } from './config.js';
import { alertText, type SiteAlertEvent } from './events.js';
import { TypedError } from '../../src/protocol/typed-error.js';

export { alertText };

/** The POST body for the chosen format. */
export function webhookBody(e: SiteAlertEvent, format: WebhookFormat, idempotencyKey: string): unknown {
  switch (format) {
    case 'json':
      return { ...e, idempotencyKey };
    case 'slack':
      return { text: alertText(e) };
    case 'teams':
      // Office 365 connector card (Teams incoming webhook).
      return {
        '@type': 'MessageCard',
        '@context': 'https://schema.org/extensions',
        summary: e.metric === 'test' ? 'callprobe: test event' : `callprobe: ${e.site} ${e.state}`,
        text: alertText(e),
      };
  }
}

export class WebhookError extends TypedError<'status' | 'timeout' | 'network' | 'busy'> {
  override readonly name = 'WebhookError';
  constructor(
    reason: 'status' | 'timeout' | 'network' | 'busy',
    message: string,
    /** The receiver's HTTP status when it answered, else null. */
    readonly status: number | null = null,
  ) {
    super(reason, message);
  }
}

export interface WebhookPoster {
  /** POSTs `body` as JSON with its idempotency key; resolves with the receiver's status when it answered 2xx, rejects with WebhookError otherwise. */
  post(body: unknown, idempotencyKey: string): Promise<number>;
}

export function webhookPoster(opts: { url: string; timeoutMs: number; maxInFlight: number }): WebhookPoster {
  let inFlight = 0;
  return {
    async post(body, idempotencyKey) {
      if (inFlight >= opts.maxInFlight) throw new WebhookError('busy', `${opts.maxInFlight} webhook posts already in flight: tried again later`);
      inFlight++;
      try {
        const res = await fetch(opts.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(opts.timeoutMs),
          redirect: 'error',
        });
        // The body is not needed; read it so the connection can be reused.
        await res.arrayBuffer();
        if (!res.ok) throw new WebhookError('status', `the webhook answered ${res.status}`, res.status);
        return res.status;
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
