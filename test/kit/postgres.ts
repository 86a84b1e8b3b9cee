/**
 * Throwaway PostgreSQL clusters for tests: `initdb` and `pg_ctl` in a fresh temporary directory,
 * on a random free port of 127.0.0.1 (trust auth, loopback only), the unix socket inside that
 * directory. initdb and pg_ctl refuse to run as root, so as root they run as the `postgres` user
 * (runuser). Where that is impossible (not root, no binaries), `postgresUnavailable()` says why.
 *
 * Two ways to get one: `startPostgres()` starts a cluster of the caller's own (stopped by its
 * `stop()`); `runPostgres()` hands out the one cluster of this `vitest run`, started by the first
 * test file that asks and stopped by the global teardown (test/kit/global-setup.ts), on which
 * each file makes databases of its own: a cluster start costs about 2 s, a database 0.3 s.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { freeTcpPort } from './net.js';
import { runProcess } from './process.js';
import { TestKitError } from './errors.js';
import type { Need } from './requires.js';
import { waitFor } from './wait.js';

export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  /** The cluster's data directory (its heap files and WAL). */
  dataDir: string;
  /** A fresh, empty database on this cluster; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the cluster (fast shutdown) and removes its directory; a no-op for the run's shared cluster. */
  stop(): Promise<void>;
}

/** A running cluster, as written down for the other test processes of the run. */
interface Cluster {
  bin: string;
  dir: string;
  dataDir: string;
  port: number;
}

/** The newest installed PostgreSQL's bin directory (Debian: /usr/lib/postgresql/<major>/bin), or null. */
function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const majors = readdirSync(root)
    .filter((d) => /^\d+$/.test(d) && existsSync(join(root, d, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? null : join(root, majors[0], 'bin');
}

function postgresUid(): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
  } catch {
    return null;
  }
}

/** Why a test cluster cannot start here, or null when it can. */
function postgresUnavailable(): string | null {
  if (postgresBinDir() === null) return 'PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb missing; .ci/run installs it)';
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) return 'not root: the kit runs initdb as the postgres user through runuser, which needs root';
  if (postgresUid() === null) return "no postgres user (Debian's postgresql package creates it)";
  if (!existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser') && !existsSync('/usr/bin/runuser')) return 'runuser is missing';
  return null;
}

/** PostgreSQL as a need of a suite (test/kit/requires.ts). */
export function postgresNeed(): Need {
  return { tool: 'postgresql', missing: postgresUnavailable() };
}

async function asPostgres(bin: string, args: string[], what: string, timeoutMs = 60_000): Promise<void> {
  const r = await runProcess('runuser', ['-u', 'postgres', '--', bin, ...args], { timeoutMs });
  if (r.code !== 0) {
    throw new TestKitError(
      r.spawnError ? 'spawn-failed' : 'exited',
      `${what} failed (code ${r.code}, signal ${r.signal}${r.timedOut ? ', timed out' : ''}):\n${r.output.slice(-2000)}`,
    );
  }
}

/** initdb and start a cluster in a fresh directory; on failure nothing is left behind. */
async function initCluster(): Promise<Cluster> {
  const why = postgresUnavailable();
  if (why !== null) throw new TestKitError('spawn-failed', `cannot start PostgreSQL: ${why}`);
  const bin = postgresBinDir() as string;
  const owner = postgresUid() as { uid: number; gid: number };
  const dir = await mkdtemp(join(tmpdir(), 'callprobe-pg-'));
  await chown(dir, owner.uid, owner.gid);
  const cluster: Cluster = { bin, dir, dataDir: join(dir, 'data'), port: await freeTcpPort('127.0.0.1') };
  let started = false;
  try {
    await asPostgres(join(bin, 'initdb'), ['-D', cluster.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], 'initdb');
    const serverOptions = `-p ${cluster.port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
    await asPostgres(
      join(bin, 'pg_ctl'),
      ['-D', cluster.dataDir, '-o', serverOptions, '-l', join(dir, 'postgres.log'), '-w', '-t', '60', 'start'],
      'pg_ctl start',
    );
    started = true;
    return cluster;
  } finally {
    if (!started) await rm(dir, { recursive: true, force: true });
  }
}

async function stopCluster(c: Cluster): Promise<void> {
  await asPostgres(join(c.bin, 'pg_ctl'), ['-D', c.dataDir, '-m', 'fast', '-w', '-t', '30', 'stop'], 'pg_ctl stop');
  await rm(c.dir, { recursive: true, force: true });
}

/** For 'exit' handlers, which must be synchronous: an immediate stop. */
function stopClusterNow(c: Cluster): void {
  execFileSync('runuser', ['-u', 'postgres', '--', join(c.bin, 'pg_ctl'), '-D', c.dataDir, '-m', 'immediate', '-w', '-t', '10', 'stop'], {
    stdio: 'ignore',
    timeout: 15_000,
  });
}

function handle(c: Cluster, stop: () => Promise<void>): TestPostgres {
  return {
    url: `postgres://postgres@127.0.0.1:${c.port}/postgres`,
    port: c.port,
    dataDir: c.dataDir,
    createDatabase: async (name) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new TestKitError('spawn-failed', `not a plain database name: ${name}`);
      await asPostgres(join(c.bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(c.port), '-U', 'postgres', name], `createdb ${name}`);
      return `postgres://postgres@127.0.0.1:${c.port}/${name}`;
    },
    stop,
  };
}

/** Starts a fresh cluster of the caller's own; call `stop()` in afterAll. */
export async function startPostgres(): Promise<TestPostgres> {
  const c = await initCluster();
  let running = true;
  // A test process that ends without its afterAll (a thrown hook, process.exit) still stops its
  // cluster. Only SIGKILL can leave one behind.
  const stopOnExit = (): void => {
    if (running) stopClusterNow(c);
  };
  process.once('exit', stopOnExit);
  return handle(c, async () => {
    process.off('exit', stopOnExit);
    if (!running) return;
    running = false;
    await stopCluster(c);
  });
}

/** Where the run's shared cluster is written down: a folder the global setup made, `provide`d as this key. */
export const POSTGRES_RUN_DIR = 'postgresRunDir';

declare module 'vitest' {
  export interface ProvidedContext {
    [POSTGRES_RUN_DIR]: string;
  }
}

const clusterFile = (runDir: string): string => join(runDir, 'cluster.json');
const failedFile = (runDir: string): string => join(runDir, 'failed.txt');

/**
 * The cluster shared by every test file of this `vitest run`: the first caller of the run
 * starts it (the others wait for it), the global teardown stops it. Each caller makes its own
 * databases with unique names (`uniqueDatabaseName`). Outside a run with the global setup, a
 * cluster of the caller's own.
 */
export async function runPostgres(timeoutMs = 90_000): Promise<TestPostgres> {
  const runDir = inject(POSTGRES_RUN_DIR);
  if (runDir === undefined) return startPostgres();
  let starter = true;
  try {
    mkdirSync(join(runDir, 'starting'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    starter = false;
  }
  if (starter) {
    try {
      const c = await initCluster();
      writeFileSync(`${clusterFile(runDir)}.tmp`, JSON.stringify(c));
      renameSync(`${clusterFile(runDir)}.tmp`, clusterFile(runDir));
    } catch (err) {
      writeFileSync(failedFile(runDir), (err as Error).message);
      throw err;
    }
  }
  const c = await waitFor(
    () => {
      if (existsSync(clusterFile(runDir))) return JSON.parse(readFileSync(clusterFile(runDir), 'utf8')) as Cluster;
      if (existsSync(failedFile(runDir)))
        throw new TestKitError('exited', `the shared PostgreSQL cluster failed to start: ${readFileSync(failedFile(runDir), 'utf8')}`);
      return undefined;
    },
    { timeoutMs, pollMs: 50, what: 'the shared PostgreSQL cluster to start' },
  );
  return handle(c, async () => undefined);
}

/** A database name no other test process of the run picks: `prefix` and 8 random hex digits. */
export function uniqueDatabaseName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/**
 * For the global setup: a folder for the run's shared cluster, and the teardown that stops the
 * cluster if a test file started one (also on an abrupt exit of the run) and removes the folder.
 */
export function sharedPostgresRun(): { runDir: string; teardown: () => Promise<void> } {
  const runDir = join(tmpdir(), `callprobe-pg-run-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(runDir);
  const started = (): Cluster | null => (existsSync(clusterFile(runDir)) ? (JSON.parse(readFileSync(clusterFile(runDir), 'utf8')) as Cluster) : null);
  const stopOnExit = (): void => {
    const c = started();
    if (c) stopClusterNow(c);
  };
  process.once('exit', stopOnExit);
  return {
    runDir,
    teardown: async () => {
      process.off('exit', stopOnExit);
      const c = started();
      if (c) await stopCluster(c);
      await rm(runDir, { recursive: true, force: true });
    },
  };
}
