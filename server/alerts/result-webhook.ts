/**
 * `serve --result-webhook URL[;ticket=PREFIX][;site=NAME][;verdicts=V,...]`: every stored result
 * that passes a webhook's filter is posted to it, for a ticketing system or a BI store. The post
 * is kept in the store in the transaction that stores the result (one per webhook, each in the
 * result's own queue: server/store/alerts/types.ts resultQueue) and delivered like the alerts'
 * (./delivery.ts: at least once, one idempotency key, retried with backoff, counted on /metrics).
 * What is posted is read when it is sent (./result-event.ts). This module is what the command
 * line reads (the flag's grammar) and the upload door asks (the filters): it loads no analysis.
 */
import { ConfigError } from '../../src/protocol/config-error.js';
import { BOUNDS } from '../../src/protocol/defaults.js';
import { pickLang, type Lang } from '../../src/protocol/lang.js';
import { canonicalSite, SiteNameError } from '../../src/protocol/site-name.js';
import type { NewAlertPost } from '../store/alerts/types.js';
import type { NewResult } from '../store/results/types.js';
import { siteKeyOf } from '../store/site-key.js';
import { resultReceiverId } from './receivers.js';

/** What a result webhook's `verdicts` filter names: a report's verdict, or `could-not-test` for a test that could not run. */
const RESULT_VERDICTS = ['pass', 'fail', 'insufficient', 'could-not-test'] as const;
type ResultVerdict = (typeof RESULT_VERDICTS)[number];

export interface ResultWebhook {
  /** Its id in the store's posts (./receivers.ts). */
  id: string;
  url: string;
  /** Only results whose ticket starts with this, any case; null: any result, with a ticket or not. */
  ticketPrefix: string | null;
  /** Only this site's results (its key; a `?site=` link without the token names no site), and its name as given; null: any. */
  site: { key: string; display: string } | null;
  /** Only these verdicts; null: any. */
  verdicts: ResultVerdict[] | null;
}

const bad = (text: string, why: string): ConfigError => new ConfigError('bad-value', `--result-webhook ${text.slice(0, 80)}: ${why}`);

/** One `--result-webhook` value: the URL, then `;`-separated filters, each at most once. */
export function parseResultWebhook(text: string): ResultWebhook {
  const [first = '', ...filters] = text.split(';');
  const url = first.trim();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad(text, 'not a URL (a filter after it follows a ";")');
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || url.length > 2048)
    throw bad(text, 'the webhook is an http:// or https:// URL of at most 2048 characters');
  const w: ResultWebhook = { id: resultReceiverId(url), url, ticketPrefix: null, site: null, verdicts: null };
  const seen = new Set<string>();
  for (const f of filters) {
    const eq = f.indexOf('=');
    const key = (eq === -1 ? f : f.slice(0, eq)).trim();
    const value = eq === -1 ? '' : f.slice(eq + 1).trim();
    if (seen.has(key)) throw bad(text, `${key} is given twice`);
    seen.add(key);
    if (value === '') throw bad(text, `"${key}" needs a value: ticket=PREFIX, site=NAME or verdicts=${RESULT_VERDICTS.join(',')}`);
    if (key === 'ticket') {
      if (value.length > BOUNDS.ticketPrefixChars) throw bad(text, `the ticket prefix is over ${BOUNDS.ticketPrefixChars} characters`);
      w.ticketPrefix = value;
    } else if (key === 'site') {
      try {
        w.site = canonicalSite(value);
      } catch (err) {
        if (err instanceof SiteNameError) throw bad(text, `site: ${err.message}`);
        throw err;
      }
    } else if (key === 'verdicts') {
      const vs = value.split(',').map((v) => v.trim());
      const unknown = vs.find((v) => !(RESULT_VERDICTS as readonly string[]).includes(v));
      if (unknown !== undefined) throw bad(text, `verdicts are ${RESULT_VERDICTS.join(', ')}, not "${unknown.slice(0, 32)}"`);
      w.verdicts = [...new Set(vs as ResultVerdict[])];
    } else throw bad(text, `unknown filter "${key.slice(0, 32)}": ticket=PREFIX, site=NAME, verdicts=V,...`);
  }
  return w;
}

/** The filter of a result webhook. */
function passes(w: ResultWebhook, r: Pick<NewResult, 'kind' | 'site' | 'ticket' | 'verdict'>): boolean {
  if (w.ticketPrefix !== null && (r.ticket === null || !r.ticket.toLowerCase().startsWith(w.ticketPrefix.toLowerCase()))) return false;
  if (w.site !== null && (r.site === null || siteKeyOf(r.site) !== w.site.key)) return false;
  const verdict = r.kind === 'could-not-test' ? 'could-not-test' : r.verdict;
  return w.verdicts === null || w.verdicts.some((v) => v === verdict);
}

/** What a result post keeps until it is sent: the language its answer is worded in (the result itself is read then). */
interface ResultPostBody {
  kind: 'result';
  lang: Lang;
}

/** The result webhooks of serve: the posts a result makes, and a delivery pass soon after they were kept. */
export class ResultPosts {
  constructor(
    readonly hooks: readonly ResultWebhook[],
    /** The origin the share links are on (--public-url, else where serve listens), read when a post is sent. */
    readonly shareBase: () => string,
    /** Told when a stored result kept posts (serve: a delivery pass soon, not at the next beat). */
    private readonly kept: () => void = () => undefined,
  ) {}

  /** The posts of a result about to be stored, uploaded in `lang`: one per webhook whose filter it passes. */
  postsFor(r: Pick<NewResult, 'kind' | 'site' | 'ticket' | 'verdict'>, lang: Lang): NewAlertPost[] {
    const body: ResultPostBody = { kind: 'result', lang };
    return this.hooks.filter((w) => passes(w, r)).map((w) => ({ receiver: w.id, body: JSON.stringify(body) }));
  }

  /** After a result was stored with `posts` kept: deliver them soon. */
  stored(posts: readonly NewAlertPost[]): void {
    if (posts.length > 0) this.kept();
  }
}

/** The language a kept result post says (English when it names none this build ships); the body is this module's JSON. */
export function resultPostLang(body: string): Lang {
  const b = JSON.parse(body) as Partial<ResultPostBody> | null;
  return pickLang([typeof b?.lang === 'string' ? b.lang : 'en']) ?? 'en';
}
