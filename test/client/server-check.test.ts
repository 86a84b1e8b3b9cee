import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCallprobeServer, unreachableWhy } from '../../client/server-check.js';
import { checkRunFlags, type RunCommandOptions } from '../../client/options.js';
import { freeTcpPort } from '../kit/net.js';

/** A web server that is not callprobe: /api/config answers what each path asks for. */
let server: Server;
let base = '';
let answer: { status: number; body: string; type: string } = { status: 404, body: 'not found', type: 'text/plain' };

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(answer.status, { 'content-type': answer.type });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('callprobe run asks the server before starting a browser', () => {
  it('says "not a callprobe server" with the status, within seconds', async () => {
    answer = { status: 404, body: 'not found', type: 'text/plain' };
    await expect(checkCallprobeServer(base)).rejects.toMatchObject({ reason: 'not-callprobe', message: 'GET /api/config: 404, not a callprobe server' });
    answer = { status: 200, body: '<html>hello</html>', type: 'text/html' };
    await expect(checkCallprobeServer(base)).rejects.toMatchObject({ message: 'GET /api/config: not JSON, not a callprobe server' });
    answer = { status: 200, body: '{"hello":1}', type: 'application/json' };
    await expect(checkCallprobeServer(base)).rejects.toMatchObject({ message: 'GET /api/config: no callprobeVersion, not a callprobe server' });
  });

  it('accepts a callprobe config', async () => {
    answer = { status: 200, body: '{"callprobeVersion":"0.1.0"}', type: 'application/json' };
    await expect(checkCallprobeServer(base)).resolves.toEqual({ turn: [] });
    answer = {
      status: 200,
      body: '{"callprobeVersion":"0.1.0","turn":[{"url":"turn:h:3478?transport=udp","transport":"udp","port":3478},{"transport":"bogus","port":1}]}',
      type: 'application/json',
    };
    await expect(checkCallprobeServer(base)).resolves.toEqual({ turn: [{ transport: 'udp', port: 3478 }] });
  });

  it('names a server that is not there', async () => {
    const closed = await freeTcpPort();
    await expect(checkCallprobeServer(`http://127.0.0.1:${closed}`)).rejects.toMatchObject({
      reason: 'server-unreachable',
      message: `cannot reach http://127.0.0.1:${closed}: nothing answers on that port (connection refused)`,
    });
  });

  it('says in plain words why a server could not be reached, never a bare error name', async () => {
    // Port 1 is one of the Fetch standard's "bad ports": fetch refuses it with a TypeError.
    await expect(checkCallprobeServer('http://127.0.0.1:1')).rejects.toMatchObject({
      message: 'cannot reach http://127.0.0.1:1: that port is one web clients refuse to use (Fetch standard, "bad port"); use another',
    });
    expect(unreachableWhy({ name: 'TypeError', cause: { code: 'ENOTFOUND' } }, 5000)).toBe('no such host name (DNS)');
    expect(unreachableWhy({ name: 'TypeError', cause: { code: 'EWHATEVER' } }, 5000)).toBe('the connection failed (EWHATEVER)');
    expect(unreachableWhy({ name: 'TimeoutError' }, 5000)).toBe('no answer within 5 s');
    expect(unreachableWhy(new TypeError('fetch failed'), 5000)).toBe('the connection failed');
  });

  it('treats a malformed --server as a usage error', () => {
    const o: RunCommandOptions = {
      profile: 'client-to-edge',
      from: 'site',
      compare: false,
      json: false,
      browser: '/usr/bin/chromium',
      server: 'localhost:8080',
      save: true,
      csv: false,
      load: false,
    };
    expect(() => checkRunFlags({ ...o, server: 'not a url' })).toThrow(/--server must be an http:\/\/ or https:\/\/ URL/);
    expect(() => checkRunFlags(o)).toThrow(/--server must be/);
    expect(checkRunFlags({ ...o, server: 'http://127.0.0.1:8080' }).server).toBe('http://127.0.0.1:8080');
  });
});
