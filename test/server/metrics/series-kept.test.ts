/**
 * Every series `/metrics` served before the exposition moved to prom-client is still served,
 * under its name, type and labels (./series-before.ts, recorded from the server of that time), so
 * dashboards and alerts built on them keep working: `callprobe serve` with its data plane and a
 * store holding a site's report. The server also has the site's series (computed from the store,
 * not per scrape): its 90th percentiles among them. And every query of the dashboard that ships
 * (deploy/grafana/callprobe.json) names a metric they serve.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../server/store/sqlite.js';
import { serveProcess, type ServeProcess } from '../../kit/callprobe.js';
import { freePorts } from '../../kit/net.js';
import { cliPath, repoRoot } from '../../kit/paths.js';
import { needBuilt, skipReason } from '../../kit/requires.js';
import { waitFor } from '../../kit/wait.js';
import { siteReport } from '../alerts/kit.js';
import { storeOptions, testClock } from '../store/store-kit.js';
import { SERIES_BEFORE, type RecordedExposition } from './series-before.js';

const why = skipReason('the series /metrics kept', [needBuilt(cliPath)]);
const TOKEN = 'operator-token-0123456789abcdef';
const SITE = 'Paris office';

/** An exposition's families (`# TYPE`) and series (name and labels sorted by name, a port `*`), as ./series-before.ts records them. */
function exposition(text: string): { families: Map<string, string>; series: Set<string> } {
  const families = new Map<string, string>();
  const series = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) families.set(type[1] ?? '', type[2] ?? '');
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+$/.exec(line);
    if (!sample) continue;
    const labels = [...(sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, k = '', v = '']) => [k, k === 'port' ? '*' : v] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    series.add(`${sample[1] ?? ''}${labels.length === 0 ? '' : `{${labels.map(([k, v]) => `${k}="${v}"`).join(',')}}`}`);
  }
  return { families, series };
}

/** What of `before` the exposition lacks: a family missing or of another type, a series missing. */
function missing(before: RecordedExposition, text: string): string[] {
  const now = exposition(text);
  return [
    ...before.families.filter(([name, type]) => now.families.get(name) !== type).map(([name, type]) => `${name} (${type})`),
    ...before.series.filter((s) => !now.series.has(s)),
  ];
}

/** PromQL's keywords, which read like metric names. */
const PROMQL_WORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** The metric names a PromQL expression reads (Grafana's `label_values(metric, label)` its metric): strings, matchers, ranges and groupings set aside, then every name not called. */
function metricNames(expr: string): string[] {
  const labelValues = /^label_values\(\s*([a-zA-Z_:][\w:]*)/.exec(expr);
  if (labelValues) return [labelValues[1] ?? ''];
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  return [...bare.matchAll(/(?<![\w:$.])([a-zA-Z_:][\w:]*)(?![\w:]|\s*\()/g)].map((m) => m[1] ?? '').filter((n) => !PROMQL_WORDS.has(n));
}

interface DashboardPanel {
  title?: string;
  type: string;
  targets?: Array<{ expr?: string }>;
  panels?: DashboardPanel[];
}

/** The dashboard's queries, each with where it is (a panel's title, the site variable), its panels' nested in rows included; a panel that queries nothing is one with no query. */
function dashboardQueries(): Array<{ where: string; expr: string }> {
  const dashboard = JSON.parse(readFileSync(join(repoRoot, 'deploy/grafana/callprobe.json'), 'utf8')) as {
    panels: DashboardPanel[];
    templating: { list: Array<{ name: string; query: { query: string } }> };
  };
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
  return [
    ...panels.flatMap((p) =>
      (p.targets ?? []).length === 0 ? [{ where: p.title ?? '?', expr: '' }] : (p.targets ?? []).map((t) => ({ where: p.title ?? '?', expr: t.expr ?? '' })),
    ),
    ...dashboard.templating.list.map((v) => ({ where: `$${v.name}`, expr: v.query.query })),
  ];
}

describe.skipIf(why !== null)('/metrics keeps every series it had', () => {
  const dir = mkdtempSync(join(tmpdir(), 'callprobe-series-'));
  const servers: ServeProcess[] = [];
  const metricsUrls: Record<keyof typeof SERIES_BEFORE, string> = { onePlaneWithStore: '' };

  beforeAll(async () => {
    const db = join(dir, 'callprobe.db');
    const store = openSqliteStore(db, storeOptions(testClock(Date.now()), 83));
    const startedAtMs = Date.now() - 60_000;
    await store.results.put({
      sampleId: 'paris-0001',
      kind: 'report',
      startedAtMs,
      site: SITE,
      ticket: null,
      verdict: 'pass',
      reportJson: siteReport(SITE, 40, startedAtMs),
      address: null,
    });
    await store.close();
    const alerts = join(dir, 'alerts.json');
    writeFileSync(
      alerts,
      JSON.stringify({ webhooks: [{ url: 'http://127.0.0.1:9/hook', format: 'json' }], rules: [{ metric: 'latency-rtt' }, { silentFor: '30m' }] }),
    );
    const [one = 0] = await freePorts(1);
    metricsUrls.onePlaneWithStore = `http://127.0.0.1:${one}/metrics`;
    servers.push(
      await serveProcess({
        turnPorts: 0,
        db,
        adminToken: TOKEN,
        extra: ['--alerts', alerts, '--result-webhook', 'http://127.0.0.1:9/results', '--metrics-listen', `127.0.0.1:${one}`],
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['onePlaneWithStore'] as const)('%s: every family and series of before, under its name, type and labels', async (config) => {
    let text = '';
    // The data plane's own figures come with its first answer to the HTTP process: awaited, not assumed.
    await waitFor(
      async () => {
        text = await (await fetch(metricsUrls[config])).text();
        return missing(SERIES_BEFORE[config], text).length === 0;
      },
      { timeoutMs: 10_000, pollMs: 100, what: `every series of before on ${config}`, state: () => missing(SERIES_BEFORE[config], text).join(', ') },
    );
    expect(missing(SERIES_BEFORE[config], text)).toEqual([]);
  });

  it("holds each site's 90th percentiles, verdict and samples, from the store", async () => {
    const text = await (await fetch(metricsUrls.onePlaneWithStore)).text();
    expect(text).toMatch(/^callprobe_site_p90\{site="Paris office",target="latency-rtt",direction="round-trip"\} (3|4)\d(\.\d+)?$/m);
    expect(text).toMatch(/^callprobe_site_verdict\{site="Paris office"\} -1$/m);
    expect(text).toMatch(/^callprobe_site_samples\{site="Paris office",cause="all"\} 1$/m);
  });

  it('ships a dashboard whose every query names metrics /metrics serves', async () => {
    const served = new Set<string>();
    for (const url of Object.values(metricsUrls))
      for (const [name, type] of exposition(await (await fetch(url)).text()).families)
        for (const suffix of type === 'histogram' ? ['', '_bucket', '_sum', '_count'] : type === 'summary' ? ['', '_sum', '_count'] : [''])
          served.add(name + suffix);
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(10);
    const unserved = queries.flatMap(({ where, expr }) => {
      const names = metricNames(expr);
      return names.length === 0 ? [`${where}: no metric in "${expr}"`] : names.filter((n) => !served.has(n)).map((n) => `${where}: ${n}`);
    });
    expect(unserved).toEqual([]);
  });
});
