/**
 * Every series `/metrics` served before the exposition moved to prom-client is still served,
 * under its name, type and labels (./series-before.ts, recorded from the server of that time), so
 * dashboards and alerts built on them keep working: `callprobe serve` with one data plane and a
 * store holding a site's report, and with two data planes. The store's server also has the
 * site's series (computed from the store, not per scrape): its 90th percentiles among them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../server/store/sqlite.js';
import { serveProcess, type ServeProcess } from '../../kit/callprobe.js';
import { freePorts } from '../../kit/net.js';
import { cliPath } from '../../kit/paths.js';
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

describe.skipIf(why !== null)('/metrics keeps every series it had', () => {
  const dir = mkdtempSync(join(tmpdir(), 'callprobe-series-'));
  const servers: ServeProcess[] = [];
  const metricsUrls: Record<keyof typeof SERIES_BEFORE, string> = { onePlaneWithStore: '', twoPlanes: '' };

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
    const [one = 0, two = 0] = await freePorts(2);
    metricsUrls.onePlaneWithStore = `http://127.0.0.1:${one}/metrics`;
    metricsUrls.twoPlanes = `http://127.0.0.1:${two}/metrics`;
    servers.push(
      ...(await Promise.all([
        serveProcess({
          turnPorts: 0,
          db,
          adminToken: TOKEN,
          extra: ['--alerts', alerts, '--result-webhook', 'http://127.0.0.1:9/results', '--metrics-listen', `127.0.0.1:${one}`],
        }),
        serveProcess({ turnPorts: 0, extra: ['--workers', '2', '--metrics-listen', `127.0.0.1:${two}`] }),
      ])),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['onePlaneWithStore', 'twoPlanes'] as const)('%s: every family and series of before, under its name, type and labels', async (config) => {
    let text = '';
    // The data planes' own figures come with their first answer to the HTTP process: awaited, not assumed.
    await waitFor(
      async () => {
        text = await (await fetch(metricsUrls[config])).text();
        return missing(SERIES_BEFORE[config], text).length === 0;
      },
      { timeoutMs: 10_000, pollMs: 100, what: `every series of before on ${config}`, state: () => missing(SERIES_BEFORE[config], text).join(', ') },
    );
    expect(missing(SERIES_BEFORE[config], text)).toEqual([]);
  });
});
