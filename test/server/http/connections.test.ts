/**
 * The HTTP server's connection door (server/http/connections.ts) on a real listening app with
 * real sockets from several loopback addresses (each its own source): the per-source and total
 * bounds, the descriptor reserve, the first-request and header timeouts, and the refusals in
 * /metrics. One source keeps running a test (4 signalling WebSockets and a busy-line phase's 6 flows)
 * while another floods the door.
 */
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { LOAD_DOWN_PATH, LOAD_GRANT_PATH, type LoadGrant } from '../../../src/protocol/api-load.js';
import { ConfigError } from '../../../src/protocol/config-error.js';
import { buildApp, metricsTextOf, type AppOptions } from '../../../server/http/app.js';
import { connectionCap, descriptorCount, type ConnectionLimits } from '../../../server/http/connections.js';
import { openSignalling, type Sig } from '../../../bench/lib/abuse.js';
import { httpConnectionFlood } from '../../../bench/lib/http-flood.js';
import { unusedRelay, localReflector, appOptionsWithoutRelay } from '../../kit/app-options.js';
import { nextEvent, waitFor } from '../../kit/wait.js';

let webRoot: string;
let app: FastifyInstance | null = null;
const sockets: net.Socket[] = [];
const sigs: Sig[] = [];

beforeAll(() => {
  webRoot = mkdtempSync(join(tmpdir(), 'callprobe-conn-'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>callprobe</title>');
});

afterAll(() => rmSync(webRoot, { recursive: true, force: true }));

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of sigs.splice(0)) s.ws.terminate();
  await app?.close();
  app = null;
});

/** A listening app on 127.0.0.1 with these connection limits (a reflector address, so a signalling session waits for its offer). */
async function listen(connections: Partial<ConnectionLimits>, extra: Partial<AppOptions> = {}): Promise<string> {
  app = await buildApp({
    ...appOptionsWithoutRelay(webRoot),
    reflector: localReflector({ relayServer: unusedRelay }),
    maxSessions: 50,
    load: {
      offered: true,
      limits: DEFAULTS.load,
      flowMaxMs: DEFAULTS.load.flowMaxMs,
      floor: {
        bytesPerS: DEFAULTS.load.floorBytesPerS,
        graceMs: DEFAULTS.load.floorGraceMs,
        windowMs: DEFAULTS.load.floorWindowMs,
        checkMs: DEFAULTS.load.floorCheckMs,
      },
      sourceChunkBytes: DEFAULTS.load.sourceChunkBytes,
      requestsPerMinutePerSource: DEFAULTS.load.requestsPerMinutePerSource,
      allowedOrigins: [],
    },
    connections: { ...DEFAULTS.http, ...connections },
    ...extra,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const a = app.server.address();
  if (a === null || typeof a !== 'object') throw new Error('no address');
  return `http://127.0.0.1:${a.port}`;
}

function port(url: string): number {
  return Number(new URL(url).port);
}

/** A raw TCP connection from `localAddress`; resolves once connected (it may still be closed by the server at once). */
async function raw(url: string, localAddress: string): Promise<net.Socket & { gone: boolean }> {
  const s = net.connect({ host: '127.0.0.1', port: port(url), localAddress }) as net.Socket & { gone: boolean };
  s.gone = false;
  s.on('error', () => undefined); // a refused connection is reset: 'close' tells
  s.on('close', () => {
    s.gone = true;
  });
  sockets.push(s);
  await nextEvent(s, 'connect', { timeoutMs: 5_000, what: `a connection from ${localAddress}` });
  return s;
}

/** `n` raw connections from `localAddress`, opened one after the other. */
async function flood(url: string, localAddress: string, n: number): Promise<(net.Socket & { gone: boolean })[]> {
  const out: (net.Socket & { gone: boolean })[] = [];
  for (let i = 0; i < n; i++) out.push(await raw(url, localAddress));
  return out;
}

/** The refusals of one reason in the app's /metrics text. */
async function refusedOf(reason: string): Promise<number> {
  if (app === null) throw new Error('no app');
  const m = new RegExp(`callprobe_http_connections_refused_total\\{reason="${reason}"\\} (\\d+)`).exec(await metricsTextOf(app));
  return Number(m?.[1] ?? NaN);
}

/** Connections the app held open when last read (`openConnections`), for a wait's state. */
let lastOpen = NaN;

/** Connections the app holds open now, as /metrics says. */
async function openConnections(): Promise<number> {
  if (app === null) throw new Error('no app');
  lastOpen = Number(/callprobe_http_connections (\d+)/.exec(await metricsTextOf(app))?.[1]);
  return lastOpen;
}

/**
 * One request on a connection of its own from `localAddress`: a 200 download is answered at
 * once with its status and held open unread (`cut` ends it); anything else is read whole.
 */
function request(url: string, method: string, path: string, localAddress: string): Promise<{ status: number; text: string; cut: () => void }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method, localAddress, agent: false }, (res) => {
      const cut = (): void => void req.destroy();
      if (res.statusCode === 200 && path.startsWith(LOAD_DOWN_PATH)) {
        res.pause();
        resolve({ status: 200, text: '', cut });
        return;
      }
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, cut }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('connection bounds', () => {
  it('a flood from one source is refused past its bound while another source runs a test (default limits)', async () => {
    const url = await listen({});
    const perSource = DEFAULTS.http.maxConnectionsPerSource;
    const flooder = await flood(url, '127.0.0.1', perSource + 40);
    // A refused connection is closed as soon as it is accepted: the client sees it closed.
    await waitFor(() => flooder.filter((s) => s.gone).length === 40, {
      timeoutMs: 5_000,
      what: '40 connections closed',
      state: () => `${flooder.filter((s) => s.gone).length} closed`,
    });
    const held = flooder.filter((s) => !s.gone).length;
    expect(held).toBe(perSource);
    expect(await refusedOf('per-source')).toBe(40);

    // The tester, from another address: its 4 signalling WebSockets, then a busy-line phase's
    // grant and its 6 download flows at once (held open, unread), beside the flood.
    for (let i = 0; i < 4; i++) sigs.push(await openSignalling(url, { localAddress: '127.0.0.2' }));
    const grant = await request(url, 'POST', LOAD_GRANT_PATH, '127.0.0.2');
    expect(grant.status).toBe(201);
    const { grant: id } = JSON.parse(grant.text) as LoadGrant;
    const flows = await Promise.all(
      Array.from({ length: DEFAULTS.load.flowsPerDirection }, () =>
        request(url, 'GET', `${LOAD_DOWN_PATH}?grant=${id}&bytes=${DEFAULTS.load.requestBytes}`, '127.0.0.2'),
      ),
    );
    expect(flows.map((f) => f.status)).toEqual(flows.map(() => 200));
    expect(sigs.every((s) => !s.closed)).toBe(true);
    // Held now: the flood's, the tester's 4 sockets and its 6 flows (the grant's connection closed).
    await waitFor(async () => (await openConnections()) === perSource + 4 + DEFAULTS.load.flowsPerDirection, {
      timeoutMs: 5_000,
      what: 'the flood, 4 WebSockets and 6 flows open',
      state: () => `${lastOpen} open`,
    });
    for (const f of flows) f.cut();
    console.log(
      `connections: ${perSource + 40} from one source, ${held} held, ${await refusedOf('per-source')} refused; the tester from another source: 4 WebSockets and ${flows.length} load flows, all served`,
    );
  }, 30_000);

  it('refuses past the total bound, whoever asks, and counts it', async () => {
    // 16 in all: a network (an IPv4 address) holds an eighth, 2; the last quarter (4) is kept for networks holding none of the rest.
    const url = await listen({ maxConnections: 16, maxConnectionsPerSource: 8 });
    for (let n = 1; n <= 6; n++) await flood(url, `127.0.0.${n}`, 2);
    await flood(url, '127.0.0.7', 2);
    await flood(url, '127.0.0.8', 2);
    const late = await raw(url, '127.0.0.9');
    await waitFor(() => late.gone, { timeoutMs: 5_000, what: 'the 17th connection to be closed' });
    expect(await refusedOf('total')).toBe(1);
    expect(await refusedOf('per-source')).toBe(0);
    expect(await refusedOf('reserve')).toBe(0);
  });

  it('keeps the descriptor reserve: the bound is lowered to the open-file limit minus what is open and the reserve', async () => {
    // 1,000 files allowed, 900 open, 80 kept: 20 connections fit, whatever --max-connections says.
    const url = await listen({ maxConnections: 4096, maxConnectionsPerSource: 100, fdReserve: 80 }, { descriptors: () => ({ limit: 1000, open: 900 }) });
    // A network holds an eighth of 20 (2): seven take 14, an eighth one (15, the reserve begins), three newcomers the last 5; then 5 more.
    const conns: (net.Socket & { gone: boolean })[] = [];
    for (const [n, k] of [
      [1, 2],
      [2, 2],
      [3, 2],
      [4, 2],
      [5, 2],
      [6, 2],
      [7, 2],
      [8, 1],
      [9, 2],
      [10, 2],
      [11, 1],
      [12, 5],
    ] as const)
      conns.push(...(await flood(url, `127.0.0.${n}`, k)));
    await waitFor(() => conns.slice(20).every((s) => s.gone), { timeoutMs: 5_000, what: 'the 5 connections over the total closed' });
    expect(await refusedOf('total')).toBe(5);
    expect(await refusedOf('reserve')).toBe(0);
    expect(conns.slice(0, 20).every((s) => !s.gone)).toBe(true);
    expect(await metricsTextOf(app as FastifyInstance)).toContain('callprobe_http_connections_max 20\n');
  });

  it('lowers the bound to the descriptors there are, and refuses to start when none are left', () => {
    expect(connectionCap({ maxConnections: 4096, fdReserve: 2048 }, { limit: 20_000, open: 52 })).toBe(4096);
    expect(connectionCap({ maxConnections: 4096, fdReserve: 2048 }, { limit: 4_096, open: 48 })).toBe(2000);
    expect(connectionCap({ maxConnections: 4096, fdReserve: 2048 }, null)).toBe(4096);
    expect(() => connectionCap({ maxConnections: 4096, fdReserve: 2048 }, { limit: 1024, open: 20 })).toThrow(ConfigError);
    expect(() => connectionCap({ maxConnections: 4096, fdReserve: 2048 }, { limit: 1024, open: 20 })).toThrow(/ulimit -n/);
    // This process: Linux says both.
    const here = descriptorCount();
    expect(here?.limit).toBeGreaterThan(0);
    expect(here?.open).toBeGreaterThan(0);
  });

  it('closes a connection that sends no request, but not a WebSocket past its upgrade', async () => {
    const url = await listen({ firstRequestTimeoutMs: 300 });
    const sig = await openSignalling(url, { localAddress: '127.0.0.2' });
    sigs.push(sig);
    const silent = await raw(url, '127.0.0.1');
    await waitFor(() => silent.gone, { timeoutMs: 5_000, what: 'the silent connection to be closed' });
    // The WebSocket opened before the silent connection, so its first-request timer would have fired first.
    expect(sig.closed).toBe(false);
    expect(await refusedOf('no-request')).toBe(1);
  });

  it('answers 408 and closes a request whose headers do not finish in time', async () => {
    const url = await listen({ headersTimeoutMs: 300 });
    const slow = await raw(url, '127.0.0.1');
    let answer = '';
    slow.on('data', (d: Buffer) => {
      answer += d.toString('latin1');
    });
    slow.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    await waitFor(() => slow.gone, { timeoutMs: 5_000, what: 'the slow request to be closed' });
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
  });

  it("the soak's HTTP flood (bench/lib/http-flood.ts) sees its connections over the bound refused at once and the rest closed for silence", async () => {
    const url = await listen({ maxConnectionsPerSource: 5, firstRequestTimeoutMs: 1_000 });
    const r = await httpConnectionFlood(url, '127.0.0.1', 8, 10_000, 500);
    expect(r).toEqual({ refused: 3, closedIdle: 5, heldToEnd: 0, failed: 0 });
    expect(await refusedOf('per-source')).toBe(3);
    expect(await refusedOf('no-request')).toBe(5);
  });

  it('counts a trusted proxy toward the total only', async () => {
    const url = await listen({ maxConnections: 50, maxConnectionsPerSource: 4 }, { trustProxy: ['127.0.0.5'] });
    const viaProxy = await flood(url, '127.0.0.5', 10);
    const direct = await flood(url, '127.0.0.1', 5);
    await waitFor(() => direct[4]?.gone, { timeoutMs: 5_000, what: 'the fifth direct connection closed' });
    expect(await refusedOf('per-source')).toBe(1);
    expect(viaProxy.every((s) => !s.gone)).toBe(true);
    expect(direct.filter((s) => !s.gone)).toHaveLength(4);
  });
});
