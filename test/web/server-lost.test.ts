/**
 * What the page says when it cannot go on with the test server: `version-mismatch` only when the
 * server answers without this page's code (another release), `connection-lost` when it does not
 * answer, asked of a real HTTP server on loopback (and of one that is gone).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SetupError } from '../../src/session/net/errors.js';
import { codeNotLoaded, lostOr, serverState } from '../../src/web/server-lost.js';
import { freeTcpPort } from '../kit/net.js';

let server: Server;
let base: string;
const asked: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    asked.push(`${req.method ?? ''} ${req.url ?? ''} ${req.headers['cache-control'] ?? ''}`);
    res.statusCode = req.url === '/assets/index-this.js' ? 200 : req.url === '/assets/proxy.js' ? 502 : 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const words = { mismatch: (d: string) => `mismatch: ${d}`, lost: (d: string) => `lost: ${d}` };

describe('the page asks the server for its own code before it names a release or a lost connection', () => {
  it('this release, another release (404), a proxy with no server behind it (502), no server at all', async () => {
    const gone = `http://127.0.0.1:${await freeTcpPort()}`;
    expect(await serverState(`${base}/assets/index-this.js`)).toBe('this-release');
    expect(await serverState(`${base}/assets/index-older.js`)).toBe('other-release');
    expect(await serverState(`${base}/assets/proxy.js`)).toBe('unreachable');
    expect(await serverState(`${gone}/assets/index-this.js`)).toBe('unreachable');
    // Asked with HEAD, past every cache (the chunk files are cached for a year).
    expect(asked[0]).toBe('HEAD /assets/index-this.js no-cache');
  });

  it('code that would not load: version-mismatch only from a server of another release', async () => {
    const gone = `http://127.0.0.1:${await freeTcpPort()}`;
    const lost = await codeNotLoaded('TypeError: Failed to fetch dynamically imported module', `${gone}/assets/index-this.js`, words);
    expect(lost).toMatchObject({ reason: 'connection-lost', message: 'lost: TypeError: Failed to fetch dynamically imported module' });
    const other = await codeNotLoaded('TypeError: x', `${base}/assets/index-older.js`, words);
    expect(other).toMatchObject({ reason: 'version-mismatch', message: 'mismatch: TypeError: x' });
    // The server has this page's code and a chunk still failed: the connection dropped.
    expect((await codeNotLoaded('TypeError: x', `${base}/assets/index-this.js`, words)).reason).toBe('connection-lost');
  });

  it('a test that could not start: connection-lost when its reason is one a lost server causes and the server is gone', async () => {
    const gone = `http://127.0.0.1:${await freeTcpPort()}/assets/index-this.js`;
    const here = `${base}/assets/index-this.js`;
    const signalling = new SetupError('signaling-failed', 'signaling WebSocket failed');
    expect(await lostOr(signalling, gone, words.lost)).toMatchObject({ reason: 'connection-lost', message: 'lost: signaling WebSocket failed' });
    // The server answers: the reason stands.
    expect(await lostOr(signalling, here, words.lost)).toBe(signalling);
    // Reasons a lost server does not cause stand whatever the server does.
    const busy = new SetupError('server-busy', 'busy');
    expect(await lostOr(busy, gone, words.lost)).toBe(busy);
    // An error of our code (a chunk or a worker that failed to load): the lost server when it is gone, else as it is.
    const fault = new TypeError('Failed to fetch dynamically imported module');
    expect(await lostOr(fault, gone, words.lost)).toMatchObject({ reason: 'connection-lost', message: 'lost: Failed to fetch dynamically imported module' });
    expect(await lostOr(fault, here, words.lost)).toBe(fault);
  });
});
