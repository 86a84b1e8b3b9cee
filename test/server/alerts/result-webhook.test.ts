/**
 * Results and alerts where IT works, through the real HTTP app, a real store (SQLite, and the
 * throwaway PostgreSQL of the test kit) and local HTTP receivers on loopback: a result stored with
 * a ticket reaches the ticketing webhook (serve --result-webhook) with its code, verdict, share
 * link and one-line answer in the language it was uploaded in, and reaches it again, once, after
 * the receiver was down for a minute of the delivery's clock (its retries on that clock, no minute
 * waited); an alert reaches both webhooks of an alerts file, each in its format, and not one
 * filtered to another site; `alerts test` asks each and answers for each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertsConfigFrom } from '../../../server/alerts/config.js';
import { AlertDelivery } from '../../../server/alerts/delivery.js';
import { SiteAlerts } from '../../../server/alerts/index.js';
import { parseResultWebhook, ResultPosts } from '../../../server/alerts/result-webhook.js';
import { FleetLoop } from '../../../server/fleet/loop.js';
import { buildApp, metricsTextOf } from '../../../server/http/app.js';
import type { ResultStore } from '../../../server/store/types.js';
import { answerView, couldNotTestAnswer } from '../../../src/analysis/present/answer.js';
import { EN, loadMessages } from '../../../src/analysis/present/catalogue.js';
import { acceptReport } from '../../../src/analysis/report/accept.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import type { AlertsTestAnswer } from '../../../src/protocol/api.js';
import { ConfigError } from '../../../src/protocol/config-error.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { reflectorInput } from '../../analysis/report/inputs.js';
import { appOptionsWithoutRelay, resultsOptions } from '../../kit/app-options.js';
import { waitFor } from '../../kit/wait.js';
import { describeKind, open, postgresKind, sqliteKind, storeOptions, testClock } from '../store/store-kit.js';
import { siteReport, startReceiver, type Receiver } from './kit.js';

const TOKEN = 'result-webhook-test-token-0123456789';
const BASE = 'https://callprobe.example.org';
const MIN = 60_000;

/** A 15 s report at a 40 ms round trip, as a help desk user's page uploads it: a ticket, no site. */
const report = analyze(reflectorInput({ count: 1510, rttMs: () => 40 }));
const ticketed = (ticket: string): string => JSON.stringify({ ...report, meta: { ...report.meta, ticket, site: null } });

describe.each([sqliteKind(), postgresKind()])('results and alerts to webhooks: $name', (kind) => {
  describeKind('results and alerts to webhooks', kind)(`on ${kind.name}`, () => {
    const clock = testClock(Date.UTC(2026, 2, 2, 9));
    let dir: string;
    let store: ResultStore;
    let app: FastifyInstance;
    let loop: FleetLoop;
    let delivery: AlertDelivery;
    /** The ticketing system (results with a ticket INC-...), two alert receivers of every site, one of Lyon's alerts only. */
    let tickets: Receiver;
    let json: Receiver;
    let teams: Receiver;
    let lyon: Receiver;
    const lines: string[] = [];
    const log = { info: (_o: object, msg: string) => void lines.push(msg), warn: (_o: object, msg: string) => void lines.push(msg) };

    beforeAll(async () => {
      await kind.setup();
      dir = mkdtempSync(join(tmpdir(), 'callprobe-result-webhook-'));
      store = await open(await kind.freshTarget(), storeOptions(clock, 82));
      [tickets, json, teams, lyon] = await Promise.all([startReceiver(), startReceiver(), startReceiver(), startReceiver()]);
      const config = alertsConfigFrom({
        webhooks: [{ url: json.url }, { url: teams.url, format: 'teams' }, { url: lyon.url, sites: ['Lyon'] }],
        rules: [{ metric: 'latency-rtt', samples: 1, raiseAfter: 1, clearAfter: 1 }],
      });
      const kick = (): void => loop.kick();
      const alerts = new SiteAlerts(config, store, log, { heartbeatGraceMs: DEFAULTS.fleet.heartbeatGraceMs, lookbackMs: DEFAULTS.fleet.lookbackMs }, kick);
      const resultPosts = new ResultPosts([parseResultWebhook(`${tickets.url};ticket=INC-`)], () => BASE, kick);
      // The product's retries (1 s doubling up to 5 minutes), on the test's clock.
      delivery = new AlertDelivery(store, { alerts: config.webhooks, results: resultPosts.hooks, shareBase: () => BASE }, log, DEFAULTS.alerts);
      // No beat of its own: the test ticks it, after a kick (a stored result) or once it moved the clock.
      loop = new FleetLoop({
        store,
        alerts,
        delivery,
        log,
        nowMs: clock.nowMs,
        settings: { heartbeatMs: 86_400_000, leaseTtlMs: DEFAULTS.fleet.leaseTtlMs, sweepIntervalMs: DEFAULTS.alerts.sweepIntervalMs },
      });
      await loop.start();
      app = await buildApp({
        ...appOptionsWithoutRelay(join(dir, 'no-page')),
        results: resultsOptions(store, TOKEN, { alerts, resultPosts }),
        metricsText: () => loop.metricsText(),
      });
      await app.ready();
    }, 90_000);

    afterAll(async () => {
      await app.close();
      await loop.stop();
      await store.close();
      await Promise.all([tickets, json, teams, lyon].map((r) => r.close()));
      rmSync(dir, { recursive: true, force: true });
      await kind.teardown();
    }, 60_000);

    const upload = async (body: string, headers: Record<string, string> = {}): Promise<{ code: string }> => {
      const res = await app.inject({ method: 'POST', url: '/api/results', payload: body, headers: { 'content-type': 'application/json', ...headers } });
      expect(res.statusCode, res.body).toBe(201);
      return res.json<{ code: string }>();
    };
    const postOf = (code: string) => (): Record<string, unknown> | undefined => tickets.bodies.find((b) => b['code'] === code);

    it('a result with ticket INC-4711 reaches the ticketing webhook within 10 s: its code, verdict, link and answer in its language', async () => {
      const t0 = Date.now();
      const { code } = await upload(ticketed('INC-4711'), { 'accept-language': 'de-CH, de;q=0.9, en;q=0.5' });
      const body = await waitFor(postOf(code), { timeoutMs: 10_000, what: 'the result post' });
      expect(Date.now() - t0).toBeLessThan(10_000);
      // The receiver keeps a body before it answers: the sender counts it once the answer is back.
      await waitFor(() => delivery.resultCounts.delivered === 1, { timeoutMs: 10_000, what: 'the post counted' });
      const stored = await store.results.getByCode(code);
      const de = answerView(acceptReport(JSON.parse(stored?.reportJson ?? '') as unknown), await loadMessages('de')).sentence;
      expect(body).toEqual({
        event: 'result',
        code,
        ticket: 'INC-4711',
        site: null,
        kind: 'report',
        verdict: report.summary.verdict,
        answer: de,
        lang: 'de',
        url: `${BASE}/r/${code}`,
        startedAt: report.meta.startedAt,
        storedAt: new Date(clock.nowMs()).toISOString(),
        idempotencyKey: expect.stringMatching(/^[0-9a-f]{32}$/) as string,
      });
      // Worded when sent, in German: not the English sentence.
      expect(de).not.toBe(answerView(report, EN).sentence);
      expect(tickets.keys).toEqual([body['idempotencyKey']]);
      expect(delivery.resultCounts).toEqual({ delivered: 1, failed: 0, gaveUp: 0 });
    });

    it('a test that could not run is posted too: no verdict, what failed in its language', async () => {
      const record = {
        kind: 'could-not-test',
        reason: 'could-not-connect',
        message: 'no relay port answered',
        atMs: clock.nowMs() - MIN,
        meta: { ticket: 'INC-4713' },
      };
      const { code } = await upload(JSON.stringify(record), { 'accept-language': 'es' });
      await waitFor(() => delivery.resultCounts.delivered === 2, { timeoutMs: 10_000, what: 'the post counted' });
      expect(postOf(code)()).toMatchObject({
        code,
        ticket: 'INC-4713',
        kind: 'could-not-test',
        verdict: null,
        answer: couldNotTestAnswer('could-not-connect', await loadMessages('es')),
        lang: 'es',
      });
    });

    it('a result its filter leaves out makes no post', async () => {
      await upload(ticketed('CHG-1'));
      // Kept with the result or none: a post would be pending, or received.
      expect((await store.alerts.pendingPosts()).results).toBe(0);
      expect(tickets.keys).toHaveLength(2);
    });

    it('reaches it again after the receiver was down for a minute: delivered once, counted once', async () => {
      await tickets.down();
      const before = { ...delivery.resultCounts };
      const { code } = await upload(ticketed('INC-4712'));
      await waitFor(() => delivery.resultCounts.failed > before.failed, { timeoutMs: 10_000, what: 'the first try failing' });
      // A minute on the delivery's clock, the receiver down throughout: each try due in it fails (1 s, 2 s, 4 s ... after the last).
      for (let s = 10; s <= 60; s += 10) {
        clock.advance(10_000);
        await loop.tick();
      }
      expect(delivery.resultCounts.failed - before.failed).toBeGreaterThanOrEqual(5);
      expect(delivery.resultCounts.delivered).toBe(before.delivered);
      expect((await store.alerts.pendingPosts()).results).toBe(1);
      await tickets.up();
      // Back: the next try (at most 32 s after the last) comes due as the clock moves on.
      const body = await waitFor(
        async () => {
          clock.advance(MIN);
          await loop.tick();
          return delivery.resultCounts.delivered > before.delivered ? postOf(code)() : undefined;
        },
        { timeoutMs: 10_000, what: 'the post once the receiver is back' },
      );
      expect(body).toMatchObject({ code, ticket: 'INC-4712', verdict: report.summary.verdict, url: `${BASE}/r/${code}`, lang: 'en' });
      expect(tickets.bodies.filter((b) => b['code'] === code)).toHaveLength(1);
      expect(delivery.resultCounts.delivered).toBe(before.delivered + 1);
      expect((await store.alerts.pendingPosts()).results).toBe(0);
      expect(lines.some((l) => l.startsWith('result webhook failed (tried again in '))).toBe(true);
      await loop.tick();
      const text = metricsTextOf(app);
      expect(text).toContain(`callprobe_result_posts_total{outcome="delivered"} ${before.delivered + 1}\n`);
      expect(text).toContain(`callprobe_result_posts_total{outcome="failed"} ${delivery.resultCounts.failed}\n`);
      expect(text).toContain('callprobe_result_posts_pending 0\n');
    });

    it('an alert reaches both webhooks of the alerts file, each in its format, and not one filtered to another site', async () => {
      const { code } = await upload(siteReport('Nantes', 150, clock.nowMs() - MIN), { authorization: `Bearer ${TOKEN}` });
      await waitFor(() => json.bodies.length === 1 && teams.bodies.length === 1 && delivery.counts.delivered === 2, {
        timeoutMs: 10_000,
        what: 'the raised alert at both webhooks',
      });
      expect(json.bodies[0]).toMatchObject({ site: 'Nantes', metric: 'latency-rtt', state: 'raised', target: 100 });
      expect(teams.bodies[0]).toMatchObject({ '@type': 'MessageCard', summary: 'callprobe: Nantes raised' });
      expect(teams.bodies[0]?.['text']).toMatch(/^Nantes: latency \(round trip\) P90 .* is not below its 100 ms target/);
      // One post per webhook, each with its own key.
      expect(new Set([...json.keys, ...teams.keys]).size).toBe(2);
      // Lyon's webhook had none kept: none pending, none received. The site's result had no ticket: no result post.
      expect(await store.alerts.pendingPosts()).toEqual({ alerts: 0, results: 0 });
      expect(lyon.keys).toEqual([]);
      expect(tickets.bodies.some((b) => b['code'] === code)).toBe(false);
    });

    it("a post kept before posts named their webhook (receiver '') goes to the alerts file's first webhook", async () => {
      const before = json.bodies.length;
      const event = { site: 'Brest', metric: 'silence', state: 'raised', since: new Date(clock.nowMs()).toISOString(), lastReportAt: null, silentFor: '30m' };
      await store.alerts.evaluate('Brest', [], ['silence'], () => ({ tracks: new Map(), posts: [{ body: JSON.stringify(event), receiver: '' }] }));
      loop.kick();
      await waitFor(() => json.bodies.length > before && delivery.counts.delivered === 3, { timeoutMs: 10_000, what: 'the old post delivered' });
      expect(json.bodies.at(-1)).toMatchObject(event);
      expect(teams.bodies).toHaveLength(1);
    });

    it('alerts test posts to each webhook and answers for each', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/alerts/test', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.statusCode, res.body).toBe(200);
      const origin = (r: Receiver): string => new URL(r.url).origin;
      expect(res.json<AlertsTestAnswer>().receivers).toEqual([
        { webhook: origin(json), format: 'json', receives: 'alerts', ok: true, status: 204, message: 'the webhook answered 204' },
        { webhook: origin(teams), format: 'teams', receives: 'alerts', ok: true, status: 204, message: 'the webhook answered 204' },
        { webhook: origin(lyon), format: 'json', receives: 'alerts', ok: true, status: 204, message: 'the webhook answered 204' },
        { webhook: origin(tickets), format: 'json', receives: 'results', ok: true, status: 204, message: 'the webhook answered 204' },
      ]);
      expect(tickets.bodies.at(-1)).toMatchObject({ test: true, event: 'result', code: 'TEST-TEST', url: `${BASE}/r/TEST-TEST` });
      expect(lyon.bodies).toEqual([expect.objectContaining({ test: true, metric: 'test' })]);
    });
  });
});

describe('--result-webhook', () => {
  it('takes a URL and its filters; refuses what it cannot read, naming it', () => {
    const w = parseResultWebhook('https://tickets.example/hook?code=s3cret;ticket=INC-;site= Paris  office ;verdicts=fail,could-not-test');
    expect(w).toMatchObject({
      url: 'https://tickets.example/hook?code=s3cret',
      ticketPrefix: 'INC-',
      site: { key: 'paris office', display: 'Paris office' },
      verdicts: ['fail', 'could-not-test'],
    });
    expect(w.id).toMatch(/^result:[0-9a-f]{16}$/);
    expect(parseResultWebhook('http://127.0.0.1:9/x')).toMatchObject({ ticketPrefix: null, site: null, verdicts: null });
    for (const [text, why] of [
      ['tickets.example/hook', /not a URL/],
      ['ftp://tickets.example/hook', /http:\/\/ or https:\/\//],
      ['https://t.example;ticket=', /"ticket" needs a value/],
      ['https://t.example;ticket=A;ticket=B', /ticket is given twice/],
      ['https://t.example;verdicts=pass,maybe', /not "maybe"/],
      ['https://t.example;site==cmd', /site:/],
      ['https://t.example;priority=high', /unknown filter "priority"/],
    ] as const)
      expect(() => parseResultWebhook(text), text).toThrow(
        expect.objectContaining({ constructor: ConfigError, message: expect.stringMatching(why) as string }),
      );
  });

  it('posts a result only when it passes every filter given', () => {
    const posts = new ResultPosts(
      [
        parseResultWebhook('https://a.example;ticket=inc-'),
        parseResultWebhook('https://b.example;site=Paris office;verdicts=fail,could-not-test'),
        parseResultWebhook('https://c.example'),
      ],
      () => BASE,
    );
    const to = (r: { kind: 'report' | 'could-not-test'; site: string | null; ticket: string | null; verdict: string | null }): string[] =>
      posts.postsFor(r, 'fr').map((p) => new URL(posts.hooks.find((h) => h.id === p.receiver)?.url ?? '').host);
    expect(to({ kind: 'report', site: null, ticket: 'INC-4711', verdict: 'pass' })).toEqual(['a.example', 'c.example']);
    expect(to({ kind: 'report', site: 'PARIS OFFICE', ticket: null, verdict: 'fail' })).toEqual(['b.example', 'c.example']);
    expect(to({ kind: 'report', site: 'Paris office', ticket: 'chg-1', verdict: 'pass' })).toEqual(['c.example']);
    expect(to({ kind: 'could-not-test', site: 'Paris office', ticket: 'Inc-9', verdict: null })).toEqual(['a.example', 'b.example', 'c.example']);
    expect(posts.postsFor({ kind: 'report', site: null, ticket: null, verdict: 'pass' }, 'fr')[0]?.body).toBe('{"kind":"result","lang":"fr"}');
  });
});
