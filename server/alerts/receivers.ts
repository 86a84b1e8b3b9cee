/**
 * Who a kept post goes to: every webhook has an id, kept with each of its posts (alert_posts.receiver),
 * made from its URL alone, so it stays the same across restarts and a reordered alerts file, and a
 * post kept for a webhook since removed is given up rather than sent somewhere else. The URL's
 * SHA-256, cut to 16 hex digits: the store never holds the URL, whose path is often the
 * webhook's secret (Teams, Slack).
 */
import { createHash } from 'node:crypto';
import { RESULT_RECEIVER_PREFIX } from '../store/alerts/types.js';

const digest = (url: string): string => createHash('sha256').update(url).digest('hex').slice(0, 16);

/** The id of a webhook of an alerts file. */
export const alertReceiverId = (url: string): string => `alert:${digest(url)}`;

/** The id of a `serve --result-webhook`. */
export const resultReceiverId = (url: string): string => `${RESULT_RECEIVER_PREFIX}${digest(url)}`;

/** The origin of a webhook URL, what logs and answers name: its path, which often holds the webhook's secret, is never said. */
export function webhookOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the webhook';
  }
}
