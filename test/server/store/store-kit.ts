/** Opening each store kind for the shared suites: SQLite in a temporary file, PostgreSQL in a throwaway cluster. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '../../kit/prng.js';
import { postgresUnavailable, startPostgres, type TestPostgres } from '../../kit/postgres.js';
import { openStore } from '../../../server/store/index.js';
import type { DbTarget } from '../../../src/protocol/defaults.js';
import type { ResultStore, StoreOptions } from '../../../server/store/types.js';

/** A settable clock (ms since the epoch). */
export interface TestClock {
  nowMs(): number;
  set(ms: number): void;
  advance(ms: number): void;
}

export function testClock(startMs = Date.UTC(2026, 0, 15, 12, 0, 0)): TestClock {
  let now = startMs;
  return { nowMs: () => now, set: (ms) => (now = ms), advance: (ms) => (now += ms) };
}

/** Seeded bytes (reproducible codes and ids). */
export function seededBytes(seed: number): (n: number) => Uint8Array {
  const next = mulberry32(seed);
  return (n) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
}

export interface StoreKind {
  name: 'sqlite' | 'postgres';
  /** Why this kind is skipped here, or null. */
  unavailable: string | null;
  /** Prepare (start the cluster); call in beforeAll. */
  setup(): Promise<void>;
  /** A fresh, empty database. */
  freshTarget(): Promise<DbTarget>;
  teardown(): Promise<void>;
}

export function sqliteKind(): StoreKind {
  let dir = '';
  let n = 0;
  return {
    name: 'sqlite',
    unavailable: null,
    setup: async () => {
      dir = await mkdtemp(join(tmpdir(), 'callprobe-sqlite-'));
    },
    freshTarget: async () => ({ kind: 'sqlite', path: join(dir, `db${++n}`, 'callprobe.db') }),
    teardown: async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export function postgresKind(): StoreKind {
  let cluster: TestPostgres | null = null;
  let n = 0;
  const unavailable = postgresUnavailable();
  if (unavailable !== null) console.warn(`PostgreSQL store tests skipped: ${unavailable}`);
  return {
    name: 'postgres',
    unavailable,
    setup: async () => {
      cluster = await startPostgres();
    },
    freshTarget: async () => {
      if (!cluster) throw new Error('postgres kind used before setup()');
      return { kind: 'postgres', url: await cluster.createDatabase(`callprobe_${++n}`) };
    },
    teardown: async () => {
      await cluster?.stop();
      cluster = null;
    },
  };
}

export function storeOptions(clock: TestClock, seed: number, overrides: Partial<StoreOptions> = {}): StoreOptions {
  return { nowMs: clock.nowMs, randomBytes: seededBytes(seed), retainDays: 365, retainIpDays: 28, warn: (m) => console.warn(m), ...overrides };
}

export async function open(target: DbTarget, opts: StoreOptions): Promise<ResultStore> {
  return openStore(target, opts);
}
