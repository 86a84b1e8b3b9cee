/**
 * A throwaway PostgreSQL cluster for tests: `initdb` and `pg_ctl` in a fresh temporary directory,
 * on a random free port of 127.0.0.1 (trust auth, loopback only), its unix socket inside that
 * directory, stopped and removed by `stop()`. initdb and pg_ctl refuse to run as root, so as
 * root they run as the `postgres` user (runuser). Where that is impossible (not root, no
 * binaries), `postgresUnavailable()` says why and the suites skip visibly.
 */
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { freeTcpPort } from './net.js';
import { runProcess } from './process.js';
import { TestKitError } from './errors.js';

export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  dataDir: string;
  /** A fresh, empty database on this cluster; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the cluster (fast shutdown) and removes its directory. */
  stop(): Promise<void>;
}

/** The newest installed PostgreSQL's bin directory (Debian: /usr/lib/postgresql/<major>/bin), or null. */
export function postgresBinDir(): string | null {
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
export function postgresUnavailable(): string | null {
  if (postgresBinDir() === null) return 'PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb missing; .ci/run installs it)';
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) return 'not root: the kit runs initdb as the postgres user through runuser, which needs root';
  if (postgresUid() === null) return "no postgres user (Debian's postgresql package creates it)";
  if (!existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser') && !existsSync('/usr/bin/runuser')) return 'runuser is missing';
  return null;
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

/** Starts a fresh cluster; call `stop()` in afterAll. */
export async function startPostgres(): Promise<TestPostgres> {
  const why = postgresUnavailable();
  if (why !== null) throw new TestKitError('spawn-failed', `cannot start PostgreSQL: ${why}`);
  const bin = postgresBinDir() as string;
  const owner = postgresUid() as { uid: number; gid: number };
  const dir = await mkdtemp(join(tmpdir(), 'callprobe-pg-'));
  await chown(dir, owner.uid, owner.gid);
  const dataDir = join(dir, 'data');
  const port = await freeTcpPort('127.0.0.1');
  let started = false;
  // A test process that ends without its afterAll (a thrown hook, process.exit) still stops its
  // cluster: synchronously, as 'exit' handlers must be. Only SIGKILL can leave one behind.
  const stopOnExit = (): void => {
    if (!started) return;
    started = false;
    execFileSync('runuser', ['-u', 'postgres', '--', join(bin, 'pg_ctl'), '-D', dataDir, '-m', 'immediate', '-w', '-t', '10', 'stop'], {
      stdio: 'ignore',
      timeout: 15_000,
    });
  };
  process.once('exit', stopOnExit);
  const stop = async (): Promise<void> => {
    process.off('exit', stopOnExit);
    if (started) {
      started = false;
      await asPostgres(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop'], 'pg_ctl stop');
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await asPostgres(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], 'initdb');
    const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
    await asPostgres(join(bin, 'pg_ctl'), ['-D', dataDir, '-o', serverOptions, '-l', join(dir, 'postgres.log'), '-w', '-t', '60', 'start'], 'pg_ctl start');
    started = true;
  } catch (err) {
    await stop();
    throw err;
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    dataDir,
    createDatabase: async (name) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new TestKitError('spawn-failed', `not a plain database name: ${name}`);
      await asPostgres(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name], `createdb ${name}`);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop,
  };
}
