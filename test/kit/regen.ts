/**
 * Generated files: a test that compares a committed file with what the code generates calls
 * `checkGenerated`. Under `npm run regen` (scripts/regen.js, which runs those tests with
 * CALLPROBE_REGEN=1) it writes the file first; otherwise a difference fails, naming the file and
 * the one command that rewrites it. scripts/regen.js lists every test that calls it
 * (test/kit/regen.test.ts holds the list to the tests).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { expect } from 'vitest';
import { repoRoot } from './paths.js';

/** Whether this run rewrites the generated files (`npm run regen`). */
const regenerating = process.env['CALLPROBE_REGEN'] === '1';

/** The failure message of a generated file that differs from what the code generates. */
function generatedDiffers(file: string): string {
  return `what the code generates differs from ${relative(repoRoot, file)}: run \`npm run regen\` if the change is intended, and review the diff`;
}

/** `file` (absolute) holds `text`, written first under `npm run regen`. */
export function checkGenerated(file: string, text: string): void {
  if (regenerating) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  expect(existsSync(file), `${relative(repoRoot, file)} is missing: run \`npm run regen\``).toBe(true);
  expect(readFileSync(file, 'utf8'), generatedDiffers(file)).toBe(text);
}
