/**
 * A hub's edges through Fastify's inject, on SQLite and a real PostgreSQL: the operator makes an
 * edge token; the edge's first beat registers it, GET /api/edges lists it (never its secret), the
 * page's configuration carries it with credentials minted with the edge's own secret, and the
 * page's CSP lets it open the edge's signalling. A token for another edge, an unknown or revoked
 * token, a region outside the Azure table and a TURN entry that is not what its URI says are
 * refused; an edge silent for 30 s leaves the list, and a revoked token's edge leaves at once. A
 * token binds the region and the hosts the operator named: a beat claiming another region or
 * pointing pages at another host is refused (the red team's beat with edge neu-1's token claimed
 * West Europe and 160 TURN entries at 10.213.0.2), as are more TURN entries than a serve
 * advertises, a special-purpose address off a lab, another token's edge id, and a token made
 * before tokens bound anything.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EDGE_TOKENS_PATH, EDGES_PATH, edgeHeartbeatPath, type EdgeList, type EdgeTokenCreated } from '../../../src/protocol/api-edges.js';
import type { ServerConfig } from '../../../src/protocol/api.js';
import { BOUNDS, DEFAULTS } from '../../../src/protocol/defaults.js';
import { buildApp } from '../../../server/http/app.js';
import { EdgeRegistry } from '../../../server/edges/registry.js';
import { restPassword } from '../../../server/turn/credentials.js';
import type { ResultStore } from '../../../server/store/index.js';
import { describeEachKind, execSql, open, storeOptions, testClock } from '../store/store-kit.js';
import { edgeTokenHash } from '../../../server/http/edges.js';
import { appOptionsWithoutRelay, resultsOptions } from '../../kit/app-options.js';
import { sampleBeat } from '../edges/kit.js';

const TOKEN = 'operator-token-0123456789';

describeEachKind('edges on the hub', (kind, opened) => {
  let webRoot: string;
  let app: FastifyInstance;
  let store: ResultStore;
  let target: Awaited<ReturnType<typeof kind.freshTarget>>;
  const clock = testClock(Date.UTC(2026, 0, 15, 12));
  beforeAll(async () => {
    webRoot = mkdtempSync(join(tmpdir(), 'callprobe-edges-web-'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>callprobe page</title>');
    target = await kind.freshTarget();
    store = await open(target, storeOptions(clock, 31));
    const registry = new EdgeRegistry(store.edges, { silentAfterMs: 30_000, refreshMs: 60_000, credentialTtlS: 600 }, clock.nowMs, () => undefined);
    await registry.start();
    const base = appOptionsWithoutRelay(webRoot);
    app = await buildApp({
      ...base,
      results: resultsOptions(store, TOKEN),
      console: { ...base.console, nowMs: clock.nowMs },
      // The hub on loopback is a lab: its edges stand on loopback too.
      edges: { registry, heartbeatMs: 5_000, silentAfterMs: 30_000, heartbeatsPerMinutePerSource: 1000, listPerMinutePerSource: 1000, labAddresses: true },
    });
    await app.ready();
    opened.push({
      close: async () => {
        registry.close();
        await app.close();
        await store.close();
      },
    });
  }, 90_000);
  afterAll(() => {
    rmSync(webRoot, { recursive: true, force: true });
  });

  const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
  const create = async (edge: string, azureRegion = 'West Europe', hosts = ['127.0.0.1']): Promise<EdgeTokenCreated> => {
    const res = await app.inject({ method: 'POST', url: EDGE_TOKENS_PATH, headers: bearer(TOKEN), payload: { edge, azureRegion, hosts } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<EdgeTokenCreated>();
  };
  const beat = (id: string, token: string, body: object = sampleBeat()) =>
    app.inject({ method: 'PUT', url: edgeHeartbeatPath(id), headers: bearer(token), payload: body });
  const listed = async (): Promise<string[]> => (await app.inject({ method: 'GET', url: EDGES_PATH })).json<EdgeList>().edges.map((e) => e.id);

  it('registers an edge at its first beat, lists it without its secret, and hands the page its own credentials', async () => {
    // Before any edge: the configuration and the page's CSP are an all-in-one server's.
    const before = await app.inject({ method: 'GET', url: '/api/config' });
    expect(before.json<ServerConfig>().edges).toBeUndefined();
    expect(before.headers['content-security-policy']).toContain("connect-src 'self';");

    const weu = await create('weu-1');
    expect(weu.token).toMatch(/^cpedge_[A-Za-z0-9_-]{43}$/);
    const ack = await beat('weu-1', weu.token);
    expect(ack.statusCode, ack.body).toBe(200);
    expect(ack.json()).toEqual({ heartbeatMs: 5_000, silentAfterMs: 30_000 });

    const list = await app.inject({ method: 'GET', url: EDGES_PATH });
    expect(list.json<EdgeList>().edges).toEqual([
      {
        id: 'weu-1',
        azureRegion: 'West Europe',
        state: 'ready',
        lastHeartbeatAt: new Date(clock.nowMs()).toISOString(),
        version: '0.1.0',
        load: { sessions: 0, maxSessions: 50 },
        urls: sampleBeat().urls,
      },
    ]);
    expect(list.body).not.toContain(sampleBeat().turnSecret);

    const config = await app.inject({ method: 'GET', url: '/api/config' });
    const edges = config.json<ServerConfig>().edges ?? [];
    expect(edges.map((e) => [e.id, e.azureRegion, e.config.reflectorPath, e.config.turn])).toEqual([
      ['weu-1', 'West Europe', 'http://127.0.0.1:18201/api/signal', sampleBeat().urls.turn],
    ]);
    const cred = edges[0]?.config;
    // Minted with the edge's secret: its relay takes it without asking the hub.
    expect(cred?.credential).toBe(restPassword(sampleBeat().turnSecret, cred?.username ?? ''));
    expect(config.body).not.toContain(sampleBeat().turnSecret);
    expect(config.headers['content-security-policy']).toContain("connect-src 'self' ws://127.0.0.1:18201;");
  });

  it('refuses an unknown, a revoked or another edge token, and a beat it cannot use', async () => {
    const neu = await create('neu-1', 'North Europe');
    expect((await beat('neu-1', 'cpedge_' + 'x'.repeat(43))).json()).toMatchObject({ reason: 'bad-edge-token' });
    expect((await beat('neu-1', TOKEN)).statusCode).toBe(403);
    expect((await app.inject({ method: 'PUT', url: edgeHeartbeatPath('neu-1'), payload: sampleBeat() })).statusCode).toBe(401);
    expect((await beat('weu-1', neu.token)).json()).toMatchObject({ reason: 'wrong-edge' });
    expect((await beat('neu-1', neu.token, sampleBeat({ azureRegion: 'Hawaii US' }))).json()).toMatchObject({ reason: 'bad-azure-region' });
    const badTurn = sampleBeat({ urls: { ...sampleBeat().urls, turn: [{ url: 'turn:127.0.0.1:3678?transport=tcp', transport: 'udp', port: 3678 }] } });
    expect((await beat('neu-1', neu.token, badTurn)).json()).toMatchObject({ reason: 'bad-turn-uri' });
    expect((await beat('neu-1', neu.token, { ...sampleBeat(), extra: 1 })).statusCode).toBe(400);
    expect(await listed()).toEqual(['weu-1']);

    expect((await beat('neu-1', neu.token, sampleBeat({ azureRegion: 'North Europe' }))).statusCode).toBe(200);
    expect(await listed()).toEqual(['neu-1', 'weu-1']);
    expect((await app.inject({ method: 'DELETE', url: `${EDGE_TOKENS_PATH}/${neu.id}`, headers: bearer(TOKEN) })).statusCode).toBe(204);
    // Gone at once, and its next beat refused.
    expect(await listed()).toEqual(['weu-1']);
    expect((await beat('neu-1', neu.token)).json()).toMatchObject({ reason: 'bad-edge-token' });
    const tokens = await app.inject({ method: 'GET', url: `${EDGE_TOKENS_PATH}?edge=neu-1`, headers: bearer(TOKEN) });
    expect(tokens.json()).toEqual([
      {
        id: neu.id,
        edge: 'neu-1',
        azureRegion: 'North Europe',
        hosts: ['127.0.0.1'],
        createdAt: neu.createdAt,
        revokedAt: new Date(clock.nowMs()).toISOString(),
      },
    ]);
    expect(tokens.body).not.toContain(neu.token);
    // Only the operator makes or lists tokens; an edge id outside the grammar is refused in words.
    expect((await app.inject({ method: 'GET', url: EDGE_TOKENS_PATH })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: EDGE_TOKENS_PATH, headers: bearer(TOKEN), payload: { edge: 'West Europe' } })).json()).toMatchObject({
      reason: 'bad-edge',
    });
    // A new token names the edge's region and hosts.
    expect((await app.inject({ method: 'POST', url: EDGE_TOKENS_PATH, headers: bearer(TOKEN), payload: { edge: 'neu-2' } })).json()).toMatchObject({
      reason: 'bad-edge',
    });
  });

  it('drops an edge silent for 30 s, and one that says it is stopping at once; a full edge is listed but not offered', async () => {
    const eus = await create('eus-1', 'East US');
    expect((await beat('eus-1', eus.token, sampleBeat({ azureRegion: 'East US', state: 'full' }))).statusCode).toBe(200);
    expect(await listed()).toEqual(['eus-1', 'weu-1']);
    const offered = (await app.inject({ method: 'GET', url: '/api/config' })).json<ServerConfig>().edges?.map((e) => e.id);
    expect(offered).toEqual(['weu-1']);
    clock.advance(DEFAULTS.edges.silentAfterMs - 1_000);
    expect((await beat('eus-1', eus.token, sampleBeat({ azureRegion: 'East US' }))).statusCode).toBe(200);
    clock.advance(1_001);
    // weu-1's last beat is now 30.001 s old; eus-1's 1 s.
    expect(await listed()).toEqual(['eus-1']);
    expect((await beat('eus-1', eus.token, sampleBeat({ azureRegion: 'East US', state: 'draining' }))).statusCode).toBe(200);
    expect(await listed()).toEqual([]);
    expect((await app.inject({ method: 'GET', url: '/api/config' })).json<ServerConfig>().edges).toBeUndefined();
  });

  it("holds a beat to what its token binds: the region, the hosts, a serve's TURN entries, the edge id", async () => {
    const jpe = await create('jpe-1', 'Japan East');
    const here = sampleBeat({ azureRegion: 'Japan East' });
    expect((await beat('jpe-1', jpe.token, here)).statusCode).toBe(200);
    const refused = async (body: object): Promise<{ status: number; reason: unknown }> => {
      const res = await beat('jpe-1', jpe.token, body);
      return { status: res.statusCode, reason: res.json<{ reason: unknown }>().reason };
    };
    // The red team's beat: another region, and TURN entries (then signalling) at another host.
    expect(await refused(sampleBeat({ azureRegion: 'West Europe' }))).toEqual({ status: 403, reason: 'region-mismatch' });
    const turnAt = (host: string, n = 1) =>
      Array.from({ length: n }, (_, i) => ({ url: `turn:${host}:${5349 + i}?transport=udp`, transport: 'udp' as const, port: 5349 + i }));
    expect(await refused({ ...here, urls: { ...here.urls, turn: turnAt('10.213.0.2') } })).toEqual({ status: 403, reason: 'host-mismatch' });
    expect(await refused({ ...here, urls: { ...here.urls, signal: 'http://10.213.0.2:28088/api/signal' } })).toEqual({ status: 403, reason: 'host-mismatch' });
    expect(await refused({ ...here, urls: { ...here.urls, turn: turnAt('127.0.0.1', BOUNDS.edgeTurnEntriesMax + 1) } })).toEqual({
      status: 403,
      reason: 'too-many-turn-entries',
    });
    expect((await beat('jpe-1', jpe.token, { ...here, urls: { ...here.urls, turn: turnAt('127.0.0.1', BOUNDS.edgeTurnEntriesMax) } })).statusCode).toBe(200);
    // Another token of the same edge id, while the first one's edge beats: refused.
    const second = await create('jpe-1', 'Japan East');
    expect((await beat('jpe-1', second.token, here)).json()).toMatchObject({ reason: 'id-taken' });
    const offers = (await app.inject({ method: 'GET', url: '/api/config' })).json<ServerConfig>().edges ?? [];
    expect(offers.filter((e) => e.id === 'jpe-1').map((e) => [e.azureRegion, e.config.turn.length])).toEqual([['Japan East', BOUNDS.edgeTurnEntriesMax]]);
  });

  it('refuses a token made before tokens bound a region and hosts, and off a lab, special-purpose addresses', async () => {
    // A token as an older hub made it (migration 15 leaves its region and hosts empty).
    const legacy = 'cpedge_' + 'L'.repeat(43);
    await execSql(
      target,
      `INSERT INTO edge_tokens (id, edge_id, token_hash, created_at, revoked_at) VALUES ('${'f'.repeat(16)}', 'old-1', '${edgeTokenHash(legacy)}', ${clock.nowMs()}, NULL)`,
    );
    const old = await beat('old-1', legacy);
    expect([old.statusCode, old.json<{ reason: string }>().reason]).toEqual([403, 'token-unbound']);
    const list = await app.inject({ method: 'GET', url: `${EDGE_TOKENS_PATH}?edge=old-1`, headers: bearer(TOKEN) });
    expect(list.json()).toMatchObject([{ edge: 'old-1', azureRegion: null, hosts: [] }]);
    // A hub on a public address: an edge's host may not be special-purpose, a DNS name may.
    const registry = new EdgeRegistry(store.edges, { silentAfterMs: 30_000, refreshMs: 60_000, credentialTtlS: 600 }, clock.nowMs, () => undefined);
    const base = appOptionsWithoutRelay(webRoot);
    const pub = await buildApp({
      ...base,
      results: resultsOptions(store, TOKEN),
      edges: { registry, heartbeatMs: 5_000, silentAfterMs: 30_000, heartbeatsPerMinutePerSource: 1000, listPerMinutePerSource: 1000, labAddresses: false },
    });
    try {
      const make = (hosts: string[]) =>
        pub.inject({ method: 'POST', url: EDGE_TOKENS_PATH, headers: bearer(TOKEN), payload: { edge: 'sea-1', azureRegion: 'Southeast Asia', hosts } });
      for (const host of ['127.0.0.1', '10.213.0.2', '192.168.1.5', '::1', 'fe80::1', '198.51.100.4', 'localhost'])
        expect((await make([host])).json(), host).toMatchObject({ reason: 'special-address' });
      expect((await make(['sea-1.example.org', 'sea-1.example.org'])).json()).toMatchObject({ reason: 'bad-host' });
      expect((await make(['SEA-1.Example.org.', '2001:4860::5'])).json()).toMatchObject({ hosts: ['sea-1.example.org', '2001:4860::5'] });
      // A token made in the lab, its edge beating to this hub: refused.
      const lab = await create('sea-2', 'Southeast Asia');
      const res = await pub.inject({
        method: 'PUT',
        url: edgeHeartbeatPath('sea-2'),
        headers: bearer(lab.token),
        payload: sampleBeat({ azureRegion: 'Southeast Asia' }),
      });
      expect([res.statusCode, res.json<{ reason: string }>().reason]).toEqual([403, 'special-address']);
    } finally {
      registry.close();
      await pub.close();
    }
  });
});
