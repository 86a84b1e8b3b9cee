import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile } from '../../src/analysis/measure/percentile.js';
import { SERVE_ENV, SERVE_NODE_FLAGS } from '../../server/commands/serve-launch.js';

export class BenchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchError';
  }
}

/** The compiled CLI, as a newcomer would run it. */
export const CLI = 'dist/server/cli.js';

export interface Served {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `callprobe serve` with extra flags and waits until /healthz answers (bounded). */
export async function startServe(args: string[], httpPort: number, timeoutMs = 20_000): Promise<Served> {
  // Launched as in production (server/commands/serve-launch.ts).
  const child = spawn(process.execPath, [...SERVE_NODE_FLAGS, CLI, 'serve', '--http-port', String(httpPort), '--log-level', 'warn', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...SERVE_ENV },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const url = `http://127.0.0.1:${httpPort}`;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new BenchError(`callprobe serve exited ${child.exitCode}: ${stderr}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch (err) {
      if (performance.now() > deadline) throw new BenchError(`callprobe serve not ready in ${timeoutMs} ms: ${(err as Error).message}\n${stderr}`);
    }
    await sleep(100);
  }
  return {
    url,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
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

/** Runs `callprobe run ...`, timestamping every progress line; bounded by `timeoutMs`. */
export async function runCli(args: string[], timeoutMs: number): Promise<CliRun> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  const progress: CliRun['progress'] = [];
  let partial = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    const atMs = performance.now() - t0;
    partial += d.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) progress.push({ atMs, line });
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { exitCode: code ?? -1, stdout, progress, wallMs: performance.now() - t0 };
}

/** Median of benchmark figures, nearest rank like every percentile in callprobe (a measured value); null when empty. */
export function median(values: readonly number[]): number | null {
  return values.length === 0 ? null : percentile(values, 50);
}
