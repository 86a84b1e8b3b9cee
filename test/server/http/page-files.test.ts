/**
 * The page's files as a browser gets them: the hashed files of `assets/` compressed when the
 * build left a Brotli or gzip copy (scripts/compress-web.js) and the browser accepts it, kept a
 * year; index.html asked again on each visit. The copies are made by the build's own script, run
 * here on a folder of its own.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSET_CACHE_CONTROL, PAGE_CACHE_CONTROL } from '../../../host/page.js';
import { buildApp } from '../../../server/http/app.js';
import { appOptionsWithoutRelay } from '../../kit/app-options.js';

// A script as vite writes one: text that compresses well, over the script's 1 KiB floor.
const SCRIPT = `export const rows = [${Array.from({ length: 400 }, (_, i) => `{ id: ${i}, label: 'row ${i % 7}' }`).join(', ')}];\n`;
const TINY = 'export {};\n';
const MAP = JSON.stringify({ version: 3, sources: ['a.ts'], mappings: 'A'.repeat(4000) });

let webRoot: string;
let assets: string;
let app: FastifyInstance;
let script: { status: number | null; stdout: string; stderr: string };

beforeAll(async () => {
  webRoot = mkdtempSync(join(tmpdir(), 'callprobe-page-files-'));
  assets = join(webRoot, 'assets');
  mkdirSync(assets);
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>callprobe page</title><script type="module" src="/assets/index-abc.js"></script>');
  writeFileSync(join(assets, 'index-abc.js'), SCRIPT);
  writeFileSync(join(assets, 'tiny-abc.js'), TINY);
  writeFileSync(join(assets, 'index-abc.js.map'), MAP);
  // A copy an earlier build left beside a file now too small to compress is taken away.
  writeFileSync(join(assets, 'tiny-abc.js.br'), 'stale');
  const r = spawnSync(process.execPath, [join('scripts', 'compress-web.js'), assets], { encoding: 'utf8' });
  script = { status: r.status, stdout: r.stdout, stderr: r.stderr };
  app = await buildApp(appOptionsWithoutRelay(webRoot));
});

afterAll(async () => {
  await app?.close();
  rmSync(webRoot, { recursive: true, force: true });
});

describe("the build's compressed copies (scripts/compress-web.js)", () => {
  it('writes a Brotli and a gzip copy of each hashed script, none of a source map or a file under 1 KiB', () => {
    expect(script.status, script.stderr).toBe(0);
    expect(script.stdout).toMatch(/^compress-web: 1 files in .*, \d+ KiB -> \d+ KiB as Brotli$/m);
    expect(brotliDecompressSync(readFileSync(join(assets, 'index-abc.js.br'))).toString()).toBe(SCRIPT);
    expect(gunzipSync(readFileSync(join(assets, 'index-abc.js.gz'))).toString()).toBe(SCRIPT);
    expect(readFileSync(join(assets, 'index-abc.js.br')).length).toBeLessThan(SCRIPT.length / 4);
    expect(['tiny-abc.js.br', 'tiny-abc.js.gz', 'index-abc.js.map.br', 'index-abc.js.map.gz'].filter((f) => existsSync(join(assets, f)))).toEqual([]);
  });
});

describe("the page's files as served", () => {
  it('sends a hashed script as Brotli to a browser that accepts it, kept a year, the same bytes once decoded', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/index-abc.js', headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/^(application|text)\/javascript/);
    expect(res.headers['cache-control']).toBe(ASSET_CACHE_CONTROL);
    expect(res.headers['vary']).toBe('accept-encoding');
    // The page's own headers are still there.
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(brotliDecompressSync(res.rawPayload).toString()).toBe(SCRIPT);
  });

  it('sends gzip to a browser without Brotli, and the file itself to one that accepts neither', async () => {
    const gz = await app.inject({ method: 'GET', url: '/assets/index-abc.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(SCRIPT);
    const plain = await app.inject({ method: 'GET', url: '/assets/index-abc.js', headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(SCRIPT);
    expect(plain.headers['cache-control']).toBe(ASSET_CACHE_CONTROL);
    // A file with no copy is sent as it is, whatever the browser accepts.
    const tiny = await app.inject({ method: 'GET', url: '/assets/tiny-abc.js', headers: { 'accept-encoding': 'br' } });
    expect(tiny.headers['content-encoding']).toBeUndefined();
    expect(tiny.body).toBe(TINY);
  });

  it('answers 304 to a browser that holds the copy it would be sent (each encoding its own tag), sends source maps from disk, and nothing outside the folder', async () => {
    const br = await app.inject({ method: 'GET', url: '/assets/index-abc.js', headers: { 'accept-encoding': 'br' } });
    const gz = await app.inject({ method: 'GET', url: '/assets/index-abc.js', headers: { 'accept-encoding': 'gzip' } });
    expect(br.headers['etag']).toMatch(/^"[\w-]{27}"$/);
    expect(gz.headers['etag']).not.toBe(br.headers['etag']);
    const held = await app.inject({
      method: 'GET',
      url: '/assets/index-abc.js',
      headers: { 'accept-encoding': 'br', 'if-none-match': String(br.headers['etag']) },
    });
    expect(held.statusCode).toBe(304);
    expect(held.body).toBe('');
    const other = await app.inject({
      method: 'GET',
      url: '/assets/index-abc.js',
      headers: { 'accept-encoding': 'gzip', 'if-none-match': String(br.headers['etag']) },
    });
    expect(other.statusCode).toBe(200);
    expect(gunzipSync(other.rawPayload).toString()).toBe(SCRIPT);
    const map = await app.inject({ method: 'GET', url: '/assets/index-abc.js.map' });
    expect(map.statusCode).toBe(200);
    expect(map.body).toBe(MAP);
    expect((await app.inject({ method: 'GET', url: '/assets/none-abc.js' })).statusCode).toBe(404);
    for (const url of ['/assets/..%2Findex.html', '/assets/%2E%2E%2F%2E%2E%2Fpackage.json']) {
      const res = await app.inject({ method: 'GET', url });
      expect([403, 404]).toContain(res.statusCode);
      expect(res.body).not.toContain('callprobe page');
    }
  });

  it('asks for the page itself again on each visit, and answers 304 while it is unchanged', async () => {
    const first = await app.inject({ method: 'GET', url: '/', headers: { 'accept-encoding': 'br' } });
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('/assets/index-abc.js');
    expect(first.headers['cache-control']).toBe(PAGE_CACHE_CONTROL);
    const etag = first.headers['etag'];
    expect(typeof etag).toBe('string');
    const again = await app.inject({ method: 'GET', url: '/', headers: { 'if-none-match': String(etag) } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });
});
