#!/usr/bin/env node
/**
 * Writes a Brotli (.br) and a gzip (.gz) copy beside each file of the page's build that a
 * browser fetches as text (vite's hashed files in dist/web/assets), so that `serve` sends them
 * compressed without compressing on each request (host/page.ts serves them with
 * @fastify/static's `preCompressed`). Part of `npm run build`, after vite.
 *
 * Only the hashed files: a file's name changes with its content, so a copy can never be older
 * than the file it stands for, even after a partial build. Source maps (not fetched by a
 * browser unless its developer tools are open), files under 1 KiB and copies no smaller than the
 * file are left out.
 *
 * Brotli at quality 10: the page's 1.1 MB of scripts in 0.9 s here, 325 KiB; 11 took 2.2 s for
 * 2 % fewer bytes, and this runs on every build (vite writes its files anew each time).
 *
 * Usage: node scripts/compress-web.js [DIR]   (DIR: dist/web/assets)
 */
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dir = process.argv[2] ?? join(root, 'dist', 'web', 'assets');
const TEXT = new Set(['.js', '.mjs', '.css', '.svg', '.json', '.html', '.txt', '.wasm']);
const MIN_BYTES = 1024;

let files = 0;
let before = 0;
let after = 0;
// Listed before any copy is written or taken away.
const names = readdirSync(dir)
  .filter((name) => TEXT.has(extname(name)) && statSync(join(dir, name)).isFile())
  .sort();
for (const name of names) {
  const path = join(dir, name);
  const body = readFileSync(path);
  const small = body.length < MIN_BYTES;
  for (const [ext, pack] of [
    ['.br', () => brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 10, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } })],
    ['.gz', () => gzipSync(body, { level: 9 })],
  ]) {
    const packed = small ? null : pack();
    const kept = packed !== null && packed.length < body.length;
    // A copy no smaller than the file is not kept (nor one left by an earlier build).
    if (kept) writeFileSync(path + ext, packed);
    else rmSync(path + ext, { force: true });
    if (ext === '.br' && !small) after += kept ? packed.length : body.length;
  }
  if (!small) {
    files++;
    before += body.length;
  }
}
console.log(`compress-web: ${files} files in ${dir}, ${Math.round(before / 1024)} KiB -> ${Math.round(after / 1024)} KiB as Brotli`);
