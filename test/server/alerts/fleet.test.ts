/**
 * Site alerts across a fleet: two app instances, each with its own connection to one
 * store (SQLite file, or a throwaway PostgreSQL cluster), the samples of one site stored through
 * each in turn (and at once), one local HTTP receiver. The state lives in the store: an alert
 * fires once after k breaches counted across both instances and clears once after k passes; a
 * restarted instance keeps a raised alert raised; late samples follow the rule of server/alerts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/http/app.js';
import { SiteAlerts } from '../../../server/alerts/index.js';
import { alertsConfigFrom } from '../../../server/alerts/config.js';
import type { ResultStore } from '../../../server/store/types.js';
import type { AlertTrack } from '../../../src/analysis/alert/hysteresis.js';
import type { DbTarget } from '../../../server/store/target.js';
import { appOptionsWithoutRelay, resultsOptions } from '../../kit/app-options.js';
import { waitFor } from '../../kit/wait.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { open, postgresKind, sqliteKind, storeOptions, testClock, describeKind } from '../store/store-kit.js';
import { alertInstance, siteReport, startReceiver, type AlertInstance, type Receiver } from './kit.js';

const TOKEN = 'fleet-alerts-test-token-0123456789';
const TEN_MIN = 600_000;

/** One `callprobe serve` as far as alerts go: its own store connection, SiteAlerts, delivery, heartbeat loop and app. */
interface Instance extends AlertInstance {
  name: string;
  store: ResultStore;
  app: FastifyInstance;
  lines: string[];
}

describe.each([sqliteKind(), postgresKind()])('site alerts across instances: $name', (kind) => {
  const run = describeKind('site alerts across instances', kind);
  run(`two instances on one ${kind.name} store`, () => {
    let dir: string;
    let target: DbTarget;
    let receiver: Receiver;
    const instances: Instance[] = [];
    /** Every instance's alert log lines, in the order they were decided, each with its instance's name. */
    const timeline: string[] = [];
    const clock = testClock();
    // Window of 2 (nearest-rank P90 = the larger), raise after 3 breaches, clear after 3 passes.
    const config = (url: string) => alertsConfigFrom({ webhook: { url }, rules: [{ metric: 'latency-rtt', samples: 2, raiseAfter: 3, clearAfter: 3 }] });

    async function start(name: string, seed: number): Promise<Instance> {
      const store = await open(target, storeOptions(clock, seed));
      const lines: string[] = [];
      const log = (msg: string): void => {
        lines.push(msg);
        timeline.push(`${name}: ${msg}`);
      };
      const one = await alertInstance(store, config(receiver.url), { info: (_o, msg) => log(msg), warn: (_o, msg) => log(msg) }, clock.nowMs);
      const app = await buildApp({
        ...appOptionsWithoutRelay(join(dir, 'no-page')),
        results: resultsOptions(store, TOKEN, { postsPerMinutePerIp: 10_000, readsPerMinutePerIp: 1000, alerts: one.alerts }),
      });
      await app.ready();
      const inst = { name, store, ...one, app, lines };
      instances.push(inst);
      return inst;
    }

    async function stop(inst: Instance): Promise<void> {
      await inst.app.close();
      await inst.loop.stop();
      await inst.store.close();
      instances.splice(instances.indexOf(inst), 1);
    }

    const post = async (inst: Instance, body: string): Promise<void> => {
      const res = await inst.app.inject({
        method: 'POST',
        url: '/api/results',
        payload: body,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      });
      expect(res.statusCode, res.body).toBe(201);
    };

    /** The stored state of a site's round-trip alert, read through the store (no change written). */
    async function storedTrack(store: ResultStore, site: string): Promise<AlertTrack | undefined> {
      let seen: AlertTrack | undefined;
      await store.alerts.evaluate(site, [{ metric: 'latency-rtt', samples: 2 }], ['latency-rtt'], (_w, tracks) => {
        seen = tracks.get('latency-rtt');
        return { tracks: new Map(), posts: [] };
      });
      return seen;
    }

    /** The changes decided for a site, in order, by whichever instance. */
    const decided = (site: string): string[] => timeline.filter((l) => / alert (raised|ok): /.test(l) && l.includes(` ${site} `));

    beforeAll(async () => {
      await kind.setup();
      dir = mkdtempSync(join(tmpdir(), 'callprobe-fleet-alerts-'));
      target = await kind.freshTarget();
      receiver = await startReceiver();
    }, 90_000);

    afterAll(async () => {
      for (const i of [...instances]) await stop(i);
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
      await kind.teardown();
    }, 60_000);

    it('fires once after k breaches counted across both instances, clears once after k passes; a restart keeps it raised', async () => {
      const a = await start('A', 1);
      let b = await start('B', 2);
      const t0 = Date.UTC(2026, 10, 2, 8);
      // Stored alternately through A and B: 2 at 40 ms, 6 at 150 ms, 6 at 40 ms.
      const rtts = [40, 40, 150, 150, 150, 150, 150, 150, 40, 40, 40, 40, 40, 40];
      const paris = (i: number, rtt: number) => siteReport('Paris', rtt, t0 + i * TEN_MIN);
      for (const [i, rtt] of rtts.slice(0, 8).entries()) await post(i % 2 === 0 ? a : b, paris(i, rtt));
      // Breaches at samples 2 (A), 3 (B), 4 (A): no instance saw three of its own, together they are three.
      await waitFor(() => receiver.bodies.length >= 1, { timeoutMs: 5_000, what: 'the raised post' });
      expect(decided('Paris')).toEqual(['A: alert raised: Paris latency-rtt']);
      expect(receiver.bodies[0]).toMatchObject({ site: 'Paris', state: 'raised', since: new Date(t0 + 4 * TEN_MIN).toISOString() });

      // B restarts (a new process: new connection, nothing in memory) while the alert is raised.
      await stop(b);
      b = await start('B', 3);
      expect(await storedTrack(b.store, 'Paris')).toEqual({ state: 'raised', breaches: 6, passes: 0, sinceMs: t0 + 4 * TEN_MIN });
      // Another breach through the restarted B: still raised, no second 'raised' post.
      await post(b, paris(8.5, 150));
      for (const [i, rtt] of rtts.slice(8).entries()) await post((i + 8) % 2 === 0 ? a : b, paris(i + 9, rtt));
      await waitFor(() => receiver.bodies.length >= 2, { timeoutMs: 5_000, what: 'the cleared post' });
      await waitFor(() => a.delivery.counts.delivered + b.delivery.counts.delivered === 2, { timeoutMs: 5_000, what: 'both posts delivered' });
      // Passes from the window [40, 40] at sample 10, cleared at the third pass: sample 12, stored through B.
      expect(decided('Paris')).toEqual(['A: alert raised: Paris latency-rtt', 'B: alert ok: Paris latency-rtt']);
      expect(receiver.bodies.map((x) => [x.site, x.state, x.since])).toEqual([
        ['Paris', 'raised', new Date(t0 + 4 * TEN_MIN).toISOString()],
        ['Paris', 'ok', new Date(t0 + 12 * TEN_MIN).toISOString()],
      ]);
      expect(await storedTrack(a.store, 'Paris')).toMatchObject({ state: 'ok', sinceMs: t0 + 12 * TEN_MIN });
    }, 60_000);

    it('samples stored through both instances at the same moment: still one raise and one clear', async () => {
      const [a, b] = instances as [Instance, Instance];
      const before = receiver.bodies.length;
      const t0 = Date.UTC(2026, 10, 3, 8);
      // Pairs stored at once, one through each instance: (40, 40), then three pairs at 150, then three at 40.
      const pairs = [40, 150, 150, 150, 40, 40, 40];
      for (const [p, rtt] of pairs.entries()) {
        await Promise.all([post(a, siteReport('Lyon', rtt, t0 + 2 * p * TEN_MIN)), post(b, siteReport('Lyon', rtt, t0 + (2 * p + 1) * TEN_MIN))]);
      }
      await waitFor(() => receiver.bodies.length >= before + 2, { timeoutMs: 5_000, what: 'two posts for Lyon' });
      // Whatever order the pairs committed in, one instance decided each change, once.
      expect(decided('Lyon').map((l) => l.slice(3))).toEqual(['alert raised: Lyon latency-rtt', 'alert ok: Lyon latency-rtt']);
      expect(receiver.bodies.slice(before).map((x) => [x.site, x.state])).toEqual([
        ['Lyon', 'raised'],
        ['Lyon', 'ok'],
      ]);
    }, 60_000);

    it('a late sample re-evaluates only inside the window, and never back-dates a change', async () => {
      const [a, b] = instances as [Instance, Instance];
      const lateConfig = alertsConfigFrom({ webhook: { url: receiver.url }, rules: [{ metric: 'latency-rtt', samples: 2, raiseAfter: 1, clearAfter: 1 }] });
      const lines: string[] = [];
      const late = new SiteAlerts(
        lateConfig,
        b.store,
        { info: (_o, msg) => lines.push(msg), warn: (_o, msg) => lines.push(msg) },
        { heartbeatGraceMs: DEFAULTS.fleet.heartbeatGraceMs, lookbackMs: DEFAULTS.fleet.lookbackMs },
      );
      const t0 = Date.UTC(2026, 10, 4, 8);
      const at = (m: number) => t0 + m * 60_000;
      /** Stores a Nice sample through A's store and evaluates it through `late` (B's connection). */
      const store = async (minute: number, rtt: number) => {
        const { result } = await a.store.results.put({
          sampleId: `nice-${minute}`,
          kind: 'report',
          startedAtMs: at(minute),
          site: 'Nice',
          ticket: null,
          verdict: 'pass',
          reportJson: siteReport('Nice', rtt, at(minute)),
          address: null,
        });
        const body = JSON.parse(result.reportJson) as { grades: Parameters<SiteAlerts['afterStored']>[0]['grades'] };
        return (await late.afterStored({ id: result.id, site: 'Nice', kind: 'report', grades: body.grades })).map((e) => [e.state, e.since]);
      };
      expect(await store(0, 40)).toEqual([]); // window not full
      expect(await store(20, 150)).toEqual([['raised', new Date(at(20)).toISOString()]]);
      // Late, inside the window [10, 20]: re-evaluated (P90 150, still raised), nothing posted.
      expect(await store(10, 40)).toEqual([]);
      expect(await store(30, 40)).toEqual([]); // window [20, 30]: 150 in it
      expect(await store(40, 40)).toEqual([['ok', new Date(at(40)).toISOString()]]);
      // Late, inside the window [35, 40]: raises again, dated at the window's newest sample (40), not at 35.
      expect(await store(35, 150)).toEqual([['raised', new Date(at(40)).toISOString()]]);
      // Late and older than the window's two newest: nothing evaluated, nothing counted.
      const trackBefore = await storedTrack(a.store, 'Nice');
      expect(await store(1, 40)).toEqual([]);
      expect(await storedTrack(a.store, 'Nice')).toEqual(trackBefore);
      expect(trackBefore).toEqual({ state: 'raised', breaches: 1, passes: 0, sinceMs: at(40) });
    }, 60_000);

    it('evaluations of one site through both connections at once lose no count (the state row is held)', async () => {
      const [a, b] = instances as [Instance, Instance];
      const spec = [{ metric: 'latency-rtt' as const, samples: 2 }];
      // Each evaluation adds one breach to what it read: a read that did not wait for the other's commit would lose one.
      const bump = (store: ResultStore) =>
        store.alerts.evaluate('Race', spec, ['latency-rtt'], (_w, tracks) => {
          const t = tracks.get('latency-rtt');
          if (t === undefined) throw new Error('no state row for Race');
          return { tracks: new Map([['latency-rtt', { ...t, breaches: t.breaches + 1 }]]), posts: [] };
        });
      await Promise.all(Array.from({ length: 40 }, (_, i) => bump(i % 2 === 0 ? a.store : b.store)));
      expect(await storedTrack(a.store, 'Race')).toEqual({ state: 'ok', breaches: 40, passes: 0, sinceMs: null });
    }, 60_000);
  });
});
