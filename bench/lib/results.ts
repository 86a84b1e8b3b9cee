/**
 * Where a bench's results go. Every run writes its raw results to `bench/results/raw/` (ignored
 * by git: the accuracy bench alone writes megabytes). Only with `--write-docs` does it also
 * write its small summary, `bench/results/<name>-<date>.summary.json` (tracked: the figures
 * docs/benchmarks/ quotes), and rewrite its own section of its page there. A run to try
 * something out therefore never changes a tracked file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { benchPagePath, updateBenchmarksDoc } from './docs.js';

/** The command-line flag that lets a bench rewrite tracked files. */
const WRITE_DOCS_FLAG = '--write-docs';
/** Raw results, relative to the repository root: ignored by git (.gitignore). */
export const RAW_DIR = 'bench/results/raw';
/** Tracked summaries, relative to the repository root. */
export const SUMMARY_DIR = 'bench/results';

/** Whether the bench's command line asks for the tracked summary and docs to be rewritten. */
export function writeDocsRequested(args: readonly string[]): boolean {
  return args.includes(WRITE_DOCS_FLAG);
}

/** What the numbers were measured on, written into every results file. */
export function machineInfo(): Record<string, string | number> {
  let chromium: string;
  try {
    chromium = execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch (err) {
    chromium = `not available (${(err as Error).message.split('\n')[0]})`;
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    chromium,
  };
}

/** Today as YYYY-MM-DD (UTC), the date in every results file name. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export interface ResultFiles {
  /** `bench/results/raw/<name>-<date>.json`: everything the run measured; not in git. */
  raw: string;
  /** `bench/results/<name>-<date>.summary.json`: the figures the docs quote; tracked. */
  summary: string;
}

/** The two files of one bench run, relative to the repository root. */
export function resultFiles(name: string, date: string = today()): ResultFiles {
  return { raw: join(RAW_DIR, `${name}-${date}.json`), summary: join(SUMMARY_DIR, `${name}-${date}.summary.json`) };
}

/**
 * JSON for people: objects and arrays open up to `depth` levels, anything deeper stays on one
 * line, so a table of rows reads one row a line.
 */
export function formatSummary(value: unknown, depth = 2): string {
  const walk = (v: unknown, level: number, indent: string): string => {
    if (v === null || typeof v !== 'object' || level >= depth) return JSON.stringify(v) ?? 'null';
    const inner = `${indent}  `;
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return `[\n${v.map((x) => inner + walk(x, level + 1, inner)).join(',\n')}\n${indent}]`;
    }
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${walk(x, level + 1, inner)}`).join(',\n')}\n${indent}}`;
  };
  return `${walk(value, 0, '')}\n`;
}

export interface BenchOutput {
  /** File stem: `speed`, `load-rtp`, ... */
  name: string;
  /** Everything the run measured. */
  raw: unknown;
  /** The figures the docs quote: small enough to check by hand. */
  summary: unknown;
  /**
   * The bench's own section (between `<!-- section:start -->` and `<!-- section:end -->`) of its
   * page, `docs/benchmarks/<page>.md`, when it has one.
   */
  docs?: { page: string; section: string; markdown: string };
}

export interface PublishOptions {
  /** From `writeDocsRequested(process.argv)`. */
  writeDocs: boolean;
  /** The repository root (default: the working directory, where the npm scripts run). */
  root?: string;
  /** YYYY-MM-DD in the file names (default: today). */
  date?: string;
}

export interface Published {
  rawFile: string;
  /** Null without --write-docs. */
  summaryFile: string | null;
  /** The section rewritten, `<page>.md (<section>)`, or null. */
  docsSection: string | null;
}

function writeFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Writes a run's raw results, and with `writeDocs` its summary and docs section. */
export function publishResults(out: BenchOutput, options: PublishOptions): Published {
  const root = options.root ?? '.';
  const files = resultFiles(out.name, options.date);
  writeFile(join(root, files.raw), `${JSON.stringify(out.raw, null, 2)}\n`);
  if (!options.writeDocs) return { rawFile: files.raw, summaryFile: null, docsSection: null };
  writeFile(join(root, files.summary), formatSummary(out.summary));
  if (out.docs === undefined) return { rawFile: files.raw, summaryFile: files.summary, docsSection: null };
  const page = benchPagePath(out.docs.page);
  updateBenchmarksDoc(out.docs.section, out.docs.markdown, join(root, page));
  return { rawFile: files.raw, summaryFile: files.summary, docsSection: `${page} (${out.docs.section})` };
}

/** One line for the bench's stdout: where its results went, and what it left alone. */
export function describePublished(p: Published): string {
  if (p.summaryFile === null) return `raw results: ${p.rawFile} (tracked files unchanged; ${WRITE_DOCS_FLAG} writes the summary and docs)`;
  const docs = p.docsSection === null ? '' : ` and ${p.docsSection}`;
  return `raw results: ${p.rawFile}; summary: ${p.summaryFile}${docs}`;
}
