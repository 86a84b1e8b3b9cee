/**
 * The built `callprobe` CLI as a process of the test (`npm run build` first): `serve` awaited
 * until it prints the URL it serves, `run` and the other commands bounded by a deadline. Every
 * process is started through `spawn` (spawnBounded by default; a namespace's own spawn for a
 * test that runs it elsewhere) and stopped by its own pid.
 */
import { readFileSync } from 'node:fs';
import { cliPath, repoRoot } from './paths.js';
import { runProcess, spawnBounded, type ExitStatus, type ProcessHandle, type SpawnBoundedOptions } from './process.js';
import { TestKitError } from './errors.js';
import { processTree } from './net.js';
import type { DbTarget } from '../../server/store/target.js';

/** How a process is started: spawnBounded, or e.g. TestNetns.spawn to start it inside a namespace. */
type Spawner = (cmd: string, args: readonly string[], opts: SpawnBoundedOptions) => ProcessHandle;

export interface CallprobeOptions {
  /** SIGKILL after this long (ms). */
  deadlineMs: number;
  spawn?: Spawner;
  env?: NodeJS.ProcessEnv;
}

/** `callprobe args...` started (not awaited). */
export function spawnCallprobe(args: readonly string[], opts: CallprobeOptions): ProcessHandle {
  return (opts.spawn ?? spawnBounded)(process.execPath, [cliPath, ...args], {
    deadlineMs: opts.deadlineMs,
    cwd: repoRoot,
    ...(opts.env ? { env: opts.env } : {}),
  });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `callprobe args...` run to completion (SIGKILLed after `timeoutMs`); a CLI that cannot start throws. */
export async function runCallprobe(args: readonly string[], timeoutMs: number, opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const r = await runProcess(process.execPath, [cliPath, ...args], { timeoutMs, cwd: repoRoot, ...opts });
  if (r.spawnError) throw r.spawnError;
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

export interface ServeProcess {
  readonly proc: ProcessHandle;
  readonly pid: number;
  /** http://host:port, as serve printed it. */
  readonly url: string;
  /** A field of /proc/<pid>/status in KiB (VmRSS now, VmHWM the peak), summed over serve and its data plane. */
  statusKiB(field: 'VmRSS' | 'VmHWM'): number;
  /** The data plane's process id (serve's child: the relay and the reflector run there); null when there is none now. */
  planePid(): number | null;
  /** SIGTERM, SIGKILL after `graceMs`; resolves once it is reaped. */
  stop(graceMs?: number): Promise<ExitStatus>;
}

/** The flags of `callprobe serve` the tests set, spelled as the CLI spells them. */
export interface ServeFlags {
  /** --host, default 127.0.0.1. */
  host?: string;
  /** --http-port, default 0 (the OS picks; serve prints the URL). */
  httpPort?: number;
  /** --turn-ports: one port, or "a-b" / "a,b" as the CLI reads them (default: the CLI's). */
  turnPorts?: number | string;
  relayIp?: string;
  /** --relay-ports "a-b". */
  relayPorts?: string;
  secret?: string;
  adminToken?: string;
  /** --advertise "host:port[-port]". */
  advertise?: string;
  tls?: { port: number; certPath: string; keyPath: string };
  /** --db (a file or a postgres:// URL); without it --no-store. */
  db?: string;
  /** --log-level, default warn. */
  logLevel?: string;
  /** Any other flags, last. */
  extra?: readonly string[];
}

/** The argument list after `serve` for `f`. */
function serveArgs(f: ServeFlags): string[] {
  const opt = (flag: string, v: string | number | undefined): string[] => (v === undefined ? [] : [flag, String(v)]);
  return [
    ...opt('--host', f.host ?? '127.0.0.1'),
    ...opt('--http-port', f.httpPort ?? 0),
    ...opt('--turn-ports', f.turnPorts),
    ...opt('--relay-ip', f.relayIp),
    ...opt('--relay-ports', f.relayPorts),
    ...opt('--secret', f.secret),
    ...opt('--admin-token', f.adminToken),
    ...opt('--advertise', f.advertise),
    ...(f.tls ? ['--tls-port', String(f.tls.port), '--tls-cert', f.tls.certPath, '--tls-key', f.tls.keyPath] : []),
    ...(f.db === undefined ? ['--no-store'] : ['--db', f.db]),
    ...opt('--log-level', f.logLevel ?? 'warn'),
    ...(f.extra ?? []),
  ];
}

/**
 * A serve that only stores (the results API on `db`, no relay or reflector of its own: it hands
 * out an external TURN URI that nothing here uses), for store and alert tests.
 */
export function storeServeFlags(db: DbTarget, more: Omit<ServeFlags, 'db'> = {}): ServeFlags {
  return {
    ...more,
    db: db.kind === 'sqlite' ? db.path : db.url,
    extra: ['--external-turn', 'turn:127.0.0.1:3478?transport=udp', '--no-reflector', ...(more.extra ?? [])],
  };
}

export interface ServeOptions {
  /** SIGKILL after this long (ms), default 120 s. */
  deadlineMs?: number;
  /** How long serve may take to print that it serves (ms), default 45 s: in npm test's low-weight background lane a starved start took over 20 s. */
  readyTimeoutMs?: number;
  spawn?: Spawner;
  env?: NodeJS.ProcessEnv;
}

/** `callprobe serve` with `flags`, resolved once it prints "callprobe serving http://...". */
export async function serveProcess(flags: ServeFlags, opts: ServeOptions = {}): Promise<ServeProcess> {
  const proc = spawnCallprobe(['serve', ...serveArgs(flags)], {
    deadlineMs: opts.deadlineMs ?? 120_000,
    ...(opts.spawn ? { spawn: opts.spawn } : {}),
    ...(opts.env ? { env: opts.env } : {}),
  });
  let line: string;
  try {
    line = await proc.waitForLine(/callprobe serving http:\/\//, { timeoutMs: opts.readyTimeoutMs ?? 45_000, what: 'callprobe serve to listen' });
  } catch (err) {
    await proc.stop();
    throw err;
  }
  const url = /(http:\/\/\S+)/.exec(line)?.[1] ?? '';
  const pid = proc.pid;
  if (pid === undefined) throw new TestKitError('spawn-failed', 'callprobe serve has no pid');
  return {
    proc,
    pid,
    url,
    statusKiB(field) {
      return processTree(pid).reduce((sum, p) => {
        const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${p}/status`, 'utf8'));
        if (!m) throw new TestKitError('exited', `no ${field} in /proc/${p}/status`);
        return sum + Number(m[1]);
      }, 0);
    },
    planePid: () => processTree(pid).find((p) => p !== pid) ?? null,
    stop: (graceMs) => proc.stop(graceMs),
  };
}
