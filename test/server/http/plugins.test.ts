/**
 * The app as its plugins: every route declares the schema of each request part it reads (path
 * parameters, query string, body), and closing the app releases what every plugin opened (a
 * live reflector session's sockets and timers, the listener, kept-alive connections): the
 * process's active handles come back to what they were before the app was built.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHook } from 'node:async_hooks';
import { get as httpGet } from 'node:http';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNAL_PROTOCOL_QUERY, type SignalData } from '../../../src/protocol/api.js';
import type { ServerSignalMessage } from '../../../src/protocol/api-signal.js';
import { buildApp, routesOf } from '../../../server/http/app.js';
import { hashPassword } from '../../../server/console/auth.js';
import { openSqliteStore } from '../../../server/store/sqlite.js';
import { CONSTANTS, DEFAULTS } from '../../../src/protocol/defaults.js';
import { unusedRelay, localReflector, appOptionsWithoutRelay, resultsOptions } from '../../kit/app-options.js';
import { startRtcClient } from '../../kit/rtc.js';
import { collector, nextEvent, waitFor } from '../../kit/wait.js';
import { storeOptions, testClock } from '../store/store-kit.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'callprobe-plugins-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>callprobe</title>');
  writeFileSync(join(dir, 'console.html'), '<!doctype html><title>console</title>');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function build(dbName: string) {
  const store = openSqliteStore(join(dir, dbName), storeOptions(testClock(), 3));
  const users = [{ name: 'ana', role: 'tier1' as const, passwordHash: await hashPassword('tier-one-password', { ...CONSTANTS.console.scrypt, N: 16_384 }) }];
  const app = await buildApp({
    ...appOptionsWithoutRelay(dir),
    reflector: localReflector({ relayServer: unusedRelay }),
    maxSessions: 2,
    results: resultsOptions(store, 'operator-token-0123456789', { bodyLimitBytes: 64 * 1024, postsPerMinutePerIp: 100, readsPerMinutePerIp: 100 }),
    console: {
      users,
      nowMs: () => Date.now(),
      idleMs: DEFAULTS.console.sessionIdleMs,
      absoluteMs: DEFAULTS.console.sessionAbsoluteMs,
      loginsPerMinutePerAddress: 10,
      loginThrottle: DEFAULTS.console.loginThrottle,
      // A company's identity provider too (its routes only: never contacted here).
      oidc: {
        ...DEFAULTS.console.oidc,
        issuer: 'https://idp.invalid',
        clientId: 'callprobe',
        clientSecret: null,
        groups: { claim: 'groups', tier1: ['t1'], tier2: [], scopes: [] },
      },
    },
  });
  return { app, store };
}

describe('the routes', () => {
  it('each declare the schema of every request part they read', async () => {
    const { app, store } = await build('routes.db');
    try {
      // HEAD answers as GET does (Fastify adds it to every GET route): listed as the GET.
      const routes = routesOf(app)
        .map((r) => ({
          ...r,
          method: r.method
            .split(',')
            .filter((m) => m !== 'HEAD')
            .join(','),
        }))
        .filter((r) => r.method !== '')
        .map((r) => `${r.method} ${r.url}: ${r.parts.join(' ') || '-'}`)
        .sort();
      expect(routes).toEqual(
        [
          'GET /*: -', // the page's files (@fastify/static)
          'GET /api/signal: -', // a WebSocket: its messages are checked one by one (signal-message.ts)
          'GET /healthz: -',
          'GET /api/config: -',
          'GET /api/tls-check: -',
          'POST /api/results: body',
          'POST /api/results/check: body',
          'GET /api/r/:code: params',
          'GET /r/:code: params querystring',
          'GET /api/results/:id: params',
          'GET /api/results: querystring',
          'GET /api/sites/:site/report: params querystring',
          'GET /api/sites: querystring',
          'POST /api/site-tokens: body',
          'GET /api/site-tokens: querystring',
          'DELETE /api/site-tokens/:id: params',
          'POST /api/console/login: body',
          'POST /api/console/logout: -', // reads nothing of the request but its cookie
          'GET /api/console/me: -',
          'GET /api/console/sign-in: -', // the ways to log in: reads nothing of the request
          'GET /api/console/oidc/start: -', // reads nothing of the request but its host
          'GET /api/console/oidc/callback: querystring',
          'GET /api/console/results: querystring',
          'GET /api/console/results/:id: params querystring',
          'GET /console: -',
          'POST /api/alerts/test: -', // the operator token only: reads nothing of the request
          // CORS preflights of the busy line's routes, for a hub's page on an edge (no body, no query read).
          'OPTIONS /api/load/down: -',
          'OPTIONS /api/load/grant: -',
          'OPTIONS /api/load/up: -',
          'POST /api/load/grant: -', // reads nothing of the request but its source and origin
          'POST /api/load/up: querystring', // the body is the upload itself, counted and dropped
          'GET /api/load/down: querystring',
        ].sort(),
      );
    } finally {
      await app.close();
      await store.close();
    }
  });
});

/**
 * The handles (sockets, listeners, timers) created from `start()` on and not yet released, by
 * async_hooks: a timer counts while it is active and holds the event loop, a socket until it
 * is closed.
 */
function openHandles(): { start(): void; stop(): void; open(): string[] } {
  const live = new Map<number, { type: string; resource: object }>();
  const hook = createHook({
    init: (id, type, _trigger, resource) => {
      if (['Timeout', 'TCPWRAP', 'TCPSERVERWRAP', 'UDPWRAP', 'PIPEWRAP'].includes(type)) live.set(id, { type, resource: resource as object });
    },
    destroy: (id) => {
      live.delete(id);
    },
  });
  return {
    start: () => hook.enable(),
    stop: () => hook.disable(),
    open: () =>
      [...live.values()]
        .filter(({ type, resource }) => {
          if (type !== 'Timeout') return true;
          const t = resource as { hasRef(): boolean; _destroyed?: boolean };
          return t.hasRef() && t._destroyed !== true;
        })
        .map(({ type, resource }) => `${type}${type === 'Timeout' ? ` ${String((resource as { _idleTimeout?: number })._idleTimeout)} ms` : ''}`),
  };
}

/** GET over a connection of its own, closed after the answer (nothing of the client lingers). */
function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    httpGet(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

describe('closing the app', () => {
  it("releases every plugin's sockets and timers, a live reflector session's too", async () => {
    const handles = openHandles();
    handles.start();
    try {
      const { app, store } = await build('close.db');
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      for (const path of ['/healthz', '/api/config', '/api/tls-check', '/api/sites', '/api/console/me', '/console', '/r/ZZZZ-ZZZZ'])
        expect(await get(`${url}${path}`), path).toBeLessThan(500);
      // A reflector session past its offer: its peer connection and timers are open.
      const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/signal${SIGNAL_PROTOCOL_QUERY}`);
      const messages = collector<ServerSignalMessage>();
      ws.on('message', (raw: Buffer) => messages.push(JSON.parse(raw.toString('utf8')) as ServerSignalMessage));
      await nextEvent(ws, 'open', { timeoutMs: 10_000, what: 'the signaling socket to open' });
      const client = startRtcClient({ send: (data: SignalData) => ws.send(JSON.stringify({ type: 'signal', data })) });
      try {
        await waitFor(() => messages.items.find((m) => m.type === 'signal' && m.data.type === 'answer'), { timeoutMs: 15_000, what: "the reflector's answer" });
        // The session's time limit (maxSessionMs) runs, and the reflector's peer connection holds its native sockets.
        expect(handles.open()).toContain('Timeout 60000 ms');
      } finally {
        client.close();
      }
      const closed = nextEvent(ws, 'close', { timeoutMs: 10_000, what: 'the server to close the signaling socket' });
      await app.close();
      await closed;
      await store.close();
      await waitFor(() => handles.open().length === 0, {
        timeoutMs: 10_000,
        what: 'every socket and timer of the app to be released',
        state: () => handles.open().join(', '),
      });
    } finally {
      handles.stop();
    }
  });
});
