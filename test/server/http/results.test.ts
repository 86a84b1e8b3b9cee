/**
 * The results API through Fastify's inject, against SQLite and a real PostgreSQL: store, share,
 * operator reads and exports, refusals (400, 401/403/404, 413, 429) that store nothing, the
 * client's address kept apart and purged (injected clock), idempotent uploads.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ResultAck, SharedResult } from '../../../src/protocol/api.js';
import { buildApp } from '../../../server/http/app.js';
import { type ResultsOptions } from '../../../server/http/results.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import { DAY_MS, type ResultStore } from '../../../server/store/index.js';
import { EXPORT_COLUMNS } from '../../../src/analysis/report/export.js';
import { reflectorInput } from '../../analysis/report/inputs.js';
import { repoRoot } from '../../kit/paths.js';
import { describeEachKind, open, storeOptions, testClock, type TestClock } from '../store/store-kit.js';
import { appOptionsWithoutRelay } from '../../kit/app-options.js';
import { sourceKey } from '../../../server/http/signal-limits.js';

const TOKEN = 'operator-token-0123456789';
const CLIENT = '198.51.100.23';

function report(over: { site?: string | null; ticket?: string | null; startedAt?: string; lossEvery?: number } = {}): Record<string, unknown> {
  const r = analyze(
    reflectorInput({
      count: 1500,
      meta: { site: over.site ?? null, ticket: over.ticket ?? null, startedAt: over.startedAt ?? '2026-01-15T10:00:00.000Z' },
      ...(over.lossEvery !== undefined ? { up: { lost: (i: number) => i % (over.lossEvery as number) === 0 } } : {}),
    }),
  );
  return JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
}

const couldNotTest = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  kind: 'could-not-test',
  reason: 'no-relay',
  message: 'No relay port answered (UDP 3478-3481, TCP 3478).',
  atMs: Date.UTC(2026, 0, 15, 10, 30),
  meta: { callprobeVersion: '0.1.0', server: 'http://127.0.0.1:8080', site: null, ticket: 'HD-42' },
  ...over,
});

const v1 = (): Record<string, unknown> =>
  JSON.parse(readFileSync(join(repoRoot, 'test/analysis/report/golden-v1/clean-15s.json'), 'utf8')) as Record<string, unknown>;

describeEachKind('results API', (kind, opened) => {
  let webRoot: string;
  beforeAll(async () => {
    webRoot = mkdtempSync(join(tmpdir(), 'callprobe-results-web-'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><html lang="en"><title>callprobe page</title></html>');
  }, 90_000);
  afterAll(() => {
    rmSync(webRoot, { recursive: true, force: true });
  });

  async function build(
    over: Partial<Omit<ResultsOptions, 'store' | 'pageBuilt'>> & { noStore?: boolean; trustProxy?: string[]; clock?: TestClock } = {},
  ): Promise<{ app: FastifyInstance; store: ResultStore; clock: TestClock }> {
    const clock = over.clock ?? testClock(Date.UTC(2026, 0, 15, 12));
    const store = await open(await kind.freshTarget(), storeOptions(clock, 42));
    const app = await buildApp({
      ...appOptionsWithoutRelay(webRoot),
      trustProxy: over.trustProxy ?? [],
      results: {
        store: over.noStore ? null : store,
        adminToken: over.adminToken === undefined ? TOKEN : over.adminToken,
        bodyLimitBytes: over.bodyLimitBytes ?? 256 * 1024,
        postsPerMinutePerIp: over.postsPerMinutePerIp ?? 1000,
        readsPerMinutePerIp: over.readsPerMinutePerIp ?? 1000,
        storedBytesPerDayPerSource: over.storedBytesPerDayPerSource ?? 1 << 30,
        failedLookupsPerMinute: over.failedLookupsPerMinute ?? 100_000,
        nowMs: () => clock.nowMs(),
      },
    });
    await app.ready();
    opened.push({
      close: async () => {
        await app.close();
        await store.close();
      },
    });
    return { app, store, clock };
  }

  const post = (app: FastifyInstance, body: unknown, o: { token?: string; ip?: string; headers?: Record<string, string> } = {}) =>
    app.inject({
      method: 'POST',
      url: '/api/results',
      remoteAddress: o.ip ?? CLIENT,
      headers: { 'content-type': 'application/json', ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...o.headers },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const operator = (app: FastifyInstance, url: string, token: string | null = TOKEN) =>
    app.inject({ method: 'GET', url, headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  const count = async (store: ResultStore): Promise<number> => (await store.results.list({ sinceMs: null, site: null, limit: 1000 })).length;

  it('stores a report (201), shares it by code without the address, and shows the operator the address', async () => {
    const { app } = await build();
    const sent = report({ ticket: 'HD-7' });
    const res = await post(app, sent);
    expect(res.statusCode).toBe(201);
    const ack = res.json<ResultAck>();
    expect(ack.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(ack.url).toBe(`/r/${ack.code}`);
    expect(ack.id).toMatch(/^[0-9a-f]{32}$/);

    for (const typed of [ack.code, ack.code.toLowerCase(), ack.code.replace('-', '').toLowerCase()]) {
      const shared = await app.inject({ method: 'GET', url: `/api/r/${typed}` });
      expect(shared.statusCode).toBe(200);
      const body = shared.json<SharedResult>();
      expect(body.code).toBe(ack.code);
      expect(body.storedAtMs).toBe(Date.UTC(2026, 0, 15, 12));
      expect(body.report).toEqual(sent);
      expect(shared.body).not.toContain(CLIENT);
      expect(shared.body).not.toContain('198.51.100');
    }
    const page = await app.inject({ method: 'GET', url: `/r/${ack.code.toLowerCase()}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('callprobe page');
    expect(page.body).not.toContain('198.51.100');
    // In the reader's language: ?lang= over Accept-Language over English, named in <html> for the page.
    expect(page.body).toContain('<html lang="en" data-served-lang="en">');
    const inGerman = await app.inject({ method: 'GET', url: `/r/${ack.code}`, headers: { 'accept-language': 'fr-CH;q=0.5, de-DE' } });
    expect(inGerman.body).toContain('<html lang="de" data-served-lang="de">');
    expect(inGerman.headers['content-language']).toBe('de');
    expect(inGerman.headers.vary).toMatch(/accept-language/i);
    const asked = await app.inject({ method: 'GET', url: `/r/${ack.code}?lang=ja`, headers: { 'accept-language': 'de' } });
    expect(asked.body).toContain('<html lang="ja" data-served-lang="ja">');
    expect((await app.inject({ method: 'GET', url: `/r/${ack.code}?lang=${'x'.repeat(40)}` })).json()).toMatchObject({ reason: 'bad-lang' });

    const op = await operator(app, `/api/results/${ack.id}`);
    expect(op.statusCode).toBe(200);
    expect(op.json()).toMatchObject({
      id: ack.id,
      code: ack.code,
      ticket: 'HD-7',
      verdict: 'pass',
      kind: 'report',
      addresses: [{ address: CLIENT, truncated: '198.51.100.0/24' }],
    });
    // The help desk has the code the user read out: the same record by code, any spelling.
    expect((await operator(app, `/api/results/${ack.code.replace('-', '').toLowerCase()}`)).json()).toEqual(op.json());
    expect((await operator(app, `/api/results/${ack.code}`, null)).statusCode).toBe(401);
  });

  it('answers 404 for unknown and malformed codes and ids', async () => {
    const { app } = await build();
    expect((await app.inject({ method: 'GET', url: '/api/r/ZZZZ-ZZZZ' })).json()).toMatchObject({ reason: 'unknown-code' });
    expect((await app.inject({ method: 'GET', url: '/api/r/ZZZZ-ZZZZ' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/r/not-a-code-at-all' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/r/ZZZZ-ZZZZ' })).statusCode).toBe(404);
    expect((await operator(app, `/api/results/${'0'.repeat(32)}`)).statusCode).toBe(404);
    expect((await operator(app, '/api/results/../../etc')).statusCode).toBe(404);
  });

  it('serves a stored body as stored: a field no schema knows and its spelling come back byte for byte', async () => {
    const { app, store } = await build();
    // Stored by an older or newer callprobe: a field this version's schema does not know, numbers spelled as sent.
    const json = JSON.stringify(report()).replace(/^\{/, '{"fromTheFuture":{"ratio":1.50,"list":[1e3, "x"]},');
    const { result } = await store.results.put({
      sampleId: null,
      kind: 'report',
      startedAtMs: Date.UTC(2026, 0, 15, 10),
      site: null,
      ticket: null,
      verdict: 'pass',
      reportJson: json,
      address: CLIENT,
    });
    const shared = await app.inject({ method: 'GET', url: `/api/r/${result.code}` });
    expect(shared.statusCode).toBe(200);
    expect(shared.body).toBe(`{"code":"${result.code}","storedAtMs":${result.storedAtMs},"report":${json}}`);
    const op = await operator(app, `/api/results/${result.id}`);
    expect(op.json<{ report: unknown }>().report).toEqual(JSON.parse(json));
  });

  it('stores one record for the same sampleId twice: 201, then 200 with the first for its own source only', async () => {
    const { app, store } = await build();
    const sampleId = 'e3b0c442-98fc-1c14-9afb-f4c8996fb924';
    const first = await post(app, { ...report(), sampleId });
    // The same client retrying (its answer was lost): the first record's acknowledgement.
    const retry = await post(app, { ...report(), sampleId });
    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toEqual(first.json());
    expect(await count(store)).toBe(1);
    // The sampleId is the upload's, not the report's: the shared report is as it was without it.
    const shared = (await app.inject({ method: 'GET', url: `/api/r/${first.json<ResultAck>().code}` })).json<SharedResult>();
    expect(shared.report).not.toHaveProperty('sampleId');
    expect((await post(app, { ...report(), sampleId: 'bad id!' })).json()).toMatchObject({ reason: 'bad-sample-id' });
  });

  it('refuses malformed bodies with 400 and the reason, storing nothing', async () => {
    const { app, store } = await build();
    const broken = { ...report(), summary: { verdict: 'great' } };
    const cases: [unknown, string][] = [
      [broken, 'schema'],
      [[1, 2], 'not-an-object'],
      [{ schemaVersion: 9 }, 'unknown-version'],
      ['{"schemaVersion":2,', 'bad-request'],
      [{ ...report(), meta: { ...(report().meta as object), startedAt: 'yesterday' } }, 'schema'],
      [couldNotTest({ reason: 'Has Spaces' }), 'schema'],
      [couldNotTest({ extra: 1 }), 'schema'],
      // Only plain values beside meta's known keys: nothing nests without bound.
      [JSON.stringify(couldNotTest()).replace('"meta":{', `"meta":{"nested":${'['.repeat(50_000)}${']'.repeat(50_000)},`), 'schema'],
    ];
    for (const [body, reason] of cases) {
      const res = await post(app, body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.json<{ reason: string; message: string }>().reason).toBe(reason);
      expect(res.json<{ message: string }>().message.length).toBeGreaterThan(0);
    }
    const form = await app.inject({ method: 'POST', url: '/api/results', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1' });
    expect(form.statusCode).toBe(415);
    expect(await count(store)).toBe(0);
  });

  it("refuses what a caller cannot vouch for: a start over 10 min after the server's clock, a verdict its own grades contradict", async () => {
    const { app, store } = await build(); // the server's clock: 2026-01-15T12:00Z
    const forged = report({ lossEvery: 10 });
    expect((forged['summary'] as { verdict: string }).verdict).toBe('fail');
    const cases: [unknown, number, string | null][] = [
      // A start in 2099 would be the site's newest sample for ever: its silence never raised again.
      [report({ site: 'Depot 3', startedAt: '2099-12-31T00:00:00.000Z' }), 400, 'started-in-future'],
      [couldNotTest({ atMs: Date.UTC(2099, 11, 31) }), 400, 'started-in-future'],
      [report({ startedAt: '2026-01-15T12:10:01.000Z' }), 400, 'started-in-future'],
      [{ ...forged, summary: { ...(forged['summary'] as object), verdict: 'pass' } }, 400, 'inconsistent'],
      // A clock a few minutes fast is common: stored.
      [report({ startedAt: '2026-01-15T12:09:00.000Z' }), 201, null],
    ];
    for (const [body, status, reason] of cases) {
      const res = await post(app, body, { token: TOKEN });
      expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(status);
      if (reason !== null) expect(res.json<{ reason: string }>().reason).toBe(reason);
    }
    expect(await count(store)).toBe(1);
    const refused = await post(app, report({ site: 'Depot 3', startedAt: '2099-12-31T00:00:00.000Z' }), { token: TOKEN });
    expect(refused.json<{ message: string }>().message).toMatch(
      /^\/meta\/startedAt \(2099-12-31T00:00:00.000Z\) is \d+ min after this server received it \(2026-01-15T12:00:00.000Z\).*check the testing device's clock$/,
    );
    expect(await store.sites.list()).toEqual([]);
    // A pass beside a round trip of 620 ms against its "< 100": refused, the grade named.
    const clean = report({});
    const grades = (clean['grades'] as { target: string; status: string; value: number | null }[]).map((g) =>
      g.target === 'latency-rtt' ? { ...g, value: 620, status: 'pass' } : g,
    );
    const lying = await post(app, { ...clean, grades }, { token: TOKEN });
    expect(lying.statusCode).toBe(400);
    expect(lying.json()).toMatchObject({
      reason: 'inconsistent',
      message: expect.stringMatching(
        /^\/grades\/\d+\/status is "pass", but its value 620 ms against < 100 ms makes it "fail" \(latency-rtt, round-trip\)$/,
      ) as string,
    });
    expect(await count(store)).toBe(1);
  });

  it('refuses a body over the limit with 413, stores nothing and keeps serving', async () => {
    const { app, store } = await build({ bodyLimitBytes: 64 * 1024 });
    const big = { ...report(), padding: 'x'.repeat(70 * 1024) };
    const res = await post(app, big);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ reason: 'too-large' });
    expect(await count(store)).toBe(0);
    expect((await post(app, report())).statusCode).toBe(201);
    expect(await count(store)).toBe(1);
  });

  it('a real report fits the default body limit with room', () => {
    const bytes = Buffer.byteLength(JSON.stringify(report({ lossEvery: 7 })));
    expect(bytes).toBeLessThan((256 * 1024) / 2);
  });

  it("stores a site named without a token as unverified (never the site), refuses a token that does not cover it, and takes the operator's site in its canonical form", async () => {
    const { app, store } = await build();
    const all = async () => store.results.list({ sinceMs: null, site: null, limit: 1000 });
    const bodyOf = async (id: string) => JSON.parse((await store.results.getById(id))?.reportJson ?? '{}') as { meta: Record<string, unknown> };
    // A ?site= link anyone may open: stored (201, a code), the site kept apart.
    const none = await post(app, report({ site: '  paris   office ' }));
    expect(none.statusCode).toBe(201);
    const anon = none.json<ResultAck>();
    expect(anon.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect((await all()).map((r) => r.site)).toEqual([null]);
    expect((await bodyOf(anon.id)).meta).toMatchObject({ site: null, siteUnverified: 'paris office' });
    expect(await store.results.list({ sinceMs: null, site: 'paris office', limit: 10 })).toEqual([]);
    // Nor does the export know the site by it: no sample was stored as that site's.
    expect((await operator(app, '/api/results?site=paris%20office')).json()).toMatchObject({ reason: 'unknown-site' });
    // A could-not-test record with a site alike.
    const cnt = await post(app, couldNotTest({ meta: { site: 'Paris office' } }));
    expect(cnt.statusCode).toBe(201);
    expect((await bodyOf(cnt.json<ResultAck>().id)).meta).toMatchObject({ site: null, siteUnverified: 'Paris office' });
    // A token that does not cover the site: refused, nothing stored.
    expect((await post(app, report({ site: 'Paris office' }), { token: 'wrong-token-0123456789' })).statusCode).toBe(403);
    expect(await all()).toHaveLength(2);
    // The operator's: the site, in its canonical form; a name that cannot be one is refused.
    const op = await post(app, report({ site: ' Paris  office ' }), { token: TOKEN });
    expect(op.statusCode).toBe(201);
    expect((await store.results.list({ sinceMs: null, site: 'Paris office', limit: 10 })).map((r) => r.id)).toEqual([op.json<ResultAck>().id]);
    expect((await post(app, report({ site: '=HYPERLINK("x")' }), { token: TOKEN })).json()).toMatchObject({ reason: 'bad-site' });
    expect(await all()).toHaveLength(3);

    const { app: noToken, store: s2 } = await build({ adminToken: null });
    const refused = await post(noToken, report({ site: 'Paris office' }), { token: TOKEN });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ reason: 'site-needs-operator' });
    expect(await count(s2)).toBe(0);
    expect((await post(noToken, report({ site: 'Paris office' }))).statusCode).toBe(201);
    expect((await s2.results.list({ sinceMs: null, site: null, limit: 10 })).map((r) => r.site)).toEqual([null]);
  });

  it('guards the operator endpoints: 404 without a configured token, 401 without, 403 with a wrong one', async () => {
    const { app: off } = await build({ adminToken: null });
    for (const url of ['/api/results', `/api/results/${'0'.repeat(32)}`]) {
      const res = await operator(off, url);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ reason: 'no-operator' });
    }
    const { app } = await build();
    expect((await operator(app, '/api/results', null)).statusCode).toBe(401);
    expect((await operator(app, '/api/results', 'wrong-token-0123456789')).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/results', headers: { authorization: `Basic ${TOKEN}` } })).statusCode).toBe(401);
    expect((await operator(app, '/api/results')).statusCode).toBe(200);
  });

  it('exports CSV, NDJSON and JSON: one row per test, could-not-test included, filtered by since and site', async () => {
    const { app } = await build();
    await post(app, report({ startedAt: '2026-01-10T08:00:00.000Z', ticket: '=cmd|calc' }));
    await post(app, report({ startedAt: '2026-01-12T08:00:00.000Z', site: 'Lyon', lossEvery: 9 }), { token: TOKEN });
    await post(app, couldNotTest());

    const csv = await operator(app, '/api/results?format=csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.split('\r\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe(EXPORT_COLUMNS.join(','));
    expect(lines).toHaveLength(4);
    const cells = lines.slice(1).map((l) => l.split(','));
    const col = (name: string) => EXPORT_COLUMNS.indexOf(name);
    expect(cells.map((c) => c[col('startedAt')])).toEqual(['2026-01-10T08:00:00.000Z', '2026-01-12T08:00:00.000Z', '2026-01-15T10:30:00.000Z']);
    expect(cells.map((c) => c[col('kind')])).toEqual(['report', 'report', 'could-not-test']);
    expect(cells.map((c) => c[col('verdict')])).toEqual(['pass', 'fail', '']);
    expect(cells[2]?.[col('reason')]).toBe('no-relay');
    // Sorted by startedAt; how each ended, on which profile and probe path.
    expect(cells.map((c) => [c[col('outcome')], c[col('profile')], c[col('path')], c[col('sampleId')]])).toEqual([
      ['complete', 'client-to-edge', 'datachannel', ''],
      ['complete', 'client-to-edge', 'datachannel', ''],
      ['could-not-test', '', '', ''],
    ]);
    expect(cells[0]?.[col('ticket')]).toBe("'=cmd|calc");
    expect(cells[1]?.[col('site')]).toBe('Lyon');
    expect(Number(cells[1]?.[col('lossPct')])).toBeGreaterThan(5);
    expect(cells[1]?.[col('lossPct')]).toMatch(/^\d+\.\d+$/);
    for (const c of cells) expect(c).toHaveLength(EXPORT_COLUMNS.length);
    // Figures as the page shows them (% to 0.01); the JSON keeps the raw value.
    const raw = (await operator(app, '/api/results?format=json')).json<Record<string, unknown>[]>()[1]?.lossPct;
    expect(typeof raw).toBe('number');
    expect(cells[1]?.[col('lossPct')]).toBe(String(Number((raw as number).toFixed(2))));
    expect(String(raw)).not.toBe(cells[1]?.[col('lossPct')]);
    // For spreadsheets whose list separator is ";": the same rows, ";" between fields, a byte order mark first.
    const semi = await operator(app, '/api/results?format=csv&sep=semicolon&bom=1');
    expect(semi.body).toBe(`\uFEFF${csv.body.replace(/,/g, ';')}`);
    // Decimal commas follow the reader's language (or decimal=comma), never the separator: the same cells, numbers with ",".
    const semiRows = semi.body
      .slice(1)
      .split('\r\n')
      .map((l) => l.split(';'));
    const german = await operator(app, '/api/results?format=csv&sep=semicolon&lang=de');
    const germanRows = german.body.split('\r\n').map((l) => l.split(';'));
    expect(germanRows.map((r) => r.length)).toEqual(semiRows.map((r) => r.length));
    germanRows.forEach((row, i) =>
      row.forEach((cell, j) => {
        const point = semiRows[i]?.[j] ?? '';
        expect(cell, `row ${i} ${EXPORT_COLUMNS[j] ?? ''}`).toBe(/^-?\d+\.\d+$/.test(point) ? point.replace('.', ',') : point);
      }),
    );
    expect(germanRows[2]?.[col('lossPct')]).toMatch(/^\d+,\d+$/);
    expect(germanRows[1]?.[col('startedAt')]).toBe('2026-01-10T08:00:00.000Z');
    expect((await operator(app, '/api/results?format=csv&sep=semicolon&lang=de&decimal=point')).body).toBe(semi.body.slice(1));
    expect((await operator(app, '/api/results?format=csv&sep=semicolon&lang=ja')).body).toBe(semi.body.slice(1));
    // A comma decimal under a comma separator is quoted (RFC 4180 §2).
    const quoted = await operator(app, '/api/results?format=csv&decimal=comma');
    expect(quoted.body).toContain(`,"${germanRows[2]?.[col('lossPct')] ?? ''}",`);
    expect((await operator(app, '/api/results?format=csv&decimal=dot')).json()).toMatchObject({ reason: 'bad-decimal' });
    expect((await operator(app, '/api/results?format=csv&sep=tab')).json()).toMatchObject({ reason: 'bad-sep' });
    expect((await operator(app, '/api/results?format=csv&bom=yes')).json()).toMatchObject({ reason: 'bad-bom' });

    const nd = await operator(app, '/api/results?format=ndjson&since=2026-01-11');
    expect(nd.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const rows = nd.body
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => r.kind)).toEqual(['report', 'could-not-test']);
    expect(Object.keys(rows[0] ?? {})).toEqual(EXPORT_COLUMNS);
    expect(nd.body).not.toContain(CLIENT);

    const site = await operator(app, '/api/results?site=Lyon&since=2026-01-01T00:00:00Z');
    expect(site.json<Record<string, unknown>[]>().map((r) => r.site)).toEqual(['Lyon']);
    expect((await operator(app, '/api/results?since=last%20week')).json()).toMatchObject({ reason: 'bad-since' });
    expect((await operator(app, '/api/results?format=xml')).statusCode).toBe(400);
    expect((await operator(app, '/api/results?site=Lyon&site=Paris')).json()).toMatchObject({ reason: 'bad-query' });
  });

  it('stores and shares a could-not-test record and a schema-1 report as sent', async () => {
    const { app } = await build();
    // As the page writes it (src/web/results.ts couldNotTestRecord): its settings, to run it again.
    const rec = couldNotTest({
      reason: 'config-unavailable',
      meta: {
        site: null,
        ticket: 'HD-9',
        startedAt: '2026-01-15T10:29:40.000Z',
        callprobeVersion: '0.1.0',
        browser: `Mozilla/5.0 (X11; Linux x86_64) ${'AppleWebKit/537.36 (KHTML, like Gecko) '.repeat(6)}Chrome/130.0.0.0 Safari/537.36`,
        server: 'http://127.0.0.1:8080',
        profile: { id: 'azure-region', azureRegion: 'West Europe', from: 'site' },
        durationS: 15,
        turn: 'udp:3479',
      },
    });
    const a = await post(app, rec);
    expect(a.statusCode).toBe(201);
    expect((await app.inject({ method: 'GET', url: `/api/r/${a.json<ResultAck>().code}` })).json<SharedResult>().report).toEqual(rec);
    const old = v1();
    const b = await post(app, old);
    expect(b.statusCode).toBe(201);
    expect((await app.inject({ method: 'GET', url: `/api/r/${b.json<ResultAck>().code}` })).json<SharedResult>().report).toEqual(old);
  });

  it('rate-limits POST per address, IPv6 by its /64', async () => {
    const { app, store } = await build({ postsPerMinutePerIp: 3 });
    for (let i = 0; i < 3; i++) expect((await post(app, report(), { ip: `2001:db8:1:2::${i + 1}` })).statusCode).toBe(201);
    const limited = await post(app, report(), { ip: '2001:db8:1:2:ffff::9' });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ reason: 'rate-limited' });
    expect(limited.headers['retry-after']).toBeDefined();
    expect((await post(app, report(), { ip: '2001:db8:1:3::1' })).statusCode).toBe(201);
    expect((await post(app, report(), { ip: '203.0.113.1' })).statusCode).toBe(201);
    expect(await count(store)).toBe(5);
    expect(sourceKey('::ffff:203.0.113.1')).toBe('203.0.113.1');
    expect(sourceKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::');
  });

  it('takes X-Forwarded-For only from a --trust-proxy address', async () => {
    const { app: direct } = await build();
    const a = await post(direct, report(), { ip: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.50' } });
    expect((await operator(direct, `/api/results/${a.json<ResultAck>().id}`)).json()).toMatchObject({ addresses: [{ address: '127.0.0.1' }] });
    const { app: proxied } = await build({ trustProxy: ['127.0.0.1'] });
    const b = await post(proxied, report(), { ip: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.50' } });
    expect((await operator(proxied, `/api/results/${b.json<ResultAck>().id}`)).json()).toMatchObject({
      addresses: [{ address: '203.0.113.50', truncated: '203.0.113.0/24' }],
    });
    const c = await post(proxied, report(), { ip: '192.0.2.1', headers: { 'x-forwarded-for': '203.0.113.50' } });
    expect((await operator(proxied, `/api/results/${c.json<ResultAck>().id}`)).json()).toMatchObject({ addresses: [{ address: '192.0.2.1' }] });
  });

  it('forgets the address after 28 days and the report after 365 (injected clock)', async () => {
    const { app, store, clock } = await build();
    const ack = (await post(app, report())).json<ResultAck>();
    clock.advance(28 * DAY_MS + 1);
    await store.purge(clock.nowMs());
    expect((await operator(app, `/api/results/${ack.id}`)).json()).toMatchObject({ addresses: [] });
    expect((await app.inject({ method: 'GET', url: `/api/r/${ack.code}` })).statusCode).toBe(200);
    clock.advance(337 * DAY_MS);
    await store.purge(clock.nowMs());
    expect((await app.inject({ method: 'GET', url: `/api/r/${ack.code}` })).statusCode).toBe(404);
  });

  it('with --no-store stores nothing and says so', async () => {
    const { app } = await build({ noStore: true });
    const res = await post(app, report());
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ reason: 'no-store' });
    expect((await app.inject({ method: 'GET', url: '/r/ZZZZ-ZZZZ' })).statusCode).toBe(404);
  });
});
