/** `npm run regen` (scripts/regen.js) runs every test that compares a generated file (test/kit/regen.ts). */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './paths.js';

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return testFiles(path);
    return e.name.endsWith('.test.ts') ? [relative(repoRoot, path)] : [];
  });
}

describe('npm run regen', () => {
  it('is the npm script that runs scripts/regen.js', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['regen']).toBe('node scripts/regen.js');
  });

  it('runs every test that compares a generated file, and only those', () => {
    const script = readFileSync(join(repoRoot, 'scripts/regen.js'), 'utf8');
    const listed = [...script.matchAll(/test: '([^']+)'/g)].map((m) => m[1]).sort();
    const comparing = testFiles(join(repoRoot, 'test'))
      .filter((f) => /\bcheckGenerated\(/.test(readFileSync(join(repoRoot, f), 'utf8')))
      .sort();
    expect(comparing.length).toBeGreaterThanOrEqual(4);
    expect(listed).toEqual(comparing);
  });

  it('is the one spelling: no test reads another flag to rewrite a file', () => {
    const others = testFiles(join(repoRoot, 'test')).filter(
      (f) => f !== 'test/kit/regen.test.ts' && /UPDATE_GOLDEN|UPDATE_SIGNAL_CHECK|CALLPROBE_WRITE_SCHEMA/.test(readFileSync(join(repoRoot, f), 'utf8')),
    );
    expect(others).toEqual([]);
  });
});
