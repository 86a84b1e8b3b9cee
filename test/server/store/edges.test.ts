/**
 * A hub's edges in the store (migration 10) on SQLite and PostgreSQL: edge tokens kept by their
 * hash only with the region and hosts each binds (migration 15; a token made before binds none),
 * listed and revoked in place; the registry keeps each edge's last beat as sent (its secret in a
 * column of its own), lists the edges heard since a time, and a revoked token takes its edge out
 * at once.
 */
import { expect, it } from 'vitest';
import type { ResultStore } from '../../../server/store/types.js';
import { describeEachKind, execSql, open, storeOptions, testClock } from './store-kit.js';
import { sampleBeat } from '../edges/kit.js';

describeEachKind('edges', (kind, opened) => {
  const clock = testClock(Date.UTC(2026, 0, 15, 12));
  const t = clock.nowMs();
  let store: ResultStore;
  const weu = { azureRegion: 'West Europe', hosts: ['weu-1.example.org'] };
  const fresh = async (target?: Awaited<ReturnType<typeof kind.freshTarget>>): Promise<ResultStore> => {
    store = await open(target ?? (await kind.freshTarget()), storeOptions(clock, 12));
    opened.push(store);
    return store;
  };

  it('keeps tokens by hash, lists them, and revokes one in place', async () => {
    const s = await fresh();
    await s.edges.createToken({ id: 'a'.repeat(16), edgeId: 'weu-1', binding: weu, tokenHash: 'h1', createdAtMs: t });
    await s.edges.createToken({
      id: 'b'.repeat(16),
      edgeId: 'eus-1',
      binding: { azureRegion: 'East US', hosts: ['203.0.113.5', '2001:db8::5'] },
      tokenHash: 'h2',
      createdAtMs: t + 1,
    });
    expect(await s.edges.tokenByHash('h1')).toEqual({ id: 'a'.repeat(16), edgeId: 'weu-1', binding: weu, createdAtMs: t, revokedAtMs: null });
    expect((await s.edges.tokenByHash('h2'))?.binding).toEqual({ azureRegion: 'East US', hosts: ['203.0.113.5', '2001:db8::5'] });
    expect((await s.edges.listTokens(null)).map((x) => x.edgeId)).toEqual(['eus-1', 'weu-1']);
    expect(await s.edges.listTokens('weu-1')).toHaveLength(1);
    expect(await s.edges.revokeToken('a'.repeat(16), t + 5)).toBe(true);
    expect(await s.edges.revokeToken('a'.repeat(16), t + 6)).toBe(false);
    expect(await s.edges.tokenByHash('h1')).toBeNull();
    expect((await s.edges.listTokens('weu-1'))[0]?.revokedAtMs).toBe(t + 5);
  });

  it('keeps the last beat of each edge, lists those heard since a time, and drops the edge of a revoked token', async () => {
    const s = await fresh();
    await s.edges.createToken({ id: 'c'.repeat(16), edgeId: 'weu-1', binding: weu, tokenHash: 'h3', createdAtMs: t });
    await s.edges.beat({ id: 'weu-1', tokenId: 'c'.repeat(16), beat: sampleBeat(), lastBeatMs: t });
    await s.edges.beat({ id: 'weu-1', tokenId: 'c'.repeat(16), beat: sampleBeat({ load: { sessions: 3, maxSessions: 50 } }), lastBeatMs: t + 5_000 });
    await s.edges.beat({ id: 'neu-1', tokenId: 'd'.repeat(16), beat: sampleBeat({ azureRegion: 'North Europe' }), lastBeatMs: t - 40_000 });
    const heard = await s.edges.heardSince(t - 30_000);
    expect(heard).toEqual([{ id: 'weu-1', tokenId: 'c'.repeat(16), beat: sampleBeat({ load: { sessions: 3, maxSessions: 50 } }), lastBeatMs: t + 5_000 }]);
    expect((await s.edges.heardSince(t - 60_000)).map((e) => e.id)).toEqual(['neu-1', 'weu-1']);
    await s.edges.revokeToken('c'.repeat(16), t + 6_000);
    expect(await s.edges.heardSince(t - 30_000)).toEqual([]);
  });

  it('reads a token made before tokens named a region and hosts (migration 15) as binding none', async () => {
    const target = await kind.freshTarget();
    const s = await fresh(target);
    await execSql(target, `INSERT INTO edge_tokens (id, edge_id, token_hash, created_at, revoked_at) VALUES ('${'e'.repeat(16)}', 'old-1', 'h9', ${t}, NULL)`);
    expect(await s.edges.tokenByHash('h9')).toEqual({ id: 'e'.repeat(16), edgeId: 'old-1', binding: null, createdAtMs: t, revokedAtMs: null });
  });
});
