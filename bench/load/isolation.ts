/**
 * A clean test beside an abusive busy-line client: does the server's design keep the abuser's
 * load off the relayed packets? One pair is a clean test alone, then the same test while the
 * abuser (bench/lib/load-flood.ts, from four IPv6 /64s, in a CPU cgroup of half a core with a
 * 10 ms CFS period: bench/lib/cpu-cap.ts) fills the server's busy-line sink and source at full
 * speed. The clean test is the page's own session in Node (client-main.ts): its round trip p50
 * beside the abuser must stay within 1 ms + 20 % of its run alone. Shared by `bench:load
 * --isolation` and the test in `npm test` (test/server/dataplane/isolation.test.ts).
 */
import { performance } from 'node:perf_hooks';
import type { Report } from '../../src/analysis/schema/report-schema.js';
import type { LoadFloodOptions, LoadFloodResult } from '../lib/load-flood.js';
import type { ProcessHandle } from '../lib/process.js';
import { processTree } from '../lib/process.js';
import { readFileSync } from 'node:fs';

const CLIENT = 'dist/bench/load/client-main.js';
/** The abuser's process entry (bench/lib/load-flood-main.ts). */
export const LOAD_FLOOD_MAIN = 'dist/bench/lib/load-flood-main.js';

/** Four /64s of one /48 (unique local, RFC 4193): where the abuser's phases come from. */
export const ABUSER_64S = ['fd00:cb:73:1::1', 'fd00:cb:73:2::1', 'fd00:cb:73:3::1', 'fd00:cb:73:4::1'];
/** The abuser's CPU: half a core, in 10 ms periods. */
export const ABUSER_CPU_PCT = 50;

/**
 * `serve` flags that let the abuser load the sink for the whole run: the per-hour and per-phase
 * budgets at their highest (with the defaults, it would spend the hour's budget in seconds and
 * then meet only refusals).
 */
export const ABUSE_SERVE_FLAGS = ['--load-max-bytes', '1000000000', '--load-tests-per-hour', '100000', '--load-bytes-per-hour', String(2 ** 50)];

/** What a clean test measured. */
interface CleanFigures {
  ok: boolean;
  error: string | null;
  rttMsP50: number | null;
  rttMsP90: number | null;
  jitterMs: number | null;
  lossPct: number | null;
  verdict: string | null;
  /** The report's server section (the data plane's event-loop delay over the test). */
  server: Report['server'] | null;
}

/** Starts a Node program with its arguments where the server is reached (this namespace, or one the caller made). */
type NodeSpawner = (args: readonly string[], deadlineMs: number) => ProcessHandle;

/** One clean test (the Node client), `durationS` long, against `url`. */
async function cleanTest(spawnNode: NodeSpawner, url: string, durationS: number): Promise<CleanFigures> {
  const child = spawnNode([CLIENT, url, String(durationS)], (durationS + 60) * 1000);
  const { code } = await child.exited;
  const none = { rttMsP50: null, rttMsP90: null, jitterMs: null, lossPct: null, verdict: null, server: null };
  if (code !== 0) return { ok: false, error: child.stderr().trim() || `exit ${String(code)}`, ...none };
  const r = JSON.parse(child.stdout()) as Report;
  return {
    ok: r.outcome === null,
    error: r.outcome === null ? null : `${r.outcome.reason}: ${r.outcome.detail}`,
    rttMsP50: r.summary.rttMsP50,
    rttMsP90: r.summary.rttMsP90,
    jitterMs: r.summary.jitterMs,
    lossPct: r.summary.lossPct,
    verdict: r.summary.verdict,
    server: r.server ?? null,
  };
}

/** The allowance the bench holds a clean test beside the abuser to: 1 ms + 20 % of its run alone. */
function withinAllowance(alone: number, beside: number, fixedMs = 1, share = 0.2): boolean {
  return beside - alone <= fixedMs + share * alone;
}

/** CPU seconds (user + system) of each process of serve (the HTTP process first, then its data plane), from /proc. */
function serveCpuS(pid: number): number[] {
  return processTree(pid).map((p) => {
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  });
}

export interface IsolationPair {
  alone: CleanFigures;
  beside: CleanFigures;
  abuser: LoadFloodResult | null;
  /** The abuser's bytes per second over its run, both directions. */
  abuserMBps: number | null;
  /** CPU % of a core of each of serve's processes while the clean test ran beside the abuser. */
  serveCpuPct: number[];
  within: boolean;
}

export interface IsolationOptions {
  /** The server as the clean test and the abuser's IPv4/IPv6 sources reach it. */
  url: string;
  urlV6: string;
  /** serve's pid (its CPU is read over its processes). */
  servePid: number;
  durationS: number;
  /** Starts the clean test's Node program where the server is reached. */
  spawnNode: NodeSpawner;
  /** Starts the abuser's process (load-flood-main.js with its options as JSON), already in its CPU cgroup. */
  startAbuser(optionsJson: string): ProcessHandle;
  /** How long the abuser runs before the clean test starts beside it. */
  leadMs?: number;
}

/** One pair: the clean test alone, then beside the abuser. */
export async function isolationPair(o: IsolationOptions): Promise<IsolationPair> {
  const alone = await cleanTest(o.spawnNode, o.url, o.durationS);
  const leadMs = o.leadMs ?? 2_000;
  const flood: LoadFloodOptions = {
    baseUrl: { 4: o.url, 6: o.urlV6 },
    from: ABUSER_64S,
    // A phase's flows (3 up, 3 down) from each /64: the 24 a /48 may hold.
    upFlows: 3,
    downFlows: 3,
    // An upper bound: the abuser outlasts the clean test (connecting, its drain), then is stopped.
    durationMs: leadMs + o.durationS * 1000 + 30_000,
  };
  const abuser = o.startAbuser(JSON.stringify(flood));
  const t0 = performance.now();
  let beside: CleanFigures;
  let cpu0: number[];
  let cpu1: number[];
  let wallS: number;
  try {
    await abuser.waitForLine('"started"', { timeoutMs: 10_000, what: 'the abuser to start' });
    await new Promise((r) => setTimeout(r, leadMs));
    cpu0 = serveCpuS(o.servePid);
    const c0 = performance.now();
    beside = await cleanTest(o.spawnNode, o.url, o.durationS);
    wallS = (performance.now() - c0) / 1000;
    cpu1 = serveCpuS(o.servePid);
  } finally {
    // Ended early: it prints what it moved all the same.
    abuser.child.kill('SIGTERM');
    await abuser.exited;
  }
  const done = abuser
    .stdout()
    .split('\n')
    .find((l) => l.includes('"done"'));
  const result = done === undefined ? null : (JSON.parse(done) as LoadFloodResult);
  const abuserS = (performance.now() - t0) / 1000;
  return {
    alone,
    beside,
    abuser: result,
    abuserMBps: result === null ? null : (result.upBytes + result.downBytes) / 1e6 / abuserS,
    serveCpuPct: cpu1.map((c, i) => (100 * (c - (cpu0[i] ?? 0))) / wallS),
    within: alone.rttMsP50 !== null && beside.rttMsP50 !== null && alone.ok && beside.ok && withinAllowance(alone.rttMsP50, beside.rttMsP50),
  };
}
