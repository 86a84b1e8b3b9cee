/**
 * Site alerts through the real HTTP app and an SQLite store, posting to a local HTTP receiver: an
 * alert fires once after k breaching samples and clears once after k passing ones; a receiver that
 * is down for a while gets the post once it is back (retried with backoff, the same idempotency
 * key), counted by outcome on /metrics; storing goes on meanwhile.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, metricsTextOf } from '../../../server/http/app.js';
import { alertsConfigFrom, readAlertsConfig } from '../../../server/alerts/config.js';
import { alertText, webhookBody } from '../../../server/alerts/webhook.js';
import { backoffMs } from '../../../server/alerts/delivery.js';
import { alertReceiverId } from '../../../server/alerts/receivers.js';
import { openSqliteStore } from '../../../server/store/sqlite.js';
import type { ResultStore } from '../../../server/store/types.js';
import { ConfigError } from '../../../src/protocol/config-error.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { appOptionsWithoutRelay, resultsOptions } from '../../kit/app-options.js';
import { waitFor } from '../../kit/wait.js';
import { repoRoot } from '../../kit/paths.js';
import { storeOptions, testClock } from '../store/store-kit.js';
import { alertInstance, siteReport, startReceiver, type AlertInstance, type Receiver } from './kit.js';

const TOKEN = 'alerts-test-token-0123456789';

describe('site alerts', () => {
  let dir: string;
  let store: ResultStore;
  let app: FastifyInstance;
  let receiver: Receiver;
  let one: AlertInstance;
  const lines: string[] = [];
  // The store's clock and the delivery's: real time, so the backoff of a retry passes.
  const clock = { nowMs: () => Date.now() };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'callprobe-alerts-'));
    store = openSqliteStore(join(dir, 'r.db'), storeOptions(testClock(), 7, clock));
    receiver = await startReceiver();
    const config = alertsConfigFrom({ webhook: { url: receiver.url }, rules: [{ metric: 'latency-rtt', samples: 2, raiseAfter: 3, clearAfter: 3 }] });
    one = await alertInstance(store, config, { info: (_o, msg) => lines.push(msg), warn: (_o, msg) => lines.push(msg) }, clock.nowMs);
    app = await buildApp({
      ...appOptionsWithoutRelay(join(dir, 'no-page')),
      results: resultsOptions(store, TOKEN, { postsPerMinutePerIp: 1000, readsPerMinutePerIp: 1000, alerts: one.alerts }),
      metricsText: () => one.loop.metricsText(),
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
    await waitFor(() => one.delivery.counts.delivered === 2, { timeoutMs: 5_000, what: 'both posts delivered' });
    // Window of 2, nearest-rank P90 = the larger: breaches from sample 2 (index), raised at 4; passes from
    // sample 9 (both 40), cleared at 11. Each post carries its idempotency key, in the body and its header.
    const key = expect.stringMatching(/^[0-9a-f]{32}$/) as string;
    expect(receiver.bodies).toEqual([
      {
        site: 'Paris',
        metric: 'latency-rtt',
        p90: expect.any(Number) as number,
        target: 100,
        state: 'raised',
        since: new Date(t0 + 4 * 600_000).toISOString(),
        idempotencyKey: key,
      },
      {
        site: 'Paris',
        metric: 'latency-rtt',
        p90: expect.any(Number) as number,
        target: 100,
        state: 'ok',
        since: new Date(t0 + 11 * 600_000).toISOString(),
        idempotencyKey: key,
      },
    ]);
    expect(receiver.keys).toEqual(receiver.bodies.map((b) => b['idempotencyKey']));
    expect(receiver.bodies[0]?.['p90']).toBeGreaterThan(100);
    expect(receiver.bodies[1]?.['p90']).toBeLessThan(100);
    expect(lines.filter((l) => /^alert (raised|ok)/.test(l))).toEqual(['alert raised: Paris latency-rtt', 'alert ok: Paris latency-rtt']);
  });

  it('a receiver down for a while gets the post once it is back, in order, and /metrics counts it', async () => {
    receiver.status = 0;
    const before = { bodies: receiver.bodies.length, keys: receiver.keys.length, ...one.delivery.counts };
    const t0 = Date.UTC(2026, 10, 3, 8);
    // Lyon raises (at sample 2), then clears (at sample 7): two posts, the second waiting behind the first.
    for (const [i, rtt] of [150, 150, 150, 40, 40, 40, 40, 40].entries()) expect(await post(siteReport('Lyon', rtt, t0 + i * 600_000))).toBe(201);
    // Down: each try fails and is tried again (backoff), the 'ok' never before the 'raised'.
    await waitFor(() => one.delivery.counts.failed >= before.failed + 3, { timeoutMs: 10_000, what: 'three failed tries' });
    expect(receiver.bodies.length).toBe(before.bodies);
    const tried = new Set(receiver.keys.slice(before.keys));
    expect(tried.size).toBe(1);
    receiver.status = 204;
    // The receiver records a body before it answers, so wait for the sender's count too: it moves
    // only once the answer is back.
    await waitFor(() => receiver.bodies.length >= before.bodies + 2 && one.delivery.counts.delivered >= before.delivered + 2, {
      timeoutMs: 10_000,
      what: 'both posts delivered once the receiver is back',
    });
    const got = receiver.bodies.slice(before.bodies);
    expect(got.map((b) => [b['site'], b['state']])).toEqual([
      ['Lyon', 'raised'],
      ['Lyon', 'ok'],
    ]);
    // The one post tried while down is the one delivered first, with the same key: at least once, never lost.
    expect(got[0]?.['idempotencyKey']).toBe([...tried][0]);
    expect(one.delivery.counts.delivered).toBe(before.delivered + 2);
    expect(lines.some((l) => l.startsWith('alert webhook failed (tried again in '))).toBe(true);
    // What /metrics serves (serve --metrics-listen): the app's metrics text, the fleet's lines in it.
    await one.loop.tick();
    const text = metricsTextOf(app);
    expect(text).toContain(`callprobe_alert_posts_total{outcome="delivered"} ${one.delivery.counts.delivered}`);
    expect(text).toMatch(new RegExp(`callprobe_alert_posts_total\\{outcome="failed"\\} ${one.delivery.counts.failed}\\n`));
    expect(text).toContain('callprobe_alert_posts_pending 0');
    expect(text).toContain(`callprobe_site_last_sample_timestamp_seconds{site="Lyon"} ${(t0 + 7 * 600_000) / 1000}`);
  });

  it('results without a site, and a sample sent twice (same sampleId), feed nothing', async () => {
    const before = receiver.bodies.length;
    const t0 = Date.UTC(2026, 10, 4, 8);
    for (let i = 0; i < 4; i++) {
      const body = JSON.parse(siteReport('Nice', 150, t0)) as Record<string, unknown>;
      expect(await post(JSON.stringify({ ...body, sampleId: 'nice-sample-000001' }))).toBe(i === 0 ? 201 : 200);
    }
    expect(await one.alerts.afterStored({ id: 'no-such-id', site: 'Nice', kind: 'report', grades: [] })).toEqual([]);
    expect(receiver.bodies.length).toBe(before);
  });
});

describe('webhook retries', () => {
  it("come when the log says they will (each failure's nextAt), not at the next heartbeat", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callprobe-alerts-wake-'));
    const store = openSqliteStore(join(dir, 'r.db'), storeOptions(testClock(), 8, { nowMs: () => Date.now() }));
    const receiver = await startReceiver();
    const failed: Array<{ nextAt: string }> = [];
    const log = { info: () => undefined, warn: (o: object) => void failed.push(o as { nextAt: string }) };
    const config = alertsConfigFrom({ webhook: { url: receiver.url }, rules: [{ metric: 'latency-rtt', samples: 1, raiseAfter: 1, clearAfter: 1 }] });
    // The product's beat (10 s) and a short backoff: every retry is due long before the next beat.
    const one = await alertInstance(store, config, log, () => Date.now(), {
      heartbeatMs: DEFAULTS.fleet.heartbeatMs,
      delivery: { ...DEFAULTS.alerts, retryBaseMs: 300, retryMaxMs: 2_000, retryForMs: 60_000 },
    });
    try {
      receiver.status = 500;
      const body = siteReport('Brest', 150, Date.now() - 60_000);
      const { result } = await store.results.put({
        sampleId: 'wake-1',
        kind: 'report',
        startedAtMs: Date.now() - 60_000,
        site: 'Brest',
        ticket: null,
        verdict: 'fail',
        reportJson: body,
        address: null,
      });
      const grades = (JSON.parse(body) as { grades: Parameters<typeof one.alerts.afterStored>[0]['grades'] }).grades;
      expect((await one.alerts.afterStored({ id: result.id, site: 'Brest', kind: 'report', grades })).map((e) => e.state)).toEqual(['raised']);
      await waitFor(() => receiver.times.length >= 3, { timeoutMs: 8_000, what: 'three tries' });
      receiver.status = 204;
      await waitFor(() => one.delivery.counts.delivered === 1, { timeoutMs: 8_000, what: 'the post delivered' });
      // Try k+1 arrives when failure k said it would: never before, and far sooner than the 10 s beat.
      const tries = receiver.times;
      expect(tries.length).toBe(failed.length + 1);
      for (const [k, f] of failed.entries()) {
        const due = Date.parse(f.nextAt);
        expect(tries[k + 1], `try ${k + 2}`).toBeGreaterThanOrEqual(due - 5);
        expect(tries[k + 1], `try ${k + 2}`).toBeLessThan(due + 2_000);
      }
      expect((tries.at(-1) ?? 0) - (tries[0] ?? 0)).toBeLessThan(DEFAULTS.fleet.heartbeatMs);
    } finally {
      await one.loop.stop();
      await store.close();
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the alerts file', () => {
  it('takes the defaults and names the first problem', () => {
    expect(alertsConfigFrom({ webhook: { url: 'https://hooks.example/x', format: 'teams' }, rules: [{ metric: 'loss-15s' }] })).toEqual({
      webhooks: [{ id: alertReceiverId('https://hooks.example/x'), url: 'https://hooks.example/x', format: 'teams', siteKeys: null, kinds: null }],
      rules: [{ target: 'loss-15s', samples: DEFAULTS.alerts.samples, raiseAfter: 3, clearAfter: 3 }],
      silence: null,
      couldNotTest: null,
      couldNotJudge: null,
    });
    expect(
      alertsConfigFrom({ webhook: { url: 'http://x' }, rules: [{ silentFor: '30m' }, { couldNotTestAbovePct: 50, over: '2h' }, { metric: 'latency-rtt' }] }),
    ).toMatchObject({ silence: { silentForMs: 1_800_000 }, couldNotTest: { abovePct: 50, overMs: 7_200_000, minSamples: 3 } });
    expect(
      alertsConfigFrom({ webhook: { url: 'http://x' }, rules: [{ metric: 'loss-15s' }, { couldNotJudgeAbovePct: 50, over: '2h', minSamples: 4 }] }),
    ).toMatchObject({ couldNotJudge: { abovePct: 50, overMs: 7_200_000, minSamples: 4 } });
    expect(() => alertsConfigFrom({ webhook: { url: 'http://x' }, rules: [{ couldNotJudgeAbovePct: 50, over: '2h' }] })).toThrow(/no metric rule/);
    expect(() => alertsConfigFrom({ webhook: { url: 'http://x' }, rules: [{ silentFor: 'soon' }] })).toThrow(/silentFor must be a duration/);
    expect(() => alertsConfigFrom({ webhook: { url: 'http://x' }, rules: [{ silentFor: '30s' }] })).toThrow(/1m\.\.7d/);
    expect(() => alertsConfigFrom({ webhook: { url: 'http://x' }, rules: [{ silentFor: '1h' }, { silentFor: '2h' }] })).toThrow(/two silentFor rules/);
    expect(() => alertsConfigFrom({ webhook: { url: 'http://x' }, rules: [{ couldNotTestAbovePct: 150, over: '1h' }] })).toThrow(ConfigError);
    expect(() => alertsConfigFrom({ webhook: { url: 'ftp://x' }, rules: [{ metric: 'loss-15s' }] })).toThrow(/\/webhook\/url/);
    expect(() => alertsConfigFrom({ webhook: { url: 'http://x' }, rules: [{ metric: 'mos' }] })).toThrow(ConfigError);
    expect(() => alertsConfigFrom({ webhook: { url: 'http://x' }, rules: [] })).toThrow(/\/rules/);
    // The store keeps one state per (site, metric).
    expect(() => alertsConfigFrom({ webhook: { url: 'http://x' }, rules: [{ metric: 'loss-15s' }, { metric: 'loss-15s', samples: 10 }] })).toThrow(
      /two rules for loss-15s/,
    );
    // Several webhooks, each with its format and filter; the single-webhook form stays as it was.
    expect(
      alertsConfigFrom({
        webhooks: [
          { url: 'https://teams.example/hook', format: 'teams' },
          { url: 'https://tickets.example/hook', sites: ['  PARIS office ', 'Lyon'], kinds: ['silence', 'could-not-test'] },
        ],
        rules: [{ silentFor: '30m' }],
      }).webhooks.map((w) => [w.format, w.siteKeys, w.kinds]),
    ).toEqual([
      ['teams', null, null],
      ['json', ['paris office', 'lyon'], ['silence', 'could-not-test']],
    ]);
    const rules = [{ silentFor: '30m' }];
    expect(() => alertsConfigFrom({ webhook: { url: 'http://x' }, webhooks: [{ url: 'http://y' }], rules })).toThrow(/not both/);
    expect(() => alertsConfigFrom({ rules })).toThrow(/needs "webhook" or "webhooks"/);
    expect(() => alertsConfigFrom({ webhooks: [{ url: 'http://x' }, { url: 'http://x', format: 'slack' }], rules })).toThrow(/\/webhooks\/1 has the URL/);
    expect(() => alertsConfigFrom({ webhooks: [{ url: 'http://x', kinds: ['everything'] }], rules })).toThrow(/\/webhooks\/0\/kinds/);
    expect(() => alertsConfigFrom({ webhooks: [{ url: 'http://x', sites: ['=cmd'] }], rules })).toThrow(/\/webhooks\/0\/sites\/0/);
    const dir = mkdtempSync(join(tmpdir(), 'callprobe-alerts-file-'));
    try {
      writeFileSync(join(dir, 'bad.json'), '{ not json');
      expect(() => readAlertsConfig(join(dir, 'bad.json'))).toThrow(/not JSON/);
      expect(() => readAlertsConfig(join(dir, 'missing.json'))).toThrow(/cannot read it \(ENOENT\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes docs/assess-a-site.md's example file as written", () => {
    const page = readFileSync(join(repoRoot, 'docs/assess-a-site.md'), 'utf8');
    const example = /## Site alerts[\s\S]*?```json\n([\s\S]*?)```/.exec(page)?.[1] ?? '';
    expect(alertsConfigFrom(JSON.parse(example))).toMatchObject({
      silence: { silentForMs: 1_800_000 },
      couldNotTest: { abovePct: 50 },
      couldNotJudge: { abovePct: 50, overMs: 7_200_000 },
    });
  });

  it('speaks JSON (with its idempotency key), Slack and Teams', () => {
    const e = { site: 'Paris', metric: 'latency-rtt' as const, p90: 150, target: 100, state: 'raised' as const, since: '2026-11-02T08:40:00.000Z' };
    expect(webhookBody(e, 'json', 'k1')).toEqual({ ...e, idempotencyKey: 'k1' });
    expect(alertText(e)).toBe('Paris: latency (round trip) P90 150 ms is not below its 100 ms target (alert raised 2026-11-02T08:40:00.000Z)');
    expect(webhookBody(e, 'slack', 'k1')).toEqual({ text: alertText(e) });
    const silent = {
      site: 'Lyon',
      metric: 'silence' as const,
      state: 'raised' as const,
      since: '2026-11-02T09:00:00.000Z',
      lastReportAt: null,
      silentFor: '30m',
    };
    expect(alertText(silent)).toBe("Lyon: no sample tested for 30m of callprobe's up time (alert raised 2026-11-02T09:00:00.000Z)");
    expect(webhookBody({ ...e, state: 'ok' }, 'teams', 'k1')).toMatchObject({
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

describe('the webhook backoff', () => {
  it('doubles from the base up to the cap, and gives up after retryForMs (24 h: about 290 tries)', () => {
    const s = DEFAULTS.alerts;
    expect([1, 2, 3, 4].map((n) => backoffMs(n, s))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffMs(9, s)).toBe(256_000);
    expect(backoffMs(10, s)).toBe(s.retryMaxMs);
    expect(backoffMs(1000, s)).toBe(s.retryMaxMs);
  });
});
