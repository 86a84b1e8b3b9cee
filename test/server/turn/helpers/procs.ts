/** Real-process fixtures for interop tests: coturn tools, bounded in time, loopback only. */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';

export interface ProcessResult {
  code: number | null;
  output: string;
}

/** Runs a command to completion (killed after `timeoutMs`), capturing stdout+stderr. */
export function runProcess(cmd: string, args: string[], timeoutMs: number): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(t);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(t);
      resolve({ code, output });
    });
  });
}

/** Starts a long-running process; `stop()` kills exactly it and waits for exit. */
export function startProcess(cmd: string, args: string[]): { child: ChildProcess; output: () => string; stop: () => Promise<void> } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return {
    child,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      }),
  };
}

function boundUdpPorts(): Set<number> {
  const out = new Set<number>();
  for (const f of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue; // no IPv6 table: nothing bound there
    }
    for (const line of text.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      const hex = local?.split(':')[1];
      if (hex) out.add(parseInt(hex, 16));
    }
  }
  return out;
}

/** Waits until some process has a UDP socket bound on `port` (reads /proc/net/udp*). */
export async function waitUdpBound(port: number, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!boundUdpPorts().has(port)) {
    if (Date.now() - start > timeoutMs) throw new Error(`nothing bound UDP port ${port}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function portFree(port: number): Promise<boolean> {
  const udp = dgram.createSocket('udp4');
  const udpOk = await new Promise<boolean>((resolve) => {
    udp.once('error', () => resolve(false));
    udp.bind(port, '127.0.0.1', () => resolve(true));
  });
  if (udpOk) await new Promise<void>((r) => udp.close(() => r()));
  if (!udpOk) return false;
  const srv = net.createServer();
  const tcpOk = await new Promise<boolean>((resolve) => {
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (tcpOk) await new Promise<void>((r) => srv.close(() => r()));
  return tcpOk;
}

/** `n` ports free for UDP and TCP on 127.0.0.1, drawn from 20000-29999 (outside Linux's ephemeral range). */
export async function freePorts(n: number, random: () => number = Math.random): Promise<number[]> {
  const out: number[] = [];
  for (let tries = 0; out.length < n && tries < 500; tries++) {
    const p = 20000 + Math.floor(random() * 10000);
    if (!out.includes(p) && (await portFree(p))) out.push(p);
  }
  if (out.length < n) throw new Error('no free ports');
  return out;
}

/** Parsed end-of-run summary of turnutils_uclient. */
export interface UclientSummary {
  sent: number;
  received: number;
  lostPct: number;
}

export function parseUclient(output: string): UclientSummary | null {
  const m = /start_mclient: tot_send_msgs=(\d+), tot_recv_msgs=(\d+)/.exec(output);
  const l = /Total lost packets (\d+) \(([\d.]+)%\)/.exec(output);
  if (!m || !l) return null;
  return { sent: Number(m[1]), received: Number(m[2]), lostPct: Number(l[2]) };
}
