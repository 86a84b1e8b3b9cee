/**
 * The benches' tracked results are small summaries (bench/lib/results.ts): raw results live in
 * the ignored bench/results/raw/. Every summary the bench pages (docs/benchmarks.md and
 * docs/benchmarks/*.md) name is here, and the pages' headline figures are the summaries' own.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RAW_DIR, SUMMARY_DIR } from '../../../bench/lib/results.js';
import { repoRoot } from '../../kit/paths.js';

const pagesDir = join(repoRoot, 'docs', 'benchmarks');
const page = (name: string): string => readFileSync(join(pagesDir, `${name}.md`), 'utf8');
const doc = [
  readFileSync(join(repoRoot, 'docs', 'benchmarks.md'), 'utf8'),
  ...readdirSync(pagesDir)
    .filter((f) => f.endsWith('.md'))
    .map((f) => page(f.slice(0, -3))),
].join('\n');
const summaryFiles = readdirSync(join(repoRoot, SUMMARY_DIR)).filter((f) => !statSync(join(repoRoot, SUMMARY_DIR, f)).isDirectory());
const read = <T>(name: string): T => JSON.parse(readFileSync(join(repoRoot, SUMMARY_DIR, name), 'utf8')) as T;

describe('tracked bench results', () => {
  it('are summaries small enough to check by hand; raw results only in the ignored folder', () => {
    expect(summaryFiles.length).toBeGreaterThan(0);
    for (const f of summaryFiles) {
      expect(f, 'a summary, not raw results').toMatch(/^[a-z-]+-\d{4}-\d{2}-\d{2}(-[a-z]+)?\.summary\.json$/);
      const text = readFileSync(join(repoRoot, SUMMARY_DIR, f), 'utf8');
      expect(text.split('\n').length, f).toBeLessThan(120);
      expect(text.length, f).toBeLessThan(32 * 1024);
      expect(() => JSON.parse(text) as unknown, f).not.toThrow();
    }
    const ignored = readFileSync(join(repoRoot, '.gitignore'), 'utf8').split('\n');
    expect(ignored).toContain(`${RAW_DIR}/`);
  });

  it('include every summary the bench pages name', () => {
    const named = [...doc.matchAll(/bench\/results\/([a-z0-9-]+\.summary\.json)/g)].map((m) => m[1] ?? '');
    expect(named.length).toBeGreaterThan(8);
    expect(named.filter((f) => !existsSync(join(repoRoot, SUMMARY_DIR, f)))).toEqual([]);
  });

  it("match the page's headline figures", () => {
    const accuracy = read<{ summary: { criterionMet: Record<'rtp' | 'datachannel' | 'irtt', string> } }>('accuracy-2026-11-23.summary.json');
    const met = accuracy.summary.criterionMet;
    expect(page('accuracy')).toContain(`RTP path **${met.rtp}** scenarios, data-channel path ${met.datachannel}, irtt ${met.irtt}.`);
    const soak = read<{ rssAtEndMiB: number; rssAfterFirstMinuteMiB: number; validWithinTolerance: number; validTests: number }>(
      'load-soak-2026-11-23.summary.json',
    );
    expect(page('load')).toContain(`RSS at the end ${soak.rssAtEndMiB.toFixed(1)} MiB vs ${soak.rssAfterFirstMinuteMiB.toFixed(1)} MiB after the first minute`);
    expect(page('load')).toContain(`Valid tests within tolerance: ${soak.validWithinTolerance} of ${soak.validTests}.`);
    const load = read<{ largestN: number }>('load-2026-11-22.summary.json');
    expect(page('load')).toContain(`within tolerance of the unloaded run: ${load.largestN}.**`);
  });
});
