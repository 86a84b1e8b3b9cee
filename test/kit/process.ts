/**
 * Child processes for tests: always bounded by a deadline, their output kept, their readiness
 * awaited on a line they print (or a port they bind, see net.ts), and stopped by their own pid.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { TestKitError } from './errors.js';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started (then code and signal are null). */
  spawnError: Error | null;
  /** True when the kit killed it at its deadline. */
  timedOut: boolean;
}

export type Stream = 'stdout' | 'stderr';
export type LineMatch = RegExp | string | ((line: string) => boolean);

export interface ProcessHandle {
  readonly child: ChildProcess;
  readonly pid: number | undefined;
  stdout(): string;
  stderr(): string;
  /** stdout and stderr interleaved in arrival order. */
  output(): string;
  /** Settles when the process has exited and its output streams are closed (never rejects). */
  readonly exited: Promise<ExitStatus>;
  /** The first line (on `stream`, both by default) that matches; rejects on exit or after `timeoutMs`. */
  waitForLine(match: LineMatch, opts: { timeoutMs: number; what: string; stream?: Stream }): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs` (default 2000); resolves once the process is reaped. */
  stop(graceMs?: number): Promise<ExitStatus>;
}

export interface SpawnBoundedOptions {
  /** SIGKILL the process if it still runs after this long (ms). */
  deadlineMs: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

function matches(match: LineMatch, line: string): boolean {
  if (typeof match === 'string') return line.includes(match);
  if (match instanceof RegExp) return match.test(line);
  return match(line);
}

/** Starts `cmd args` with piped output, killed (SIGKILL) at its deadline. */
export function spawnBounded(cmd: string, args: readonly string[], opts: SpawnBoundedOptions): ProcessHandle {
  const spawnOpts: SpawnOptions = { stdio: ['ignore', 'pipe', 'pipe'], ...(opts.cwd ? { cwd: opts.cwd } : {}), ...(opts.env ? { env: opts.env } : {}) };
  const child = spawn(cmd, [...args], spawnOpts);
  const text: Record<Stream, string> = { stdout: '', stderr: '' };
  const partial: Record<Stream, string> = { stdout: '', stderr: '' };
  const lines: { stream: Stream; line: string }[] = [];
  const lineListeners = new Set<(stream: Stream, line: string) => void>();
  let both = '';
  let timedOut = false;
  let spawnError: Error | null = null;

  const emitLine = (stream: Stream, line: string): void => {
    lines.push({ stream, line });
    for (const l of [...lineListeners]) l(stream, line);
  };
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream]?.on('data', (chunk: Buffer) => {
      const s = chunk.toString();
      text[stream] += s;
      both += s;
      const parts = (partial[stream] + s).split('\n');
      partial[stream] = parts.pop() ?? '';
      for (const line of parts) emitLine(stream, line);
    });
  }

  const deadline = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.deadlineMs);
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('error', (err) => {
      spawnError = err;
      // A process that never started emits no 'close'.
      if (child.pid === undefined) {
        clearTimeout(deadline);
        resolve({ code: null, signal: null, spawnError: err, timedOut });
      }
    });
    child.once('close', (code, signal) => {
      clearTimeout(deadline);
      for (const stream of ['stdout', 'stderr'] as const) {
        if (partial[stream] !== '') emitLine(stream, partial[stream]);
        partial[stream] = '';
      }
      resolve({ code, signal, spawnError, timedOut });
    });
  });

  const waitForLine: ProcessHandle['waitForLine'] = (match, o) =>
    new Promise<string>((resolve, reject) => {
      const wanted = (stream: Stream): boolean => o.stream === undefined || o.stream === stream;
      const seen = lines.find((l) => wanted(l.stream) && matches(match, l.line));
      if (seen) return resolve(seen.line);
      let settled = false;
      const finish = (): void => {
        settled = true;
        clearTimeout(timer);
        lineListeners.delete(onLine);
      };
      const onLine = (stream: Stream, line: string): void => {
        if (settled || !wanted(stream) || !matches(match, line)) return;
        finish();
        resolve(line);
      };
      const timer = setTimeout(() => {
        if (settled) return;
        finish();
        reject(new TestKitError('timeout', `timed out after ${o.timeoutMs} ms waiting for ${o.what} from ${cmd}; output:\n${both.slice(-2000)}`));
      }, o.timeoutMs);
      lineListeners.add(onLine);
      void exited.then((status) => {
        if (settled) return;
        finish();
        const why = status.spawnError ? `could not start: ${status.spawnError.message}` : `exited (code ${status.code}, signal ${status.signal})`;
        reject(new TestKitError(status.spawnError ? 'spawn-failed' : 'exited', `${cmd} ${why} before ${o.what}; output:\n${both.slice(-2000)}`));
      });
    });

  const stop = async (graceMs = 2000): Promise<ExitStatus> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const status = await exited;
      clearTimeout(kill);
      return status;
    }
    return exited;
  };

  return {
    child,
    pid: child.pid,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    output: () => both,
    exited,
    waitForLine,
    stop,
  };
}

export interface ProcessResult extends ExitStatus {
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved. */
  output: string;
  wallMs: number;
}

/** Runs `cmd args` to completion, SIGKILLed after `timeoutMs`; never rejects (see spawnError, timedOut). */
export async function runProcess(
  cmd: string,
  args: readonly string[],
  opts: { timeoutMs: number; cwd?: string; env?: NodeJS.ProcessEnv },
): Promise<ProcessResult> {
  const t0 = performance.now();
  const p = spawnBounded(cmd, args, { deadlineMs: opts.timeoutMs, ...(opts.cwd ? { cwd: opts.cwd } : {}), ...(opts.env ? { env: opts.env } : {}) });
  const status = await p.exited;
  return { ...status, stdout: p.stdout(), stderr: p.stderr(), output: p.output(), wallMs: performance.now() - t0 };
}
