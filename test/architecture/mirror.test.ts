/**
 * The test tree mirrors the source: the tests of a module live in the folder of the same
 * relative path under test/ (test/server/turn/codec/ tests server/turn/codec/, test/client/
 * schedule/ tests client/schedule/, test/analysis/
 * grade/ tests src/analysis/grade/), so a module's tests are found without searching, and a
 * folder of tests whose source moved away shows up here. test/kit (the shared test kit) and
 * test/architecture (tests of the whole tree) mirror nothing.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../kit/paths.js';

const OWN_FOLDERS = ['kit', 'architecture'];
/** Source folders at the top of the repository (the rest live under src/). */
const TOP_LEVEL = ['server', 'client', 'cli', 'host', 'bench'];

function files(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(repoRoot, dir))) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const rel = join(dir, name);
    if (statSync(join(repoRoot, rel)).isDirectory()) out.push(...files(rel, keep));
    else if (keep(name)) out.push(rel);
  }
  return out;
}

const isTest = (name: string): boolean => /\.test\.[cm]?[jt]s$/.test(name);

/** The source folder a test folder (relative to test/) mirrors, or null when none exists. */
export function mirroredFolder(testDir: string): string | null {
  const top = testDir.split(sep)[0] ?? '';
  const candidates = TOP_LEVEL.includes(top) ? [testDir] : [join('src', testDir)];
  return candidates.find((c) => existsSync(join(repoRoot, c)) && statSync(join(repoRoot, c)).isDirectory()) ?? null;
}

describe('test tree', () => {
  it('puts every test in the folder of the source it tests (src/, server/, client/, cli/, host/ or bench/)', () => {
    const tests = files('test', isTest).map((f) => relative('test', f));
    expect(tests.length).toBeGreaterThan(50);
    const astray = tests.filter((t) => !OWN_FOLDERS.includes(t.split(sep)[0] ?? '') && mirroredFolder(dirname(t)) === null);
    expect(astray).toEqual([]);
  });

  it('knows where a test folder points', () => {
    expect(mirroredFolder(join('server', 'turn', 'codec'))).toBe(join('server', 'turn', 'codec'));
    expect(mirroredFolder(join('analysis', 'grade'))).toBe(join('src', 'analysis', 'grade'));
    expect(mirroredFolder(join('bench', 'impair'))).toBe(join('bench', 'impair'));
    expect(mirroredFolder(join('client', 'schedule'))).toBe(join('client', 'schedule'));
    expect(mirroredFolder('cli')).toBe('cli');
    expect(mirroredFolder(join('server', 'no-such-folder'))).toBeNull();
    expect(mirroredFolder('server-side')).toBeNull();
  });

  it('keeps unit tests under test/ only (vitest runs nothing else; e2e/ holds the Playwright specs)', () => {
    const elsewhere = ['src', ...TOP_LEVEL, 'scripts'].flatMap((dir) => files(dir, isTest));
    expect(elsewhere).toEqual([]);
  });
});
