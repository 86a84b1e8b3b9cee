/**
 * A test run again from a stored result claims it (`meta.previousCode`): the upload door keeps
 * the claim only for a code this server stored within 30 days, in its canonical form, by a test
 * that started after it, and drops it otherwise (unknown, older, malformed, planted before) while
 * storing the report; the store's chain then reads the link both ways, the later tests newest
 * first with their count, and notes a claim from another network than the claimed result's. On
 * SQLite and a real PostgreSQL.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { beforeAll, expect, it } from 'vitest';
import type { ResultAck, SharedResult } from '../../../src/protocol/api.js';
import { buildApp } from '../../../server/http/app.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import { DAY_MS, type ResultStore } from '../../../server/store/index.js';
import { reflectorInput } from '../../analysis/report/inputs.js';
import { appOptionsWithoutRelay } from '../../kit/app-options.js';
import { describeEachKind, open, storeOptions, testClock, type TestClock } from '../store/store-kit.js';

const CLEAN = JSON.parse(JSON.stringify(analyze(reflectorInput({ count: 300, meta: { startedAt: '2026-03-01T10:00:00.000Z' } })))) as {
  meta: Record<string, unknown>;
};

/** The clean report, started at `startedAt`, claiming `previous` (absent: none). */
function report(startedAt: string, previous?: unknown): Record<string, unknown> {
  return { ...CLEAN, meta: { ...CLEAN.meta, startedAt, ...(previous === undefined ? {} : { previousCode: previous }) } };
}

describeEachKind('a claimed earlier result', (kind, opened) => {
  let webRoot: string;
  let app: FastifyInstance;
  let store: ResultStore;
  let clock: TestClock;
  beforeAll(async () => {
    webRoot = mkdtempSync(join(tmpdir(), 'callprobe-previous-web-'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>callprobe page</title>');
    clock = testClock(Date.UTC(2026, 2, 1, 12));
    store = await open(await kind.freshTarget(), storeOptions(clock, 17));
    app = await buildApp({
      ...appOptionsWithoutRelay(webRoot),
      results: {
        store,
        adminToken: null,
        bodyLimitBytes: 256 * 1024,
        postsPerMinutePerIp: 1000,
        readsPerMinutePerIp: 1000,
        storedBytesPerDayPerSource: 1 << 30,
        failedLookupsPerMinute: 100_000,
        nowMs: () => clock.nowMs(),
      },
    });
    await app.ready();
    opened.push({
      close: async () => {
        await app.close();
        await store.close();
        rmSync(webRoot, { recursive: true, force: true });
      },
    });
  }, 90_000);

  /** Stores a report (through `via`, default the app above, from `ip`); its code and the previousCode the server kept (null: none). */
  async function upload(body: Record<string, unknown>, via: FastifyInstance = app, ip = '198.51.100.23'): Promise<{ code: string; kept: unknown }> {
    const res = await via.inject({
      method: 'POST',
      url: '/api/results',
      remoteAddress: ip,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    expect(res.statusCode, res.body).toBe(201);
    const { code } = res.json<ResultAck>();
    const shared = (await app.inject({ method: 'GET', url: `/api/r/${code}` })).json<SharedResult>();
    return { code, kept: (shared.report as { meta: { previousCode?: unknown } }).meta.previousCode ?? null };
  }

  it('keeps a stored code (typed leniently: canonical) and links the two both ways', async () => {
    const first = await upload(report('2026-03-01T11:00:00.000Z'));
    clock.advance(60_000);
    const second = await upload(report('2026-03-01T11:01:00.000Z', first.code.toLowerCase().replace('-', '')));
    expect(second.kept).toBe(first.code);
    const third = await upload(report('2026-03-01T11:02:00.000Z', first.code));
    const fromSecond = await store.chain.linksOf(second.code, 20);
    expect(fromSecond.earlier).toMatchObject({ code: first.code, verdict: 'insufficient', startedAtMs: Date.parse('2026-03-01T11:00:00.000Z') });
    expect(fromSecond.later).toEqual([]);
    const fromFirst = await store.chain.linksOf(first.code, 20);
    expect(fromFirst.earlier).toBeNull();
    expect(fromFirst.later.map((l) => l.code)).toEqual([third.code, second.code]);
    expect(fromFirst.laterTotal).toBe(2);
    expect((await store.chain.linksOf(first.code, 1)).later.map((l) => l.code)).toEqual([third.code]);
  });

  it('drops an unknown code, a malformed one and one stored more than 30 days ago, storing the report all the same', async () => {
    expect((await upload(report('2026-03-01T11:03:00.000Z', 'ZZZZ-ZZZZ'))).kept).toBeNull();
    expect((await upload(report('2026-03-01T11:04:00.000Z', 'not a code'))).kept).toBeNull();
    expect((await upload(report('2026-03-01T11:05:00.000Z', 42))).kept).toBeNull();
    const old = await upload(report('2026-03-01T11:06:00.000Z'));
    clock.advance(30 * DAY_MS - 1_000);
    const young = await upload(report('2026-03-31T11:00:00.000Z', old.code));
    expect(young.kept).toBe(old.code);
    clock.advance(2_000);
    const late = await upload(report('2026-03-31T11:01:00.000Z', old.code));
    expect(late.kept).toBeNull();
    expect((await store.chain.linksOf(late.code, 20)).earlier).toBeNull();
    expect((await store.chain.linksOf(old.code, 20)).later.map((l) => l.code)).toEqual([young.code]);
  });

  it("counts an unknown claim among its network's failed lookups: once they are spent, its claims are dropped unchecked", async () => {
    const strict = await buildApp({
      ...appOptionsWithoutRelay(webRoot),
      results: {
        store,
        adminToken: null,
        bodyLimitBytes: 256 * 1024,
        postsPerMinutePerIp: 1000,
        readsPerMinutePerIp: 1000,
        storedBytesPerDayPerSource: 1 << 30,
        failedLookupsPerMinute: 1,
        nowMs: () => clock.nowMs(),
      },
    });
    opened.push({ close: () => strict.close() });
    const known = await upload(report('2026-03-31T12:00:00.000Z'), strict);
    expect((await upload(report('2026-03-31T12:01:00.000Z', known.code), strict)).kept).toBe(known.code);
    expect((await upload(report('2026-03-31T12:02:00.000Z', 'ZZZZ-ZZZZ'), strict)).kept).toBeNull();
    // The minute's one failure is spent, by this network: even a stored code is not looked up.
    expect((await upload(report('2026-03-31T12:03:00.000Z', known.code), strict)).kept).toBeNull();
    // Another network has its free pass.
    expect((await upload(report('2026-03-31T12:04:00.000Z', known.code), strict, '203.0.113.9')).kept).toBe(known.code);
  });

  it('keeps no claim from a test started before the claimed one; lists the newest first, counted, a claim from another network marked', async () => {
    const at = (minutes: number): string => new Date(clock.nowMs() + minutes * 60_000).toISOString();
    const victim = await upload(report(at(-30)), app, '198.51.100.23');
    // The red team's 25 planted re-runs from another network, started 31 to 55 min before the victim's own re-run: none kept.
    for (let i = 0; i < 25; i++) expect((await upload(report(at(-55 + i), victim.code), app, '203.0.113.66')).kept, `planted ${i}`).toBeNull();
    // Started after it: kept (a browser's claim), but marked as from another network.
    const after = await upload(report(at(-20), victim.code), app, '203.0.113.66');
    expect(after.kept).toBe(victim.code);
    // The victim's real re-run, from its own network, latest: first in the list, unmarked.
    const real = await upload(report(at(-10), victim.code), app, '198.51.100.23');
    expect(real.kept).toBe(victim.code);
    const links = await store.chain.linksOf(victim.code, 1);
    expect(links.later.map((l) => [l.code, l.otherNetwork])).toEqual([[real.code, false]]);
    expect(links.laterTotal).toBe(2);
    expect((await store.chain.linksOf(after.code, 20)).earlier).toMatchObject({ code: victim.code, otherNetwork: true });
  });
});
