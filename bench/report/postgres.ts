/**
 * A throwaway PostgreSQL cluster for the report benchmark, started the way test/kit/postgres.ts
 * starts the tests' one: initdb and pg_ctl (as the postgres user when run as root) in a fresh
 * temporary directory, loopback only, trust auth, fsync off (a benchmark of queries, not of
 * durability), stopped and removed by `stop()`, and stopped on exit if the bench dies first.
 */
import { execFileSync, execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BenchPostgres {
  /** postgres://postgres@127.0.0.1:PORT/callprobe_bench */
  url: string;
  version: string;
  /** CPU seconds the cluster's processes have used so far (Linux /proc: the postmaster, its live children, and its exited children such as parallel workers). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Clock ticks a second of /proc/<pid>/stat times. */
function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** utime, stime, cutime, cstime and ppid of a process, or null once it is gone. */
function procTimes(pid: number): { ppid: number; own: number; children: number } | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name (which may hold spaces) in parentheses: state ppid ... utime(14) stime(15) cutime(16) cstime(17).
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const n = (i: number): number => Number(f[i - 3] ?? 0);
  return { ppid: n(4), own: n(14) + n(15), children: n(16) + n(17) };
}

/** CPU seconds of the process tree rooted at `root` (one level: PostgreSQL's processes are all the postmaster's children). */
function treeCpuSeconds(root: number, ticks: number): number {
  const top = procTimes(root);
  if (top === null) return 0;
  let total = top.own + top.children;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const t = procTimes(Number(entry));
    if (t !== null && t.ppid === root) total += t.own;
  }
  return total / ticks;
}

/** Typed error: the cluster could not start (no binaries, not root, initdb or pg_ctl failed). */
class BenchPostgresError extends Error {
  override readonly name = 'BenchPostgresError';
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((d) => /^\d+$/.test(d) && existsSync(join(root, d, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors[0] === undefined) throw new BenchPostgresError('PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb)');
  return join(root, majors[0], 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new BenchPostgresError('no port'))));
    });
  });
}

function run(cmd: string, args: string[], what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 120_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new BenchPostgresError(`${what} failed: ${err.message}\n${stderr.slice(-2000)}`));
      else resolve(stdout);
    });
  });
}

/** Starts the cluster and creates the bench's database. */
export async function startBenchPostgres(settings: Record<string, string> = {}): Promise<BenchPostgres> {
  const bin = binDir();
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const as = (tool: string, args: string[]): [string, string[]] =>
    isRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
  const dir = await mkdtemp(join(tmpdir(), 'callprobe-bench-pg-'));
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    await chown(dir, uid, gid);
  }
  const dataDir = join(dir, 'data');
  const port = await freePort();
  let started = false;
  const stopOnExit = (): void => {
    if (!started) return;
    started = false;
    const [cmd, args] = as('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', '-t', '10', 'stop']);
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 15_000 });
  };
  process.once('exit', stopOnExit);
  const stop = async (): Promise<void> => {
    process.off('exit', stopOnExit);
    if (started) {
      started = false;
      await run(...as('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']), 'pg_ctl stop');
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await run(...as('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']), 'initdb');
    const extra = Object.entries(settings)
      .map(([k, v]) => ` -c ${k}=${v}`)
      .join('');
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off${extra}`;
    await run(...as('pg_ctl', ['-D', dataDir, '-o', options, '-l', join(dir, 'postgres.log'), '-w', '-t', '60', 'start']), 'pg_ctl start');
    started = true;
    await run(...as('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'callprobe_bench']), 'createdb');
  } catch (err) {
    await stop();
    throw err;
  }
  const version = (await run(join(bin, 'postgres'), ['--version'], 'postgres --version')).trim();
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const ticks = clockTicks();
  return { url: `postgres://postgres@127.0.0.1:${port}/callprobe_bench`, version, cpuSeconds: () => treeCpuSeconds(postmaster, ticks), stop };
}
