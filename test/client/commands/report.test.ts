/**
 * `callprobe report` (the compiled CLI, `npx tsc -b` first) against a live server on loopback
 * holding a generated set of site samples (SQLite): JSON, CSV and the summary, exit codes by
 * verdict, the token from --token or CALLPROBE_TOKEN, refusals as one-line usage errors.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/http/app.js';
import { OVERVIEW_CSV_COLUMNS, SITE_CSV_COLUMNS, siteReportUrl } from '../../../client/site-report.js';
import type { SitesOverview } from '../../../src/analysis/site/overview.js';
import type { SiteReport } from '../../../src/analysis/report/site-report.js';
import type { ResultStore } from '../../../server/store/index.js';
import { appOptionsWithoutRelay, resultsOptions } from '../../kit/app-options.js';
import { freeTcpPort } from '../../kit/net.js';
import { runProcess } from '../../kit/process.js';
import { cliPath } from '../../kit/paths.js';
import { needBuilt, skipReason } from '../../kit/requires.js';
import { open, sqliteKind, storeOptions, testClock } from '../../server/store/store-kit.js';
import { weekOfSamples } from '../../analysis/site/week.js';

const CLI = cliPath;
const why = skipReason('callprobe report (compiled CLI)', [needBuilt(CLI)]);
const TOKEN = 'operator-token-0123456789';

describe.skipIf(why !== null)('callprobe report (compiled CLI)', () => {
  const kind = sqliteKind();
  let webRoot: string;
  let app: FastifyInstance;
  let store: ResultStore;
  let server: string;

  beforeAll(async () => {
    await kind.setup();
    webRoot = mkdtempSync(join(tmpdir(), 'callprobe-report-web-'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>callprobe page</title>');
    store = await open(await kind.freshTarget(), storeOptions(testClock(Date.UTC(2026, 0, 15)), 9));
    for (const [i, s] of weekOfSamples({ seed: 3, samples: 300, couldNotTestEvery: 50, loadEvery: 12, site: 'Lyon' }).entries()) {
      await store.results.put({
        sampleId: `lyon-${String(i).padStart(4, '0')}`,
        kind: s.kind,
        startedAtMs: s.startedAtMs,
        site: 'Lyon',
        ticket: null,
        verdict: s.kind === 'report' ? s.body.summary.verdict : null,
        reportJson: JSON.stringify(s.body),
        address: null,
      });
    }
    app = await buildApp({
      ...appOptionsWithoutRelay(webRoot),
      results: resultsOptions(store, TOKEN, { postsPerMinutePerIp: 10, readsPerMinutePerIp: 10 }),
    });
    server = await app.listen({ host: '127.0.0.1', port: 0 });
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await store.close();
    rmSync(webRoot, { recursive: true, force: true });
    await kind.teardown();
  });

  const env = (token?: string): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = { ...process.env };
    delete e['CALLPROBE_TOKEN'];
    delete e['CALLPROBE_ADMIN_TOKEN'];
    if (token !== undefined) e['CALLPROBE_TOKEN'] = token;
    return e;
  };
  const report = (args: string[], token?: string) => runProcess(process.execPath, [CLI, 'report', ...args], { timeoutMs: 30_000, env: env(token) });

  it('prints the site report as JSON with the token from CALLPROBE_TOKEN, and exits with its verdict', async () => {
    const r = await report(['--server', server, '--site', 'Lyon', '--since', '2026-01-01', '--json'], TOKEN);
    const json = JSON.parse(r.stdout) as SiteReport;
    expect(json).toMatchObject({ kind: 'site-report', site: 'Lyon', samples: 294, samplesTotal: 300, couldNotTest: { samples: 6 } });
    expect(r.code, r.stderr).toBe({ pass: 0, fail: 1, insufficient: 2 }[json.verdict]);
    expect(json.metrics.length).toBeGreaterThan(0);
    expect(json.metrics.every((m) => m.p90Interval !== null && m.status !== 'insufficient')).toBe(true);
  });

  it('takes the token run uses (CALLPROBE_ADMIN_TOKEN) when neither --token nor CALLPROBE_TOKEN is given', async () => {
    const r = await runProcess(process.execPath, [CLI, 'report', '--server', server, '--site', 'Lyon', '--since', '2026-01-01', '--json'], {
      timeoutMs: 30_000,
      env: { ...env(), CALLPROBE_ADMIN_TOKEN: TOKEN },
    });
    expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'site-report', samples: 294 });
  });

  it('prints one CSV row per target and direction with --csv and --token', async () => {
    const r = await report(['--server', server, '--site', 'Lyon', '--since', '2026-01-01', '--csv', '--token', TOKEN]);
    const lines = r.stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe(SITE_CSV_COLUMNS.join(','));
    expect(lines.length).toBeGreaterThan(6);
    expect(lines.slice(1).every((l) => l.startsWith('Lyon,'))).toBe(true);
    // Figures as the page rounds them (ms to 0.1, % to 0.01 where that does not read as zero or as its target).
    const p50 = SITE_CSV_COLUMNS.indexOf('p50');
    for (const l of lines.slice(1)) expect(l.split(',')[p50] ?? '').toMatch(/^(|-?\d+(\.\d{1,4})?)$/);
  });

  it('adds the busy line of the samples that loaded the line: one CSV row per direction with its grade, and its sentence in the summary', async () => {
    const [csv, text] = await Promise.all([
      report(['--server', server, '--site', 'Lyon', '--since', '2026-01-01', '--csv', '--token', TOKEN]),
      report(['--server', server, '--site', 'Lyon', '--since', '2026-01-01'], TOKEN),
    ]);
    const rows = csv.stdout
      .trimEnd()
      .split('\r\n')
      .map((l) => l.split(','));
    const col = (name: (typeof SITE_CSV_COLUMNS)[number]) => SITE_CSV_COLUMNS.indexOf(name);
    const busy = rows.filter((r) => r[col('target')] === 'busy-line-added-delay');
    expect(busy.map((r) => r[col('direction')])).toEqual(['up', 'down']);
    // 300 samples, every 12th loaded the line (25), every 5th of those refused (5): 20 measured each way.
    for (const r of busy) {
      expect(r[col('samples_graded')]).toBe('20');
      expect(r[col('threshold')]).toBe('60');
      expect(r[col('bloat_grade')]).toMatch(/^(A\+|A|B|C|D|F)$/);
    }
    expect(rows.filter((r) => r[col('target')] !== 'busy-line-added-delay' && r[col('target')] !== 'target').every((r) => r[col('bloat_grade')] === '')).toBe(
      true,
    );
    expect(text.stdout).toMatch(/Busy line \(not part of the verdict\): 25 samples loaded the line; calls suffered in \d+/);
    expect(text.stdout).toContain('; 5 could not run the phase. Uploads added ');
  });

  it('separates fields with ; for spreadsheets whose list separator is ; (--csv-sep semicolon)', async () => {
    const comma = await report(['--server', server, '--site', 'Lyon', '--since', '2026-01-01', '--csv', '--token', TOKEN]);
    const semi = await report(['--server', server, '--site', 'Lyon', '--since', '2026-01-01', '--csv', '--csv-sep', 'semicolon', '--token', TOKEN]);
    expect(semi.code).toBe(comma.code);
    const lines = semi.stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe(SITE_CSV_COLUMNS.join(';'));
    // The same cells, only the separator differs (no cell holds either separator here).
    expect(semi.stdout.replaceAll(';', ',')).toBe(comma.stdout);
  });

  it('prints a human summary by default: the verdict, the figures, the worst hours in the zone given', async () => {
    const r = await report(['--server', server, '--site', 'Lyon', '--since', '2026-01-01', '--tz', 'Europe/Paris'], TOKEN);
    expect(r.stdout).toMatch(/^Site Lyon: (PASS|FAIL|INSUFFICIENT) over 294 samples \(90th percentile\)/);
    expect(r.stdout).toContain('6 of 300 samples could not reach the relay');
    expect(r.stdout).toContain('Worst hours (Europe/Paris):');
    expect(r.stdout).toMatch(/Latency \(round trip\)\s+\S+ ms/);
  });

  it('refuses without a token, with a wrong one, and with bad flags: exit 3, one line', async () => {
    const oneLine = (r: { code: number | null; stderr: string }, re: RegExp): void => {
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(re);
    };
    // The CLI runs all at once: a start of the CLI is most of each case's time.
    const cases: [string[], string | undefined, RegExp][] = [
      [['--server', server, '--site', 'Lyon'], undefined, /needs the operator token/],
      [['--server', server, '--site', 'Lyon'], 'wrong-token-0123456789', /refused the site report \(403 bad-token\)/],
      [['--server', server, '--site', 'Lyon', '--since', 'last week'], TOKEN, /--since must be a span/],
      [['--server', server, '--site', 'Lyon', '--tz', 'Mars/Olympus'], TOKEN, /not a time zone/],
      [['--server', server, '--site', 'Lyon', '--profile', 'azure-region'], TOKEN, /bad-profile/],
      [['--server', server, '--site', 'Lyon', '--json', '--csv'], TOKEN, /--json or --csv/],
    ];
    await Promise.all(cases.map(async ([args, token, re]) => oneLine(await report(args, token), re)));
  });

  it('finds the site by any spelling; a typo is "no such site; did you mean ...?", exit 3', async () => {
    const r = await report(['--server', server, '--site', '  lyon ', '--since', '2026-01-01', '--json'], TOKEN);
    expect(JSON.parse(r.stdout)).toMatchObject({ site: 'Lyon', samplesTotal: 300 });
    const typo = await report(['--server', server, '--site', 'Lyom', '--since', '2026-01-01'], TOKEN);
    expect(typo.code).toBe(3);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).toBe('callprobe: no such site; did you mean Lyon?\n');
    const formula = await report(['--server', server, '--site', '=Lyon'], TOKEN);
    expect(formula.code).toBe(3);
    expect(formula.stderr).toMatch(/--site: a site name cannot start with = \+ - @ ; or \|/);
  });

  it('prints the all-sites overview with --all: the P90s and grades of the site report, exit by the worst site', async () => {
    const [r, siteRun, text, csv, neither] = await Promise.all([
      report(['--server', server, '--all', '--since', '2026-01-01', '--json'], TOKEN),
      report(['--server', server, '--site', 'Lyon', '--since', '2026-01-01', '--json'], TOKEN),
      report(['--server', server, '--all', '--since', '2026-01-01'], TOKEN),
      report(['--server', server, '--all', '--since', '2026-01-01', '--csv'], TOKEN),
      report(['--server', server], TOKEN),
    ]);
    const o = JSON.parse(r.stdout) as SitesOverview;
    const site = (JSON.parse(siteRun.stdout) as SiteReport).metrics;
    expect(o.sites.map((s) => [s.site, s.samplesTotal, s.samples, s.couldNotTest])).toEqual([['Lyon', 300, 294, 6]]);
    expect(o.sites[0]?.metrics.map((m) => [m.target, m.direction, m.p90, m.status])).toEqual(site.map((m) => [m.target, m.direction, m.p90, m.status]));
    expect(r.code, r.stderr).toBe({ pass: 0, fail: 1, insufficient: 2 }[o.sites[0]?.verdict ?? 'insufficient']);
    expect(text.stdout).toMatch(/^All sites since 2026-01-01T00:00:00.000Z: 1 sites/);
    expect(text.stdout).toMatch(/\nLyon: (PASS|FAIL|INSUFFICIENT) over 294 of 300 samples/);
    expect(csv.stdout.split('\r\n')[0]).toBe(OVERVIEW_CSV_COLUMNS.join(','));
    expect(neither.code).toBe(3);
    expect(neither.stderr).toMatch(/--site NAME for one site, or --all/);
  });

  it('lists a site that has a token but never reported, in --all and its JSON (what the console shows too)', async () => {
    await store.siteTokens.create({
      id: 'vannes-token-01',
      siteKey: 'vannes',
      display: 'Vannes',
      tokenHash: 'f'.repeat(64),
      createdAtMs: Date.UTC(2026, 0, 14),
    });
    const [text, json] = await Promise.all([
      report(['--server', server, '--all', '--since', '2026-01-01'], TOKEN),
      report(['--server', server, '--all', '--since', '2026-01-01', '--json'], TOKEN),
    ]);
    expect(text.stdout).toMatch(
      /\nVannes: INSUFFICIENT over 0 of 0 samples\n {2}! never reported: a site token was made 2026-01-14T00:00:00.000Z and no sample has been stored since/,
    );
    const vannes = (JSON.parse(json.stdout) as SitesOverview).sites.find((s) => s.key === 'vannes');
    expect(vannes?.health?.flags.map((f) => f.kind)).toEqual(['never-reported']);
    expect(vannes?.health).toMatchObject({ lastSampleAt: null, lastReportAt: null });
  });

  it('exits 4 when the server cannot be reached', async () => {
    const port = await freeTcpPort('127.0.0.1');
    const r = await report(['--server', `http://127.0.0.1:${port}`, '--site', 'Lyon'], TOKEN);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/did not answer/);
  });

  it('builds the URL with the site encoded and only the parameters given', () => {
    expect(siteReportUrl({ server: 'http://h:8080', site: 'Paris / 2nd floor', since: '7d', tz: 'Europe/Paris' }).toString()).toBe(
      'http://h:8080/api/sites/Paris%20%2F%202nd%20floor/report?since=7d&tz=Europe%2FParis',
    );
  });
});
