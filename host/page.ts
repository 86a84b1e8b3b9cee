/**
 * The built page served the way it must be, by `serve` and by `run --turn`'s page host alike:
 * every answer carries the Content-Security-Policy and the cross-origin isolation headers, and
 * the files of the build (vite's output) are served as they are. No page may frame any answer
 * (`frame-ancestors 'none'`), except the test page itself for the origins `serve
 * --embed-origins` lists; `/r/<code>` and the console are never framed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/**
 * Content-Security-Policy of the page: its own scripts, worker, styles and API only; the inline
 * <style> blocks of the built index.html by their hashes. WebRTC to the relay is not governed
 * by CSP; media-src blob: lets the echo test play its own recording; connect-src 'self' covers /api/config and the same-origin WebSocket, and a hub adds
 * its edges' signalling origins (`connectSources`).
 */
function contentSecurityPolicy(hashes: readonly string[], connectSources: readonly string[], frameAncestors: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "worker-src 'self'",
    `style-src 'self' ${hashes.join(' ')}`.trim(),
    "img-src 'self' data:",
    "font-src 'self'",
    // The echo test plays back the page's own recording of what came back (an object URL).
    'media-src blob:',
    ["connect-src 'self'", ...connectSources].join(' '),
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors.length === 0 ? "'none'" : frameAncestors.join(' ')}`,
    "object-src 'none'",
  ].join('; ');
}

/** The CSP hashes of the built index.html's inline <style> blocks. */
function styleHashes(indexHtml: string): string[] {
  return [...indexHtml.matchAll(/<style>([\s\S]*?)<\/style>/g)].map(
    (m) =>
      `'sha256-${createHash('sha256')
        .update(m[1] ?? '', 'utf8')
        .digest('base64')}'`,
  );
}

/** Cross-origin isolation: lets the pacing worker use Atomics.wait and sharpens performance.now(). */
const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
} as const;

/** Where the page's headers vary: what `serve` was told (absent: a lone page, framed by no one). */
export interface PageHeaderOptions {
  /** Origins the page may also connect to (a hub's edges, ws: or wss:), read at each answer. */
  connectSources?: () => readonly string[];
  /** Exact origins (`https://help.example.com`) whose pages may frame the test page; empty: none. */
  embedOrigins?: readonly string[];
}

/** The test page's own paths (a query string aside): only these may be framed. `/r/<code>` and the console never are. */
const TEST_PAGE_PATHS: ReadonlySet<string> = new Set(['/', '/index.html']);

/**
 * Whether a request path is the test page or one of the files it loads (vite's `assets/`), which
 * a parent page that is itself cross-origin isolated (COEP require-corp) needs marked
 * `Cross-Origin-Resource-Policy: cross-origin` to load in its frame.
 */
function pageAnswer(url: string): 'page' | 'asset' | 'other' {
  const path = url.split('?', 1)[0] ?? '';
  if (TEST_PAGE_PATHS.has(path)) return 'page';
  return path.startsWith('/assets/') ? 'asset' : 'other';
}

/**
 * Gives every answer of `app` the page's headers (whatever route answers: the page, the API, an
 * error). With `embedOrigins`, the test page alone names them in `frame-ancestors`, and it and
 * its files are marked `Cross-Origin-Resource-Policy: cross-origin` (Fetch, §3.7 CORP), so a
 * cross-origin-isolated parent may frame it.
 */
export function addPageHeaders(app: FastifyInstance, webRoot: string, o: PageHeaderOptions = {}): void {
  const indexPath = join(webRoot, 'index.html');
  const hashes = styleHashes(existsSync(indexPath) ? readFileSync(indexPath, 'utf8') : '');
  const embed = o.embedOrigins ?? [];
  const connectSources = o.connectSources ?? (() => []);
  const plain = contentSecurityPolicy(hashes, []);
  app.addHook('onSend', async (req, reply) => {
    const extra = connectSources();
    const answer = embed.length === 0 ? 'other' : pageAnswer(req.url);
    const framedBy = answer === 'page' ? embed : [];
    reply.headers(ISOLATION_HEADERS);
    reply.header('content-security-policy', extra.length === 0 && framedBy.length === 0 ? plain : contentSecurityPolicy(hashes, extra, framedBy));
    if (answer !== 'other') reply.header('cross-origin-resource-policy', 'cross-origin');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });
}

/**
 * How long a browser keeps the page's files. vite names each file of `assets/` by a hash of its
 * content, so a name never stands for other bytes: a browser keeps them a year without asking
 * again (RFC 9111 §5.2.2.1; `immutable`, RFC 8246). Everything else (index.html, which names the
 * current files, the console's page) is asked again on each visit and answered 304 while
 * unchanged (RFC 9111 §5.2.2.4).
 */
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';
export const PAGE_CACHE_CONTROL = 'no-cache';

/**
 * Serves the built page's files from `webRoot`; returns false (and serves nothing) when the page
 * is not built. A file of `assets/` with a Brotli or gzip copy beside it (scripts/compress-web.js)
 * is sent compressed to a browser that accepts it: about a third of the bytes, and no compression
 * work per request. The page itself is never sent from a copy: it is not hashed, so a copy could
 * be older than it.
 */
export async function servePageFiles(app: FastifyInstance, webRoot: string): Promise<boolean> {
  if (!existsSync(webRoot)) return false;
  const root = resolve(webRoot);
  await app.register(fastifyStatic, {
    root,
    index: 'index.html',
    cacheControl: false,
    setHeaders: (res) => res.setHeader('cache-control', PAGE_CACHE_CONTROL),
  });
  const assets = join(root, 'assets');
  // A build always has it; a page without one (some tests') has its files served as above.
  if (!existsSync(assets)) return true;
  await app.register(fastifyStatic, {
    root: assets,
    prefix: '/assets/',
    decorateReply: false,
    preCompressed: true,
    cacheControl: false,
    setHeaders: (res) => {
      res.setHeader('cache-control', ASSET_CACHE_CONTROL);
      // The same address answers in more than one encoding (RFC 9110 §12.5.5).
      res.setHeader('vary', 'accept-encoding');
    },
  });
  return true;
}
