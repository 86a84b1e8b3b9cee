/**
 * The report benchmark's core, shared by `npm run bench:report` (./run.ts, a million
 * rows) and its small-scale test: generate the rows into a store, then time the site report of
 * one site and the all-sites overview through the store's own code paths (the same functions
 * GET /api/sites/:site/report and GET /api/sites call), median of `runs` after warm-ups.
 */
import { CONSTANTS, DEFAULTS } from '../../src/protocol/defaults.js';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openStore } from '../../server/store/index.js';
import type { ResultStore, StoreOptions } from '../../server/store/types.js';
import { siteReportFromStore, sitesOverviewFromStore } from '../../server/reports/site.js';
import type { SiteReport } from '../../src/analysis/report/site-report.js';
import type { SitesOverview } from '../../src/analysis/site/overview.js';
import type { Report } from '../../src/analysis/schema/report-schema.js';
import type { DbTarget } from '../../server/store/target.js';
import { percentile } from '../../src/analysis/measure/percentile.js';
import { benchRows, type BenchRow, type ReportBenchSpec } from './generate.js';
import { loadPostgres, loadSqlite, type LoadStats } from './load.js';

interface QueryTimes {
  /** Each timed run, ms. */
  runsMs: number[];
  medianMs: number;
  /** CPU each run used, ms: this process (the TS part) plus the database's processes when it has its own (PostgreSQL). */
  cpuMs: number[];
  medianCpuMs: number;
}

export interface StoreFigures {
  store: 'sqlite' | 'postgres';
  load: LoadStats;
  site: string;
  /** The whole site report (query, then the TS figures and words), as the API builds it. */
  siteReport: QueryTimes;
  /** Only the store's query of the site report (store.sites.samples). */
  siteQuery: QueryTimes;
  /** The whole all-sites overview (the store's query, then the grades), as the API builds it. */
  overview: QueryTimes;
  /** The query plans of both queries, as the database explains them. */
  plans: { siteQuery: string; overview: string };
  report: SiteReport;
  overviewResult: SitesOverview;
}

function benchStoreOptions(): StoreOptions {
  // Nothing is purged here (purge() is never called); the retention only needs to be valid.
  return { nowMs: () => Date.now(), randomBytes: (n) => randomBytes(n), retainDays: 3650, retainIpDays: 28, warn: (m) => process.stderr.write(`${m}\n`) };
}

async function timed<T>(fn: () => Promise<T>, warmups: number, runs: number, dbCpuSeconds: () => number): Promise<{ times: QueryTimes; last: T }> {
  let last: T | undefined;
  for (let i = 0; i < warmups; i++) last = await fn();
  const runsMs: number[] = [];
  const cpuMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const db0 = dbCpuSeconds();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    last = await fn();
    runsMs.push(performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    cpuMs.push((cpu.user + cpu.system) / 1000 + (dbCpuSeconds() - db0) * 1000);
  }
  if (last === undefined) throw new Error('timed() needs at least one run');
  return { times: { runsMs, medianMs: percentile(runsMs, 50), cpuMs, medianCpuMs: percentile(cpuMs, 50) }, last };
}

const SITE_SQL = 'SELECT * FROM results WHERE site_key = $1 AND started_at >= $2 ORDER BY started_at, id LIMIT 10081';

async function plans(target: DbTarget, site: string, sinceMs: number): Promise<StoreFigures['plans']> {
  if (target.kind === 'sqlite') {
    const db = new Database(target.path, { readonly: true });
    try {
      const plan = (sql: string, ...args: unknown[]): string =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql.replace(/\$\d/g, '?')}`).all(...args) as Array<{ detail: string }>).map((r) => r.detail).join('; ');
      return {
        siteQuery: plan(SITE_SQL, site, sinceMs),
        overview: plan(
          'SELECT site_key, rtt_ms FROM results INDEXED BY results_site_key_started_at WHERE site_key IS NOT NULL AND started_at >= ? ORDER BY site_key',
          sinceMs,
        ),
      };
    } finally {
      db.close();
    }
  }
  const c = new pg.Client({ connectionString: target.url });
  await c.connect();
  try {
    const plan = async (sql: string, args: unknown[]): Promise<string> =>
      (await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, args)).rows.map((r) => r['QUERY PLAN'].trim()).join('; ');
    return {
      siteQuery: await plan(SITE_SQL, [site, sinceMs]),
      overview: [
        await plan(
          'SELECT site, body_state, profile_id, profile_region, profile_from, probe_path, count(*), count(rtt_ms) FROM results WHERE started_at >= $1 AND site IS NOT NULL GROUP BY site, body_state, profile_id, profile_region, profile_from, probe_path',
          [sinceMs],
        ),
        await plan(
          "SELECT p.site, x.* FROM unnest($2::text[]) AS p(site) CROSS JOIN LATERAL (SELECT percentile_disc(0.9) WITHIN GROUP (ORDER BY r.rtt_ms) FROM results r WHERE r.site = p.site AND r.started_at >= $1 AND r.body_state = 'report') x",
          [sinceMs, [site]],
        ),
      ].join(' || then: '),
    };
  } finally {
    await c.end();
  }
}

export interface BenchStoreOptions {
  site: string;
  warmups: number;
  runs: number;
  /** Every generated row is also handed here (the test keeps them as its reference). */
  onRow?: (row: BenchRow) => void;
  /** CPU seconds the database's own processes have used (PostgreSQL); absent: none (SQLite runs in this process). */
  dbCpuSeconds?: () => number;
}

/** Creates the schema through the store, loads the generated rows, and times both queries. */
export async function benchStore(target: DbTarget, spec: ReportBenchSpec, template: Report, o: BenchStoreOptions): Promise<StoreFigures> {
  await (await openStore(target, benchStoreOptions())).close();
  function* rows(): Generator<BenchRow> {
    for (const r of benchRows(spec, template)) {
      o.onRow?.(r);
      yield r;
    }
  }
  const load = target.kind === 'sqlite' ? loadSqlite(target.path, rows()) : await loadPostgres(target.url, rows());
  const store: ResultStore = await openStore(target, benchStoreOptions());
  try {
    const sinceMs = spec.startMs;
    const q = { site: o.site, sinceMs, choice: { profile: null, probePath: null }, timeZone: 'UTC' };
    const dbCpu = o.dbCpuSeconds ?? ((): number => 0);
    const siteQuery = await timed(() => store.sites.samples({ site: o.site, sinceMs, limit: 10_081 }), o.warmups, o.runs, dbCpu);
    // "Now" is the end of the generated week; the store holds no heartbeats (the bulk load wrote none): no downtime.
    const clock = {
      nowMs: spec.startMs + spec.samplesPerSite * spec.intervalMs,
      heartbeatGraceMs: DEFAULTS.fleet.heartbeatGraceMs,
      lookbackMs: DEFAULTS.fleet.lookbackMs,
    };
    const rules = { silentForMs: CONSTANTS.alerts.overviewSilentForMs, outagesAbovePct: CONSTANTS.alerts.overviewOutagesAbovePct };
    const siteReport = await timed(() => siteReportFromStore(store, q, clock), o.warmups, o.runs, dbCpu);
    const overview = await timed(() => sitesOverviewFromStore(store, sinceMs, clock, rules), o.warmups, o.runs, dbCpu);
    return {
      store: target.kind,
      load,
      site: o.site,
      siteReport: siteReport.times,
      siteQuery: siteQuery.times,
      overview: overview.times,
      plans: await plans(target, o.site, sinceMs),
      report: siteReport.last,
      overviewResult: overview.last,
    };
  } finally {
    await store.close();
  }
}
