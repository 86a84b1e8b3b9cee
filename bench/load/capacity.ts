/**
 * `npm run bench:load -- --capacity [--duration 10] [--budget 540] [--max-n 512]`: how many tests
 * at once one core of the server holds. `serve` (its HTTP process and its data plane, every thread)
 * is pinned to one CPU and the load client to the other (`taskset`), so the server has one whole
 * core and no quota's scheduling in its way. The client is the fast one (./fast-client.ts: every
 * test set up as the page does, then its RTP stream on the project's native SRTP, many tests in
 * one process), and N rises (./capacity-plan.ts nextN) until a test falls out of bench:load's
 * tolerance (./load-kit.ts) against the one-test baseline, or is refused `server-busy`.
 *
 * Per level: every test's round trip, jitter and loss; the cores each test costs the server and
 * the client while every test streams (the server's whole tree from /proc, less its idle rate,
 * sampled over the client's streaming span; the client's own CPU over it); memory per test; the
 * data plane's and the HTTP process's event-loop delay (/metrics); the client's own loop lateness
 * and its core's idle share. A failing level the client limited (its thread or core saturated, or
 * its loop late: ./capacity-plan.ts clientSaturated) is never published as capacity: the result
 * says "at least N" and `clientBound: true`. The whole run keeps within `--budget` seconds.
 *
 * Needs 2 CPUs (one each) and the native addons (the client's SRTP); says so when either is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { mdTable } from '../lib/docs.js';
import { intFlag } from '../lib/flags.js';
import { median } from '../lib/median.js';
import { processTree, runProcess, spawnBounded } from '../lib/process.js';
import { BenchError, startServe } from '../lib/processes.js';
import { describePublished, machineInfo, publishResults, resultFiles, today, writeDocsRequested } from '../lib/results.js';
import { idleRate, readTree, readTreeNs } from '../lib/test-cost.js';
import { idleShare, ladderResult, levelOutcome, nextN, rateWithin, type LadderResult, type LevelOutcome } from './capacity-plan.js';
import type { FastClientRun, FastTestResult } from './fast-client.js';
import { TOLERANCE_TEXT, withinTolerance } from './load-kit.js';

export interface CapacityOptions {
  durationS: number;
  budgetS: number;
  maxN: number;
}

/** `--capacity [--duration S] [--budget S] [--max-n N]` -> options, or null without --capacity. */
export function capacityOptionsFromArgs(args: readonly string[]): CapacityOptions | null {
  if (!args.includes('--capacity')) return null;
  for (const gone of ['--fractions', '--both-cores', '--core-pct'])
    if (args.includes(gone)) throw new BenchError(`${gone} is gone: the capacity bench pins the server to one whole core and the client to the other`);
  return { durationS: intFlag(args, '--duration', 10, 3, 60), budgetS: intFlag(args, '--budget', 540, 30, 600), maxN: intFlag(args, '--max-n', 512, 1, 1000) };
}

const HTTP_PORT = 18096;
const METRICS_PORT = 18097;
const FAST_CLIENT = 'dist/bench/load/fast-client-main.js';
/** The server's CPU and the client's: the CPUs of a 2-CPU machine. */
const SERVER_CPU = 0;
const CLIENT_CPU = 1;
/** A level's time beyond its tests: the set-ups, the drain, the final tally, the client's start. */
const LEVEL_OVERHEAD_S = 8;
/** After each test's set-up, before the next (four in flight), ms. */
const SETUP_STAGGER_MS = 100;
/** How often the server's CPU is sampled while a level runs. */
const SAMPLE_MS = 250;

/** One test as published: its figures, or why it has none. */
interface TestFigures {
  rttMsP50: number | null;
  jitterMs: number | null;
  lossPct: number | null;
  missedTicks: number;
  refusedBusy: boolean;
  error: string | null;
}

interface Level {
  n: number;
  /** The same N run once more, the run before it client-limited. */
  again: boolean;
  outcome: LevelOutcome;
  withinTolerance: number;
  refusedBusy: number;
  failures: string[];
  tests: TestFigures[];
  /**
   * The server's cores while every test streamed (its whole tree, its idle background included),
   * and per test; the client's per test.
   */
  serverCores: number | null;
  serverCoresPerTest: number | null;
  /** A test's set-up, the median, ms; legs opened again before the measured span (the page does the same). */
  setupMsP50: number | null;
  setupRetries: number;
  clientCoresPerTest: number | null;
  clientCores: number;
  clientLoopMsP99: number;
  /** The client's wake-ups in the measured span more than one interval late: ms from the span's start, and how late. */
  clientStalls: { atMs: number; lateMs: number }[];
  /** Of the probes the tests sent in the span, the share (%) the client's loop sent over one interval late (their round trips left out). */
  clientSentLatePct: number;
  clientCoreIdle: number;
  memoryMiBPerTest: number;
  httpLoopMsP99: number | null;
  planeLoopMsP99: number | null;
  badEchoes: number;
}

/** One quantile of one process's event-loop delay from /metrics, ms; null when absent. */
function loopP99Ms(metrics: string, proc: string): number | null {
  const m = new RegExp(`^callprobe_event_loop_delay_seconds\\{process="${proc}",quantile="0.99"\\} ([0-9.e+-]+)$`, 'm').exec(metrics);
  return m ? Number(m[1]) * 1000 : null;
}

/** Pins every thread of `pid` and of the processes below it to `cpu`. */
async function pinTree(pid: number, cpu: number): Promise<void> {
  for (const p of processTree(pid)) {
    const r = await runProcess('taskset', ['-a', '-p', '-c', String(cpu), String(p)], { timeoutMs: 5_000 });
    if (r.code !== 0) throw new BenchError(`taskset could not pin process ${p} to CPU ${cpu}: ${r.output.trim()}`);
  }
}

async function runClientProcess(url: string, durationS: number, n: number): Promise<FastClientRun> {
  // Set-ups four at a time, 100 ms apart (each a DTLS handshake in JavaScript on both sides): tests
  // arriving as fast as the server takes them on; the measured span starts once every test is set
  // up (./fast-client.ts).
  const staggerMs = SETUP_STAGGER_MS;
  const p = spawnBounded('taskset', ['-c', String(CLIENT_CPU), process.execPath, FAST_CLIENT, url, String(durationS), String(n), String(staggerMs)], {
    // The set-ups come first (four at a time; a few seconds each on a loaded server), then the measured span.
    deadlineMs: (durationS + 60) * 1000 + n * 2_000,
  });
  const status = await p.exited;
  if (status.code !== 0) throw new BenchError(`the load client failed (${status.code ?? status.signal}): ${p.stderr().slice(-500)}`);
  return JSON.parse(p.stdout()) as FastClientRun;
}

/** Waits (at most 15 s) until the server no longer refuses tests for its plane's lateness, so a level does not start in its predecessor's wake. */
async function untilPlaneOnTime(): Promise<void> {
  const until = performance.now() + 15_000;
  while (performance.now() < until) {
    const text = await (await fetch(`http://127.0.0.1:${METRICS_PORT}/metrics`)).text();
    if (/^callprobe_admission_plane_busy 0$/m.test(text)) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const figures = (t: FastTestResult): TestFigures => ({
  rttMsP50: t.rttMsP50,
  jitterMs: t.jitterMs,
  lossPct: t.lossPct,
  missedTicks: t.missedTicks,
  refusedBusy: t.refusedBusy,
  error: t.error,
});

/** One level: `n` tests at once from the client, read against the baseline. */
async function runLevel(url: string, pid: number, n: number, o: CapacityOptions, base: FastTestResult | null): Promise<{ level: Level; run: FastClientRun }> {
  const stat0 = readFileSync('/proc/stat', 'utf8');
  const before = readTree(pid);
  let peakRss = before.rssMiB;
  const samples: { atMs: number; cpuS: number }[] = [];
  const sample = (): void => {
    const r = readTreeNs(pid);
    samples.push({ atMs: Date.now(), cpuS: r.cpuS });
    peakRss = Math.max(peakRss, r.rssMiB);
  };
  const sampler = setInterval(sample, SAMPLE_MS);
  let run: FastClientRun;
  try {
    run = await runClientProcess(url, o.durationS, n);
  } finally {
    clearInterval(sampler);
  }
  const clientCoreIdle = idleShare(stat0, readFileSync('/proc/stat', 'utf8'), `cpu${CLIENT_CPU}`);
  const baseline = base ?? run.tests[0] ?? null;
  const measured = run.tests.filter((t) => !t.refusedBusy);
  const failures = baseline === null ? ['no test'] : measured.map((t) => withinTolerance(t, baseline, o.durationS)).filter((x): x is string => x !== null);
  const s = run.streaming;
  const streamS = s === null ? 0 : (s.toUnixMs - s.fromUnixMs) / 1000;
  const clientCores = s !== null && streamS > 0 ? s.clientCpuS / streamS : 0;
  const serverRate = s === null ? null : rateWithin(samples, s.fromUnixMs, s.toUnixMs);
  const streamingTests = measured.filter((t) => t.ok).length;
  const clientLoopMsP99 = s?.clientLoopMsP99 ?? 0;
  const refusedBusy = run.tests.length - measured.length;
  const outcome = levelOutcome({
    n,
    failures,
    refusedBusy,
    clientTickFailures: failures.filter((x) => x.includes('missed pacing ticks')).length,
    clientCores,
    clientLoopMsP99,
    clientCoreIdle,
  });
  const metrics = await (await fetch(`http://127.0.0.1:${METRICS_PORT}/metrics`)).text();
  const level: Level = {
    n,
    again: false,
    outcome,
    withinTolerance: measured.length - failures.length,
    refusedBusy,
    failures,
    tests: run.tests.map(figures),
    serverCores: serverRate,
    serverCoresPerTest: serverRate === null || streamingTests === 0 ? null : serverRate / streamingTests,
    setupMsP50: run.setupMsP50,
    setupRetries: run.setupRetries,
    clientCoresPerTest: streamingTests === 0 ? null : clientCores / streamingTests,
    clientCores,
    clientLoopMsP99,
    clientStalls: (s?.clientStalls ?? []).map((x) => ({ atMs: Math.round(x.atMs), lateMs: Math.round(x.lateMs * 10) / 10 })),
    clientSentLatePct: sentLatePct(run.tests),
    clientCoreIdle,
    memoryMiBPerTest: Math.max(0, peakRss - before.rssMiB) / n,
    httpLoopMsP99: loopP99Ms(metrics, 'http'),
    planeLoopMsP99: loopP99Ms(metrics, 'dataplane'),
    badEchoes: run.tests.reduce((sum, t) => sum + t.badEchoes, 0),
  };
  return { level, run };
}

/** Of every probe the tests sent in the span, the share (%) sent over one interval late. */
function sentLatePct(tests: readonly FastTestResult[]): number {
  const sent = tests.reduce((n, t) => n + t.probesSent, 0);
  return sent === 0 ? 0 : (100 * tests.reduce((n, t) => n + t.sentLate, 0)) / sent;
}

const fx = (v: number | null | undefined, digits = 2): string => (v === null || v === undefined ? '–' : v.toFixed(digits));

function say(l: Level): void {
  process.stderr.write(
    `capacity N=${l.n}: ${l.outcome} (${l.withinTolerance} within, ${l.refusedBusy} refused busy${l.failures.length > 0 ? `; ${l.failures.slice(0, 2).join('; ')}` : ''}); ` +
      `set-up p50 ${fx(l.setupMsP50, 0)} ms, ${l.setupRetries} opened again; server ${fx(l.serverCores, 3)} cores (${fx(l.serverCoresPerTest, 4)}/test), client ${fx(l.clientCoresPerTest, 4)} cores/test (${fx(l.clientCores)} in all, loop p99 ${fx(l.clientLoopMsP99, 1)} ms, ${l.clientStalls.length} late wake-ups, the worst ${fx(Math.max(0, ...l.clientStalls.map((x) => x.lateMs)), 0)} ms), ` +
      `${fx(l.memoryMiBPerTest, 1)} MiB/test, plane loop p99 ${fx(l.planeLoopMsP99, 1)} ms\n`,
  );
}

/** Checks what the bench needs before it starts anything: two CPUs, taskset, and the client's build. */
async function checkMachine(): Promise<void> {
  if (cpus().length < 2) throw new BenchError(`the capacity bench pins the server and the client to a CPU each: this machine has ${cpus().length}`);
  const t = await runProcess('taskset', ['-p', String(process.pid)], { timeoutMs: 5_000 });
  if (t.code !== 0)
    throw new BenchError(`taskset (util-linux) is needed to pin the server and the client: ${t.output.trim() || t.spawnError?.message || 'not found'}`);
  if (!existsSync(FAST_CLIENT)) throw new BenchError(`the load client is not built (${FAST_CLIENT}): run npm run build`);
}

export async function runCapacityBench(o: CapacityOptions): Promise<void> {
  await checkMachine();
  const t0 = performance.now();
  const deadlineMs = t0 + o.budgetS * 1000;
  // This process on the client's CPU too: the server's core is the server's alone.
  await pinTree(process.pid, CLIENT_CPU);
  const { levels, stoppedBy, idle } = await withServe(async (url, pid, idleRead) => {
    await pinTree(pid, SERVER_CPU);
    const out: Level[] = [];
    let stopped: 'time' | 'max-n' = 'max-n';
    let base: FastTestResult | null = null;
    // A level the client limited is run once more before the ladder stops: one stall of the client's loop is not its limit.
    let again = false;
    for (let n = 1; n <= o.maxN;) {
      if (performance.now() + (o.durationS + LEVEL_OVERHEAD_S) * 1000 + n * SETUP_STAGGER_MS > deadlineMs) {
        stopped = 'time';
        break;
      }
      await untilPlaneOnTime();
      const { level, run } = await runLevel(url, pid, n, o, base);
      if (n === 1) base = run.tests[0] ?? null;
      out.push({ ...level, again });
      say(level);
      if (level.outcome === 'client-limited' && !again) {
        again = true;
        continue;
      }
      again = false;
      if (level.outcome !== 'held') break;
      n = nextN(n);
    }
    return { levels: out, stoppedBy: stopped, idle: idleRead };
  });
  publish(o, levels, ladderResult(levels, stoppedBy), idle, (performance.now() - t0) / 1000);
}

/** A `serve` for the bench, its idle rate read once its own start is over, handed to `run`; stopped after. */
async function withServe<T>(run: (url: string, pid: number, idle: { cpuSPerS: number; rssMiB: number }) => Promise<T>): Promise<T> {
  // One loopback source runs every test: the per-source limits raised, and --max-tests far above any level (the plane's
  // lateness still refuses): one network may hold an eighth of it (CONSTANTS.doors), 512 tests of 4,096.
  const server = await startServe(
    [
      '--turn-ports',
      '3478-3481',
      '--max-tests',
      '4096',
      '--max-sessions-per-ip',
      '1000',
      '--sessions-per-minute',
      '1000',
      '--config-per-minute',
      '1000',
      '--max-connections-per-ip',
      '4096',
      // A test holds about 8 relay allocations (the page's and the reflector's), all from this one loopback source, whose
      // network may hold an eighth of --max-allocations, itself at most the relay's ports: every port below the
      // ephemeral range (32,768 up, the client's sockets), 31,744, room for about 490 tests from the one network.
      '--relay-ports',
      '1024-32767',
      '--max-allocations-per-ip',
      '31744',
      '--max-allocations',
      '31744',
      '--no-store',
      '--metrics-listen',
      `127.0.0.1:${METRICS_PORT}`,
    ],
    HTTP_PORT,
  );
  try {
    // A fresh serve's own start goes on for about 20 s (bench/load/cost.ts): its idle rate is read after it.
    await idleRate(server.pid, 25);
    const idle = await idleRate(server.pid, 10, readTreeNs);
    process.stderr.write(`capacity: serve idles at ${(idle.cpuSPerS * 1000).toFixed(1)} ms CPU/s, ${idle.rssMiB.toFixed(0)} MiB\n`);
    return await run(server.url, server.pid, idle);
  } finally {
    await server.stop();
  }
}

/** The figures of one level's tests in one cell: median (max) of those that measured. */
function spread(tests: readonly TestFigures[], pick: (t: TestFigures) => number | null, digits: number): string {
  const values = tests.map(pick).filter((v): v is number => v !== null);
  if (values.length === 0) return '–';
  return `${fx(median(values), digits)} (${fx(Math.max(...values), digits)})`;
}

function resultWords(r: LadderResult): string {
  const tests = (n: number): string => `${n} test${n === 1 ? '' : 's'}`;
  if (r.kind === 'capacity') return `**${tests(r.testsPerCore)} per core**, bounded by ${r.boundBy} at the next level`;
  if (r.kind === 'too-busy') return `too busy to measure (${r.why}; ${r.boundBy})`;
  const why = r.boundBy === 'client' ? 'the client limited the run (client-bound)' : r.boundBy === 'time' ? 'the time budget ran out' : '--max-n reached';
  return `at least ${tests(r.largestN)} per core, not the server's limit: ${why}`;
}

function publish(o: CapacityOptions, levels: Level[], result: LadderResult, idle: { cpuSPerS: number; rssMiB: number }, wallS: number): void {
  const date = today();
  const files = resultFiles('load-capacity', date);
  const command = 'npm run bench:load -- --capacity';
  const heldLast = [...levels].reverse().find((l) => l.outcome === 'held') ?? null;
  const raw = {
    command,
    machine: machineInfo(),
    options: o,
    wallS,
    tolerance: TOLERANCE_TEXT,
    testsPerCore: result.kind === 'capacity' ? result.testsPerCore : null,
    clientBound: result.clientBound,
    boundBy: result.boundBy,
    result,
    /** At the largest level held: cores per test while streaming. */
    serverCpuPerTest: heldLast?.serverCoresPerTest ?? null,
    clientCpuPerTest: heldLast?.clientCoresPerTest ?? null,
    serverIdleCpuSPerS: idle.cpuSPerS,
    levels,
  };
  // The committed summary: each level's tests as median (max), every test in the raw file.
  const summary = {
    ...raw,
    levels: levels.map(({ tests, ...l }) => ({
      ...l,
      rttMsP50: spread(tests, (t) => t.rttMsP50, 3),
      jitterMs: spread(tests, (t) => t.jitterMs, 3),
      lossPctMax: Math.max(0, ...tests.map((t) => t.lossPct ?? 0)),
    })),
  };
  const markdown = [
    `### Capacity per core, the server on one core (${date})`,
    '',
    `Command: \`${command}\` (${o.durationS} s RTP tests from the fast load client, every test set up as the page does; \`serve\` pinned to CPU ${SERVER_CPU}, the client to CPU ${CLIENT_CPU}; ${wallS.toFixed(0)} s in all). Summary: \`${files.summary}\`. Tolerance: ${TOLERANCE_TEXT}; a test refused with \`server-busy\` counts as past the limit.`,
    '',
    heldLast === null
      ? `Result: ${resultWords(result)}.`
      : `Result: ${resultWords(result)}. At the largest level held (${heldLast.n} tests streaming at once), the server used ${fx(heldLast.serverCores, 3)} of its core, ${fx(heldLast.serverCoresPerTest, 4)} a test (its idle background of ${fx(idle.cpuSPerS, 4)} cores included), and the client ${fx(heldLast.clientCoresPerTest, 4)} a test.`,
    '',
    mdTable(
      [
        'N',
        'outcome',
        'within / refused',
        'set-up p50 (legs opened again)',
        'RTT p50 ms, median (max)',
        'jitter ms, median (max)',
        'loss %, max',
        'server cores, all (per test)',
        'client cores per test (all)',
        'client loop p99 (probes it sent late)',
        'memory per test',
        'HTTP / plane loop p99 (/metrics, 30 s)',
      ],
      levels.map((l) => [
        l.again ? `${l.n} (again)` : l.n,
        l.outcome,
        `${l.withinTolerance} / ${l.refusedBusy}`,
        `${fx(l.setupMsP50, 0)} ms (${l.setupRetries})`,
        spread(l.tests, (t) => t.rttMsP50, 2),
        spread(l.tests, (t) => t.jitterMs, 2),
        fx(Math.max(0, ...l.tests.map((t) => t.lossPct ?? 0)), 2),
        `${fx(l.serverCores, 3)} (${fx(l.serverCoresPerTest, 4)})`,
        `${fx(l.clientCoresPerTest, 4)} (${fx(l.clientCores)})`,
        `${fx(l.clientLoopMsP99, 1)} ms (${fx(l.clientSentLatePct, 1)} % sent late)`,
        `${fx(l.memoryMiBPerTest, 1)} MiB`,
        `${fx(l.httpLoopMsP99, 1)} / ${fx(l.planeLoopMsP99, 1)} ms`,
      ]),
    ),
  ].join('\n');
  process.stdout.write(`capacity: ${resultWords(result).replace(/\*\*/g, '')}\n`);
  const published = publishResults(
    { name: 'load-capacity', raw, summary, docs: { page: 'load-capacity', section: 'load-capacity', markdown } },
    { writeDocs: writeDocsRequested(process.argv), date },
  );
  process.stdout.write(`${describePublished(published)}\n`);
}
