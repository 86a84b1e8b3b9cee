/** Process helpers for the relay benchmark: spawn, wait for readiness, CPU time from /proc. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

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

export interface Proc {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  stop(): Promise<void>;
}

export function start(cmd: string, args: string[]): Proc {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return {
    child,
    pid: child.pid ?? -1,
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/** Resolves once `pred(output)` holds; rejects after `timeoutMs` or if the process exits. */
export function waitOutput(p: Proc, pred: (out: string) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (pred(p.output())) {
        cleanup();
        resolve();
      }
    };
    const onExit = (): void => {
      cleanup();
      reject(new Error(`${what}: process exited: ${p.output().slice(-500)}`));
    };
    const t = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(t);
      p.child.stdout?.off('data', check);
      p.child.stderr?.off('data', check);
      p.child.off('exit', onExit);
    };
    p.child.stdout?.on('data', check);
    p.child.stderr?.on('data', check);
    p.child.once('exit', onExit);
    check();
  });
}

function udpBound(port: number): boolean {
  for (const f of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue; // no IPv6 table
    }
    for (const line of text.split('\n').slice(1)) {
      const hex = line.trim().split(/\s+/)[1]?.split(':')[1];
      if (hex && parseInt(hex, 16) === port) return true;
    }
  }
  return false;
}

/** Waits until a UDP port is bound (coturn and turnutils_peer print nothing useful). */
export async function waitUdp(port: number, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!udpBound(port)) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`UDP port ${port} never bound`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs to completion, killed after timeoutMs. */
export function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string; wallMs: number }> {
  const t0 = Date.now();
  const p = start(cmd, args);
  const kill = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    p.child.once('close', (code) => {
      clearTimeout(kill);
      resolve({ code, output: p.output(), wallMs: Date.now() - t0 });
    });
  });
}
