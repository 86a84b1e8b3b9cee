/**
 * The one results client (the page's, `callprobe run`'s and the scheduler's) against a tiny
 * real HTTP server on loopback that implements just the contract of src/protocol/api.ts (POST
 * /api/results with idempotent sampleId, GET /api/r/:code), plus switches to drop connections
 * or answer 503 first.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RESULTS_PATH, SHARED_RESULT_API, type ResultAck, type SharedResult } from '../../src/protocol/api.js';
import { loadShared, ResultsError, saveResult, uploadResult, type FetchLike } from '../../src/protocol/results-client.js';

interface Stored {
  ack: ResultAck;
  storedAtMs: number;
  report: unknown;
}

/** The contract, in memory. `trouble` answers the next requests badly: 'drop' (socket destroyed), a status. */
class ContractServer {
  readonly bySample = new Map<string, Stored>();
  readonly byCode = new Map<string, Stored>();
  readonly trouble: Array<'drop' | number> = [];
  posts = 0;
  /** The Authorization header of the last POST, or null. */
  authorization: string | null = null;
  acceptLanguage: string | null = null;
  private server: Server | null = null;
  baseUrl = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server?.close((err) => (err ? reject(err) : resolve())));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const t = this.trouble.shift();
    if (t === 'drop') {
      req.socket.destroy();
      return;
    }
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (typeof t === 'number') return send(t, { reason: 'trouble', message: `made-up ${t}` });
    if (req.method === 'POST' && req.url === RESULTS_PATH) {
      this.posts++;
      this.authorization = req.headers.authorization ?? null;
      this.acceptLanguage = req.headers['accept-language'] ?? null;
      const { sampleId, ...report } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { sampleId?: string; meta?: { site?: string | null } };
      if (report.meta?.site) return send(403, { reason: 'site-needs-operator', message: 'a result with a site is accepted only with the operator token' });
      const seen = sampleId === undefined ? undefined : this.bySample.get(sampleId);
      if (seen) return send(200, seen.ack);
      const n = this.byCode.size + 1;
      const code = `K7QF-3M${String(n).padStart(2, '0')}`;
      const stored: Stored = { ack: { id: `id-${n}`, code, url: `/r/${code}` }, storedAtMs: 1_700_000_000_000 + n, report };
      this.byCode.set(code, stored);
      if (sampleId !== undefined) this.bySample.set(sampleId, stored);
      return send(201, stored.ack);
    }
    const m = req.method === 'GET' ? new RegExp(`^${SHARED_RESULT_API}/([^/]+)$`).exec(req.url ?? '') : null;
    if (m?.[1]) {
      const stored = this.byCode.get(decodeURIComponent(m[1]).toUpperCase());
      if (!stored) return send(404, { reason: 'unknown-code', message: 'no result has this code' });
      return send(200, { code: stored.ack.code, storedAtMs: stored.storedAtMs, report: stored.report } satisfies SharedResult);
    }
    send(404, { reason: 'not-found', message: 'no such route' });
  }
}

const server = new ContractServer();
const waits: number[] = [];
const sleep = (ms: number) => {
  waits.push(ms);
  return Promise.resolve();
};
const realFetch: FetchLike<AbortSignal> = (url, init) => fetch(url, init);
const opts = () => ({ baseUrl: server.baseUrl, fetch: realFetch, sleep, timeout: (ms: number) => AbortSignal.timeout(ms) });
const report = { schemaVersion: 2, meta: { site: null, ticket: 'INC-42' }, summary: { verdict: 'pass' } };

beforeAll(() => server.start());
afterAll(() => server.stop());
beforeEach(() => {
  waits.length = 0;
  server.trouble.length = 0;
});

describe('saving a result', () => {
  it('posts the report with its sampleId and returns the code; the same sampleId again stores nothing new', async () => {
    const before = server.byCode.size;
    const first = await saveResult(report, 'sample-aaaa-0001', opts());
    expect(first.code).toMatch(/^K7QF-3M\d\d$/);
    expect(first.url).toBe(`/r/${first.code}`);
    const again = await saveResult(report, 'sample-aaaa-0001', opts());
    expect(again).toEqual(first);
    expect(server.byCode.size).toBe(before + 1);
    expect(server.byCode.get(first.code)?.report).toEqual(report);
    expect(waits).toEqual([]);
  });

  it('retries a dropped connection and a 503 with doubling waits, storing once', async () => {
    server.trouble.push('drop', 503);
    const before = server.byCode.size;
    const ack = await saveResult(report, 'sample-bbbb-0002', opts());
    expect(waits).toEqual([500, 1000]);
    expect(server.byCode.size).toBe(before + 1);
    expect(server.byCode.get(ack.code)).toBeDefined();
  });

  it('gives up after the tries with reason unreachable, saying what happened', async () => {
    server.trouble.push('drop', 'drop', 'drop', 'drop');
    const err = await saveResult(report, 'sample-cccc-0003', opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResultsError);
    expect((err as ResultsError).reason).toBe('unreachable');
    expect((err as ResultsError).message).toMatch(/could not reach the server.*\(4 tries\)/);
    expect(waits).toEqual([500, 1000, 2000]);
    expect(server.bySample.has('sample-cccc-0003')).toBe(false);
  });

  it('takes a 4xx as final, with the server reason and message', async () => {
    const err = await saveResult({ ...report, meta: { site: 'Berlin', ticket: null } }, 'sample-dddd-0004', opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResultsError);
    expect(err).toMatchObject({ reason: 'refused', status: 403, serverReason: 'site-needs-operator' });
    expect((err as Error).message).toMatch(/operator token/);
    expect(waits).toEqual([]);
  });

  it('says when a server has no results store (404 on POST)', async () => {
    server.trouble.push(404);
    const err = await saveResult(report, 'sample-eeee-0005', opts()).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'refused', status: 404 });
  });

  it('takes its policy and token from the caller: two tries without a wait, the token as a Bearer header, and says 201 from 200', async () => {
    server.trouble.push(503, 503);
    const policy = { ...opts(), attempts: 2, backoffMs: 0, token: 'operator-token-0123456789' };
    const err = await uploadResult(report, 'sample-hhhh-0008', policy).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'unreachable', status: 503, serverReason: 'trouble' });
    expect((err as Error).message).toMatch(/answered 503: made-up 503 \(2 tries\)$/);
    expect(waits).toEqual([0]);
    const first = await uploadResult(report, 'sample-hhhh-0008', policy);
    expect(server.authorization).toBe('Bearer operator-token-0123456789');
    // The language the result was shown in, for the server to word it in (a result webhook).
    await uploadResult(report, 'sample-hhhh-0009', { ...policy, lang: 'ja' });
    expect(server.acceptLanguage).toBe('ja');
    expect(await uploadResult(report, 'sample-hhhh-0008', policy)).toEqual({ ack: first.ack, created: false });
    expect(first.created).toBe(true);
  });

  it('refuses a 2xx that is not the contract', async () => {
    const liar: FetchLike = () => Promise.resolve({ status: 201, ok: true, text: () => Promise.resolve('{"code":7}') });
    const err = await saveResult(report, 'sample-ffff-0006', { ...opts(), fetch: liar }).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'bad-answer', status: 201 });
  });
});

describe('reading a shared result', () => {
  it('reads what was saved, by code, in any case', async () => {
    const ack = await saveResult(report, 'sample-gggg-0007', opts());
    const found = await loadShared(ack.code.toLowerCase(), opts());
    expect(found.kind).toBe('found');
    if (found.kind !== 'found') return;
    expect(found.result.code).toBe(ack.code);
    expect(found.result.report).toEqual(report);
    expect(found.result.storedAtMs).toBeGreaterThan(1_700_000_000_000);
  });

  it('answers unknown for a code nobody saved, with the server message', async () => {
    await expect(loadShared('ZZZZ-ZZZZ', opts())).resolves.toEqual({ kind: 'unknown', message: 'no result has this code' });
  });

  it('fails with unreachable when the connection drops', async () => {
    server.trouble.push('drop');
    await expect(loadShared('ZZZZ-ZZZZ', opts())).rejects.toMatchObject({ reason: 'unreachable' });
  });
});
