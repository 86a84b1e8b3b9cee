/**
 * `run --turn` without a callprobe server: the page host serves the built page with the headers
 * the page needs (its CSP with the inline style's hash, cross-origin isolation), answers
 * /api/config naming the TURN server without any credential, listens on loopback only, and
 * frees its port on close. Chromium driving it end to end is e2e/cli.spec.ts (coturn).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostPage } from '../../client/page-host.js';
import { SIGNAL_PROTOCOL, type ServerConfig, type TurnServerEntry } from '../../src/protocol/api.js';

const webRoot = mkdtempSync(join(tmpdir(), 'callprobe-page-host-'));
const STYLE = 'body{margin:0}';
writeFileSync(join(webRoot, 'index.html'), `<!doctype html><title>callprobe</title><style>${STYLE}</style>`);
afterAll(() => rmSync(webRoot, { recursive: true, force: true }));

const TURN: TurnServerEntry = { url: 'turn:127.0.0.1:3590?transport=udp', transport: 'udp', port: 3590 };

function portFree(port: number): Promise<boolean> {
  const s = createServer();
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

describe('the page host of run --turn', () => {
  it('serves the page with its CSP and cross-origin isolation, and /api/config without credentials', async () => {
    const warnings: string[] = [];
    const host = await hostPage({ webRoot, version: '9.9.9-test', turn: [TURN], warn: (l) => warnings.push(l) });
    const port = Number(new URL(host.url).port);
    try {
      expect(new URL(host.url).hostname).toBe('127.0.0.1');
      const page = await fetch(`${host.url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>callprobe</title>');
      expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      const hash = createHash('sha256').update(STYLE, 'utf8').digest('base64');
      expect(page.headers.get('content-security-policy')).toContain(`style-src 'self' 'sha256-${hash}'`);
      expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");

      const res = await fetch(`${host.url}/api/config`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect((await res.json()) as ServerConfig).toEqual({
        callprobeVersion: '9.9.9-test',
        username: '',
        credential: '',
        credentialExpiresAtMs: 0,
        turn: [TURN],
        notOffered: [],
        reflectorPath: null,
        rtpReflector: false,
        relay: 'external',
        signalProtocol: SIGNAL_PROTOCOL,
      });
      expect((await fetch(`${host.url}/api/signal`)).status).toBe(404);
      expect(warnings).toEqual([]);
    } finally {
      await host.close();
    }
    expect(await portFree(port)).toBe(true);
  });

  it('says so when the page is not built', async () => {
    const warnings: string[] = [];
    const missing = join(webRoot, 'no-such-build');
    const host = await hostPage({ webRoot: missing, version: '9.9.9-test', turn: [], warn: (l) => warnings.push(l) });
    try {
      expect(warnings).toEqual([`page not built (${missing}): run \`npm run build\``]);
      expect((await fetch(`${host.url}/`)).status).toBe(404);
    } finally {
      await host.close();
    }
  });
});
