/**
 * The busy-line phase's load sink and source (server/http/load.ts) over real HTTP on loopback:
 * the grant and its budget, uploads read and dropped, downloads of exactly the bytes asked,
 * every refusal with its reason, no flow left running after a client goes away, flows held by
 * progress (a trickle loses its slots to the floor, sources named by a trusted proxy's
 * X-Forwarded-For), and the byte budget of the hour.
 */
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { buildApp, metricsTextOf, type AppOptions } from '../../../server/http/app.js';
import type { LoadRoutesOptions } from '../../../server/http/load.js';
import { LOAD_DOWN_PATH, LOAD_GRANT_PATH, LOAD_UP_PATH, type LoadGrant, type LoadRefusal } from '../../../src/protocol/api-load.js';
import type { ServerConfig } from '../../../src/protocol/api.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { appOptionsWithoutRelay, listenLoopback } from '../../kit/app-options.js';
import { waitFor } from '../../kit/wait.js';
import { loadAbuse } from '../../../bench/lib/abuse.js';

const webRoot = mkdtempSync(join(tmpdir(), 'callprobe-load-'));
afterAll(() => {
  rmSync(webRoot, { recursive: true, force: true });
});
let app: FastifyInstance | null = null;
let base = '';
const clients: ClientRequest[] = [];

function loadOptions(limits: Partial<LoadRoutesOptions['limits']> = {}, offered = true): Omit<LoadRoutesOptions, 'onMetrics'> {
  return {
    offered,
    limits: {
      maxBytesPerDirection: DEFAULTS.load.maxBytesPerDirection,
      maxFlowsPerSource: DEFAULTS.load.maxFlowsPerSource,
      maxFlowsPerNetwork: DEFAULTS.load.maxFlowsPerNetwork,
      maxFlows: DEFAULTS.load.maxFlows,
      reserveFlows: DEFAULTS.load.reserveFlows,
      phasesPerHourPerSource: DEFAULTS.load.phasesPerHourPerSource,
      phasesPerHourPerNetwork: DEFAULTS.load.phasesPerHourPerNetwork,
      grantTtlMs: DEFAULTS.load.grantTtlMs,
      requestBytesMax: DEFAULTS.load.requestBytesMax,
      maxBytesPerHour: DEFAULTS.load.maxBytesPerHour,
      ...limits,
    },
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
  };
}

async function start(load: Omit<LoadRoutesOptions, 'onMetrics'>, extra: Partial<AppOptions> = {}): Promise<FastifyInstance> {
  app = await buildApp({ ...appOptionsWithoutRelay(webRoot), load, ...extra });
  base = await listenLoopback(app);
  return app;
}

const timers: NodeJS.Timeout[] = [];

afterEach(async () => {
  for (const t of timers.splice(0)) clearInterval(t);
  for (const c of clients.splice(0)) c.destroy();
  await app?.close();
  app = null;
});

/** /metrics as last read (`metric`), for a wait's state. */
let lastMetrics = '';

/** The value of a metric line (no labels, or with exactly these labels) in `text`. */
function valueIn(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

/** The value of a metric line (no labels, or with exactly these labels) from /metrics, read now. */
async function metric(name: string, labels = ''): Promise<number> {
  if (!app) throw new Error('no app');
  lastMetrics = await metricsTextOf(app);
  return valueIn(lastMetrics, name, labels);
}

async function grant(): Promise<LoadGrant> {
  const res = await fetch(`${base}${LOAD_GRANT_PATH}`, { method: 'POST' });
  expect(res.status).toBe(201);
  return (await res.json()) as LoadGrant;
}

async function upload(grantId: string, bytes: number): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}${LOAD_UP_PATH}?grant=${grantId}`, {
    method: 'POST',
    body: new Uint8Array(bytes),
    headers: { 'content-type': 'application/octet-stream' },
  });
  return { status: res.status, body: await res.json() };
}

/** A request whose response is handed over as it starts (the test decides how to read it). */
function open(path: string, method = 'GET'): Promise<{ req: ClientRequest; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method }, (res) => resolve({ req, res }));
    clients.push(req);
    req.on('error', reject);
    req.end();
  });
}

describe('the load sink and source', () => {
  it("answers its hub's page from another origin (an edge): the preflight and the grant, for allowed origins only", async () => {
    const HUB = 'https://hub.example.org';
    await start({ ...loadOptions(), allowedOrigins: [HUB] });
    const preflight = (origin: string) =>
      fetch(`${base}${LOAD_UP_PATH}`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const ok = await preflight(HUB);
    expect([ok.status, ok.headers.get('access-control-allow-origin'), ok.headers.get('access-control-allow-methods')]).toEqual([204, HUB, 'GET, POST']);
    const other = await preflight('https://elsewhere.example.org');
    expect([other.status, other.headers.get('access-control-allow-origin')]).toEqual([403, null]);
    const granted = await fetch(`${base}${LOAD_GRANT_PATH}`, { method: 'POST', headers: { origin: HUB } });
    expect([granted.status, granted.headers.get('access-control-allow-origin')]).toEqual([201, HUB]);
    // Nothing outside the load routes answers CORS.
    expect((await fetch(`${base}/api/config`, { headers: { origin: HUB } })).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('offers the phase in /api/config, grants a budget, reads uploads and sends exactly the bytes asked', async () => {
    await start(loadOptions());
    const cfg = (await (await fetch(`${base}/api/config`)).json()) as ServerConfig;
    expect(cfg.load).toEqual({ maxBytesPerDirection: DEFAULTS.load.maxBytesPerDirection, maxFlowsPerSource: DEFAULTS.load.maxFlowsPerSource });
    const before = Date.now();
    const g = await grant();
    expect(g.maxBytesPerDirection).toBe(DEFAULTS.load.maxBytesPerDirection);
    // The page is told when the grant ends on the wall clock (ms since the Unix epoch), whatever clock the book keeps.
    expect(g.expiresAtMs).toBeGreaterThanOrEqual(before + DEFAULTS.load.grantTtlMs - 1000);
    expect(g.expiresAtMs).toBeLessThanOrEqual(Date.now() + DEFAULTS.load.grantTtlMs + 1000);
    expect(await upload(g.grant, 1_000_000)).toEqual({ status: 200, body: { bytes: 1_000_000 } });
    const down = await fetch(`${base}${LOAD_DOWN_PATH}?grant=${g.grant}&bytes=300001`);
    expect(down.status).toBe(200);
    expect(down.headers.get('cache-control')).toBe('no-store');
    expect((await down.arrayBuffer()).byteLength).toBe(300_001);
    expect(await metric('callprobe_load_bytes_total', '{direction="up"}')).toBe(1_000_000);
    expect(await metric('callprobe_load_bytes_total', '{direction="down"}')).toBe(300_001);
    await waitFor(async () => (await metric('callprobe_load_flows')) === 0, { timeoutMs: 2000, what: 'every flow released' });
  });

  it('answers not-offered everywhere with serve --no-load, and /api/config says so', async () => {
    await start(loadOptions({}, false));
    const cfg = (await (await fetch(`${base}/api/config`)).json()) as ServerConfig;
    expect(cfg.load).toBeNull();
    const res = await fetch(`${base}${LOAD_GRANT_PATH}`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as LoadRefusal).reason).toBe('not-offered');
    const down = await fetch(`${base}${LOAD_DOWN_PATH}?grant=x&bytes=10`);
    expect(((await down.json()) as LoadRefusal).reason).toBe('not-offered');
  });

  it('refuses beyond the budget, beyond one request, a bad or foreign grant and a bad query, each with its reason', async () => {
    await start(loadOptions({ maxBytesPerDirection: 2_000_000, requestBytesMax: 1_500_000 }));
    const g = await grant();
    expect((await upload(g.grant, 1_500_000)).status).toBe(200);
    const over = await upload(g.grant, 600_000);
    expect(over.status).toBe(413);
    expect((over.body as LoadRefusal).reason).toBe('over-budget');
    expect((await upload(g.grant, 500_000)).status).toBe(200);
    const big = await fetch(`${base}${LOAD_DOWN_PATH}?grant=${g.grant}&bytes=1500001`);
    expect(((await big.json()) as LoadRefusal).reason).toBe('over-budget');
    const bad = await fetch(`${base}${LOAD_DOWN_PATH}?grant=nope&bytes=10`);
    expect(bad.status).toBe(403);
    expect(((await bad.json()) as LoadRefusal).reason).toBe('bad-grant');
    const query = await fetch(`${base}${LOAD_DOWN_PATH}?grant=${g.grant}&bytes=-3`);
    expect(query.status).toBe(400);
    expect(((await query.json()) as LoadRefusal).reason).toBe('bad-request');
    if (!app) throw new Error('no app');
    // Another source (an address of another /64) may not use this grant.
    const foreign = await app.inject({ method: 'GET', url: `${LOAD_DOWN_PATH}?grant=${g.grant}&bytes=10`, remoteAddress: '2001:db8:1:2::7' });
    expect(foreign.statusCode).toBe(403);
    expect((foreign.json() as LoadRefusal).reason).toBe('bad-grant');
  });

  it('bounds phases per hour and flows per source, and a page from another origin gets no grant', async () => {
    await start(loadOptions({ phasesPerHourPerSource: 2, maxFlowsPerSource: 2 }));
    const g = await grant();
    await grant();
    const third = await fetch(`${base}${LOAD_GRANT_PATH}`, { method: 'POST' });
    expect(third.status).toBe(429);
    expect(((await third.json()) as LoadRefusal).reason).toBe('too-many-phases');
    // Two downloads held open (not read), the third refused.
    const a = await open(`${LOAD_DOWN_PATH}?grant=${g.grant}&bytes=8000000`);
    const b = await open(`${LOAD_DOWN_PATH}?grant=${g.grant}&bytes=8000000`);
    a.res.pause();
    b.res.pause();
    const c = await fetch(`${base}${LOAD_DOWN_PATH}?grant=${g.grant}&bytes=10`);
    expect(c.status).toBe(429);
    expect(((await c.json()) as LoadRefusal).reason).toBe('too-many-flows');
    expect(await metric('callprobe_load_refused_total', '{reason="too-many-flows"}')).toBe(1);
    const foreign = await fetch(`${base}${LOAD_GRANT_PATH}`, { method: 'POST', headers: { origin: 'https://elsewhere.example' } });
    expect(((await foreign.json()) as LoadRefusal).reason).toBe('bad-origin');
  });

  it('leaves no flow running once its client goes away (a closed tab), upload or download', async () => {
    await start(loadOptions());
    const g = await grant();
    const down = await open(`${LOAD_DOWN_PATH}?grant=${g.grant}&bytes=16000000`);
    down.res.pause();
    const up = request(`${base}${LOAD_UP_PATH}?grant=${g.grant}`, { method: 'POST', headers: { 'content-length': '16000000' } });
    clients.push(up);
    up.on('error', () => undefined);
    up.write(new Uint8Array(200_000));
    await waitFor(async () => (await metric('callprobe_load_flows')) === 2 && (await metric('callprobe_load_bytes_total', '{direction="up"}')) >= 200_000, {
      timeoutMs: 5000,
      what: 'two flows open and the first upload bytes read',
    });
    down.req.destroy();
    up.destroy();
    await waitFor(async () => (await metric('callprobe_load_flows')) === 0, {
      timeoutMs: 5000,
      what: 'no flow left',
      state: () => String(valueIn(lastMetrics, 'callprobe_load_flows')),
    });
  });

  it('never holds more than a small window for a client that stops reading', async () => {
    const a = await start(loadOptions());
    // The server's side of each connection: the download's socket shows when the source must wait.
    const sockets: Socket[] = [];
    a.server.on('connection', (s: Socket) => sockets.push(s));
    const g = await grant();
    const buffersBefore = process.memoryUsage().arrayBuffers;
    const down = await open(`${LOAD_DOWN_PATH}?grant=${g.grant}&bytes=16000000`);
    down.res.pause();
    // The source pushes only what the socket takes: the kernel's buffers on loopback, then the
    // socket holds what it could not send and waits for 'drain', and the source waits with it.
    const pushed = (): Promise<number> => metric('callprobe_load_bytes_total', '{direction="down"}');
    await waitFor(() => sockets.some((s) => s.writableNeedDrain), {
      timeoutMs: 10_000,
      what: "the download's socket to wait for the client to read (back-pressure)",
      state: () => `${valueIn(lastMetrics, 'callprobe_load_bytes_total', '{direction="down"}')} bytes pushed (as last read)`,
    });
    const last = await pushed();
    expect(last).toBeGreaterThan(0);
    // What the kernel's socket buffers took, no more; this process holds one shared 64 KiB buffer for it.
    expect(last).toBeLessThan(16_000_000);
    expect(process.memoryUsage().arrayBuffers - buffersBefore).toBeLessThan(4 * DEFAULTS.load.sourceChunkBytes + 1_000_000);
  });

  it("the soak's load abuser is refused at every limit, and leaves no flow behind", async () => {
    await start(loadOptions({ phasesPerHourPerSource: 5, maxFlowsPerSource: 4, maxBytesPerDirection: 500_000_000 }));
    const r = await loadAbuse(base, '127.0.0.7', 200);
    expect(r.grants).toBe(5);
    expect(r.refusals).toEqual({ 'too-many-phases': 35, 'too-many-flows': 16, 'over-budget': 1, 'bad-grant': 1 });
    await waitFor(async () => (await metric('callprobe_load_flows')) === 0, { timeoutMs: 5000, what: 'no flow left after the abuser' });
  });

  it('closes every open flow when the app closes', async () => {
    const a = await start(loadOptions());
    const g = await grant();
    const down = await open(`${LOAD_DOWN_PATH}?grant=${g.grant}&bytes=16000000`);
    down.res.pause();
    await waitFor(async () => (await metric('callprobe_load_flows')) === 1, { timeoutMs: 2000, what: 'one flow open' });
    await a.close();
    expect(await metric('callprobe_load_flows')).toBe(0);
    // The client reads what the kernel still held, then sees the download cut short.
    let received = 0;
    const cut = new Promise<void>((resolve) => {
      down.res.on('data', (c: Buffer) => (received += c.length));
      down.res.on('close', () => resolve());
      down.res.on('error', () => resolve());
    });
    down.res.resume();
    await cut;
    expect(received).toBeLessThan(16_000_000);
    app = null;
  });
});

/** Sources given by X-Forwarded-For from a trusted proxy on loopback: any address the test names. */
const viaProxy = { trustProxy: ['127.0.0.1'] };

async function grantFor(address: string): Promise<{ status: number; body: LoadGrant | LoadRefusal }> {
  const res = await fetch(`${base}${LOAD_GRANT_PATH}`, { method: 'POST', headers: { 'x-forwarded-for': address } });
  return { status: res.status, body: (await res.json()) as LoadGrant | LoadRefusal };
}

/**
 * An upload that declares 4,000,000 bytes and sends 1 byte a second (the red team's trickle);
 * resolves with the refusal's reason the server answered, or `closed` when it only closed.
 */
function trickle(grantId: string, address: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request(`${base}${LOAD_UP_PATH}?grant=${grantId}`, {
      method: 'POST',
      headers: { 'content-length': '4000000', 'content-type': 'application/octet-stream', 'x-forwarded-for': address },
    });
    clients.push(req);
    const timer = setInterval(() => req.write(new Uint8Array(1)), 1000);
    timers.push(timer);
    let done = false;
    const end = (why: string): void => {
      clearInterval(timer);
      if (!done) resolve(why);
      done = true;
    };
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => end(((JSON.parse(text || '{}') as Partial<LoadRefusal>).reason ?? `HTTP ${res.statusCode}`) as string));
      res.on('error', () => end('closed'));
    });
    req.on('error', () => end('closed'));
    req.on('close', () => end('closed'));
    req.write(new Uint8Array(1));
  });
}

/** A real phase from `address`: 6 uploads and 6 downloads of 1 MB at once; their statuses. */
async function realPhase(address: string): Promise<number[]> {
  const g = await grantFor(address);
  expect(g.status).toBe(201);
  const id = (g.body as LoadGrant).grant;
  const headers = { 'x-forwarded-for': address };
  const ups = Array.from({ length: 6 }, async () => {
    const res = await fetch(`${base}${LOAD_UP_PATH}?grant=${id}`, {
      method: 'POST',
      body: new Uint8Array(1_000_000),
      headers: { ...headers, 'content-type': 'application/octet-stream' },
    });
    await res.arrayBuffer();
    return res.status;
  });
  const upStatus = await Promise.all(ups);
  const downs = Array.from({ length: 6 }, async () => {
    const res = await fetch(`${base}${LOAD_DOWN_PATH}?grant=${id}&bytes=1000000`, { headers });
    const bytes = (await res.arrayBuffer()).byteLength;
    if (res.status === 200) expect(bytes).toBe(1_000_000);
    return res.status;
  });
  return [...upStatus, ...(await Promise.all(downs))];
}

describe('the load sink under a trickle (held by progress, not time)', () => {
  it('trickling uploads from four /64s of one /48 hold at most 24 flows, lose them to the floor within seconds, and a real phase is served', async () => {
    await start(loadOptions(), viaProxy);
    const attackers = [1, 2, 3, 4].map((i) => `2001:db8:a:${i}::${i}`);
    const grants = await Promise.all(attackers.map(grantFor));
    expect(grants.map((g) => g.status)).toEqual([201, 201, 201, 201]);
    // Every /64 tries its 12 flows: 48, the whole server.
    const outcomes = attackers.flatMap((a, i) => Array.from({ length: 12 }, () => trickle((grants[i]?.body as LoadGrant).grant, a)));
    await waitFor(
      async () => (await metric('callprobe_load_refused_total', '{reason="too-many-flows"}')) === 24 && (await metric('callprobe_load_flows')) === 24,
      {
        timeoutMs: 5000,
        what: 'the /48 holding its 24 flows, the other 24 refused',
        state: () => `${valueIn(lastMetrics, 'callprobe_load_flows')} open`,
      },
    );
    const heldAt = performance.now();
    // While they hold theirs, a real phase from another network is granted and served.
    expect(await realPhase('2001:db8:b:1::5')).toEqual(Array(12).fill(200));
    await waitFor(async () => (await metric('callprobe_load_flows')) === 0, {
      timeoutMs: 6000,
      what: 'the floor to cut every trickling flow',
      state: () => `${valueIn(lastMetrics, 'callprobe_load_flows')} open`,
    });
    const heldMs = performance.now() - heldAt;
    expect(heldMs).toBeLessThan(DEFAULTS.load.floorGraceMs + 2000);
    expect(await metric('callprobe_load_flows_cut_total', '{reason="too-slow"}')).toBe(24);
    const reasons = await Promise.all(outcomes);
    expect(reasons.filter((r) => r === 'too-many-flows')).toHaveLength(24);
    // Cut: answered too-slow where the connection still allowed, else closed.
    expect(reasons.filter((r) => r === 'too-slow' || r === 'closed')).toHaveLength(24);
    expect(reasons).toContain('too-slow');
    // Their phases cannot win the slots back: a reopened flow of a phase under the floor is cut at the next judgement.
    const again = trickle((grants[0]?.body as LoadGrant).grant, attackers[0] ?? '');
    await waitFor(async () => (await metric('callprobe_load_flows_cut_total', '{reason="too-slow"}')) === 25, {
      timeoutMs: 2 * DEFAULTS.load.floorCheckMs + 1000,
      what: 'the reopened flow cut',
    });
    expect(['too-slow', 'closed']).toContain(await again);
    // And another real phase after them.
    expect(await realPhase('198.51.100.9')).toEqual(Array(12).fill(200));
  });

  it('cuts a download whose client stopped reading once the kernel buffers are full, by what the socket drained', async () => {
    await start(loadOptions());
    const g = await grant();
    const down = await open(`${LOAD_DOWN_PATH}?grant=${g.grant}&bytes=16000000`);
    down.res.pause();
    await waitFor(async () => (await metric('callprobe_load_flows_cut_total', '{reason="too-slow"}')) === 1 && (await metric('callprobe_load_flows')) === 0, {
      timeoutMs: DEFAULTS.load.floorGraceMs + DEFAULTS.load.floorWindowMs + 3000,
      what: 'the stalled download cut',
    });
  });

  it('keeps the hour in shares: two sources loading at full speed leave a grant for a newcomer (--load-bytes-per-hour 300000000)', async () => {
    await start(loadOptions({ maxBytesPerHour: 300_000_000 }), viaProxy);
    /**
     * Phase after phase from `address` (a grant, then uploads and downloads of 4 MB both ways at
     * once until its budget is spent), until a grant or a flow is refused for the hour: the bytes
     * moved and the reason.
     */
    const flood = async (address: string): Promise<{ moved: number; reason: string }> => {
      const headers = { 'x-forwarded-for': address };
      let moved = 0;
      for (;;) {
        const g = await grantFor(address);
        if (g.status !== 201) return { moved, reason: (g.body as LoadRefusal).reason };
        const id = (g.body as LoadGrant).grant;
        const up = async (): Promise<string> => {
          for (;;) {
            const res = await fetch(`${base}${LOAD_UP_PATH}?grant=${id}`, { method: 'POST', body: new Uint8Array(4_000_000), headers });
            const body = (await res.json()) as LoadRefusal;
            if (res.status !== 200) return body.reason;
            moved += 4_000_000;
          }
        };
        const down = async (): Promise<string> => {
          for (;;) {
            const res = await fetch(`${base}${LOAD_DOWN_PATH}?grant=${id}&bytes=4000000`, { headers });
            if (res.status !== 200) return ((await res.json()) as LoadRefusal).reason;
            moved += (await res.arrayBuffer()).byteLength;
          }
        };
        const reasons = await Promise.all([up(), down()]);
        if (reasons.includes('hour-budget')) return { moved, reason: 'hour-budget' };
      }
    };
    const two = await Promise.all([flood('198.51.100.1'), flood('198.51.100.2')]);
    // Each stopped at its network's eighth of the hour (37.5 MB), refused with hour-budget.
    for (const t of two) expect(t).toMatchObject({ moved: expect.toSatisfy((n: number) => n <= 37_500_000) as number, reason: 'hour-budget' });
    expect(await metric('callprobe_load_hour_bytes')).toBeLessThanOrEqual(75_000_000);
    const newcomer = await grantFor('203.0.113.9');
    expect(newcomer.status).toBe(201);
    const res = await fetch(`${base}${LOAD_UP_PATH}?grant=${(newcomer.body as LoadGrant).grant}`, {
      method: 'POST',
      body: new Uint8Array(4_000_000),
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(res.status).toBe(200);
  });

  it('stops at the byte budget of the hour: refused with hour-budget, counted, logged once', async () => {
    const log: { msg?: string }[] = [];
    let offsetMs = 0;
    await start(
      { ...loadOptions({ maxBytesPerHour: 8_000_000 }), nowMs: () => performance.now() + offsetMs },
      { ...viaProxy, logLevel: 'info', logStream: { write: (line) => void log.push(JSON.parse(line) as { msg?: string }) } },
    );
    const phase = async (address: string, bytes: number): Promise<{ status: number; reason?: string }> => {
      const g = await grantFor(address);
      if (g.status !== 201) return { status: g.status, reason: (g.body as LoadRefusal).reason };
      const res = await fetch(`${base}${LOAD_UP_PATH}?grant=${(g.body as LoadGrant).grant}`, {
        method: 'POST',
        body: new Uint8Array(bytes),
        headers: { 'x-forwarded-for': address },
      });
      return { status: res.status, ...(res.status === 200 ? {} : { reason: ((await res.json()) as LoadRefusal).reason }) };
    };
    // Eight networks, an eighth each: the hour is spent.
    for (let n = 1; n <= 8; n++) expect(await phase(`192.0.2.${n}`, 1_000_000)).toEqual({ status: 200 });
    expect(await phase('192.0.2.9', 1_000)).toEqual({ status: 503, reason: 'hour-budget' });
    const refusedGrant = await fetch(`${base}${LOAD_GRANT_PATH}`, { method: 'POST', headers: { 'x-forwarded-for': '192.0.2.10' } });
    expect(refusedGrant.status).toBe(503);
    expect(((await refusedGrant.json()) as LoadRefusal).message).toMatch(/this hour/);
    expect(await metric('callprobe_load_hour_budget_reached_total')).toBe(1);
    expect(await metric('callprobe_load_refused_total', '{reason="hour-budget"}')).toBe(2);
    expect(log.filter((l) => l.msg?.includes('byte budget'))).toHaveLength(1);
    // An hour later it starts again.
    offsetMs = 3_600_000;
    expect(await phase('192.0.2.1', 1_000_000)).toEqual({ status: 200 });
    expect(log.filter((l) => l.msg?.includes('byte budget'))).toHaveLength(1);
  });
});
