/**
 * Where a bench's results go (bench/lib/results.ts): raw results always to the ignored
 * bench/results/raw/; the tracked summary and the bench's section of its own page,
 * docs/benchmarks/<page>.md, only with --write-docs (docs/benchmarks.md is the pages' index, which no
 * bench writes). Each case runs in a fresh temporary "repository root".
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describePublished, formatSummary, publishResults, resultFiles, writeDocsRequested, type BenchOutput } from '../../../bench/lib/results.js';

const DOC_BEFORE = ['# Benchmarks', '', 'Hand-written text.', '', '<!-- speed:start -->', 'old figures', '<!-- speed:end -->', '', 'More text.', ''].join('\n');

const INDEX = ['# Benchmarks', '', '| bench | page |', '| --- | --- |', '| `npm run bench:speed` | [speed](benchmarks/speed.md) |', ''].join('\n');

const output: BenchOutput = {
  name: 'speed',
  raw: { summary: { medianMs: 16_600 }, runs: [{ ms: 16_500 }, { ms: 16_600 }, { ms: 16_700 }] },
  summary: { summary: { medianMs: 16_600 } },
  docs: { page: 'speed', section: 'speed', markdown: 'new figures' },
};

describe('bench results: raw always, tracked files only with --write-docs', () => {
  let root = '';
  const doc = (): string => readFileSync(join(root, 'docs', 'benchmarks', 'speed.md'), 'utf8');
  const index = (): string => readFileSync(join(root, 'docs', 'benchmarks.md'), 'utf8');
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'callprobe-bench-results-'));
    mkdirSync(join(root, 'docs', 'benchmarks'), { recursive: true });
    writeFileSync(join(root, 'docs', 'benchmarks', 'speed.md'), DOC_BEFORE);
    writeFileSync(join(root, 'docs', 'benchmarks.md'), INDEX);
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('reads the flag from the command line', () => {
    expect(writeDocsRequested(['node', 'dist/bench/speed/run.js'])).toBe(false);
    expect(writeDocsRequested(['node', 'dist/bench/speed/run.js', '--write-docs'])).toBe(true);
    expect(writeDocsRequested(['node', 'dist/bench/load/run.js', '--soak', '--write-docs', '--soak-minutes', '2'])).toBe(true);
    expect(writeDocsRequested(['node', 'run.js', '--write-doc'])).toBe(false);
  });

  it('names the two files by bench and date: raw under the ignored folder, the summary beside it', () => {
    expect(resultFiles('load-rtp', '2026-11-23')).toEqual({
      raw: 'bench/results/raw/load-rtp-2026-11-23.json',
      summary: 'bench/results/load-rtp-2026-11-23.summary.json',
    });
  });

  it('without --write-docs: the raw results only; docs and summaries untouched', () => {
    const p = publishResults(output, { writeDocs: false, root, date: '2026-11-23' });
    expect(p).toEqual({ rawFile: 'bench/results/raw/speed-2026-11-23.json', summaryFile: null, docsSection: null });
    expect(JSON.parse(readFileSync(join(root, p.rawFile), 'utf8'))).toEqual(output.raw);
    expect(existsSync(join(root, 'bench/results/speed-2026-11-23.summary.json'))).toBe(false);
    expect(doc()).toBe(DOC_BEFORE);
    expect(describePublished(p)).toBe(
      'raw results: bench/results/raw/speed-2026-11-23.json (tracked files unchanged; --write-docs writes the summary and docs)',
    );
  });

  it("with --write-docs: the raw results, the summary, and only this bench's section of its own page", () => {
    const p = publishResults(output, { writeDocs: true, root, date: '2026-11-23' });
    expect(p).toEqual({
      rawFile: 'bench/results/raw/speed-2026-11-23.json',
      summaryFile: 'bench/results/speed-2026-11-23.summary.json',
      docsSection: 'docs/benchmarks/speed.md (speed)',
    });
    expect(JSON.parse(readFileSync(join(root, p.rawFile), 'utf8'))).toEqual(output.raw);
    expect(JSON.parse(readFileSync(join(root, 'bench/results/speed-2026-11-23.summary.json'), 'utf8'))).toEqual(output.summary);
    expect(doc()).toBe(DOC_BEFORE.replace('old figures', 'new figures'));
    expect(index()).toBe(INDEX);
    expect(describePublished(p)).toBe(
      'raw results: bench/results/raw/speed-2026-11-23.json; summary: bench/results/speed-2026-11-23.summary.json and docs/benchmarks/speed.md (speed)',
    );
  });

  it('with --write-docs and a page not there yet: the page is started with the section', () => {
    publishResults(
      { ...output, name: 'regions', docs: { page: 'regions', section: 'regions-many', markdown: 'twelve edges' } },
      { writeDocs: true, root, date: '2026-11-25' },
    );
    expect(readFileSync(join(root, 'docs', 'benchmarks', 'regions.md'), 'utf8')).toBe(
      '# Benchmark\n\nOne of the [benchmarks](../benchmarks.md).\n\n<!-- regions-many:start -->\ntwelve edges\n<!-- regions-many:end -->\n',
    );
    expect(doc()).toBe(DOC_BEFORE);
    expect(index()).toBe(INDEX);
  });

  it('refuses a page name that is not a plain name', () => {
    expect(() =>
      publishResults({ ...output, docs: { page: '../README', section: 'speed', markdown: 'x' } }, { writeDocs: true, root, date: '2026-11-23' }),
    ).toThrow(/lower-case name/);
  });

  it('with --write-docs and no docs section (the relay bench): the summary only', () => {
    const p = publishResults({ name: 'relay', raw: { runs: [1, 2] }, summary: { medians: 1 } }, { writeDocs: true, root, date: '2026-11-22' });
    expect(p.summaryFile).toBe('bench/results/relay-2026-11-22.summary.json');
    expect(p.docsSection).toBeNull();
    expect(doc()).toBe(DOC_BEFORE);
    expect(index()).toBe(INDEX);
  });
});

describe('formatSummary', () => {
  it('opens two levels and keeps each deeper value, e.g. a table row, on one line', () => {
    const text = formatSummary({ command: 'npm run bench:relay', rows: [{ a: 1, b: [2, 3] }, { a: 4 }], empty: [], none: null });
    expect(text).toBe(
      [
        '{',
        '  "command": "npm run bench:relay",',
        '  "rows": [',
        '    {"a":1,"b":[2,3]},',
        '    {"a":4}',
        '  ],',
        '  "empty": [],',
        '  "none": null',
        '}',
        '',
      ].join('\n'),
    );
    expect(JSON.parse(text)).toEqual({ command: 'npm run bench:relay', rows: [{ a: 1, b: [2, 3] }, { a: 4 }], empty: [], none: null });
  });
});
