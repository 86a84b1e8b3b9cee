#!/usr/bin/env node
/**
 * The messages the catalogues mark `untranslated('...')` (src/analysis/present/untranslated.ts):
 * `node scripts/untranslated.js` prints them, per language and catalogue, with their keys; the
 * language tests read the same list (test/kit/untranslated.ts) to accept them where they reject
 * English. docs/translating.md says how to mark one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every catalogue folder: one module per language. */
export const CATALOGUE_DIRS = [
  'src/analysis/present/messages',
  'src/web/messages',
  'src/web/console-messages',
  'src/web/console-site-messages',
  'src/web/console-sign-in-messages',
];

// Not `new URL('..', import.meta.url)`: Vite rewrites that form (an asset) under the components tests.
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A quoted string of the source: '...', "..." or `...` (no interpolation), its escapes undone. */
const STRING = String.raw`'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|` + '`(?:[^`\\\\$]|\\\\.)*`';
const MARKED = new RegExp(String.raw`(${STRING})\s*:\s*untranslated\(\s*(${STRING})\s*,?\s*\)`, 'g');
const unquote = (s) => s.slice(1, -1).replace(/\\(.)/g, '$1');

/**
 * The marked messages of one catalogue module (a path relative to the repository root).
 * @returns {{ key: string, english: string }[]}
 */
function untranslatedIn(file) {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(MARKED)].map((m) => ({ key: unquote(m[1] ?? ''), english: unquote(m[2] ?? '') }));
}

/**
 * Every marked message, by language (the module's name: de, ja, zh-Hans, ...).
 * @returns {{ lang: string, file: string, key: string, english: string }[]}
 */
export function untranslatedMessages() {
  return CATALOGUE_DIRS.flatMap((dir) =>
    readdirSync(join(root, dir))
      .filter((f) => f.endsWith('.ts') && f !== 'en.ts')
      .sort()
      .flatMap((f) => untranslatedIn(join(dir, f)).map((m) => ({ lang: f.slice(0, -'.ts'.length), file: join(dir, f), ...m }))),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const all = untranslatedMessages();
  if (all.length === 0) process.stdout.write('No message is marked untranslated in any catalogue.\n');
  for (const m of all) process.stdout.write(`${m.lang}\t${m.file}\t${m.key}\t${m.english}\n`);
  if (all.length > 0) process.stdout.write(`${all.length} untranslated message(s).\n`);
}
