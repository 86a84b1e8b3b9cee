/**
 * The page in another site's frame: posts its messages (src/protocol/embed.ts) to the parent,
 * only to the origin that framed it and only when the server lists that origin
 * (`serve --embed-origins`, read from /api/config). Not framed, or framed by an origin not
 * listed: it posts nothing (the server's CSP keeps such a frame from loading the page at all).
 */
import { embedMessage, embedTarget, type EmbedMessage, type EmbedMessageType } from '../protocol/embed.js';
import { pageMessages } from './i18n.js';

/**
 * The origin of the page that framed this one: `location.ancestorOrigins[0]` where the browser
 * has it (Chromium, WebKit: the parent's origin, whatever its referrer policy), else the origin of
 * `document.referrer` (the parent's URL or origin, as its referrer policy lets it through); null
 * when neither names an http(s) origin (`no-referrer`, a sandboxed parent's opaque origin).
 */
export function framingOrigin(ancestorOrigins: readonly string[] | null, referrer: string): string | null {
  const first = ancestorOrigins?.[0];
  const text = ancestorOrigins !== null && ancestorOrigins.length > 0 ? (first ?? '') : referrer;
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return null;
  }
  return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : null;
}

export interface EmbedPoster {
  /** Posts one message to the parent (after the server's list is known; nothing when the framing origin is not listed). */
  post(type: EmbedMessageType, fields: Pick<EmbedMessage, 'code' | 'verdict' | 'answer'>): void;
}

/**
 * The poster of this page, or null when it is not in a frame. `listed`: the origins the server
 * lists, resolved once its configuration is read (an empty list when it could not be read: then
 * nothing is posted).
 */
export function embedPoster(listed: Promise<readonly string[]>): EmbedPoster | null {
  if (window.parent === window) return null;
  const ancestors = location.ancestorOrigins === undefined ? null : Array.from(location.ancestorOrigins);
  const target = listed.then((origins) => embedTarget(origins, framingOrigin(ancestors, document.referrer)));
  let queue = Promise.resolve();
  return {
    post(type, fields) {
      // In order, each once the target is known.
      queue = queue.then(async () => {
        const origin = await target;
        // The language the page's sentences are in (src/web/i18n.ts).
        if (origin !== null) window.parent.postMessage(embedMessage(type, { ...fields, lang: pageMessages().lang }), origin);
      });
    },
  };
}
