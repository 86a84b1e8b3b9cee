/**
 * The built page served the way it must be, by `serve` and by `run --turn`'s page host alike:
 * every answer carries the Content-Security-Policy and the cross-origin isolation headers, and
 * the files of the build (vite's output) are served as they are.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/**
 * Content-Security-Policy of the page: its own scripts, worker, styles and API only; the inline
 * <style> blocks of the built index.html by their hashes. WebRTC to the relay is not governed
 * by CSP; connect-src 'self' covers /api/config and the same-origin WebSocket, and a hub adds
 * its edges' signalling origins (`connectSources`).
 */
function contentSecurityPolicy(hashes: readonly string[], connectSources: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "worker-src 'self'",
    `style-src 'self' ${hashes.join(' ')}`.trim(),
    "img-src 'self' data:",
    "font-src 'self'",
    ["connect-src 'self'", ...connectSources].join(' '),
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
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

/**
 * Gives every answer of `app` the page's headers (whatever route answers: the page, the API, an
 * error). `connectSources`: origins the page may also connect to (a hub's edges, ws: or wss:),
 * read at each answer.
 */
export function addPageHeaders(app: FastifyInstance, webRoot: string, connectSources: () => readonly string[] = () => []): void {
  const indexPath = join(webRoot, 'index.html');
  const hashes = styleHashes(existsSync(indexPath) ? readFileSync(indexPath, 'utf8') : '');
  const plain = contentSecurityPolicy(hashes, []);
  app.addHook('onSend', async (_req, reply) => {
    const extra = connectSources();
    reply.headers(ISOLATION_HEADERS);
    reply.header('content-security-policy', extra.length === 0 ? plain : contentSecurityPolicy(hashes, extra));
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });
}

/** Serves the built page's files from `webRoot`; returns false (and serves nothing) when the page is not built. */
export async function servePageFiles(app: FastifyInstance, webRoot: string): Promise<boolean> {
  if (!existsSync(webRoot)) return false;
  await app.register(fastifyStatic, { root: webRoot, index: 'index.html' });
  return true;
}
