/**
 * The fleet's tables (migration 6) on SQLite and PostgreSQL: one holder of a lease at a time
 * (taken over once it expired), the heartbeats a span needs (and the run just before it), and
 * webhook posts handed out oldest first, one per site at a time, in order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultStore } from '../../../server/store/types.js';
import { describeKind, open, postgresKind, sqliteKind, storeOptions, testClock } from './store-kit.js';

describe.each([sqliteKind(), postgresKind()])('fleet tables: $name', (kind) => {
  const run = describeKind('fleet tables', kind);
  run(`on ${kind.name}`, () => {
    const clock = testClock(Date.UTC(2026, 1, 2, 8));
    let store: ResultStore;
    beforeAll(async () => {
      await kind.setup();
      store = await open(await kind.freshTarget(), storeOptions(clock, 71));
    }, 90_000);
    afterAll(async () => {
      await store.close();
      await kind.teardown();
    }, 60_000);

    it('gives a lease to one holder until it expires, renewing the holder', async () => {
      const t = clock.nowMs();
      expect(await store.fleet.tryLease('alerts', 'a', t, 30_000)).toBe(true);
      expect(await store.fleet.tryLease('alerts', 'b', t + 1_000, 30_000)).toBe(false);
      expect(await store.fleet.tryLease('alerts', 'a', t + 20_000, 30_000)).toBe(true);
      // a's lease now runs to t + 50 s.
      expect(await store.fleet.tryLease('alerts', 'b', t + 45_000, 30_000)).toBe(false);
      expect(await store.fleet.tryLease('alerts', 'b', t + 51_000, 30_000)).toBe(true);
      expect(await store.fleet.tryLease('alerts', 'a', t + 52_000, 30_000)).toBe(false);
    });

    it('keeps each run, its beats and its clean stop; a span gets its runs and the one before', async () => {
      const t = clock.nowMs();
      await store.fleet.beat('one', t, t, false);
      await store.fleet.beat('one', t, t + 10_000, true);
      await store.fleet.beat('two', t + 60_000, t + 60_000, false);
      await store.fleet.beat('two', t + 60_000, t + 70_000, false);
      expect(await store.fleet.heartbeats(t + 65_000)).toEqual([
        { instance: 'two', startedAtMs: t + 60_000, lastBeatMs: t + 70_000, stoppedAtMs: null },
        { instance: 'one', startedAtMs: t, lastBeatMs: t + 10_000, stoppedAtMs: t + 10_000 },
      ]);
    });

    it('hands out the oldest post of each site, the next only once it is settled; counts the pending', async () => {
      const t = clock.nowMs();
      // Two posts for Paris (one change each), one for Lyon: kept as evaluateAlerts keeps them.
      const keep = (site: string, bodies: string[]) =>
        store.alerts.evaluate(site, [], ['silence'], () => ({ tracks: new Map(), posts: bodies.map((body) => ({ body, receiver: 'alert:a' })) }));
      await keep('Paris', ['p1', 'p2']);
      clock.advance(1_000);
      await keep('Lyon', ['l1']);
      clock.advance(1_000);
      expect(await store.alerts.pendingPosts()).toEqual({ alerts: 3, results: 0 });
      const first = await store.alerts.duePosts(clock.nowMs(), 10);
      expect(first.map((p) => [p.siteKey, p.body])).toEqual([
        ['paris', 'p1'],
        ['lyon', 'l1'],
      ]);
      expect(first[0]?.id).toMatch(/^[0-9a-f]{32}$/);
      // p1 failed: tried again in a minute, and p2 waits behind it.
      await store.alerts.settlePost(first[0]?.id ?? '', { kind: 'retry', nextAtMs: t + 60_000, error: 'status: 500' }, clock.nowMs());
      await store.alerts.settlePost(first[1]?.id ?? '', { kind: 'delivered' }, clock.nowMs());
      expect(await store.alerts.duePosts(clock.nowMs(), 10)).toEqual([]);
      const again = await store.alerts.duePosts(t + 60_000, 10);
      expect(again.map((p) => [p.body, p.attempts])).toEqual([['p1', 1]]);
      await store.alerts.settlePost(again[0]?.id ?? '', { kind: 'delivered' }, t + 60_000);
      expect((await store.alerts.duePosts(t + 60_000, 10)).map((p) => p.body)).toEqual(['p2']);
      expect(await store.alerts.pendingPosts()).toEqual({ alerts: 1, results: 0 });
    });
  });
});
