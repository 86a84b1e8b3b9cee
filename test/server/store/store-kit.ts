/** Opening each store kind for the shared suites: SQLite in a temporary file, PostgreSQL in the run's throwaway cluster. */
import Database from 'better-sqlite3';
import pg from 'pg';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '../../kit/prng.js';
import { postgresNeed, runPostgres, uniqueDatabaseName, type TestPostgres } from '../../kit/postgres.js';
import { skipReason, type Need } from '../../kit/requires.js';
import { afterAll, beforeAll, describe, expect, inject } from 'vitest';
import { openStore } from '../../../server/store/index.js';
import type { DbTarget } from '../../../server/store/target.js';
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
function seededBytes(seed: number): (n: number) => Uint8Array {
  const next = mulberry32(seed);
  return (n) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
}

export interface StoreKind {
  name: 'sqlite' | 'postgres';
  /** What this kind needs on the machine (a suite skips, or in CI fails, without it: test/kit/requires.ts). */
  need: Need;
  /** Prepare (reach the run's cluster); call in beforeAll. */
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
    need: { tool: 'better-sqlite3', missing: null },
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
  return {
    name: 'postgres',
    need: postgresNeed(),
    setup: async () => {
      cluster = await runPostgres();
    },
    freshTarget: async () => {
      if (!cluster) throw new Error('postgres kind used before setup()');
      return { kind: 'postgres', url: await cluster.createDatabase(uniqueDatabaseName('callprobe')) };
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

/** Which project runs which store kind of a file (vitest.config.ts provides it). */
const STORE_KINDS = 'storeKinds';

declare module 'vitest' {
  export interface ProvidedContext {
    [STORE_KINDS]: {
      /** The kinds this project runs (unit: SQLite alone, it starts no PostgreSQL). */
      kinds: StoreKind['name'][];
      /** Files whose SQLite half the unit project runs: here, their PostgreSQL half alone (absolute paths). */
      sqliteInUnit: string[];
    };
  }
}

/** Whether this project runs `kind` for the current file; without the config's word (a run outside vitest.config.ts), every kind. */
function kindRunsHere(kind: StoreKind): boolean {
  const here = inject(STORE_KINDS);
  if (here === undefined) return true;
  if (!here.kinds.includes(kind.name)) return false;
  return !(kind.name === 'sqlite' && here.sqliteInUnit.includes(expect.getState().testPath ?? ''));
}

/**
 * `describe` when `kind` (and `more`) can run here, else `describe.skip`; in CI a missing tool
 * fails instead (test/kit/requires.ts). A kind another project runs (the PostgreSQL half of a
 * unit file runs in `integration`) is skipped here.
 */
export function describeKind(suite: string, kind: StoreKind, more: readonly Need[] = []): typeof describe.skip {
  if (!kindRunsHere(kind)) return describe.skip;
  return skipReason(`${suite} on ${kind.name}`, [kind.need, ...more]) === null ? describe : describe.skip;
}

/** Something a suite opened and closes when it ends (a store, an app with its store). */
export interface Closable {
  close(): Promise<void>;
}

/**
 * `body` once per store kind (SQLite, then PostgreSQL), titled `${suite}: sqlite` and so on: the
 * kind is set up before the suite's tests and torn down after them, and whatever the tests push
 * on `opened` is closed first. A kind this machine lacks skips (fails in CI: describeKind).
 */
export function describeEachKind(suite: string, body: (kind: StoreKind, opened: Closable[]) => void): void {
  describe.each([sqliteKind(), postgresKind()])(`${suite}: $name`, (kind) => {
    describeKind(suite, kind)(`on ${kind.name}`, () => {
      const opened: Closable[] = [];
      beforeAll(async () => {
        await kind.setup();
      }, 90_000);
      afterAll(async () => {
        for (const s of opened.reverse()) await s.close();
        await kind.teardown();
      }, 60_000);
      body(kind, opened);
    });
  });
}

/** Runs `sql` on the database of `target` directly (a row as an older callprobe left it, a version marker). */
export async function execSql(target: DbTarget, sql: string): Promise<void> {
  if (target.kind === 'sqlite') {
    const db = new Database(target.path);
    db.exec(sql);
    db.close();
    return;
  }
  const c = new pg.Client({ connectionString: target.url });
  await c.connect();
  await c.query(sql);
  await c.end();
}
