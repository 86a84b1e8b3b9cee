/**
 * A hub and an edge, each a whole `serve` in this process (SQLite behind the hub; the edge with
 * an external relay, a real one on loopback, and no reflector, enough for its beats, its relay
 * check and its doors): the edge registers at start and is listed with the URL it listens on and
 * its relay's check, refuses results, and signals only with the hub's pages; a revoked token's
 * edge leaves the list at once, hears it at its next beat, takes no test and tells serve to stop;
 * an edge whose relay drops every datagram is listed relay-down and offered to no page; an edge
 * that stops says so and leaves at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import dgram from 'node:dgram';
import { serve } from '../../../server/serve.js';
import { startTestRelay } from '../turn/helpers/relay.js';
import type { ServeOptions } from '../../../server/config/options.js';
import { serveOptionsFromFlags } from '../../../server/config/options.js';
import { EDGE_TOKENS_PATH, EDGES_PATH, type EdgeList, type EdgeTokenCreated } from '../../../src/protocol/api-edges.js';
import { SIGNAL_PROTOCOL_QUERY, type ServerConfig } from '../../../src/protocol/api.js';
import { serveFlags } from '../config/serve-flags.js';
import { waitFor } from '../../kit/wait.js';
import { freePorts } from '../../kit/net.js';
import { TurnClient, TurnClientError } from '../../../server/turn/client/turn-client.js';

const dir = mkdtempSync(join(tmpdir(), 'callprobe-edge-roles-'));
const ADMIN = 'operator-token-0123456789';
const EDGE_SECRET = 'edge-relay-secret';

function hubOptions(db = 'hub.db'): ServeOptions {
  const o = serveOptionsFromFlags({
    ...serveFlags,
    httpPort: 0,
    secret: 's',
    reflector: false,
    logLevel: 'fatal',
    adminToken: ADMIN,
    db: { kind: 'sqlite', path: join(dir, db) },
  });
  // The test polls the list while it waits on an edge's state: more than a person's 60 a minute.
  return { ...o, externalTurn: [], webRoot: join(dir, 'no-page'), edges: { ...o.edges, listPerMinutePerSource: 100_000 } };
}

/** An edge whose external relay answers on UDP `port` (or drops everything sent to it), checked every 300 ms. */
function edgeOptions(hub: string, id: string, token: string, port: number, azureRegion = 'West Europe'): ServeOptions {
  const o = serveOptionsFromFlags({
    ...serveFlags,
    httpPort: 0,
    reflector: false,
    secret: EDGE_SECRET,
    logLevel: 'fatal',
    hub,
    edgeId: id,
    azureRegion,
    edgeToken: token,
  });
  if (o.edge === null) throw new Error('not an edge');
  return {
    ...o,
    externalTurn: [turnAt(port)],
    webRoot: join(dir, 'no-page'),
    edge: { ...o.edge, heartbeatMs: 100, relayCheckMs: 300, relayCheckTimeoutMs: 1_000 },
  };
}

const turnAt = (port: number) => ({ url: `turn:127.0.0.1:${port}?transport=udp`, transport: 'udp' as const, port });

const opened: { close(): Promise<void> }[] = [];
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

    // The edges' external relay (a coturn in production): a real one on loopback, of the edges' secret.
    const relay = await startTestRelay({ secret: EDGE_SECRET });
    opened.push(relay);
    const relayPort = relay.listeners.find((l) => l.transport === 'udp')?.port ?? 0;
    const weu = await create('weu-1');
    const lines: string[] = [];
    const edge = await serve(edgeOptions(hub.url, 'weu-1', weu.token, relayPort), (l) => lines.push(l));
    opened.push(edge);
    expect(lines).toContain(`edge weu-1 (West Europe) of hub ${hub.url}: results are stored by the hub`);
    // Listed once it beats; ready once its relay's check passed (the first may run while this process still starts the edge).
    const [listedEdge] = await waitFor(async () => ((await listed())[0]?.relayCheck?.ok === true ? await listed() : null), {
      timeoutMs: 15_000,
      what: "the edge listed, its relay's check passed",
      state: () => lines.join(' | '),
    });
    expect(listedEdge).toMatchObject({
      id: 'weu-1',
      azureRegion: 'West Europe',
      state: 'ready',
      urls: { http: edge.url, signal: null, turn: [turnAt(relayPort)] },
    });
    await waitFor(() => lines.includes(`edge weu-1: registered with hub ${hub.url} (West Europe)`), { timeoutMs: 15_000, what: 'the registered line' });
    // The hub's pages get it in their configuration.
    expect(((await (await fetch(`${hub.url}/api/config`)).json()) as ServerConfig).edges?.map((e) => e.id)).toEqual(['weu-1']);

    // The edge stores nothing, and signals only with the hub's pages.
    const post = await fetch(`${edge.url}/api/results`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(await post.json()).toMatchObject({ reason: 'no-store' });
    expect(await firstSignal(edge.url, 'http://127.0.0.1:1')).toMatchObject({ reason: 'bad-origin' });
    expect(await firstSignal(edge.url, hub.url)).toMatchObject({ reason: 'no-reflector' });

    // Revoked: gone at once; its next beat is refused as revoked, and the edge stops taking tests and tells serve to stop (exit 3).
    expect((await fetch(`${hub.url}${EDGE_TOKENS_PATH}/${weu.id}`, { method: 'DELETE', headers: { authorization: admin.authorization } })).status).toBe(204);
    expect(await listed()).toEqual([]);
    expect(await edge.revoked).toContain('edge-token-revoked');
    expect(lines.some((l) => l.startsWith(`edge weu-1: hub ${hub.url} revoked this edge's token`))).toBe(true);
    expect(await firstSignal(edge.url, hub.url)).toMatchObject({ reason: 'busy', message: 'this test server is stopping: its hub revoked it' });
    expect(await listed()).toEqual([]);

    // An edge whose relay's UDP port drops everything: listed relay-down, offered to no page; its relay answering again, ready.
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    opened.push({ close: () => new Promise<void>((resolve) => silent.close(() => resolve())) });
    const cus = await create('cus-1', 'Central US');
    const down = await serve(edgeOptions(hub.url, 'cus-1', cus.token, silent.address().port, 'Central US'), () => undefined);
    opened.push(down);
    const downView = await waitFor(async () => (await listed()).find((e) => e.id === 'cus-1' && e.state === 'relay-down') ?? null, {
      timeoutMs: 15_000,
      what: 'cus-1 relay-down',
    });
    expect(downView.relayCheck).toMatchObject({ ok: false, failed: [{ transport: 'udp', port: silent.address().port, error: 'no answer' }] });
    expect(((await (await fetch(`${hub.url}/api/config`)).json()) as ServerConfig).edges).toBeUndefined();
    await down.close();

    // Another edge: listed while it runs, gone as soon as it stops.
    const neu = await create('neu-1', 'North Europe');
    const second = await serve(edgeOptions(hub.url, 'neu-1', neu.token, relayPort, 'North Europe'), () => undefined);
    await waitFor(async () => (await listed()).some((e) => e.id === 'neu-1' && e.state === 'ready'), { timeoutMs: 15_000, what: 'neu-1 listed' });
    await second.close();
    expect(await listed()).toEqual([]);
  }, 60_000);

  it('revoked, an edge with its own relay refuses the credentials minted before, and tells serve to stop', async () => {
    const hub = await serve(hubOptions('hub-2.db'), () => undefined);
    opened.push(hub);
    const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    const made = await fetch(`${hub.url}${EDGE_TOKENS_PATH}`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ edge: 'wus-1', azureRegion: 'West US', hosts: ['127.0.0.1'] }),
    });
    const wus = (await made.json()) as EdgeTokenCreated;
    const [turnPort] = await freePorts(1);
    if (turnPort === undefined) throw new Error('no port');
    const o = edgeOptions(hub.url, 'wus-1', wus.token, 0, 'West US');
    const edge = await serve({ ...o, externalTurn: null, turnUdpPorts: [turnPort], relayIp: '127.0.0.1' }, () => undefined);
    opened.push(edge);
    // A page's configuration, taken from the hub while the edge is offered.
    const offer = await waitFor(
      async () => ((await (await fetch(`${hub.url}/api/config`)).json()) as ServerConfig).edges?.find((e) => e.id === 'wus-1') ?? null,
      { timeoutMs: 15_000, what: 'wus-1 offered' },
    );
    const udp = offer.config.turn.find((t) => t.transport === 'udp');
    if (udp === undefined) throw new Error('no UDP entry');
    const allocate = async (): Promise<string> => {
      const c = await TurnClient.connect({
        host: '127.0.0.1',
        port: udp.port,
        transport: 'udp',
        username: offer.config.username,
        password: offer.config.credential,
      });
      try {
        await c.allocate();
        return 'allocated';
      } catch (err) {
        return err instanceof TurnClientError ? `refused ${err.code}` : String(err);
      } finally {
        await c.close();
      }
    };
    expect(await allocate()).toBe('allocated');
    expect((await fetch(`${hub.url}${EDGE_TOKENS_PATH}/${wus.id}`, { method: 'DELETE', headers: { authorization: admin.authorization } })).status).toBe(204);
    // Resolved once the relay took its new secret: the credential minted before is refused from then on.
    expect(await edge.revoked).toContain('edge-token-revoked');
    expect(await allocate()).toBe('refused 401');
  }, 60_000);
});
