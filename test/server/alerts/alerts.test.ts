/**
 * Site alerts (issue 12) through the real HTTP app and an SQLite store, posting to a local
 * HTTP receiver: an alert fires once after k breaching samples and clears once after k passing
 * ones; a failing receiver is counted and logged, and storing goes on.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/http/app.js';
import { SiteAlerts } from '../../../server/alerts/index.js';
import { alertsConfigFrom, readAlertsConfig } from '../../../server/alerts/config.js';
import { alertText, webhookBody } from '../../../server/alerts/webhook.js';
import { openSqliteStore } from '../../../server/store/sqlite.js';
import type { ResultStore } from '../../../server/store/types.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import { ConfigError, DEFAULTS } from '../../../src/protocol/defaults.js';
import { reflectorInput } from '../../analysis/report/inputs.js';
import { appOptionsWithoutRelay } from '../../kit/app-options.js';
import { waitFor } from '../../kit/wait.js';
import { storeOptions, testClock } from '../store/store-kit.js';

const TOKEN = 'alerts-test-token-0123456789';

interface Receiver {
  url: string;
  bodies: unknown[];
  status: number;
  server: Server;
}

async function startReceiver(): Promise<Receiver> {
  const r: Receiver = { url: '', bodies: [], status: 204, server: createServer() };
  r.server.on('request', (req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      r.bodies.push(JSON.parse(text) as unknown);
      res.writeHead(r.status).end();
    });
  });
  await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}/hook`;
  return r;
}

/** A report of `site` whose round trip is `rttMs` (p50), started at `startedAtMs`. */
function siteReport(site: string, rttMs: number, startedAtMs: number): string {
  const r = analyze(reflectorInput({ count: 1510, rttMs: () => rttMs }));
  return JSON.stringify({ ...r, meta: { ...r.meta, site, startedAt: new Date(startedAtMs).toISOString() } });
}

describe('site alerts', () => {
  let dir: string;
  let store: ResultStore;
  let app: FastifyInstance;
  let receiver: Receiver;
  let alerts: SiteAlerts;
  const lines: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'callprobe-alerts-'));
    store = openSqliteStore(join(dir, 'r.db'), storeOptions(testClock(), 7));
    receiver = await startReceiver();
    const config = alertsConfigFrom({ webhook: { url: receiver.url }, rules: [{ metric: 'latency-rtt', samples: 2, raiseAfter: 3, clearAfter: 3 }] });
    alerts = new SiteAlerts(config, store, { info: (_o, msg) => lines.push(msg), warn: (_o, msg) => lines.push(msg) });
    app = await buildApp({
      ...appOptionsWithoutRelay(join(dir, 'no-page')),
      results: { store, adminToken: TOKEN, bodyLimitBytes: 256 * 1024, postsPerMinutePerIp: 1000, readsPerMinutePerIp: 1000, alerts },
    });
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    await store.close();
    await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const post = async (body: string): Promise<number> =>
    (
      await app.inject({
        method: 'POST',
        url: '/api/results',
        payload: body,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      })
    ).statusCode;

  it('fires once after k breaches and clears once after k passes, with the JSON body', async () => {
    const t0 = Date.UTC(2026, 10, 2, 8);
    // Samples every 10 minutes: 2 at 40 ms, 6 at 150 ms, 6 at 40 ms (window 2, k = 3).
    const rtts = [40, 40, 150, 150, 150, 150, 150, 150, 40, 40, 40, 40, 40, 40];
    for (const [i, rtt] of rtts.entries()) expect(await post(siteReport('Paris', rtt, t0 + i * 600_000))).toBe(201);
    await waitFor(() => receiver.bodies.length >= 2, { timeoutMs: 5_000, what: 'two webhook posts' });
    // Window of 2, nearest-rank P90 = the larger: breaches from sample 2 (index), raised at 4; passes from
    // sample 9 (both 40), cleared at 11.
    expect(receiver.bodies).toEqual([
      {
        site: 'Paris',
        metric: 'latency-rtt',
        p90: expect.any(Number) as number,
        target: 100,
        state: 'raised',
        since: new Date(t0 + 4 * 600_000).toISOString(),
      },
      { site: 'Paris', metric: 'latency-rtt', p90: expect.any(Number) as number, target: 100, state: 'ok', since: new Date(t0 + 11 * 600_000).toISOString() },
    ]);
    expect((receiver.bodies[0] as { p90: number }).p90).toBeGreaterThan(100);
    expect((receiver.bodies[1] as { p90: number }).p90).toBeLessThan(100);
    await waitFor(() => alerts.counts.posted === 2, { timeoutMs: 5_000, what: 'both posts acknowledged' });
    expect(lines.filter((l) => l.startsWith('alert '))).toEqual(['alert raised: Paris latency-rtt', 'alert ok: Paris latency-rtt']);
  });

  it('a receiver that fails is counted and logged; results are stored all the same', async () => {
    receiver.status = 500;
    const t0 = Date.UTC(2026, 10, 3, 8);
    for (let i = 0; i < 4; i++) expect(await post(siteReport('Lyon', 150, t0 + i * 600_000))).toBe(201);
    await waitFor(() => alerts.counts.failed.get('status') === 1, { timeoutMs: 5_000, what: 'the failed post counted' });
    expect(lines.at(-1)).toBe('alert webhook failed: the webhook answered 500');
    receiver.status = 204;
  });

  it('results without a site, and a sample sent twice (same sampleId), feed nothing', async () => {
    const before = receiver.bodies.length;
    const t0 = Date.UTC(2026, 10, 4, 8);
    for (let i = 0; i < 4; i++) {
      const body = JSON.parse(siteReport('Nice', 150, t0)) as Record<string, unknown>;
      expect(await post(JSON.stringify({ ...body, sampleId: 'nice-sample-000001' }))).toBe(i === 0 ? 201 : 200);
    }
    expect(await alerts.afterStored({ id: 'no-such-id', site: 'Nice', grades: [] })).toEqual([]);
    expect(receiver.bodies.length).toBe(before);
  });
});

describe('the alerts file', () => {
  it('takes the defaults and names the first problem', () => {
    expect(alertsConfigFrom({ webhook: { url: 'https://hooks.example/x', format: 'teams' }, rules: [{ metric: 'loss-15s' }] })).toEqual({
      webhook: { url: 'https://hooks.example/x', format: 'teams' },
      rules: [{ target: 'loss-15s', samples: DEFAULTS.alerts.samples, raiseAfter: 3, clearAfter: 3 }],
    });
    expect(() => alertsConfigFrom({ webhook: { url: 'ftp://x' }, rules: [{ metric: 'loss-15s' }] })).toThrow(/\/webhook\/url/);
    expect(() => alertsConfigFrom({ webhook: { url: 'http://x' }, rules: [{ metric: 'mos' }] })).toThrow(ConfigError);
    expect(() => alertsConfigFrom({ webhook: { url: 'http://x' }, rules: [] })).toThrow(/\/rules/);
    // The store keeps one state per (site, metric).
    expect(() => alertsConfigFrom({ webhook: { url: 'http://x' }, rules: [{ metric: 'loss-15s' }, { metric: 'loss-15s', samples: 10 }] })).toThrow(
      /two rules for loss-15s/,
    );
    const dir = mkdtempSync(join(tmpdir(), 'callprobe-alerts-file-'));
    try {
      writeFileSync(join(dir, 'bad.json'), '{ not json');
      expect(() => readAlertsConfig(join(dir, 'bad.json'))).toThrow(/not JSON/);
      expect(() => readAlertsConfig(join(dir, 'missing.json'))).toThrow(/cannot read it \(ENOENT\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('speaks JSON, Slack and Teams', () => {
    const e = { site: 'Paris', metric: 'latency-rtt' as const, p90: 150, target: 100, state: 'raised' as const, since: '2026-11-02T08:40:00.000Z' };
    expect(webhookBody(e, 'json')).toEqual(e);
    expect(alertText(e)).toBe('Paris: latency (round trip) P90 150 ms is not below its 100 ms target (alert raised 2026-11-02T08:40:00.000Z)');
    expect(webhookBody(e, 'slack')).toEqual({ text: alertText(e) });
    expect(webhookBody({ ...e, state: 'ok' }, 'teams')).toMatchObject({
      '@type': 'MessageCard',
      summary: 'callprobe: Paris ok',
      text: expect.stringContaining('is back below its 100 ms target') as string,
    });
  });
});

describe('the default alert window', () => {
  it('is the fewest samples a site report grades a P90 from', () => {
    expect(DEFAULTS.alerts.samples).toBe(DEFAULTS.siteReport.p90MinSamples);
  });
});
