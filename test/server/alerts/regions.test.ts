/**
 * Alerts by region: a site rule that names an edge watches the P90 of the site's locate round
 * trips to that edge, through the real HTTP app and an SQLite store, posting to a local receiver.
 * The tests themselves stay at 40 ms (the plain round-trip rule of the same site never breaches);
 * the locate to East US rises to 150 ms: the alert raised says which region (its edge and Azure
 * region, in the JSON and in the line a person reads) and clears when the round trip comes back.
 * The rule file refuses an edge on another metric. The edge's window is read the same way on
 * PostgreSQL (the store's own test of its windows).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/http/app.js';
import { alertsConfigFrom } from '../../../server/alerts/config.js';
import { alertText } from '../../../server/alerts/webhook.js';
import { openSqliteStore } from '../../../server/store/sqlite.js';
import type { ResultStore } from '../../../server/store/types.js';
import type { AlertEvent } from '../../../src/analysis/alert/hysteresis.js';
import type { Locate } from '../../../src/analysis/schema/locate-schema.js';
import { appOptionsWithoutRelay, resultsOptions } from '../../kit/app-options.js';
import { waitFor } from '../../kit/wait.js';
import { describeKind, open, postgresKind, sqliteKind, storeOptions, testClock } from '../store/store-kit.js';
import { alertInstance, siteReport, startReceiver, type AlertInstance, type Receiver } from './kit.js';

const TOKEN = 'alerts-regions-token-0123456789';

/** A 40 ms test on weu-1 whose locate measured weu-1 at 20 ms and eus-1 at `eastUsMs`. */
function hubReport(site: string, eastUsMs: number, startedAtMs: number): string {
  const r = JSON.parse(siteReport(site, 40, startedAtMs)) as Record<string, unknown> & { meta: Record<string, unknown> };
  const located = (id: string, azureRegion: string, p50: number) => ({
    id,
    azureRegion,
    state: 'ok',
    allocateMs: 30,
    rttMsP50: p50,
    rttMsP90: p50,
    lossPct: 0,
    probesSent: 20,
  });
  const locate: Locate = {
    nearest: 'weu-1',
    lossTargetPct: 10,
    budgetMs: 3000,
    edges: [located('weu-1', 'West Europe', 20), located('eus-1', 'East US', eastUsMs)] as Locate['edges'],
  };
  return JSON.stringify({ ...r, meta: { ...r.meta, edge: { id: 'weu-1', azureRegion: 'West Europe' } }, locate });
}

describe('alerts by region', () => {
  let dir: string;
  let store: ResultStore;
  let app: FastifyInstance;
  let receiver: Receiver;
  let one: AlertInstance;
  const clock = { nowMs: () => Date.now() };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'callprobe-alerts-regions-'));
    store = openSqliteStore(join(dir, 'r.db'), storeOptions(testClock(), 7, clock));
    receiver = await startReceiver();
    const config = alertsConfigFrom({
      webhook: { url: receiver.url },
      rules: [
        { metric: 'latency-rtt', samples: 2, raiseAfter: 3, clearAfter: 3 },
        { metric: 'latency-rtt', edge: 'eus-1', samples: 2, raiseAfter: 3, clearAfter: 3 },
      ],
    });
    one = await alertInstance(store, config, { info: () => undefined, warn: () => undefined }, clock.nowMs);
    app = await buildApp({
      ...appOptionsWithoutRelay(join(dir, 'no-page')),
      results: resultsOptions(store, TOKEN, { postsPerMinutePerIp: 1000, readsPerMinutePerIp: 1000, alerts: one.alerts }),
    });
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    await one.loop.stop();
    await store.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('raises once when the P90 to East US breaches, says which region, and clears once it is back', async () => {
    const t0 = Date.UTC(2026, 10, 2, 8);
    const eastUs = [60, 60, 150, 150, 150, 150, 150, 150, 60, 60, 60, 60, 60, 60];
    for (const [i, ms] of eastUs.entries()) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/results',
        payload: hubReport('Lyon', ms, t0 + i * 600_000),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    await waitFor(() => one.delivery.counts.delivered === 2, { timeoutMs: 5_000, what: 'both posts delivered' });
    // Only the edge's rule changed: the tests' own round trip (40 ms) never breached its 100 ms target.
    expect(receiver.bodies.map((b) => [b['metric'], b['edge'], b['p90'], b['target'], b['state'], b['since']])).toEqual([
      ['latency-rtt', { id: 'eus-1', azureRegion: 'East US' }, 150, 100, 'raised', new Date(t0 + 4 * 600_000).toISOString()],
      ['latency-rtt', { id: 'eus-1', azureRegion: 'East US' }, 60, 100, 'ok', new Date(t0 + 11 * 600_000).toISOString()],
    ]);
    expect(alertText(receiver.bodies[0] as unknown as AlertEvent)).toBe(
      `Lyon: round trip to East US (test server eus-1, locate figures) P90 150 ms is not below its 100 ms target (alert raised ${new Date(t0 + 4 * 600_000).toISOString()})`,
    );
  });

  it('refuses an edge on a metric other than the round trip, and two rules on one edge', () => {
    expect(() => alertsConfigFrom({ webhook: { url: 'http://127.0.0.1:9/' }, rules: [{ metric: 'jitter-15s', edge: 'eus-1' }] })).toThrow(
      /names edge eus-1 for jitter-15s: a rule on an edge watches its round trip \(latency-rtt\) only/,
    );
    expect(() =>
      alertsConfigFrom({
        webhook: { url: 'http://127.0.0.1:9/' },
        rules: [
          { metric: 'latency-rtt', edge: 'eus-1' },
          { metric: 'latency-rtt', edge: 'eus-1' },
        ],
      }),
    ).toThrow(/two rules for latency-rtt on edge eus-1/);
    expect(() => alertsConfigFrom({ webhook: { url: 'http://127.0.0.1:9/' }, rules: [{ metric: 'latency-rtt', edge: 'Not An Id' }] })).toThrow(/\/rules\/0/);
  });
});

describe.each([sqliteKind(), postgresKind()])('an edge rule window: $name', (kind) => {
  const run = describeKind('an edge rule window', kind);
  run(`on ${kind.name}`, () => {
    beforeAll(async () => kind.setup(), 90_000);
    afterAll(async () => kind.teardown(), 60_000);

    it("reads the site's last samples that measured the edge, oldest first, each with its p50", async () => {
      const s = await open(await kind.freshTarget(), storeOptions(testClock(), 9));
      try {
        const t0 = Date.UTC(2026, 10, 2, 8);
        const put = (i: number, body: string) =>
          s.results.put({
            sampleId: `w-${i}`,
            kind: 'report',
            startedAtMs: t0 + i * 600_000,
            site: 'Nice',
            ticket: null,
            verdict: null,
            reportJson: body,
            address: null,
          });
        await put(0, hubReport('Nice', 70, t0));
        await put(1, siteReport('Nice', 40, t0 + 600_000));
        await put(2, hubReport('Nice', 80, t0 + 1_200_000));
        await put(3, hubReport('Nice', 90, t0 + 1_800_000));
        let seen: unknown = null;
        await s.alerts.evaluate('Nice', [{ metric: 'latency-rtt', samples: 2, edge: 'eus-1' }], ['latency-rtt@eus-1'], (windows) => {
          seen = windows.get('latency-rtt@eus-1')?.map((w) => w.value);
          return { tracks: new Map(), posts: [] };
        });
        expect(seen).toEqual([80, 90]);
      } finally {
        await s.close();
      }
    });
  });
});
