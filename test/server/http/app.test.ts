/**
 * The HTTP app through Fastify's inject (no port): health, config and credentials, metrics,
 * the page's static files with cross-origin isolation, and the signaling WebSocket
 * (through @fastify/websocket's injectWS).
 */
import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type {} from '@fastify/websocket'; // its augmentation of FastifyInstance (injectWS)
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  SERVER_BUSY_WORDS,
  SIGNAL_PROTOCOL,
  SIGNAL_PROTOCOL_QUERY,
  SIGNAL_PROTOCOL_REFUSALS,
  type ServerConfig,
  type SignalData,
  type TurnServerEntry,
} from '../../../src/protocol/api.js';
import { unusedRelay, localReflector, appOptionsWithoutRelay } from '../../kit/app-options.js';
import { reflectorRelayOn, startTestRelay } from '../turn/helpers/relay.js';
import { BOUNDS } from '../../../src/protocol/defaults.js';
import type { ServerSignalMessage } from '../../../src/protocol/api-signal.js';
import { buildApp, metricsTextOf, type AppOptions } from '../../../server/http/app.js';
import type { ReflectorParts } from '../../../server/dataplane/plane.js';
import { buildMetricsApp } from '../../../server/http/metrics.js';
import { readCounter, registerProcessMemory } from '../../../server/metrics/registry.js';
import { metricsText } from '../../kit/metrics.js';
import { Registry } from 'prom-client';
import { parseCandidate } from '../../../server/reflector/candidates.js';
import { startRtcClient, type RtcClient } from '../../kit/rtc.js';
import { collector, nextEvent, waitFor, withDeadline, type Collector } from '../../kit/wait.js';

const SECRET = 'app-test-secret';
const TTL_S = 600;
const TURN: TurnServerEntry[] = [
  { url: 'turn:127.0.0.1:3478?transport=udp', transport: 'udp', port: 3478 },
  { url: 'turn:127.0.0.1:3478?transport=tcp', transport: 'tcp', port: 3478 },
];
const NOT_OFFERED: ServerConfig['notOffered'] = [{ transport: 'tls', reason: 'no certificate' }];
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

let webRoot: string;

beforeAll(() => {
  webRoot = mkdtempSync(join(tmpdir(), 'callprobe-app-'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>callprobe</title>');
  mkdirSync(join(webRoot, 'assets'));
  writeFileSync(join(webRoot, 'assets', 'main.js'), 'export const x = 1;\n');
});

afterAll(() => rmSync(webRoot, { recursive: true, force: true }));

interface Built {
  app: FastifyInstance;
  allowed: { ip: string; port: number; undone: number }[];
}

const apps: FastifyInstance[] = [];

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

/** `relayServer`: the relay the data-channel leg takes its candidate on (default: none there). */
async function build(overrides: Partial<AppOptions> = {}, relayServer: ReflectorParts['relayServer'] = unusedRelay): Promise<Built> {
  const allowed: Built['allowed'] = [];
  const app = await buildApp({
    ...appOptionsWithoutRelay(webRoot),
    secret: SECRET,
    credentialTtlS: TTL_S,
    turn: TURN,
    notOffered: NOT_OFFERED,
    relay: 'embedded',
    // The kit's client signals loopback host candidates (no relay here): the default relay endpoints.
    reflector: localReflector({
      relayServer,
      allowEndpoint: (ip, port) => {
        const entry = { ip, port, undone: 0 };
        allowed.push(entry);
        return () => entry.undone++;
      },
    }),
    rtpReflector: true,
    maxSessions: 4,
    metricsRegistry: relayTestMetrics(),
    ...overrides,
  });
  apps.push(app);
  await app.ready(); // injectWS needs the routes in place
  return { app, allowed };
}

interface Signaling {
  ws: WebSocket;
  /** Every message from the server, from the first. */
  messages: Collector<ServerSignalMessage>;
  /** The close code, once the socket closed. */
  closeCode: number | null;
  /** Resolves with the close code (bounded). */
  closed(): Promise<number>;
}

/**
 * A signaling socket whose every message is collected from the start, and whose close is
 * recorded. `inject` goes through injectWS (no port). `loopback` listens on 127.0.0.1 and
 * connects a real client: with injectWS the server never sees the client's close (its
 * in-memory stream ends but never emits 'close', so ws never emits 'close' on the server
 * side), and the tests of a session's end need that.
 */
async function signaling(app: FastifyInstance, via: 'inject' | 'loopback' = 'inject', query: string = SIGNAL_PROTOCOL_QUERY): Promise<Signaling> {
  const messages = collector<ServerSignalMessage>();
  let socket: WebSocket | null = null;
  const s: Signaling = {
    get ws(): WebSocket {
      if (!socket) throw new Error('injectWS did not call onInit');
      return socket;
    },
    messages,
    closeCode: null,
    closed: () => waitFor(() => s.closeCode, { timeoutMs: 10_000, what: 'the signaling socket to close' }),
  };
  const init = (ws: WebSocket): void => {
    socket = ws;
    ws.on('message', (raw: Buffer) => messages.push(JSON.parse(raw.toString('utf8')) as ServerSignalMessage));
    ws.on('close', (code: number) => (s.closeCode = code));
  };
  if (via === 'inject') {
    await withDeadline(app.injectWS(`/api/signal${query}`, {}, { onInit: init }), { timeoutMs: 10_000, what: 'the signaling socket to open' });
  } else {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/signal${query}`);
    init(ws);
    await nextEvent(ws, 'open', { timeoutMs: 10_000, what: 'the signaling socket to open' });
  }
  return s;
}

const health = async (app: FastifyInstance): Promise<{ status: string; sessions: number }> => (await app.inject({ method: 'GET', url: '/healthz' })).json();

describe('GET /healthz', () => {
  it('answers ok with the open sessions, with the isolation headers', async () => {
    const { app } = await build();
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', sessions: 0 });
    expect(res.headers).toMatchObject(ISOLATION);
  });
});

describe('GET /api/config', () => {
  it('hands out the relay list and a fresh TURN REST credential (username "<expiry>:<id>", HMAC-SHA1 password)', async () => {
    const { app } = await build();
    const beforeMs = Date.now();
    const res = await app.inject({ method: 'GET', url: '/api/config' });
    const afterMs = Date.now();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const cfg = res.json<ServerConfig>();
    expect(Object.keys(cfg).sort()).toEqual(
      [
        'callprobeVersion',
        'username',
        'credential',
        'credentialExpiresAtMs',
        'turn',
        'notOffered',
        'reflectorPath',
        'rtpReflector',
        'relay',
        'load',
        'signalProtocol',
        'clientAddress',
        'relayEvidence',
      ].sort(),
    );
    // No test has connected through this relay yet: no evidence that it answers (src/protocol/could-not-finish.ts).
    expect(cfg.relayEvidence).toBeNull();
    expect(cfg).toMatchObject({
      callprobeVersion: '9.9.9-test',
      turn: TURN,
      notOffered: NOT_OFFERED,
      reflectorPath: '/api/signal',
      rtpReflector: true,
      relay: 'embedded',
      signalProtocol: SIGNAL_PROTOCOL,
      // Built without `load`: the busy-line phase is not offered.
      load: null,
      // The request's own address (inject's), for the page's split-path check.
      clientAddress: '127.0.0.1',
    });
    const m = /^(\d+):([0-9a-f]{8})$/.exec(cfg.username);
    if (!m) throw new Error(`username ${cfg.username} is not "<expiry>:<8 hex>"`);
    const expiryS = Number(m[1]);
    expect(expiryS).toBeGreaterThanOrEqual(Math.floor(beforeMs / 1000) + TTL_S);
    expect(expiryS).toBeLessThanOrEqual(Math.floor(afterMs / 1000) + TTL_S);
    expect(cfg.credentialExpiresAtMs).toBe(expiryS * 1000);
    // draft-uberti-behave-turn-rest-00 §2.2: password = base64(HMAC-SHA1(secret, username)).
    expect(cfg.credential).toBe(createHmac('sha1', SECRET).update(cfg.username).digest('base64'));
    const again = (await app.inject({ method: 'GET', url: '/api/config' })).json<ServerConfig>();
    expect(again.username).not.toBe(cfg.username);
  });

  it('has no reflector path when the server runs without a reflector', async () => {
    const { app } = await build({ reflector: null, relay: 'external' });
    expect((await app.inject({ method: 'GET', url: '/api/config' })).json<ServerConfig>()).toMatchObject({
      reflectorPath: null,
      rtpReflector: false,
      relay: 'external',
    });
  });

  it('hands the page the media relays serve --teams-reachability lists, as listed, and nothing of them without the flag', async () => {
    const list = [
      { transport: 'udp' as const, host: 'relay.example', ports: [3478, 3479] },
      { transport: 'tcp' as const, host: '2001:db8::1', ports: [443] },
    ];
    const { app } = await build({ teamsReachability: list });
    expect((await app.inject({ method: 'GET', url: '/api/config' })).json<ServerConfig>().teamsReachability).toEqual(list);
    const { app: plain } = await build();
    expect(Object.keys((await plain.inject({ method: 'GET', url: '/api/config' })).json<ServerConfig>())).not.toContain('teamsReachability');
  });

  it('says whether the reflector answers the RTP probe leg', async () => {
    const { app } = await build({ rtpReflector: false });
    expect((await app.inject({ method: 'GET', url: '/api/config' })).json<ServerConfig>()).toMatchObject({ reflectorPath: '/api/signal', rtpReflector: false });
  });
});

/** The process's registry as serve starts it: a relay's counter (here one fixed one) and the process's memory. */
function relayTestMetrics(): Registry {
  const registry = new Registry();
  readCounter(registry, { name: 'callprobe_relay_test', help: 'A relay counter.', read: () => 7 });
  registerProcessMemory(registry);
  return registry;
}

describe('GET /metrics', () => {
  it('serves the relay counters and the reflector session gauges as Prometheus text', async () => {
    const { app } = await build();
    // Not on the public app: only on --metrics-listen, through buildMetricsApp.
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    const metricsApp = buildMetricsApp(() => metricsTextOf(app));
    apps.push(metricsApp);
    const res = await metricsApp.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const lines = res.body.split('\n');
    expect(lines).toContain('callprobe_relay_test 7');
    expect(lines).toContain('# TYPE callprobe_reflector_sessions gauge');
    expect(lines).toContain('callprobe_reflector_sessions 0');
    expect(lines).toContain('# TYPE callprobe_reflector_sessions_total counter');
    expect(lines).toContain('callprobe_reflector_sessions_total 0');
    expect(lines).toContain('# TYPE process_resident_memory_bytes gauge');
    const rss = Number(lines.find((l) => l.startsWith('process_resident_memory_bytes '))?.split(' ')[1]);
    expect(rss).toBeGreaterThan(10 * 1024 * 1024);
  });

  it('prints the process memory gauges', async () => {
    const text = await metricsText((r) => registerProcessMemory(r, () => ({ rss: 300, heapTotal: 200, heapUsed: 150, external: 40, arrayBuffers: 10 })));
    const values = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(values).toEqual([
      'process_resident_memory_bytes 300',
      'nodejs_heap_size_total_bytes 200',
      'nodejs_heap_size_used_bytes 150',
      'nodejs_external_memory_bytes 40',
      'nodejs_array_buffers_bytes 10',
    ]);
  });
});

describe('the page', () => {
  it('serves index.html and assets, cross-origin isolated', async () => {
    const { app } = await build();
    const index = await app.inject({ method: 'GET', url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.body).toContain('<title>callprobe</title>');
    expect(index.headers).toMatchObject(ISOLATION);
    const js = await app.inject({ method: 'GET', url: '/assets/main.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers).toMatchObject(ISOLATION);
    const missing = await app.inject({ method: 'GET', url: '/assets/nope.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers).toMatchObject(ISOLATION);
  });

  it('still serves the API when the page is not built', async () => {
    const { app } = await build({ webRoot: join(webRoot, 'not-built') });
    expect((await app.inject({ method: 'GET', url: '/' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});

describe('/api/signal', () => {
  it('refuses with no-reflector (1008) when the server has no reflector', async () => {
    const { app } = await build({ reflector: null });
    const s = await signaling(app);
    expect(await s.closed()).toBe(1008);
    expect(s.messages.items).toEqual([{ type: 'error', reason: 'no-reflector', message: 'this server runs without a reflector' }]);
  });

  it('refuses with server-busy (1013) when the server runs its most tests, and frees the slot when a test leaves', async () => {
    const { app } = await build({ maxSessions: 1 });
    const first = await signaling(app, 'loopback');
    expect(await health(app)).toEqual({ status: 'ok', sessions: 1 });
    const second = await signaling(app);
    expect(await second.closed()).toBe(1013);
    expect(second.messages.items).toEqual([{ type: 'error', reason: 'server-busy', message: 'The test server is busy. Try again in a minute.' }]);
    first.ws.close();
    await waitFor(async () => (await health(app)).sessions === 0, { timeoutMs: 5000, what: 'the session to end with its socket' });
    const metrics = (await metricsTextOf(app)).split('\n');
    expect(metrics).toContain('callprobe_reflector_sessions 0');
    expect(metrics).toContain('callprobe_reflector_sessions_total 1');
  });

  it('refuses a new test with server-busy while the data plane runs late, before any session, and takes it once the plane is on time', async () => {
    const sessions = localReflector({ relayServer: unusedRelay });
    let lateMs = [...Array<number>(30).fill(25), ...Array<number>(21).fill(1)];
    const { app } = await build({ reflector: { open: (id, events) => sessions.open(id, events), loopLate: () => ({ lateMs, atMs: performance.now() }) } });
    const refused = await signaling(app);
    expect(await refused.closed()).toBe(1013);
    expect(refused.messages.items).toEqual([{ type: 'error', reason: 'server-busy', message: SERVER_BUSY_WORDS }]);
    expect(await health(app)).toEqual({ status: 'ok', sessions: 0 });
    expect((await metricsTextOf(app)).split('\n')).toContain('callprobe_signal_refused_total{reason="plane-busy"} 1');
    lateMs = [...Array<number>(29).fill(25), ...Array<number>(22).fill(1)];
    const taken = await signaling(app);
    expect(await health(app)).toEqual({ status: 'ok', sessions: 1 });
    expect(taken.closeCode).toBeNull();
  });

  it('with refuseLateMs 0 (serve --refuse-late-ms 0) takes a new test however late the data plane runs', async () => {
    const sessions = localReflector({ relayServer: unusedRelay });
    const lateMs = Array<number>(51).fill(500);
    const { app } = await build({
      refuseLateMs: 0,
      reflector: { open: (id, events) => sessions.open(id, events), loopLate: () => ({ lateMs, atMs: performance.now() }) },
    });
    const taken = await signaling(app);
    expect(await health(app)).toEqual({ status: 'ok', sessions: 1 });
    expect(taken.closeCode).toBeNull();
    expect((await metricsTextOf(app)).split('\n')).toContain('callprobe_admission_plane_busy 0');
  });

  it('refuses a page of an older release (no protocol: a cached page) and of a newer one, in words the page shows, before any session', async () => {
    const { app } = await build();
    const old = await signaling(app, 'inject', '');
    expect(await old.closed()).toBe(1008);
    expect(old.messages.items).toEqual([{ type: 'error', reason: 'page-outdated', message: SIGNAL_PROTOCOL_REFUSALS['page-outdated'] }]);
    expect(old.messages.items[0]).toMatchObject({ message: expect.stringMatching(/^This page is out of date: .* Reload the page/) });
    const newer = await signaling(app, 'inject', `?protocol=${String(SIGNAL_PROTOCOL + 1)}`);
    expect(await newer.closed()).toBe(1008);
    expect(newer.messages.items).toEqual([{ type: 'error', reason: 'server-outdated', message: SIGNAL_PROTOCOL_REFUSALS['server-outdated'] }]);
    const garbage = await signaling(app, 'inject', '?protocol=two');
    expect(await garbage.closed()).toBe(1008);
    expect(garbage.messages.items[0]).toMatchObject({ reason: 'page-outdated' });
    expect(await health(app)).toEqual({ status: 'ok', sessions: 0 });
    expect((await metricsTextOf(app)).split('\n')).toContain('callprobe_signal_refused_total{reason="page-outdated"} 2');
  });

  it("opens an echo session for ?kind=echo as one of its source's sessions, and refuses any other kind before a session", async () => {
    const { app } = await build();
    const other = await signaling(app, 'inject', `${SIGNAL_PROTOCOL_QUERY}&kind=talk`);
    expect(await other.closed()).toBe(1008);
    expect(other.messages.items).toEqual([{ type: 'error', reason: 'bad-message', message: 'kind may only be echo or video' }]);
    expect(await health(app)).toEqual({ status: 'ok', sessions: 0 });
    const echo = await signaling(app, 'inject', `${SIGNAL_PROTOCOL_QUERY}&kind=echo`);
    expect(await health(app)).toEqual({ status: 'ok', sessions: 1 });
    // Only the RTP leg: a data-channel signal is refused, the session kept.
    echo.ws.send(JSON.stringify({ type: 'signal', data: { type: 'offer', sdp: 'v=0' } }));
    const [refused] = await echo.messages.atLeast(1, { timeoutMs: 5000, what: 'the refusal' });
    expect(refused).toEqual({ type: 'error', reason: 'bad-signal', message: 'an echo session has only the RTP leg' });
    expect(echo.closeCode).toBeNull();
  });

  it("opens a video session for ?kind=video as one of its source's sessions, takes one video offer only, and runs at most four at once", async () => {
    // Room for the sessions from one address (a network holds at most an eighth of the total: server/common/door.ts).
    const { app } = await build({ maxSessions: 64 });
    const video = await signaling(app, 'inject', `${SIGNAL_PROTOCOL_QUERY}&kind=video`);
    expect(await health(app)).toEqual({ status: 'ok', sessions: 1 });
    // One video section only: an audio offer is refused, the session kept.
    video.ws.send(JSON.stringify({ type: 'signal', leg: 'rtp', data: { type: 'offer', sdp: 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n' } }));
    const [refused] = await video.messages.atLeast(1, { timeoutMs: 5000, what: 'the refusal' });
    expect(refused).toEqual({ type: 'error', reason: 'bad-signal', message: 'the video offer must have exactly one video section, not ["audio"]' });
    expect(video.closeCode).toBeNull();
    // Three more at once; the fifth is refused with the words why, before a session (each takes ~15 % of the plane's core).
    for (let i = 0; i < 3; i++) await signaling(app, 'inject', `${SIGNAL_PROTOCOL_QUERY}&kind=video`);
    expect(await health(app)).toEqual({ status: 'ok', sessions: 4 });
    const fifth = await signaling(app, 'inject', `${SIGNAL_PROTOCOL_QUERY}&kind=video`);
    expect(await fifth.closed()).toBe(1013);
    expect(fifth.messages.items).toEqual([
      { type: 'error', reason: 'busy', message: 'The test server is running as many video tests as it can. Try again in a minute.' },
    ]);
    expect((await metricsTextOf(app)).split('\n')).toContain('callprobe_signal_refused_total{reason="video-busy"} 1');
    // A test's own session is not a video phase: it still opens.
    await signaling(app, 'inject');
    expect(await health(app)).toEqual({ status: 'ok', sessions: 5 });
  });

  it('answers a bad message with an error and keeps the session', async () => {
    const { app } = await build();
    const s = await signaling(app);
    s.ws.send('{"type":"hello"}');
    s.ws.send(JSON.stringify({ type: 'signal', data: { type: 'candidate', candidate: { candidate: 'garbage' } } }));
    const [notSignal] = await s.messages.atLeast(1, { timeoutMs: 5000, what: 'the refusal' });
    expect(notSignal).toEqual({ type: 'error', reason: 'bad-message', message: 'unknown message type "hello"' });
    expect(await health(app)).toEqual({ status: 'ok', sessions: 1 });
    s.ws.close();
    await s.closed();
  });

  it("closes a socket whose message is over the size bound: counted by reason, logged at warn within its source's log budget, never an error", async () => {
    const log: Array<{ level: number; msg?: string }> = [];
    const { app } = await build({ logLevel: 'info', logStream: { write: (line) => void log.push(JSON.parse(line) as { level: number; msg?: string }) } });
    const oversized = 'x'.repeat(BOUNDS.signalMessageBytesMax + 1);
    const SOCKETS = 6;
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    for (let i = 0; i < SOCKETS; i++) {
      const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/signal${SIGNAL_PROTOCOL_QUERY}`);
      await nextEvent(ws, 'open', { timeoutMs: 10_000, what: 'the signaling socket to open' });
      const closed = nextEvent(ws, 'close', { timeoutMs: 10_000, what: 'the server to close the socket' });
      ws.send(oversized);
      await closed;
    }
    const metrics = await metricsTextOf(app);
    expect(metrics).toMatch(new RegExp(`^callprobe_signal_refused_total\\{reason="message-too-large"\\} ${SOCKETS}$`, 'm'));
    const warned = log.filter((l) => l.msg === 'signal message over the size bound: socket closed').length;
    const held = Number(/^callprobe_signal_log_lines_suppressed_total (\d+)$/m.exec(metrics)?.[1]);
    expect(warned).toBeGreaterThan(0);
    expect(warned + held).toBeGreaterThanOrEqual(SOCKETS);
    expect(log.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('connects a page to the reflector through the relay, then closes the session with the socket', async () => {
    const relay = await startTestRelay({ secret: SECRET, allowPeers: ['127.0.0.1/32'] });
    const { app, allowed } = await build({}, reflectorRelayOn(relay, SECRET));
    const s = await signaling(app, 'loopback');
    let client: RtcClient | null = null;
    try {
      client = startRtcClient({ send: (data: SignalData) => s.ws.send(JSON.stringify({ type: 'signal', data })) });
      const c = client;
      s.ws.on('message', (raw: Buffer) => {
        const msg = JSON.parse(raw.toString('utf8')) as ServerSignalMessage;
        if (msg.type === 'signal') c.accept(msg.data);
      });
      await c.connected(15_000);
      expect(s.messages.items.filter((m) => m.type === 'error')).toEqual([]);
      expect(s.messages.items[0]).toMatchObject({ type: 'signal', data: { type: 'answer' } });
      // The data-channel leg's candidates are relayed addresses on the relay: it opens no endpoint there.
      const trickled = s.messages.items.flatMap((m) =>
        m.type === 'signal' && m.data.type === 'candidate' ? [parseCandidate(m.data.candidate.candidate)] : [],
      );
      expect(trickled.length).toBeGreaterThan(0);
      for (const t of trickled) expect(t).toMatchObject({ protocol: 'udp', address: '127.0.0.1', type: 'relay' });
      expect(allowed).toEqual([]);
      s.ws.close();
      await s.closed();
      expect(await health(app)).toEqual({ status: 'ok', sessions: 0 });
    } finally {
      client?.close();
      await relay.close();
    }
  });
});
