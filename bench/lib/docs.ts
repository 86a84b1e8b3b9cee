import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The folder of the benches' pages, relative to the repository root; docs/benchmarks.md is their index. */
const BENCH_PAGES_DIR = 'docs/benchmarks';

/** A bench's page, `docs/benchmarks/<page>.md`, relative to the repository root. */
export function benchPagePath(page: string): string {
  if (!/^[a-z][a-z0-9-]*$/.test(page)) throw new Error(`a bench page is a lower-case name, not ${JSON.stringify(page)}`);
  return `${BENCH_PAGES_DIR}/${page}.md`;
}

/**
 * Replaces the section between `<!-- name:start -->` and `<!-- name:end -->` in a bench's page
 * (appending it when missing, starting the page when there is none), so each bench keeps its own
 * summary current. Benches call it through publishResults, only with --write-docs.
 */
export function updateBenchmarksDoc(name: string, markdown: string, doc: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const text = existsSync(doc) ? readFileSync(doc, 'utf8') : '# Benchmark\n\nOne of the [benchmarks](../benchmarks.md).\n';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  const next = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  mkdirSync(dirname(doc), { recursive: true });
  writeFileSync(doc, next);
}

/** A markdown table from a header and rows. */
export function mdTable(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]): string => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
