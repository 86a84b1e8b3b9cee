/**
 * `serve --embed-origins`: only the test page names the listed origins in `frame-ancestors`, and
 * it and its files say `Cross-Origin-Resource-Policy: cross-origin` (so a cross-origin-isolated
 * parent may frame it); `/r/<code>`, the API and every answer of a server without the flag stay
 * `frame-ancestors 'none'` with no CORP. /api/config names the list only when there is one.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/http/app.js';
import type { ServerConfig } from '../../../src/protocol/api.js';
import { appOptionsWithoutRelay } from '../../kit/app-options.js';

const LISTED = ['https://help.example.com', 'http://127.0.0.1:8081'];

let webRoot: string;
let embedded: FastifyInstance;
let plain: FastifyInstance;

beforeAll(async () => {
  webRoot = mkdtempSync(join(tmpdir(), 'callprobe-embed-web-'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>callprobe page</title>');
  mkdirSync(join(webRoot, 'assets'));
  writeFileSync(join(webRoot, 'assets', 'index-abc.js'), 'export {};');
  embedded = await buildApp({ ...appOptionsWithoutRelay(webRoot), embedOrigins: LISTED });
  plain = await buildApp(appOptionsWithoutRelay(webRoot));
});

afterAll(async () => {
  await embedded?.close();
  await plain?.close();
  rmSync(webRoot, { recursive: true, force: true });
});

const frameAncestors = (csp: unknown): string => /frame-ancestors ([^;]*)/.exec(String(csp))?.[1] ?? '';

describe('the test page in a frame', () => {
  it('lets the listed origins frame the test page, with CORP cross-origin on it and its files', async () => {
    for (const url of ['/', '/?autostart=1&duration=20', '/index.html']) {
      const res = await embedded.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(frameAncestors(res.headers['content-security-policy']), url).toBe('https://help.example.com http://127.0.0.1:8081');
      expect(res.headers['cross-origin-resource-policy'], url).toBe('cross-origin');
      expect(res.headers['cross-origin-embedder-policy'], url).toBe('require-corp');
    }
    const asset = await embedded.inject({ method: 'GET', url: '/assets/index-abc.js' });
    expect(asset.statusCode).toBe(200);
    expect(frameAncestors(asset.headers['content-security-policy'])).toBe("'none'");
    expect(asset.headers['cross-origin-resource-policy']).toBe('cross-origin');
  });

  it('keeps every other answer unframeable and without CORP, and a server without the flag entirely so', async () => {
    for (const [app, url] of [
      [embedded, '/r/K7QF-3MZD'],
      [embedded, '/api/config'],
      [embedded, '/console'],
      [embedded, '/healthz'],
      [plain, '/'],
      [plain, '/assets/index-abc.js'],
    ] as const) {
      const res = await app.inject({ method: 'GET', url });
      expect(frameAncestors(res.headers['content-security-policy']), url).toBe("'none'");
      expect(res.headers['cross-origin-resource-policy'], url).toBeUndefined();
    }
  });

  it('names the listed origins in /api/config only when there are some', async () => {
    expect((await embedded.inject({ method: 'GET', url: '/api/config' })).json<ServerConfig>().embedOrigins).toEqual(LISTED);
    expect((await plain.inject({ method: 'GET', url: '/api/config' })).json<ServerConfig>()).not.toHaveProperty('embedOrigins');
  });
});
