/**
 * A purged client address leaves no bytes in the store's files: the raw bytes of SQLite's
 * database, -wal and -shm files, and of PostgreSQL's heap file of result_addresses (found with
 * pg_relation_filepath in the throwaway cluster's data directory), are searched for every
 * address the purge deleted, in full and truncated. Before the purge they are there (the search
 * finds what it looks for); addresses younger than --retain-ip-days stay.
 * Before secure_delete, the WAL checkpoint and VACUUM FULL, every purged address was still in
 * the SQLite files and a third of them in PostgreSQL's heap after a plain VACUUM.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, openStore, type NewResult, type ResultStore } from '../../../server/store/index.js';
import { truncatedAddress } from '../../../server/store/results/sql.js';
import { postgresNeed, startPostgres, type TestPostgres } from '../../kit/postgres.js';
import { skipReason } from '../../kit/requires.js';
import { storeOptions, testClock, type TestClock } from './store-kit.js';

/** 30 addresses purged (IPv4 and IPv6, each its own /24 or /48) and 10 kept. */
const PURGED = Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? `198.51.${100 + i}.${i + 7}` : `2001:db8:${(0xd00 + i).toString(16)}:1::beef`));
const KEPT = Array.from({ length: 10 }, (_, i) => `203.0.113.${i + 20}`);

function result(address: string, i: number): NewResult {
  return {
    sampleId: null,
    kind: 'report',
    startedAtMs: Date.UTC(2026, 0, 15, 11, 0, i),
    site: null,
    ticket: null,
    verdict: 'pass',
    reportJson: '{"schemaVersion":2,"x":1}',
    address,
  };
}

/** Occurrences of each address (in full and truncated) in the files. */
function occurrences(files: readonly string[], addresses: readonly string[]): number {
  const texts = files.filter((f) => existsSync(f)).map((f) => readFileSync(f).toString('latin1'));
  let n = 0;
  for (const a of addresses) for (const needle of [a, truncatedAddress(a)]) for (const t of texts) n += t.split(needle).length - 1;
  return n;
}

/** Stores PURGED, then KEPT 20 days later, and moves the clock past the purged ones' retention. */
async function fill(store: ResultStore, clock: TestClock): Promise<void> {
  for (const [i, a] of PURGED.entries()) await store.results.put(result(a, i));
  clock.advance(20 * DAY_MS);
  for (const [i, a] of KEPT.entries()) await store.results.put(result(a, i));
  clock.advance(8 * DAY_MS + 1);
}

describe('a purged address is in no SQLite file (database, -wal, -shm)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'callprobe-retention-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('after the purge, with secure_delete and the WAL checkpointed and truncated', async () => {
    const path = join(dir, 'callprobe.db');
    const files = [path, `${path}-wal`, `${path}-shm`];
    const clock = testClock();
    const store = await openStore({ kind: 'sqlite', path }, storeOptions(clock, 3));
    try {
      await fill(store, clock);
      const before = occurrences(files, PURGED);
      expect(before).toBeGreaterThanOrEqual(PURGED.length * 2);
      expect(await store.purge(clock.nowMs())).toEqual({ addressesDeleted: PURGED.length, resultsDeleted: 0, wiped: true });
      const after = occurrences(files, PURGED);
      console.log(`[retention-disk] SQLite: ${before} occurrences of the purged addresses before the purge, ${after} after`);
      expect(after).toBe(0);
      expect(occurrences(files, KEPT)).toBeGreaterThanOrEqual(KEPT.length);
    } finally {
      await store.close();
    }
  });
});

// A cluster of its own: the test reads its heap files and WAL.
const noPostgres = skipReason('a purged address is not in PostgreSQL heap', [postgresNeed()]);
describe.skipIf(noPostgres !== null)('a purged address is not in PostgreSQL heap of result_addresses', () => {
  let cluster: TestPostgres;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 90_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('after the purge (VACUUM FULL); the WAL keeps them until its segments are recycled (SECURITY.md)', async () => {
    const url = await cluster.createDatabase('retention');
    const clock = testClock();
    const store = await openStore({ kind: 'postgres', url }, storeOptions(clock, 4));
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const heap = async (): Promise<string> =>
        join(cluster.dataDir, (await admin.query<{ p: string }>("SELECT pg_relation_filepath('result_addresses') AS p")).rows[0]?.p ?? '');
      // The purge at open found nothing to delete; what follows is stored, then flushed to the heap file.
      await fill(store, clock);
      await admin.query('CHECKPOINT');
      const oldHeap = await heap();
      const before = occurrences([oldHeap], PURGED);
      expect(before).toBeGreaterThanOrEqual(PURGED.length * 2);
      expect(await store.purge(clock.nowMs())).toEqual({ addressesDeleted: PURGED.length, resultsDeleted: 0, wiped: true });
      await admin.query('CHECKPOINT');
      const after = occurrences([await heap(), oldHeap], PURGED);
      const walDir = join(cluster.dataDir, 'pg_wal');
      const wal = readFileSync(join(walDir, (await admin.query<{ f: string }>('SELECT pg_walfile_name(pg_current_wal_lsn()) AS f')).rows[0]?.f ?? ''));
      console.log(
        `[retention-disk] PostgreSQL: ${before} occurrences of the purged addresses in the heap before the purge, ${after} after; the current WAL segment still holds ${PURGED.filter((a) => wal.includes(a)).length} of ${PURGED.length}`,
      );
      expect(after).toBe(0);
      expect(occurrences([await heap()], KEPT)).toBeGreaterThanOrEqual(KEPT.length);
    } finally {
      await admin.end();
      await store.close();
    }
  }, 60_000);
});
