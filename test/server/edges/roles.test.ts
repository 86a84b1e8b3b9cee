/**
 * A hub and an edge, each a whole `serve` in this process (SQLite behind the hub; the edge with
 * an external relay's entry and no reflector, enough for its beats and its doors): the edge
 * registers at start and is listed with the URL it listens on, refuses results, and signals only
 * with the hub's pages; a revoked token's edge leaves the list at once and its next beat is
 * refused in the hub's words; an edge that stops says so and leaves at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { serve, type RunningServer } from '../../../server/serve.js';
import type { ServeOptions } from '../../../server/config/options.js';
import { serveOptionsFromFlags } from '../../../server/config/options.js';
import { EDGE_TOKENS_PATH, EDGES_PATH, type EdgeList, type EdgeTokenCreated } from '../../../src/protocol/api-edges.js';
import { SIGNAL_PROTOCOL_QUERY, type ServerConfig } from '../../../src/protocol/api.js';
import { serveFlags } from '../config/serve-flags.js';
import { waitFor } from '../../kit/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'callprobe-edge-roles-'));
const ADMIN = 'operator-token-0123456789';
const EXTERNAL = 'turn:127.0.0.1:3999?transport=udp';

function hubOptions(): ServeOptions {
  return {
    ...serveOptionsFromFlags({
      ...serveFlags,
      httpPort: 0,
      secret: 's',
      reflector: false,
      logLevel: 'fatal',
      adminToken: ADMIN,
      db: { kind: 'sqlite', path: join(dir, 'hub.db') },
    }),
    externalTurn: [],
    webRoot: join(dir, 'no-page'),
  };
}

function edgeOptions(hub: string, id: string, token: string, azureRegion = 'West Europe'): ServeOptions {
  const o = serveOptionsFromFlags({ ...serveFlags, httpPort: 0, reflector: false, logLevel: 'fatal', hub, edgeId: id, azureRegion, edgeToken: token });
  if (o.edge === null) throw new Error('not an edge');
  return { ...o, externalTurn: [{ url: EXTERNAL, transport: 'udp', port: 3999 }], webRoot: join(dir, 'no-page'), edge: { ...o.edge, heartbeatMs: 100 } };
}

const opened: RunningServer[] = [];
afterAll(async () => {
  for (const s of opened.reverse()) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What the signalling WebSocket answers a page of `origin` first. */
async function firstSignal(url: string, origin: string): Promise<{ reason?: string }> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/api/signal${SIGNAL_PROTOCOL_QUERY}`, { origin });
  try {
    return await new Promise((resolve, reject) => {
      ws.once('message', (m: Buffer) => resolve(JSON.parse(m.toString('utf8')) as { reason?: string }));
      ws.once('error', reject);
    });
  } finally {
    ws.close();
  }
}

describe('a hub and its edge', () => {
  it('registers at start, signals only with the hub, refuses results; revoked, it leaves and is refused; stopped, it leaves at once', async () => {
    const hub = await serve(hubOptions(), () => undefined);
    opened.push(hub);
    const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    const create = async (edge: string, azureRegion = 'West Europe'): Promise<EdgeTokenCreated> =>
      (await (
        await fetch(`${hub.url}${EDGE_TOKENS_PATH}`, { method: 'POST', headers: admin, body: JSON.stringify({ edge, azureRegion, hosts: ['127.0.0.1'] }) })
      ).json()) as EdgeTokenCreated;
    const listed = async (): Promise<EdgeList['edges']> => ((await (await fetch(`${hub.url}${EDGES_PATH}`)).json()) as EdgeList).edges;

    const weu = await create('weu-1');
    const lines: string[] = [];
    const edge = await serve(edgeOptions(hub.url, 'weu-1', weu.token), (l) => lines.push(l));
    opened.push(edge);
    expect(lines).toContain(`edge weu-1 (West Europe) of hub ${hub.url}: results are stored by the hub`);
    const [listedEdge] = await waitFor(async () => ((await listed()).length === 1 ? await listed() : null), { timeoutMs: 5000, what: 'the edge listed' });
    expect(listedEdge).toMatchObject({
      id: 'weu-1',
      azureRegion: 'West Europe',
      state: 'ready',
      urls: { http: edge.url, signal: null, turn: [{ url: EXTERNAL, transport: 'udp', port: 3999 }] },
    });
    await waitFor(() => lines.includes(`edge weu-1: registered with hub ${hub.url} (West Europe)`), { timeoutMs: 5000, what: 'the registered line' });
    // The hub's pages get it in their configuration.
    expect(((await (await fetch(`${hub.url}/api/config`)).json()) as ServerConfig).edges?.map((e) => e.id)).toEqual(['weu-1']);

    // The edge stores nothing, and signals only with the hub's pages.
    const post = await fetch(`${edge.url}/api/results`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(await post.json()).toMatchObject({ reason: 'no-store' });
    expect(await firstSignal(edge.url, 'http://127.0.0.1:1')).toMatchObject({ reason: 'bad-origin' });
    expect(await firstSignal(edge.url, hub.url)).toMatchObject({ reason: 'no-reflector' });

    // Revoked: gone at once, and its next beat refused in the hub's words.
    expect((await fetch(`${hub.url}${EDGE_TOKENS_PATH}/${weu.id}`, { method: 'DELETE', headers: { authorization: admin.authorization } })).status).toBe(204);
    expect(await listed()).toEqual([]);
    await waitFor(() => lines.find((l) => l.startsWith(`edge weu-1: hub ${hub.url} refused its beat (bad-edge-token:`)), {
      timeoutMs: 5000,
      what: 'the refused beat logged',
      state: () => lines.join(' | '),
    });
    expect(await listed()).toEqual([]);

    // Another edge: listed while it runs, gone as soon as it stops.
    const neu = await create('neu-1', 'North Europe');
    const second = await serve(edgeOptions(hub.url, 'neu-1', neu.token, 'North Europe'), () => undefined);
    await waitFor(async () => (await listed()).some((e) => e.id === 'neu-1'), { timeoutMs: 5000, what: 'neu-1 listed' });
    await second.close();
    expect(await listed()).toEqual([]);
  });
});
