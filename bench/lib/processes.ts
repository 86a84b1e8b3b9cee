/** `callprobe serve` and `callprobe run` as the benches start them: the built CLI, bounded in time, on loopback. */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { SERVE_ENV, SERVE_NODE_FLAGS } from '../../server/common/launch.js';
import { spawnBounded, type ProcessHandle } from './process.js';

export class BenchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchError';
  }
}

/**
 * The compiled CLI, as a newcomer would run it: package.json's `bin` (the benches run from the
 * repository root). test/kit/paths.ts reads the same field, so tests and benches run one file.
 */
export const CLI: string = (JSON.parse(readFileSync('package.json', 'utf8')) as { bin: { callprobe: string } }).bin.callprobe;

export interface Served {
  url: string;
  proc: ProcessHandle;
  /** The server's pid (for /proc readings). */
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts `callprobe serve` with extra flags, launched as in production (server/common/launch.ts), and
 * waits until it prints that it serves. Killed after `deadlineMs` (default 3 h, longer than the
 * longest soak). `host` is where it listens (its --host; loopback by default).
 */
export async function startServe(
  args: string[],
  httpPort: number,
  opts: { readyTimeoutMs?: number; deadlineMs?: number; host?: string } = {},
): Promise<Served> {
  const host = opts.host ?? '127.0.0.1';
  const hostArgs = host === '127.0.0.1' ? [] : ['--host', host];
  const proc = spawnBounded(
    process.execPath,
    [...SERVE_NODE_FLAGS, CLI, 'serve', '--http-port', String(httpPort), '--log-level', 'warn', ...hostArgs, ...args],
    {
      deadlineMs: opts.deadlineMs ?? 3 * 3600_000,
      env: { ...process.env, ...SERVE_ENV },
    },
  );
  try {
    await proc.waitForLine(/callprobe serving http:\/\//, { timeoutMs: opts.readyTimeoutMs ?? 20_000, what: 'callprobe serve to listen' });
  } catch (err) {
    await proc.stop();
    throw new BenchError(`callprobe serve did not start: ${(err as Error).message}`);
  }
  if (proc.pid === undefined) throw new BenchError('callprobe serve has no pid');
  return {
    url: `http://${host}:${httpPort}`,
    proc,
    pid: proc.pid,
    stop: async () => {
      await proc.stop();
    },
  };
}

export interface CliRun {
  exitCode: number;
  stdout: string;
  /** Each stderr line with the ms since the CLI was started. */
  progress: { atMs: number; line: string }[];
  wallMs: number;
}

/** Runs `callprobe run ...`, timestamping every progress line; SIGKILLed after `timeoutMs`. */
export async function runCli(args: string[], timeoutMs: number): Promise<CliRun> {
  const t0 = performance.now();
  const progress: CliRun['progress'] = [];
  const p = spawnBounded(process.execPath, [CLI, 'run', ...args], {
    deadlineMs: timeoutMs,
    onLine: (line, stream) => {
      if (stream === 'stderr') progress.push({ atMs: performance.now() - t0, line });
    },
  });
  const status = await p.exited;
  return { exitCode: status.code ?? -1, stdout: p.stdout(), progress, wallMs: performance.now() - t0 };
}
