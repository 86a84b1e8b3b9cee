/**
 * The built page served the way it must be, by `serve` and by `run --turn`'s page host alike:
 * every answer carries the Content-Security-Policy and the cross-origin isolation headers, and
 * the files of the build (vite's output) are served as they are. No page may frame any answer
 * (`frame-ancestors 'none'`), except the test page itself for the origins `serve
 * --embed-origins` lists; `/r/<code>` and the console are never framed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import negotiate from '@fastify/accept-negotiator';

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

/** A file of `assets/` as it is sent: its bytes in each encoding the build left, each with its own entity tag. */
interface AssetVariant {
  readonly bytes: Buffer;
  readonly etag: string;
}
interface Asset {
  readonly contentType: string;
  readonly identity: AssetVariant;
  readonly br: AssetVariant | null;
  readonly gzip: AssetVariant | null;
}

/** The types of what vite writes to `assets/` (anything else is sent as bytes). */
const ASSET_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/**
 * What of `assets/` is kept in memory: every file but the source maps (only a developer's tools
 * ask for them; they are sent from disk) and a file or a build past these sizes (a build here is
 * about 2 MiB with its copies).
 */
const ASSET_FILE_MAX_BYTES = 4 * 1024 * 1024;
const ASSETS_MAX_BYTES = 32 * 1024 * 1024;

function variant(bytes: Buffer): AssetVariant {
  return { bytes, etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"` };
}

/** Reads `assets/` into memory (ASSET_FILE_MAX_BYTES, ASSETS_MAX_BYTES); what is left out is sent from disk. */
function loadAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  let total = 0;
  const read = (name: string): Buffer | null => {
    const path = join(dir, name);
    const size = statSync(path, { throwIfNoEntry: false })?.size;
    if (size === undefined || size > ASSET_FILE_MAX_BYTES || total + size > ASSETS_MAX_BYTES) return null;
    total += size;
    return readFileSync(path);
  };
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const name = entry.name;
    const ext = extname(name);
    if (ext === '.br' || ext === '.gz' || ext === '.map' || !entry.isFile()) continue;
    const bytes = read(name);
    if (bytes === null) continue;
    const br = read(`${name}.br`);
    const gzip = read(`${name}.gz`);
    out.set(name, {
      contentType: ASSET_TYPES[ext] ?? 'application/octet-stream',
      identity: variant(bytes),
      br: br === null ? null : variant(br),
      gzip: gzip === null ? null : variant(gzip),
    });
  }
  return out;
}

/**
 * Serves the built page's files from `webRoot`; returns false (and serves nothing) when the page
 * is not built. A file of `assets/` with a Brotli or gzip copy beside it (scripts/compress-web.js)
 * is sent compressed to a browser that accepts it: about a third of the bytes, and no compression
 * work per request. The files of `assets/` are read into memory at start (`loadAssets`): a page
 * loads about 27 of them, and from disk each cost the HTTP process a stat, an open and a read in
 * Node's thread pool (docs/benchmarks/load-cost.md). The page itself is never
 * sent from a copy: it is not hashed, so a copy could be older than it.
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
  const dir = join(root, 'assets');
  // A build always has it; a page without one (some tests') has its files served as above.
  if (!existsSync(dir)) return true;
  const assets = loadAssets(dir);
  app.get<{ Params: { name: string } }>('/assets/:name', (req, reply) => {
    const name = req.params.name;
    const asset = assets.get(name);
    // A source map, or a file left on disk: from there, as it is (a name outside the folder is refused there).
    if (asset === undefined) return reply.sendFile(name, dir);
    const accept = req.headers['accept-encoding'];
    const offered = [...(asset.br !== null ? ['br'] : []), ...(asset.gzip !== null ? ['gzip'] : [])];
    const wanted = typeof accept === 'string' && offered.length > 0 ? negotiate(accept, offered) : null;
    const sent = (wanted === 'br' ? asset.br : wanted === 'gzip' ? asset.gzip : null) ?? asset.identity;
    if (wanted !== null && sent !== asset.identity) reply.header('content-encoding', wanted);
    reply.header('cache-control', ASSET_CACHE_CONTROL);
    // The same address answers in more than one encoding (RFC 9110 §12.5.5).
    reply.header('vary', 'accept-encoding');
    reply.header('content-type', asset.contentType);
    reply.header('etag', sent.etag);
    // RFC 9110 §13.1.2: the copy the browser holds is this one.
    if (req.headers['if-none-match'] === sent.etag) return reply.code(304).send();
    return reply.send(sent.bytes);
  });
  return true;
}
