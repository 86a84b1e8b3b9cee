/**
 * Child processes for the benches and the tests (the test kit re-exports this file: the benches
 * run compiled and may not import test/): always bounded by a deadline, their output kept, their
 * readiness awaited on a line they print or a UDP port they bind, stopped by their own pid, and
 * their CPU time read from /proc. Plus the port helpers they need: free UDP+TCP ports.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as pause } from 'node:timers/promises';
import { TypedError } from '../../src/protocol/typed-error.js';

type ProcessErrorReason =
  /** The awaited line or port did not come before the deadline. */
  | 'timeout'
  /** The process exited before the awaited output appeared. */
  | 'exited'
  /** The process could not be started (e.g. the command is not installed). */
  | 'spawn-failed'
  /** No free port could be found. */
  | 'no-free-port';

/** Every failure of these helpers: what was awaited, and why it failed. */
class ProcessError extends TypedError<ProcessErrorReason> {
  override readonly name = 'ProcessError';
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started (then code and signal are null). */
  spawnError: Error | null;
  /** True when the kit killed it at its deadline. */
  timedOut: boolean;
}

type Stream = 'stdout' | 'stderr';
type LineMatch = RegExp | string | ((line: string) => boolean);

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
  /** Written to the process's stdin, which is then closed (stdin is /dev/null without it). */
  input?: string;
  /** Called with every complete line as it arrives, with its stream. */
  onLine?: (line: string, stream: Stream) => void;
}

function matches(match: LineMatch, line: string): boolean {
  if (typeof match === 'string') return line.includes(match);
  if (match instanceof RegExp) return match.test(line);
  return match(line);
}

/** Starts `cmd args` with piped output, killed (SIGKILL) at its deadline. */
export function spawnBounded(cmd: string, args: readonly string[], opts: SpawnBoundedOptions): ProcessHandle {
  const spawnOpts: SpawnOptions = {
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    ...(opts.env ? { env: opts.env } : {}),
  };
  const child = spawn(cmd, [...args], spawnOpts);
  if (opts.input !== undefined && child.stdin) {
    // A process that exits without reading its input closes the pipe: nothing to report.
    child.stdin.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
    child.stdin.end(opts.input);
  }
  const text: Record<Stream, string> = { stdout: '', stderr: '' };
  const partial: Record<Stream, string> = { stdout: '', stderr: '' };
  const lines: { stream: Stream; line: string }[] = [];
  const lineListeners = new Set<(stream: Stream, line: string) => void>();
  let both = '';
  let timedOut = false;
  let spawnError: Error | null = null;

  const emitLine = (stream: Stream, line: string): void => {
    lines.push({ stream, line });
    opts.onLine?.(line, stream);
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
        reject(new ProcessError('timeout', `timed out after ${o.timeoutMs} ms waiting for ${o.what} from ${cmd}; output:\n${both.slice(-2000)}`));
      }, o.timeoutMs);
      lineListeners.add(onLine);
      void exited.then((status) => {
        if (settled) return;
        finish();
        const why = status.spawnError ? `could not start: ${status.spawnError.message}` : `exited (code ${status.code}, signal ${status.signal})`;
        reject(new ProcessError(status.spawnError ? 'spawn-failed' : 'exited', `${cmd} ${why} before ${o.what}; output:\n${both.slice(-2000)}`));
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
  opts: { timeoutMs: number } & Omit<SpawnBoundedOptions, 'deadlineMs'>,
): Promise<ProcessResult> {
  const t0 = performance.now();
  const { timeoutMs, ...rest } = opts;
  const p = spawnBounded(cmd, args, { deadlineMs: timeoutMs, ...rest });
  const status = await p.exited;
  return { ...status, stdout: p.stdout(), stderr: p.stderr(), output: p.output(), wallMs: performance.now() - t0 };
}

/** UDP ports some process has bound, from /proc/net/udp and /proc/net/udp6 (Linux). */
export function boundUdpPorts(): Set<number> {
  const out = new Set<number>();
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // no IPv6 table: nothing bound there
      throw err;
    }
    for (const line of text.split('\n').slice(1)) {
      const hex = line.trim().split(/\s+/)[1]?.split(':')[1];
      if (hex) out.add(parseInt(hex, 16));
    }
  }
  return out;
}

/** Waits until some process (coturn, irtt, ...) has bound UDP `port`: for tools that print nothing when ready. */
export async function waitUdpBound(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!boundUdpPorts().has(port)) {
    if (performance.now() > deadline) throw new ProcessError('timeout', `timed out after ${timeoutMs} ms waiting for a process to bind UDP port ${port}`);
    await pause(20);
  }
}

async function udpAndTcpFree(port: number, host: string): Promise<boolean> {
  const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const udpOk = await new Promise<boolean>((resolve) => {
    udp.once('error', () => resolve(false));
    udp.bind(port, host, () => resolve(true));
  });
  if (!udpOk) return false;
  await new Promise<void>((resolve) => udp.close(() => resolve()));
  const tcp = createServer();
  const tcpOk = await new Promise<boolean>((resolve) => {
    tcp.once('error', () => resolve(false));
    tcp.listen(port, host, () => resolve(true));
  });
  if (tcpOk) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  return tcpOk;
}

/**
 * `n` distinct ports free for both UDP and TCP on `host`, drawn from 20000-29999 (below
 * Linux's ephemeral range, so the kernel does not hand them to someone else meanwhile).
 * Pass a seeded `random` for a reproducible draw.
 */
export async function freePorts(n: number, random: () => number = Math.random, host = '127.0.0.1'): Promise<number[]> {
  const out: number[] = [];
  for (let tries = 0; out.length < n && tries < 500; tries++) {
    const port = 20000 + Math.floor(random() * 10000);
    if (!out.includes(port) && (await udpAndTcpFree(port, host))) out.push(port);
  }
  if (out.length < n) throw new ProcessError('no-free-port', `found ${out.length} of ${n} free UDP+TCP ports in 20000-29999`);
  return out;
}

/** Clock ticks per second for /proc/<pid>/stat (Linux USER_HZ, 100 on every mainstream build). */
const USER_HZ = 100;

/** User and system CPU time of a process (all threads), in ms, from /proc/<pid>/stat. */
export function cpuTimes(pid: number): { userMs: number; sysMs: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { userMs: (Number(rest[11]) * 1000) / USER_HZ, sysMs: (Number(rest[12]) * 1000) / USER_HZ };
}

/** utime + stime of a process (all threads), in ms. */
export function cpuMs(pid: number): number {
  const t = cpuTimes(pid);
  return t.userMs + t.sysMs;
}

/**
 * Every UDP socket process `pid` holds (default: this one), its address as /proc writes it
 * (IPv6 uncompressed) and its port, read from /proc (Linux): the socket inodes behind
 * /proc/PID/fd, looked up in /proc/net/udp and udp6. A stack that does not say where it binds
 * (libwebrtc) is found so.
 */
export function udpSocketsOf(pid: number | 'self' = 'self'): { address: string; port: number }[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let link: string;
    try {
      link = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch (err) {
      // The fd readdir itself used, closed by now.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m?.[1]) inodes.add(m[1]);
  }
  const out: { address: string; port: number }[] = [];
  for (const [file, v6] of [
    ['/proc/net/udp', false],
    ['/proc/net/udp6', true],
  ] as const) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      const [hexAddr = '', hexPort = ''] = (f[1] ?? '').split(':');
      if (f[9] === undefined || !inodes.has(f[9])) continue;
      out.push({ address: v6 ? procIpv6(hexAddr) : procIpv4(hexAddr), port: parseInt(hexPort, 16) });
    }
  }
  return out;
}

/**
 * `pid` and every process below it (its children, theirs, ...), from /proc/<pid>/task/<tid>/children:
 * `callprobe serve` and its data plane, for instance. A process that exited meanwhile is left out.
 */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const visit = (p: number): void => {
    out.push(p);
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      return; // exited
    }
    for (const t of tasks) {
      let children: string;
      try {
        children = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8');
      } catch {
        continue; // the task ended
      }
      for (const c of children
        .trim()
        .split(/\s+/)
        .filter((x) => x !== ''))
        visit(Number(c));
    }
  };
  visit(pid);
  return out;
}

/** The UDP sockets of `pid` and every process below it (processTree): serve's and its data plane's. */
export function udpSocketsOfTree(pid: number): { address: string; port: number }[] {
  return processTree(pid).flatMap((p) => {
    try {
      return udpSocketsOf(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []; // exited
      throw err;
    }
  });
}

/** /proc/net/udp writes an IPv4 address as one 32-bit word in host (little-endian) order. */
function procIpv4(hex: string): string {
  return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
}

/** /proc/net/udp6 writes an IPv6 address as four 32-bit words, each in host (little-endian) order. */
function procIpv6(hex: string): string {
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) for (const i of [3, 2, 1, 0]) bytes.push(parseInt(hex.slice(w * 8 + i * 2, w * 8 + i * 2 + 2), 16));
  const groups = Array.from({ length: 8 }, (_, g) => (((bytes[g * 2] ?? 0) << 8) | (bytes[g * 2 + 1] ?? 0)).toString(16));
  return groups.join(':');
}
