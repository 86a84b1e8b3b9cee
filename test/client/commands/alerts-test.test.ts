/**
 * `callprobe alerts test` (the built CLI, `npm run build` first) against the HTTP app on
 * loopback with an alerts file of two webhooks (JSON and Teams) and a result webhook, each a
 * local receiver: the test event reaches each, marked as a test, and the CLI prints each
 * receiver's answer (exit 0); a receiver that fails is listed (exit 4); a wrong operator token,
 * and a server without alerts, are usage errors (exit 3).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertsConfigFrom } from '../../../server/alerts/config.js';
import { SiteAlerts } from '../../../server/alerts/index.js';
import { parseResultWebhook, ResultPosts } from '../../../server/alerts/result-webhook.js';
import { buildApp } from '../../../server/http/app.js';
import { openSqliteStore } from '../../../server/store/sqlite.js';
import type { ResultStore } from '../../../server/store/types.js';
import { appOptionsWithoutRelay, listenLoopback, resultsOptions } from '../../kit/app-options.js';
import { runCallprobe } from '../../kit/callprobe.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { cliPath } from '../../kit/paths.js';
import { needBuilt, skipReason } from '../../kit/requires.js';
import { startReceiver, type Receiver } from '../../server/alerts/kit.js';
import { storeOptions, testClock } from '../../server/store/store-kit.js';
import { startResultsServer } from '../results-server.js';

const OPERATOR = 'alerts-test-operator-0123456789';
const run = skipReason('callprobe alerts test', [needBuilt(cliPath)]) === null ? describe : describe.skip;

run('callprobe alerts test', () => {
  let dir: string;
  let store: ResultStore;
  let app: FastifyInstance;
  let url: string;
  let receiver: Receiver;
  let teams: Receiver;
  let tickets: Receiver;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'callprobe-alerts-cli-'));
    store = openSqliteStore(join(dir, 'r.db'), storeOptions(testClock(), 5));
    [receiver, teams, tickets] = await Promise.all([startReceiver(), startReceiver(), startReceiver()]);
    const config = alertsConfigFrom({ webhooks: [{ url: receiver.url }, { url: teams.url, format: 'teams' }], rules: [{ silentFor: '30m' }] });
    app = await buildApp({
      ...appOptionsWithoutRelay(join(dir, 'no-page')),
      results: resultsOptions(store, OPERATOR, {
        alerts: new SiteAlerts(
          config,
          store,
          { info: () => undefined, warn: () => undefined },
          { heartbeatGraceMs: DEFAULTS.fleet.heartbeatGraceMs, lookbackMs: DEFAULTS.fleet.lookbackMs },
        ),
        resultPosts: new ResultPosts([parseResultWebhook(tickets.url)], () => 'https://callprobe.example.org'),
      }),
    });
    url = await listenLoopback(app);
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    await Promise.all([receiver, teams, tickets].map((r) => r.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  const test = (server: string, token: string) => runCallprobe(['alerts', 'test', '--server', server, '--token', token], 30_000);

  it('reaches the local receiver, marked as a test, and prints its answer', async () => {
    const r = await test(url, OPERATOR);
    expect(r.code, r.stderr).toBe(0);
    expect(receiver.bodies).toEqual([
      {
        test: true,
        site: 'callprobe alerts test',
        metric: 'test',
        state: 'raised',
        since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as string,
        from: '127.0.0.1',
        idempotencyKey: expect.stringMatching(/^[0-9a-f]{32}$/) as string,
      },
    ]);
    expect(teams.bodies).toEqual([expect.objectContaining({ '@type': 'MessageCard', summary: 'callprobe: test event' })]);
    expect(tickets.bodies).toEqual([expect.objectContaining({ test: true, event: 'result', code: 'TEST-TEST' })]);
    const origin = (x: Receiver): string => new URL(x.url).origin;
    expect(r.stdout).toBe(
      `ok     ${origin(receiver)} (json): the webhook answered 204 [HTTP 204]\n` +
        `ok     ${origin(teams)} (teams): the webhook answered 204 [HTTP 204]\n` +
        `ok     ${origin(tickets)} (json, results): the webhook answered 204 [HTTP 204]\n`,
    );
    expect(r.stderr).toContain('the test event reached 3 webhook(s)');
    // The webhook's path (often its secret) is never echoed.
    expect(r.stdout + r.stderr).not.toContain('/hook');
  });

  it('lists a receiver that fails (exit 4)', async () => {
    receiver.status = 500;
    try {
      const r = await test(url, OPERATOR);
      expect(r.code, r.stderr).toBe(4);
      expect(r.stdout).toContain('FAILED');
      expect(r.stdout).toContain('the webhook answered 500 [HTTP 500]');
      expect(r.stderr).toContain('1 of 3 webhook(s) did not take the test event');
    } finally {
      receiver.status = 204;
    }
  });

  it('a wrong token, and a server without alerts, are usage errors (exit 3)', async () => {
    const wrong = await test(url, 'not-the-operator-token-0123');
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain('403 bad-token');
    const plain = await startResultsServer('alerts-none', OPERATOR, 6);
    try {
      const none = await test(plain.url, OPERATOR);
      expect(none.code).toBe(3);
      expect(none.stderr).toContain('404 no-alerts');
    } finally {
      await plain.close();
    }
  });
});
