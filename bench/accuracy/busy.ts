/**
 * `npm run bench:accuracy -- --rows <names|all> [--runs N] [--date YYYY-MM-DD] [--write-docs]`
 * (`--rows all --publish-only --write-docs`: the summary and docs from the raw results as they are):
 * the busy-device rows (bench/accuracy/busy-rows.ts), N runs each (default 10), each a real
 * headless test (`callprobe run --json`, with `--load` on the busy-line rows) through the
 * impairment proxy on the RTP path, the device made busy by a CPU cap on the browser
 * (bench/lib/cpu-cap.ts, through a wrapper given as `--browser`) or by one CPU-bound process per
 * core (bench/lib/cpu-hogs.ts).
 *
 * Resumable by row: the raw results (bench/results/raw/accuracy-busy-<date>.json, not in git)
 * hold one entry per row, written after every run; running a row again replaces its entry, and
 * the other rows' entries are kept. `--date` picks an earlier day's file to add rows to. With
 * `--write-docs`, the summary (bench/results/accuracy-busy-<date>.summary.json) and the
 * `accuracy-busy` section of docs/benchmarks/accuracy.md are made from every row the raw file holds.
 * A cap that cannot be made here (not root, no cpu controller) skips its row with the reason,
 * and fails the bench in CI. Loopback only (inside scripts/netns-run.sh).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEFAULTS } from '../../src/protocol/defaults.js';
import { createCpuCap, type CpuCap } from '../lib/cpu-cap.js';
import { startCpuHogs } from '../lib/cpu-hogs.js';
import { describePublished, machineInfo, publishResults, resultFiles, today, writeDocsRequested } from '../lib/results.js';
import { CouldNotTestError, type AccuracyHarness } from './harness.js';
import {
  BUSY_ROWS,
  COULD_NOT_TEST,
  busyAnswerOf,
  busyAnswerTable,
  busyClaimsTable,
  busyFigures,
  busyTable,
  BUSY_SCENARIOS,
  jitterUpOf,
  missedWanted,
  selectRows,
  summarizeRow,
  type BusyReportView,
  type BusyRow,
  type BusyRowSummary,
  type BusyRun,
} from './busy-rows.js';
import { SCENARIOS, type AccuracyScenario } from './scenarios.js';
import { answerView } from '../../src/analysis/present/answer.js';
import type { Report } from '../../src/analysis/schema/report-schema.js';

/** The file's name stem under bench/results/raw/ and bench/results/. */
const NAME = 'accuracy-busy';
/** Runs per row by default. */
const DEFAULT_RUNS = 10;
/** A capped browser starts and runs slowly: its deadline grows by this much (s). */
const CAPPED_MORE_TIME_S = 120;

interface RowEntry {
  row: BusyRow;
  startedAt: string;
  finishedAt: string | null;
  /** Why the row did not run (a cap that cannot be made here), or null. */
  skipped: string | null;
  runs: BusyRun[];
  summary: BusyRowSummary;
}

interface BusyRaw {
  command: string;
  machine: Record<string, string | number>;
  durationS: number;
  rows: Record<string, RowEntry>;
}

/** The value after `flag` on the command line, or null. */
function flagValue(argv: readonly string[], flag: string): string | null {
  const i = argv.indexOf(flag);
  return i >= 0 ? (argv[i + 1] ?? null) : null;
}

function readRaw(file: string, durationS: number): BusyRaw {
  if (!existsSync(file)) return { command: 'npm run bench:accuracy -- --rows ...', machine: machineInfo(), durationS, rows: {} };
  return JSON.parse(readFileSync(file, 'utf8')) as BusyRaw;
}

/** The summary and docs section made from every row in the raw results, in the table's order. */
function published(raw: BusyRaw, date: string): { summary: unknown; markdown: string } {
  // Each row's tally is made again from its runs, with today's row and rules: a file written by
  // an earlier version of this bench still gives every column.
  const entries = BUSY_ROWS.flatMap((r) => {
    const e = raw.rows[r.name];
    return e ? [{ ...e, row: r, summary: summarizeRow(r, e.runs) }] : [];
  });
  const files = resultFiles(NAME, date);
  const runsPerRow = [...new Set(entries.map((e) => e.runs.length))].join('/');
  const skipped = entries.filter((e) => e.skipped !== null);
  const markdown = [
    `### A busy device: accuracy on a clean path, and loss still found (${date})`,
    '',
    `Command: \`npm run bench:accuracy -- --rows ${entries.length === BUSY_ROWS.length ? 'all' : entries.map((e) => e.row.name).join(',')} --runs ${runsPerRow || DEFAULT_RUNS} --write-docs\` (${raw.durationS} s tests on the RTP path through the impairment proxy, loopback; ${String(raw.machine['cores'])} cores, ${String(raw.machine['chromium'])}). Summary: \`${files.summary}\`.`,
    'The browser is capped with the cgroup cpu controller (10 ms CFS period: cgroup v1 `cpu.cfs_period_us` and `cpu.cfs_quota_us`, or v2 `cpu.max`; Linux Documentation/scheduler/sched-bwc.rst), through a wrapper given as `callprobe run --browser`, so the server runs uncapped; "hogs" is one CPU-bound process per core beside the test ("hogs-2" two). Wanted: no `fail` and no `suffers` on a clean path; with 3 % upstream loss, or 2 % each way, the loss is found (`fail` or `insufficient`, never `pass`); with jitter injected upstream, no `fail`, and the upstream jitter within 30 % (or 1 ms) of the proxy\'s own over the delays it applied, or marked this device\'s.',
    '',
    busyTable(entries.filter((e) => e.skipped === null).map((e) => ({ row: e.row, summary: e.summary }))),
    '',
    'The provisional answers of the same runs (the idle window only: none is read once the busy line may have loaded it), every likely or settled claim checked against the final grade of its target and direction. Wanted: 0 contradicted on every row.',
    '',
    busyClaimsTable(entries.filter((e) => e.skipped === null).map((e) => ({ row: e.row, runs: e.runs }))),
    '',
    'What the answers said on top (the product\'s own answer read from each report): where the attribution found this device too busy (10 % of a direction\'s evaluable 200 ms windows or more, or one stretch of 200 ms), the `device-busy` caution; "Pause uploads" (loss only on the way out) never on the row that lost each way; a claim shown during the test that the final grade did not keep, said to be withdrawn; how often "Good so far" gave way to "Too early to tell" (the page says why beside it). Wanted: every count before a slash equal to the one after it.',
    '',
    busyAnswerTable(entries.filter((e) => e.skipped === null).map((e) => ({ row: e.row, summary: e.summary }))),
    ...(skipped.length > 0 ? ['', `Not run here: ${skipped.map((e) => `\`${e.row.name}\` (${e.skipped ?? ''})`).join('; ')}.`] : []),
  ].join('\n');
  return {
    summary: { command: raw.command, machine: raw.machine, durationS: raw.durationS, rows: entries.map((e) => ({ ...e.summary, skipped: e.skipped })) },
    markdown,
  };
}

/**
 * One run of a row: the device made busy, the test, the busy state undone. A run that missed what
 * its row wants keeps its report and the evidence it was graded from (`callprobe run --evidence`)
 * beside the raw results, gzipped, so the case can be read again (`evidenceFile`); the others' are deleted.
 */
async function runOnce(harness: AccuracyHarness, row: BusyRow, seed: string, cap: CpuCap | null, keep: { dir: string; date: string }): Promise<BusyRun> {
  const scenario = [...SCENARIOS, ...BUSY_SCENARIOS].find((s) => s.name === row.scenario);
  if (!scenario) throw new Error(`no accuracy scenario ${row.scenario}`);
  const moreTimeS = (row.load ? DEFAULTS.load.phaseMaxMs / 1000 + 10 : 0) + (row.capPct !== null ? CAPPED_MORE_TIME_S : 0);
  const scratch = mkdtempSync(join(tmpdir(), 'callprobe-busy-evidence-'));
  const evidencePath = join(scratch, 'evidence.json');
  try {
    const run = await runMeasured(harness, row, seed, cap, scenario, moreTimeS, evidencePath);
    if (!missedWanted(row, run.run) || run.report === null || !existsSync(evidencePath)) return run.run;
    const file = join(keep.dir, `${NAME}-${keep.date}-${seed}.evidence.json.gz`);
    const evidence: unknown = JSON.parse(readFileSync(evidencePath, 'utf8'));
    writeFileSync(file, gzipSync(JSON.stringify({ report: run.report, evidence })));
    return { ...run.run, evidenceFile: basename(file) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function runMeasured(
  harness: AccuracyHarness,
  row: BusyRow,
  seed: string,
  cap: CpuCap | null,
  scenario: AccuracyScenario,
  moreTimeS: number,
  evidencePath: string,
): Promise<{ run: BusyRun; report: unknown }> {
  const args = [...(cap ? ['--browser', cap.wrap(DEFAULTS.browserPath)] : []), ...(row.load ? ['--load'] : []), '--evidence', evidencePath];
  const before = cap?.usage() ?? null;
  const t0 = Date.now();
  const hogs = row.hogsPerCore > 0 ? startCpuHogs(row.hogsPerCore * availableParallelism(), { maxMs: (harness.durationS + 75 + moreTimeS) * 1000 }) : null;
  try {
    const cp = await harness.runCallprobe(scenario, seed, 'rtp', { args, moreTimeS });
    const after = cap?.usage() ?? null;
    const run: BusyRun = {
      seed,
      ...busyFigures(cp.report as BusyReportView),
      ...(row.scenario === 'jitter-up' ? { jitterUp: jitterUpOf(cp.report as BusyReportView, cp.truth.up.jitterMeanMs) } : {}),
      answer: busyAnswerOf(cp.report as Report, answerView(cp.report as Report)),
      truth: { up: { probes: cp.truth.up.probes, lost: cp.truth.up.lost }, down: { probes: cp.truth.down.probes, lost: cp.truth.down.lost } },
      throttle:
        before && after
          ? {
              periods: after.periods - before.periods,
              throttledPeriods: after.throttledPeriods - before.throttledPeriods,
              throttledMs: after.throttledMs - before.throttledMs,
            }
          : null,
      wallS: (Date.now() - t0) / 1000,
      loadAverage1m: loadavg()[0] ?? 0,
      failure: null,
    };
    return { run, report: cp.report };
  } catch (err) {
    const couldNotTest = err instanceof CouldNotTestError;
    const run: BusyRun = {
      seed,
      verdict: couldNotTest ? COULD_NOT_TEST : null,
      insufficientCause: null,
      grades: [],
      latencyMs: null,
      loadKind: null,
      truth: null,
      throttle: null,
      wallS: (Date.now() - t0) / 1000,
      loadAverage1m: loadavg()[0] ?? 0,
      failure: (err as Error).message.slice(0, 600),
    };
    return { run, report: null };
  } finally {
    await hogs?.stop();
  }
}

const fmt = (v: number | null, digits = 1): string => (v === null ? '–' : v.toFixed(digits));

/** Runs the rows `--rows` names, writing the raw results after every run. */
export async function runBusyRows(harnessStart: () => Promise<AccuracyHarness>, argv: readonly string[], durationS: number): Promise<void> {
  if (argv.includes('--publish-only')) {
    // The summary and docs from the raw results as they are: no run, no harness.
    const date = flagValue(argv, '--date') ?? today();
    const file = resultFiles(NAME, date).raw;
    if (!existsSync(file)) throw new Error(`--publish-only: no raw results at ${file}`);
    publishBusy(readRaw(file, durationS), date, argv);
    return;
  }
  const rows = selectRows(flagValue(argv, '--rows') ?? 'all');
  const runs = Number(flagValue(argv, '--runs') ?? DEFAULT_RUNS);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: a whole number of runs, at least 1 (got ${flagValue(argv, '--runs')})`);
  const date = flagValue(argv, '--date') ?? today();
  const file = resultFiles(NAME, date).raw;
  const raw = readRaw(file, durationS);
  if (raw.durationS !== durationS) throw new Error(`${file} holds ${raw.durationS} s tests; run with DURATION_S=${raw.durationS}, or another --date`);
  const save = (): void => {
    publishResults({ name: NAME, raw, summary: null }, { writeDocs: false, date });
  };
  const harness = await harnessStart();
  try {
    for (const row of rows) {
      const entry: RowEntry = { row, startedAt: new Date().toISOString(), finishedAt: null, skipped: null, runs: [], summary: summarizeRow(row, []) };
      raw.rows[row.name] = entry;
      let cap: CpuCap | null = null;
      if (row.capPct !== null) {
        const made = createCpuCap({ name: `callprobe-bench-${row.name}-${process.pid}`, pctOfCore: row.capPct });
        if (!made.ok) {
          entry.skipped = `${made.reason}: ${made.detail}`;
          entry.finishedAt = new Date().toISOString();
          save();
          process.stderr.write(`${row.name}: skipped (${entry.skipped})\n`);
          continue;
        }
        cap = made.cap;
      }
      try {
        for (let i = 1; i <= runs; i++) {
          const run = await runOnce(harness, row, `busy-${row.name}-${i}`, cap, { dir: dirname(file), date });
          entry.runs.push(run);
          entry.summary = summarizeRow(row, entry.runs);
          save();
          const throttle = run.throttle ? `, throttled ${run.throttle.throttledPeriods}/${run.throttle.periods} periods` : '';
          process.stderr.write(
            run.failure !== null
              ? `${run.seed}: ${run.verdict ?? 'FAILED'} ${run.failure} (${fmt(run.wallS, 0)} s)\n`
              : `${run.seed}: ${run.verdict ?? '–'}${run.insufficientCause ? ` (${run.insufficientCause})` : ''}, latency ${fmt(run.latencyMs)} ms${run.loadKind ? `, busy line ${run.loadKind}` : ''}, truth lost up/down ${run.truth?.up.lost ?? '–'}/${run.truth?.down.lost ?? '–'}${throttle}; ${fmt(run.wallS, 0)} s, load ${fmt(run.loadAverage1m, 2)}${run.evidenceFile ? `; kept ${run.evidenceFile}` : ''}\n`,
          );
        }
      } finally {
        await cap?.remove();
      }
      entry.finishedAt = new Date().toISOString();
      save();
    }
  } finally {
    await harness.stop();
  }
  publishBusy(raw, date, argv);
}

/** Writes the raw results, and with --write-docs the summary and the docs section, then prints the table. */
function publishBusy(raw: BusyRaw, date: string, argv: readonly string[]): void {
  const out = published(raw, date);
  const done = publishResults(
    { name: NAME, raw, summary: out.summary, docs: { page: 'accuracy', section: NAME, markdown: out.markdown } },
    { writeDocs: writeDocsRequested(argv), date },
  );
  process.stdout.write(`${out.markdown}\n\n${describePublished(done)}\n`);
}
