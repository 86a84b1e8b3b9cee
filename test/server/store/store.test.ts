/** The same results-store suite against SQLite (a temporary file) and PostgreSQL (a throwaway cluster). */
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect, it } from 'vitest';
import { DAY_MS, StoreError, type NewResult } from '../../../server/store/index.js';
import { LATEST_SCHEMA, MIGRATIONS } from '../../../server/store/schema.js';
import type { DbTarget } from '../../../server/store/target.js';
import { describeEachKind, execSql, open, storeOptions, testClock } from './store-kit.js';

function newResult(over: Partial<NewResult> = {}): NewResult {
  return {
    sampleId: null,
    kind: 'report',
    startedAtMs: Date.UTC(2026, 0, 15, 11, 0, 0),
    site: null,
    ticket: null,
    verdict: 'pass',
    reportJson: '{"schemaVersion":2,"x":1}',
    address: '203.0.113.7',
    ...over,
  };
}

describeEachKind('results store', (kind, opened) => {
  async function fresh(seed = 1, clock = testClock()) {
    const target = await kind.freshTarget();
    const store = await open(target, storeOptions(clock, seed));
    opened.push(store);
    return { store, clock, target };
  }

  it('stores a result and finds it by code and by id, the address only by id', async () => {
    const { store, clock } = await fresh();
    const { result, created } = await store.results.put(newResult({ site: 'Paris', ticket: 'T-1' }));
    expect(created).toBe(true);
    expect(result.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(result.id).toMatch(/^[0-9a-f]{32}$/);
    expect(result.storedAtMs).toBe(clock.nowMs());
    expect(result).toMatchObject({ site: 'Paris', ticket: 'T-1', verdict: 'pass', kind: 'report', reportJson: '{"schemaVersion":2,"x":1}' });
    const byCode = await store.results.getByCode(result.code);
    expect(byCode).toEqual(result);
    expect(JSON.stringify(byCode)).not.toContain('203.0.113');
    const byId = await store.results.getById(result.id);
    expect(byId?.addresses).toEqual([{ address: '203.0.113.7', truncated: '203.0.113.0/24', storedAtMs: clock.nowMs() }]);
    expect(await store.results.getByCode('ZZZZ-ZZZZ')).toBeNull();
    expect(await store.results.getById('nope')).toBeNull();
  });

  it('stores a result without an address, and an IPv6 address truncated to /48', async () => {
    const { store } = await fresh(2);
    const a = await store.results.put(newResult({ address: null }));
    expect((await store.results.getById(a.result.id))?.addresses).toEqual([]);
    const b = await store.results.put(newResult({ address: '2001:db8:1234:5678::9' }));
    expect((await store.results.getById(b.result.id))?.addresses.map((x) => x.truncated)).toEqual(['2001:db8:1234::/48']);
  });

  it('stores one record for the same sampleId twice, and answers the first', async () => {
    const { store, clock } = await fresh(3);
    const first = await store.results.put(newResult({ sampleId: 'sample-0001', verdict: 'fail' }));
    clock.advance(1000);
    const again = await store.results.put(newResult({ sampleId: 'sample-0001', verdict: 'pass', address: '198.51.100.1' }));
    expect(again.created).toBe(false);
    expect(again.result).toEqual(first.result);
    expect(await store.results.list({ sinceMs: null, site: null, limit: 100 })).toHaveLength(1);
    expect((await store.results.getById(first.result.id))?.addresses.map((x) => x.address)).toEqual(['203.0.113.7']);
    // Another sampleId and no sampleId are new records.
    expect((await store.results.put(newResult({ sampleId: 'sample-0002' }))).created).toBe(true);
    expect((await store.results.put(newResult())).created).toBe(true);
    expect((await store.results.put(newResult())).created).toBe(true);
    expect(await store.results.list({ sinceMs: null, site: null, limit: 100 })).toHaveLength(4);
  });

  it('stores one record when the same sampleId arrives concurrently', async () => {
    const { store } = await fresh(4);
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => store.results.put(newResult({ sampleId: 'sample-race' }))));
    expect(outcomes.filter((o) => o.created)).toHaveLength(1);
    expect(new Set(outcomes.map((o) => o.result.id)).size).toBe(1);
    expect(await store.results.list({ sinceMs: null, site: null, limit: 100 })).toHaveLength(1);
  });

  it('draws another code when the first is taken', async () => {
    const clock = testClock();
    const target = await kind.freshTarget();
    // The first two puts draw the same id and code bytes; the second must retry with fresh ones.
    const script = [new Uint8Array(16).fill(1), new Uint8Array(5).fill(7), new Uint8Array(16).fill(2), new Uint8Array(5).fill(7)];
    let i = 0;
    const store = await open(target, storeOptions(clock, 5, { randomBytes: (n) => script[i++] ?? new Uint8Array(n).fill(i) }));
    opened.push(store);
    const a = await store.results.put(newResult());
    const b = await store.results.put(newResult());
    expect(a.result.code).toBe('0W3G-E1R7');
    expect(b.result.code).not.toBe(a.result.code);
    expect(i).toBeGreaterThan(4);
  });

  it('lists oldest first, filtered by start time and site, bounded by the limit', async () => {
    const { store } = await fresh(6);
    const t0 = Date.UTC(2026, 0, 10);
    for (let d = 0; d < 6; d++)
      await store.results.put(
        newResult({
          startedAtMs: t0 + d * DAY_MS,
          site: d % 2 === 0 ? 'Paris' : 'Lyon',
          kind: d === 5 ? 'could-not-test' : 'report',
          verdict: d === 5 ? null : 'pass',
        }),
      );
    const all = await store.results.list({ sinceMs: null, site: null, limit: 100 });
    expect(all.map((r) => r.startedAtMs)).toEqual([0, 1, 2, 3, 4, 5].map((d) => t0 + d * DAY_MS));
    expect((await store.results.list({ sinceMs: t0 + 2 * DAY_MS, site: null, limit: 100 })).map((r) => r.startedAtMs)).toEqual(
      [2, 3, 4, 5].map((d) => t0 + d * DAY_MS),
    );
    expect((await store.results.list({ sinceMs: null, site: 'Paris', limit: 100 })).map((r) => r.site)).toEqual(['Paris', 'Paris', 'Paris']);
    expect((await store.results.list({ sinceMs: t0 + 3 * DAY_MS, site: 'Lyon', limit: 100 })).map((r) => r.kind)).toEqual(['report', 'could-not-test']);
    expect(await store.results.list({ sinceMs: null, site: null, limit: 2 })).toHaveLength(2);
    expect(await store.results.list({ sinceMs: null, site: 'Nowhere', limit: 100 })).toEqual([]);
  });

  it('finds tickets by their start in any case, where % _ and a backslash match only themselves', async () => {
    const { store } = await fresh(11);
    for (const ticket of ['INC-4711', 'inc-4712', 'INC_1', 'INCX1', '50% off', '50 off', 'a\\b', 'ab', null]) await store.results.put(newResult({ ticket }));
    const found = async (ticketPrefix: string): Promise<(string | null)[]> =>
      (await store.results.list({ sinceMs: null, site: null, limit: 100, ticketPrefix })).map((r) => r.ticket).sort();
    expect(await found('inc-471')).toEqual(['INC-4711', 'inc-4712']);
    expect(await found('INC-4711')).toEqual(['INC-4711']);
    expect(await found('Inc')).toEqual(['INC-4711', 'INCX1', 'INC_1', 'inc-4712']);
    expect(await found('INC_')).toEqual(['INC_1']);
    expect(await found('50%')).toEqual(['50% off']);
    expect(await found('a\\')).toEqual(['a\\b']);
    expect(await found('NC')).toEqual([]);
    expect(await store.results.list({ sinceMs: null, site: null, limit: 100 })).toHaveLength(9);
  });

  it('purges addresses after 28 days and reports after 365 (injected clock)', async () => {
    const { store, clock } = await fresh(7);
    const start = clock.nowMs();
    const old = await store.results.put(newResult());
    clock.advance(10 * DAY_MS);
    const younger = await store.results.put(newResult({ address: '198.51.100.9' }));

    clock.set(start + 28 * DAY_MS - 1);
    expect(await store.purge(clock.nowMs())).toEqual({ addressesDeleted: 0, resultsDeleted: 0, wiped: true });
    clock.set(start + 28 * DAY_MS + 1);
    expect(await store.purge(clock.nowMs())).toEqual({ addressesDeleted: 1, resultsDeleted: 0, wiped: true });
    expect((await store.results.getById(old.result.id))?.addresses).toEqual([]);
    expect((await store.results.getById(younger.result.id))?.addresses).toHaveLength(1);
    // The address-free report stays and is still shared by its code.
    expect((await store.results.getByCode(old.result.code))?.reportJson).toBe(old.result.reportJson);

    clock.set(start + 38 * DAY_MS + 1);
    expect(await store.purge(clock.nowMs())).toEqual({ addressesDeleted: 1, resultsDeleted: 0, wiped: true });
    clock.set(start + 365 * DAY_MS - 1);
    expect(await store.purge(clock.nowMs())).toEqual({ addressesDeleted: 0, resultsDeleted: 0, wiped: true });
    clock.set(start + 365 * DAY_MS + 1);
    expect(await store.purge(clock.nowMs())).toEqual({ addressesDeleted: 0, resultsDeleted: 1, wiped: true });
    expect(await store.results.getByCode(old.result.code)).toBeNull();
    expect(await store.results.getByCode(younger.result.code)).not.toBeNull();
    clock.set(start + 375 * DAY_MS + 1);
    expect(await store.purge(clock.nowMs())).toEqual({ addressesDeleted: 0, resultsDeleted: 1, wiped: true });
    expect(await store.results.list({ sinceMs: null, site: null, limit: 10 })).toEqual([]);
  });

  it('migrates once: a second open of the same database keeps its results', async () => {
    const { store, target, clock } = await fresh(8);
    const a = await store.results.put(newResult());
    await store.close();
    opened.splice(opened.indexOf(store), 1);
    const again = await open(target, storeOptions(clock, 9));
    opened.push(again);
    expect((await again.results.getByCode(a.result.code))?.id).toBe(a.result.id);
    const versions = await schemaVersions(target);
    expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('migrates once when two servers open a fresh database together', async () => {
    const target = await kind.freshTarget();
    const clock = testClock();
    const both = await Promise.all([open(target, storeOptions(clock, 12)), open(target, storeOptions(clock, 13))]);
    opened.push(...both);
    expect(await schemaVersions(target)).toEqual(MIGRATIONS.map((m) => m.version));
    const a = await both[0].results.put(newResult());
    expect((await both[1].results.getByCode(a.result.code))?.id).toBe(a.result.id);
  });

  it('refuses a database with a newer schema than it knows', async () => {
    const { store, target, clock } = await fresh(10);
    await store.close();
    opened.splice(opened.indexOf(store), 1);
    await execSql(target, `INSERT INTO schema_migrations (version, applied_at) VALUES (${LATEST_SCHEMA + 1}, 0)`);
    const err = await open(target, storeOptions(clock, 11)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).reason).toBe('newer-schema');
  });
});

async function schemaVersions(target: DbTarget): Promise<number[]> {
  if (target.kind === 'sqlite') {
    const db = new Database(target.path, { readonly: true });
    const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
    db.close();
    return rows.map((r) => r.version);
  }
  const c = new pg.Client({ connectionString: target.url });
  await c.connect();
  const rows = (await c.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows;
  await c.end();
  return rows.map((r) => Number(r.version));
}
