/**
 * What bench:load's ladder (run.ts) and its soak (soak.ts) share: one load client run in a
 * process of its own, the tolerance against the unloaded run, and a process's CPU and memory.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { processTree } from '../lib/process.js';
import { readTree } from '../lib/test-cost.js';

const CLIENT = 'dist/bench/load/client-main.js';

/** The tolerance withinTolerance applies, in words (results files and docs). */
export const TOLERANCE_TEXT =
  'RTT p50 within 1 ms + 20 % of the unloaded run, jitter within +1 ms, loss <= 0.1 %, at most 1 % of pacing ticks skipped by the client';

export interface ClientResult {
  ok: boolean;
  rttMsP50: number | null;
  jitterMs: number | null;
  lossPct: number | null;
  verdict: string | null;
  missedTicks: number;
  error: string | null;
}

/** The parts of a report a load bench reads. */
export interface Summary {
  summary: {
    rttMsP50: number | null;
    jitterMs: number | null;
    lossPct: number | null;
    verdict: string;
  };
  diagnostics?: { sender?: { missedTicks?: number } };
}

/** A load client's result from the report its test gave. */
export function resultOf(r: Summary): ClientResult {
  return {
    ok: true,
    rttMsP50: r.summary.rttMsP50,
    jitterMs: r.summary.jitterMs,
    lossPct: r.summary.lossPct,
    verdict: r.summary.verdict,
    missedTicks: r.diagnostics?.sender?.missedTicks ?? 0,
    error: null,
  };
}

/** A test that gave no figures, and why. */
export function noFigures(error: string): ClientResult {
  return { ok: false, rttMsP50: null, jitterMs: null, lossPct: null, verdict: null, missedTicks: 0, error };
}

/** One load client in a process of its own: the data-channel client, or `client` (e.g. the RTP client) given as a built script. */
export async function runClient(url: string, durationS: number, client: string = CLIENT): Promise<ClientResult> {
  const child = spawn(process.execPath, [client, url, String(durationS)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) return noFigures(err.trim() || `exit ${code}`);
  return resultOf(JSON.parse(out) as Summary);
}

/** CPU seconds and resident memory of a process and those below it (serve and its data plane), from /proc (../lib/test-cost.ts). */
export function procUsage(pid: number): { cpuS: number; rssMiB: number } {
  const r = readTree(pid);
  return { cpuS: r.cpuS, rssMiB: r.rssMiB };
}

/** How many file descriptors a process and those below it hold open (sockets, files, pipes), from /proc/<pid>/fd. */
export function openFds(pid: number): number {
  return processTree(pid).reduce((n, p) => n + readdirSync(`/proc/${p}/fd`).length, 0);
}

export function withinTolerance(c: ClientResult, base: ClientResult, durationS: number): string | null {
  if (!c.ok) return `test failed: ${c.error}`;
  if (c.rttMsP50 === null || base.rttMsP50 === null) return 'no RTT';
  if (Math.abs(c.rttMsP50 - base.rttMsP50) > 1 + 0.2 * base.rttMsP50) return `RTT p50 ${c.rttMsP50.toFixed(2)} ms vs ${base.rttMsP50.toFixed(2)} ms unloaded`;
  if ((c.jitterMs ?? Infinity) > (base.jitterMs ?? 0) + 1) return `jitter ${c.jitterMs?.toFixed(2)} ms vs ${base.jitterMs?.toFixed(2)} ms unloaded`;
  if ((c.lossPct ?? Infinity) > 0.1) return `loss ${c.lossPct?.toFixed(2)} %`;
  // Skipped ticks are counted and never graded as loss; more than 1 % means the client itself
  // (which shares the 2 cores with the server) could no longer keep its schedule.
  if (c.missedTicks > 0.01 * durationS * 100) return `${c.missedTicks} missed pacing ticks (client overloaded)`;
  return null;
}
