/**
 * npm run bench:report: site report queries at a week of 10-minute samples for 1,000
 * sites (1,008,000 rows). Generates the rows (./generate.ts: summary columns for all, full
 * report bodies for 1 %) into SQLite (a temporary file) and PostgreSQL (a throwaway cluster in a
 * temporary directory), times the site report of a random site and the all-sites overview on
 * each (median of RUNS after a warm-up), writes its raw results to bench/results/raw/ and, with
 * `--write-docs`, its summary (bench/results/report-<date>.summary.json) and its section of
 * docs/benchmarks/report.md. Bounded: it gives up after TIME_LIMIT_S (default 900 s), cleaning up.
 * Environment: SITES, SAMPLES, BODY_SHARE, RUNS, TIME_LIMIT_S, STORES (sqlite,postgres).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describePublished, machineInfo, publishResults, resultFiles, today, writeDocsRequested } from '../lib/results.js';
import { mdTable } from '../lib/docs.js';
import { seededStream } from '../impair/prng.js';
import { CONSTANTS } from '../../src/protocol/defaults.js';
import { benchStore, type StoreFigures } from './bench.js';
import { FULL_SPEC, loadTemplate, siteName, type ReportBenchSpec } from './generate.js';
import { startBenchPostgres } from './postgres.js';
import { benchCommandLine } from '../lib/cli.js';

const num = (name: string, fallback: number): number => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, not "${v}"`);
  return n;
};

const SPEC: ReportBenchSpec = {
  ...FULL_SPEC,
  sites: num('SITES', FULL_SPEC.sites),
  samplesPerSite: num('SAMPLES', FULL_SPEC.samplesPerSite),
  bodyShare: num('BODY_SHARE', FULL_SPEC.bodyShare),
};
const RUNS = num('RUNS', 5);
const TIME_LIMIT_S = num('TIME_LIMIT_S', 900);
const STORES = (process.env['STORES'] ?? 'sqlite,postgres').split(',');
/** The goals of the site reports. */
const GOAL_SITE_REPORT_MS = 200;
const GOAL_OVERVIEW_MS = 2000;

const log = (line: string): void => {
  process.stderr.write(`[bench:report ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

async function main(): Promise<void> {
  benchCommandLine('bench:report', 'Site report queries at a week of 10-minute samples for 1,000 sites, in SQLite and in a throwaway PostgreSQL cluster.');
  const started = performance.now();
  const loadAtStart = loadavg()[0] ?? 0;
  const dir = mkdtempSync(join(tmpdir(), 'callprobe-bench-report-'));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', cleanup);
  // The bound: past it, give up (the exit handlers stop the cluster and remove the files).
  const limit = setTimeout(() => {
    log(`gave up after ${TIME_LIMIT_S} s (TIME_LIMIT_S)`);
    process.exit(5);
  }, TIME_LIMIT_S * 1000);
  limit.unref();

  const template = loadTemplate();
  const site = siteName(Math.floor(seededStream(SPEC.seed, 'site-pick').next() * SPEC.sites));
  const rows = SPEC.sites * SPEC.samplesPerSite;
  log(`${SPEC.sites} sites x ${SPEC.samplesPerSite} samples = ${rows} rows, bodies for ${SPEC.bodyShare * 100} %; site report of ${site}`);
  const figures: StoreFigures[] = [];
  let pgVersion: string | null = null;
  if (STORES.includes('sqlite')) {
    log('SQLite: loading');
    const f = await benchStore({ kind: 'sqlite', path: join(dir, 'sqlite', 'callprobe.db') }, SPEC, template, { site, warmups: 1, runs: RUNS });
    log(
      `SQLite: ${f.load.rows} rows in ${(f.load.insertMs / 1000).toFixed(1)} s; site report ${f.siteReport.medianMs.toFixed(1)} ms, overview ${f.overview.medianMs.toFixed(0)} ms`,
    );
    figures.push(f);
    rmSync(join(dir, 'sqlite'), { recursive: true, force: true });
  }
  if (STORES.includes('postgres')) {
    log('PostgreSQL: starting a throwaway cluster');
    const cluster = await startBenchPostgres();
    pgVersion = cluster.version;
    try {
      log('PostgreSQL: loading');
      const f = await benchStore({ kind: 'postgres', url: cluster.url }, SPEC, template, { site, warmups: 1, runs: RUNS, dbCpuSeconds: cluster.cpuSeconds });
      log(
        `PostgreSQL: ${f.load.rows} rows in ${(f.load.insertMs / 1000).toFixed(1)} s; site report ${f.siteReport.medianMs.toFixed(1)} ms, overview ${f.overview.medianMs.toFixed(0)} ms`,
      );
      figures.push(f);
    } finally {
      await cluster.stop();
    }
  }
  clearTimeout(limit);
  const totalS = (performance.now() - started) / 1000;
  const load1 = loadavg()[0] ?? 0;

  const summary = figures.map((f) => ({
    store: f.store,
    rows: f.load.rows,
    rowsWithBody: f.load.rowsWithBody,
    rowsCouldNotTest: f.load.rowsCouldNotTest,
    insertS: f.load.insertMs / 1000,
    finishS: f.load.finishMs / 1000,
    dbMiB: f.load.dbBytes / 2 ** 20,
    tableMiB: f.load.tableBytes === null ? null : f.load.tableBytes / 2 ** 20,
    indexMiB: f.load.indexBytes === null ? null : f.load.indexBytes / 2 ** 20,
    siteReportMedianMs: f.siteReport.medianMs,
    siteQueryMedianMs: f.siteQuery.medianMs,
    overviewMedianMs: f.overview.medianMs,
    siteReportMedianCpuMs: f.siteReport.medianCpuMs,
    overviewMedianCpuMs: f.overview.medianCpuMs,
    siteReportMeetsGoal: f.siteReport.medianMs < GOAL_SITE_REPORT_MS,
    overviewMeetsGoal: f.overview.medianMs < GOAL_OVERVIEW_MS,
  }));
  // The summary: every figure of the section's table; the raw results add each store's timings, plans and load.
  const headline = {
    command: 'npm run bench:report',
    machine: { ...machineInfo(), postgres: pgVersion, loadAverage1mAtEnd: load1, loadAverage1mAtStart: loadAtStart },
    spec: SPEC,
    runs: RUNS,
    site,
    totalS,
    goals: { siteReportMs: GOAL_SITE_REPORT_MS, overviewMs: GOAL_OVERVIEW_MS },
    summary,
  };
  const raw = {
    ...headline,
    stores: figures.map((f) => ({
      store: f.store,
      load: f.load,
      siteReport: f.siteReport,
      siteQuery: f.siteQuery,
      overview: f.overview,
      plans: f.plans,
      siteReportSamples: f.report.samples,
      siteReportVerdict: f.report.verdict,
      overviewSites: f.overviewResult.sites.length,
      overviewVerdicts: Object.fromEntries(['pass', 'fail', 'insufficient'].map((v) => [v, f.overviewResult.sites.filter((s) => s.verdict === v).length])),
    })),
  };
  const date = today();
  const files = resultFiles('report', date);

  const ms = (v: number): string => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`);
  const mib = (v: number | null): string => (v === null ? '–' : `${v.toFixed(0)} MiB`);
  const goal = (v: number, g: number): string => `${ms(v)} (goal < ${ms(g)}: ${v < g ? 'met' : 'MISSED'})`;
  const markdown = [
    `## Site reports at ${SPEC.sites.toLocaleString('en-US')} sites x ${SPEC.samplesPerSite.toLocaleString('en-US')} samples (\`npm run bench:report\`)`,
    '',
    `${rows.toLocaleString('en-US')} rows: ${SPEC.sites.toLocaleString('en-US')} sites x ${SPEC.samplesPerSite.toLocaleString('en-US')} samples (a week of 10-minute samples), summary columns for every row, a full report body for ${SPEC.bodyShare * 100} % (${summary[0]?.rowsWithBody.toLocaleString('en-US') ?? '–'} rows; a body is about 26 KB, a million would not fit the disk) and ${FULL_SPEC.couldNotTestShare * 100} % could-not-test records (${summary[0]?.rowsCouldNotTest.toLocaleString('en-US') ?? '–'}, with their small bodies). Timed through the store's own code paths (the functions behind GET /api/sites/:site/report and GET /api/sites): median of ${RUNS} after a warm-up, the site report of ${site} over its week, the overview over every site's week. ${machineInfo().cpu}, ${machineInfo().cores} cores shared with other work (load average ${loadAtStart.toFixed(1)} at the start, ${load1.toFixed(1)} at the end); ${pgVersion ?? 'no PostgreSQL'} with its default settings (fsync off: a query benchmark). ${date}, ${totalS.toFixed(0)} s in all.`,
    '',
    mdTable(
      ['store', 'bulk insert', 'database size', 'site report: wall (CPU); query alone', 'all-sites overview: wall (CPU)'],
      summary.map((s) => [
        s.store === 'postgres' ? 'PostgreSQL' : 'SQLite',
        `${s.insertS.toFixed(1)} s (${Math.round(s.rows / s.insertS).toLocaleString('en-US')} rows/s)`,
        s.tableMiB === null ? mib(s.dbMiB) : `${mib(s.dbMiB)} (table ${mib(s.tableMiB)}, indexes ${mib(s.indexMiB)})`,
        `${goal(s.siteReportMedianMs, GOAL_SITE_REPORT_MS)} (CPU ${ms(s.siteReportMedianCpuMs)}); query ${ms(s.siteQueryMedianMs)}`,
        `${goal(s.overviewMedianMs, GOAL_OVERVIEW_MS)} (CPU ${ms(s.overviewMedianCpuMs)})`,
      ]),
    ),
    '',
    'Wall times are what a caller waited on this machine, whose 2 cores other work shared (the load average above: more runnable processes than cores, so a CPU-bound query got a share of a core). CPU is what the query cost, whoever else ran: this process (the TS part) plus, on PostgreSQL, every database process (/proc times of the postmaster and its children, parallel workers included).',
    '',
    ...summary.flatMap((s) => {
      const name = s.store === 'postgres' ? 'PostgreSQL' : 'SQLite';
      const out: string[] = [];
      if (!s.siteReportMeetsGoal)
        out.push(`- ${name} site report MISSES its goal here: ${ms(s.siteReportMedianMs)} wall for ${ms(s.siteReportMedianCpuMs)} of CPU.`);
      if (!s.overviewMeetsGoal)
        out.push(
          s.store === 'postgres'
            ? `- PostgreSQL overview MISSES its goal here: ${ms(s.overviewMedianMs)} wall. Its cost is ${ms(s.overviewMedianCpuMs)} of CPU: reading the rows once for the counts, then once more site by site, sorting each metric's values for \`percentile_disc\` (an exact P90 needs them in order), run as ${CONSTANTS.siteReport.overviewQueryChunks} queries at once over parts of the site list; on the 2 cores undisturbed that would be about ${ms(s.overviewMedianCpuMs / 2)} (an estimate: CPU over 2 cores, not measured)${s.overviewMedianCpuMs / 2 < GOAL_OVERVIEW_MS ? ' (within the goal)' : ' (still over the goal: more cores, or a coarser figure, would be needed)'}, but not with the cores shared as they were.`
            : `- SQLite overview MISSES its goal: SQLite has no percentile function, so every row's summary columns cross into callprobe and the P90s are computed there (${ms(s.overviewMedianCpuMs)} of CPU for ${s.rows.toLocaleString('en-US')} rows, about ${((s.overviewMedianCpuMs * 1000) / s.rows).toFixed(1)} µs a row). SQLite is the single-server store; a fleet of 1,000 sites belongs on PostgreSQL.`,
        );
      if (s.siteReportMeetsGoal && s.overviewMeetsGoal) out.push(`- ${name} meets both goals.`);
      return out;
    }),
    '',
    "**Indexes, no rollups.** The site report reads one site's rows through the index `results_site_key_started_at (site_key, started_at)` (migration 5: the canonical key of the site's name) and only the summary columns of migration 2 (body state, profile, probe path, verdict, one DOUBLE PRECISION column per graded target and direction), never the bodies; its figures (P50/P90/P99 with their intervals, misses, worst hours) are computed in TS over those ~1,000 rows. The all-sites overview on PostgreSQL is two queries: the counts per site, profile and probe path (one aggregate over the span), then, for each site's pool, `percentile_disc(0.9)` of each metric through the same index one site at a time (`CROSS JOIN LATERAL`), split into parts run at once. `percentile_disc(0.9)` is nearest rank, the project's own percentile (src/analysis/measure/percentile.ts): the same numbers, tested on both stores against the TS site report. On SQLite the rows are read site by site in that index's order (no sort) and the P90s computed in TS with that same function. No rollup table: a P90 cannot be combined from partial P90s (per day or per hour), and exact figures were asked for.",
    '',
    `Plans: ${figures.map((f) => `${f.store === 'postgres' ? 'PostgreSQL' : 'SQLite'} site query \`${f.plans.siteQuery.slice(0, 200)}\`; overview \`${f.plans.overview.slice(0, 900)}\``).join('; ')}.`,
    '',
    `Summary: \`${files.summary}\`.`,
  ].join('\n');
  const published = publishResults(
    { name: 'report', raw, summary: headline, docs: { page: 'report', section: 'report', markdown } },
    { writeDocs: writeDocsRequested(process.argv), date },
  );
  log(`${describePublished(published)} (${totalS.toFixed(0)} s in all)`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:report failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
