/**
 * `serve` closes what a failed start opened, on its one teardown path: when --metrics-listen
 * cannot bind, the relay, the store (its SQLite connection: the WAL file goes away), its
 * retention purge timer and the HTTP listener are all closed; when --http-port is taken, the
 * relay and the store are. The error is the usage error of the step that failed.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serve } from '../../server/serve.js';
import type { ServeOptions } from '../../server/config/options.js';
import { ConfigError } from '../../src/protocol/config-error.js';
import { boundUdpPorts, freePorts } from '../kit/net.js';
import { waitFor } from '../kit/wait.js';
import { serveOptionsForTests } from './config/serve-flags.js';

const dir = mkdtempSync(join(tmpdir(), 'callprobe-serve-teardown-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The purge interval of these starts: short, so a purge timer left running would fire many times over the test. */
const PURGE_MS = 5;

function listen(port: number): Promise<Server> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const closeServer = (s: Server): Promise<void> => new Promise((resolve) => s.close(() => resolve()));

/** Options with the embedded relay on `turnPort`, a store in `db` purged every PURGE_MS, HTTP on `httpPort`. */
function options(db: string, turnPort: number, httpPort: number, over: Partial<ServeOptions> = {}): ServeOptions {
  return {
    ...serveOptionsForTests(join(dir, 'no-page')),
    httpPort,
    externalTurn: null,
    turnUdpPorts: [turnPort],
    results: { db: { kind: 'sqlite', path: db }, retainDays: 365, retainIpDays: 28, purgeIntervalMs: PURGE_MS },
    ...over,
  };
}

/** Resolves once a timer of PURGE_MS, started now, has fired `n` times: any timer of that interval started earlier has fired as often. */
async function purgeIntervalsPass(n: number): Promise<void> {
  let fired = 0;
  const witness = setInterval(() => fired++, PURGE_MS);
  try {
    await waitFor(() => fired >= n, { timeoutMs: 5_000, what: `${n} purge intervals` });
  } finally {
    clearInterval(witness);
  }
}

describe('serve: a failed start closes what it opened', () => {
  it('when --metrics-listen cannot bind: the metrics error, and the relay, the store, its purge timer and HTTP all closed', async () => {
    const [turnPort, httpPort, metricsPort] = await freePorts(3);
    if (turnPort === undefined || httpPort === undefined || metricsPort === undefined) throw new Error('no ports');
    const db = join(dir, 'metrics.db');
    const taken = await listen(metricsPort);
    const lines: string[] = [];
    try {
      const start = serve(options(db, turnPort, httpPort, { metricsListen: { host: '127.0.0.1', port: metricsPort } }), (l) => lines.push(l));
      await expect(start).rejects.toThrow(ConfigError);
      await expect(start).rejects.toMatchObject({
        reason: 'cannot-listen',
        message: expect.stringMatching(/^--metrics-listen 127\.0\.0\.1:\d+: address already in use/),
      });
    } finally {
      await closeServer(taken);
    }
    // The store got as far as listening HTTP: the database was opened (WAL mode), and its last connection closed removes the WAL file.
    expect(existsSync(db)).toBe(true);
    expect(existsSync(`${db}-wal`)).toBe(false);
    // The relay's socket and the HTTP listener are gone: both ports bind again.
    expect(boundUdpPorts().has(turnPort)).toBe(false);
    await closeServer(await listen(httpPort));
    // A purge timer left running would now purge a closed store every PURGE_MS, and say it failed.
    await purgeIntervalsPass(20);
    expect(lines.filter((l) => l.includes('purge'))).toEqual([]);
    expect(lines.filter((l) => l.includes('closing'))).toEqual([]);
  });

  it('when --http-port is taken: the HTTP error, and the relay and the store closed', async () => {
    const [turnPort, httpPort] = await freePorts(2);
    if (turnPort === undefined || httpPort === undefined) throw new Error('no ports');
    const db = join(dir, 'http.db');
    const taken = await listen(httpPort);
    const lines: string[] = [];
    try {
      const start = serve(options(db, turnPort, httpPort), (l) => lines.push(l));
      await expect(start).rejects.toMatchObject({
        name: 'ConfigError',
        reason: 'cannot-listen',
        message: expect.stringMatching(/^--http-port \d+: address already in use/),
      });
    } finally {
      await closeServer(taken);
    }
    expect(existsSync(`${db}-wal`)).toBe(false);
    expect(boundUdpPorts().has(turnPort)).toBe(false);
    await purgeIntervalsPass(20);
    expect(lines.filter((l) => l.includes('purge') || l.includes('closing'))).toEqual([]);
  });

  it('a started server closes the same way: everything, once', async () => {
    const [turnPort] = await freePorts(1);
    if (turnPort === undefined) throw new Error('no ports');
    const db = join(dir, 'started.db');
    const server = await serve(options(db, turnPort, 0, { metricsListen: { host: '127.0.0.1', port: 0 } }), () => undefined);
    expect(existsSync(`${db}-wal`)).toBe(true);
    expect(boundUdpPorts().has(turnPort)).toBe(true);
    await server.close();
    expect(existsSync(`${db}-wal`)).toBe(false);
    expect(boundUdpPorts().has(turnPort)).toBe(false);
    // A second close has nothing left to close.
    await expect(server.close()).resolves.toBeUndefined();
  });
});
