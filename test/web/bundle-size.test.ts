/**
 * The page's initial JS stays light (at most 30 KB gzip, the tighter of the page issue's 30 KB
 * and the results issue's 60 KB; checked in CI): the module
 * scripts and modulepreloads of the built index.html and every chunk they import statically.
 * Chart.js, the session, the verdict view and the shared-result view are loaded later and are
 * not counted.
 * Reads dist/web, so it runs after `npm run build` (as `npm test` does).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../kit/paths.js';

/** The budget: what a slow mobile link loads before the first click in about a second. */
const INITIAL_JS_GZIP_MAX_BYTES = 30 * 1024;
/**
 * The help desk console's budget: its login and search, with its English words and how it picks
 * its reader's language (15.3 KB when they came in, from 12.9 KB); a site report's drawing and its
 * words, and another language's words, load when needed.
 */
const CONSOLE_JS_GZIP_MAX_BYTES = 16 * 1024;
const WEB = join(repoRoot, 'dist/web');

/** Paths (from the web root) of the JS a page loads before any dynamic import. */
function initialChunks(html: string): string[] {
  const entries = [...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g), ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map(
    (m) => m[1] ?? '',
  );
  const seen = new Set<string>();
  const queue = entries.filter((e) => e.startsWith('/'));
  while (queue.length > 0) {
    const path = queue.shift() ?? '';
    if (seen.has(path)) continue;
    seen.add(path);
    const code = readFileSync(join(WEB, path), 'utf8');
    // Static imports only: `import{a}from"./x.js"` and `import"./x.js"`, never `import("./x.js")`.
    for (const m of code.matchAll(/(?:\bfrom|\bimport)\s*"(\.{1,2}\/[^"]+\.js)"/g)) queue.push(posix.join(dirname(path), m[1] ?? ''));
  }
  return [...seen];
}

describe('the built page', () => {
  it(`loads at most ${INITIAL_JS_GZIP_MAX_BYTES / 1024} KB of gzipped JS before the first click`, () => {
    const index = join(WEB, 'index.html');
    expect(existsSync(index), 'dist/web/index.html is missing: run `npm run build` first').toBe(true);
    const chunks = initialChunks(readFileSync(index, 'utf8'));
    expect(chunks.length).toBeGreaterThan(0);
    const sizes = chunks.map((c) => ({ chunk: c, gzipBytes: gzipSync(readFileSync(join(WEB, c))).length }));
    const total = sizes.reduce((sum, s) => sum + s.gzipBytes, 0);
    console.log(`initial JS: ${(total / 1024).toFixed(1)} KB gzip in ${sizes.map((s) => `${s.chunk} ${(s.gzipBytes / 1024).toFixed(1)} KB`).join(', ')}`);
    expect(
      sizes.some((s) => /chart/i.test(s.chunk)),
      'Chart.js must stay lazily loaded',
    ).toBe(false);
    expect(total).toBeLessThanOrEqual(INITIAL_JS_GZIP_MAX_BYTES);
  });
});

describe('the built console', () => {
  it(`loads at most ${CONSOLE_JS_GZIP_MAX_BYTES / 1024} KB of gzipped JS before a site report is opened`, () => {
    const page = join(WEB, 'console.html');
    expect(existsSync(page), 'dist/web/console.html is missing: run `npm run build` first').toBe(true);
    const chunks = initialChunks(readFileSync(page, 'utf8'));
    expect(chunks.length).toBeGreaterThan(0);
    const total = chunks.reduce((sum, c) => sum + gzipSync(readFileSync(join(WEB, c))).length, 0);
    console.log(`console initial JS: ${(total / 1024).toFixed(1)} KB gzip in ${chunks.join(', ')}`);
    expect(
      chunks.some((c) => /console-site/.test(c)),
      "the site report's drawing must stay lazily loaded",
    ).toBe(false);
    expect(total).toBeLessThanOrEqual(CONSOLE_JS_GZIP_MAX_BYTES);
  });
});
