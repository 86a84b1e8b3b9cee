/**
 * `npm run bench:load -- --capacity [--fractions 20,10,5 | --both-cores] [--duration 10]
 * [--budget 540] [--max-n 64]`: capacity where the server is the bottleneck. `serve` (its HTTP process and its
 * data plane) runs in a CPU cgroup of a fraction of one core (bench/lib/cpu-cap.ts, 10 ms CFS
 * period; 20 ms where 10 ms would give a quota under the kernel's 1 ms), and one cheap client
 * process (./many-client.ts: many tests, no page) raises the concurrent tests (./capacity-plan.ts
 * nextN) until one falls out of bench:load's tolerance (./load-kit.ts) or is refused as busy.
 * Capacity per core = the largest N held / the fraction. Per level it records the CPU seconds
 * per test (bench/lib/test-cost.ts), memory per test, the data plane's event-loop delay (the
 * reports' `server` section) and each process's (/metrics), the client's own CPU and the
 * machine's idle share: a level the client or the machine limited is marked, never published as
 * capacity. The whole run keeps within `--budget` seconds (at most 10 minutes).
 *
 * `--both-cores` caps at 100 % and 200 % of a core (the quota spanning both cores) and says
 * whether two cores hold at least BOTH_CORES_MIN_RATIO times the tests of one, the data plane in
 * its own process beside the HTTP process. The client needs a core of its own beside the two the
 * server may use: it refuses to run on fewer than 3 CPUs.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createCpuCap } from '../lib/cpu-cap.js';
import { mdTable } from '../lib/docs.js';
import { median } from '../lib/median.js';
import { processTree, spawnBounded } from '../lib/process.js';
import { BenchError, startServe } from '../lib/processes.js';
import { intFlag } from '../lib/flags.js';
import { describePublished, machineInfo, publishResults, resultFiles, today, writeDocsRequested } from '../lib/results.js';
import { costPerTest, idleRate, readTree } from '../lib/test-cost.js';
import {
  BOTH_CORES_FRACTIONS_PCT,
  BOTH_CORES_MIN_RATIO,
  bothCores,
  capacityPerCore,
  capPeriodUs,
  fractionResult,
  idleShare,
  levelOutcome,
  nextN,
  type FractionResult,
  type LevelOutcome,
} from './capacity-plan.js';
import { TOLERANCE_TEXT, withinTolerance } from './load-kit.js';
import type { ManyClientRun } from './many-client.js';

export interface CapacityOptions {
  fractionsPct: number[];
  /** `--both-cores`: the caps are 100 and 200 %, and the run says whether 2 cores hold 1.8x one. */
  bothCores: boolean;
  durationS: number;
  budgetS: number;
  maxN: number;
}

/** `--capacity [--fractions a,b,c] [--duration S] [--budget S] [--max-n N]` -> options, or null without --capacity. */
export function capacityOptionsFromArgs(args: readonly string[]): CapacityOptions | null {
  if (!args.includes('--capacity')) return null;
  const value = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i < 0 ? undefined : args[i + 1];
  };
  const num = (flag: string, fallback: number, min: number, max: number): number => intFlag(args, flag, fallback, min, max);
  const both = args.includes('--both-cores');
  if (both && value('--fractions') !== undefined) throw new BenchError('--both-cores sets the caps itself (100 and 200 % of a core): leave out --fractions');
  if (both && availableParallelism() < 3) {
    throw new BenchError(`--both-cores needs at least 3 CPUs (two for the server, one for the client); this machine has ${availableParallelism()}`);
  }
  const fractionsPct = both ? [...BOTH_CORES_FRACTIONS_PCT] : (value('--fractions') ?? '20,10,5').split(',').map(Number);
  if (!both && fractionsPct.some((p) => !Number.isInteger(p) || p < 1 || p > 100))
    throw new BenchError('--fractions takes whole % of a core, 1..100, comma-separated');
  return { fractionsPct, bothCores: both, durationS: num('--duration', 10, 3, 60), budgetS: num('--budget', 540, 30, 600), maxN: num('--max-n', 64, 1, 1000) };
}

const HTTP_PORT = 18096;
const METRICS_PORT = 18097;
const MANY_CLIENT = 'dist/bench/load/many-client-main.js';
/** A level's time beyond its tests: setup, the drain, the final tally, the client's start. */
const LEVEL_OVERHEAD_S = 6;

interface Level {
  n: number;
  outcome: LevelOutcome;
  withinTolerance: number;
  refusedBusy: number;
  failures: string[];
  cpuSPerTest: number | null;
  memoryMiBPerTest: number;
  planeLoopMsP99: number | null;
  httpLoopMsP99: number | null;
  metricsPlaneLoopMsP99: number | null;
  clientCores: number;
  machineIdle: number;
}

interface Fraction {
  pctOfCore: number;
  periodUs: number;
  levels: Level[];
  result: FractionResult;
  throttledPeriods: number;
  periods: number;
}

/** One quantile of one process's event-loop delay from /metrics, ms; null when absent. */
function loopP99Ms(metrics: string, proc: string): number | null {
  const m = new RegExp(`^callprobe_event_loop_delay_seconds\\{process="${proc}",quantile="0.99"\\} ([0-9.e+-]+)$`, 'm').exec(metrics);
  return m ? Number(m[1]) * 1000 : null;
}

async function runClientProcess(url: string, durationS: number, n: number): Promise<ManyClientRun> {
  const staggerMs = Math.min(100, Math.floor(2000 / n));
  const p = spawnBounded(process.execPath, [MANY_CLIENT, url, String(durationS), String(n), String(staggerMs)], { deadlineMs: (durationS + 60) * 1000 });
  const status = await p.exited;
  if (status.code !== 0) throw new BenchError(`the load client failed (${status.code ?? status.signal}): ${p.stderr().slice(-500)}`);
  return JSON.parse(p.stdout()) as ManyClientRun;
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

/** One level: `n` tests at once from one client process, read against the baseline. */
async function runLevel(
  url: string,
  pid: number,
  n: number,
  durationS: number,
  idle: { cpuSPerS: number },
  base: ManyClientRun['tests'][number] | null,
): Promise<{ level: Level; run: ManyClientRun }> {
  const stat0 = readFileSync('/proc/stat', 'utf8');
  const before = readTree(pid);
  let peakRss = before.rssMiB;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, readTree(pid).rssMiB)), 500);
  let run: ManyClientRun;
  try {
    run = await runClientProcess(url, durationS, n);
  } finally {
    clearInterval(sampler);
  }
  const after = readTree(pid);
  const machineIdle = idleShare(stat0, readFileSync('/proc/stat', 'utf8'));
  const baseline = base ?? run.tests[0] ?? null;
  const measured = run.tests.filter((t) => !t.refusedBusy);
  const failures = baseline === null ? ['no test'] : measured.map((t) => withinTolerance(t, baseline, durationS)).filter((x): x is string => x !== null);
  const clientCores = run.wallS > 0 ? run.clientCpuS / run.wallS : 0;
  const refusedBusy = run.tests.length - measured.length;
  const outcome = levelOutcome({
    n,
    failures,
    refusedBusy,
    clientTickFailures: failures.filter((x) => x.includes('missed pacing ticks')).length,
    clientCores,
    machineIdle,
  });
  const metrics = await (await fetch(`http://127.0.0.1:${METRICS_PORT}/metrics`)).text();
  const level: Level = {
    n,
    outcome,
    withinTolerance: measured.length - failures.length,
    refusedBusy,
    failures,
    cpuSPerTest: costPerTest(before, after, idle.cpuSPerS, measured.filter((t) => t.ok).length),
    memoryMiBPerTest: Math.max(0, peakRss - before.rssMiB) / n,
    planeLoopMsP99: median(measured.map((t) => t.serverLoopMsP99).filter((v): v is number => v !== null)),
    httpLoopMsP99: loopP99Ms(metrics, 'http'),
    metricsPlaneLoopMsP99: loopP99Ms(metrics, 'dataplane'),
    clientCores,
    machineIdle,
  };
  return { level, run };
}

const fx = (v: number | null, digits = 2): string => (v === null ? '–' : v.toFixed(digits));

function say(fraction: number, l: Level): void {
  process.stderr.write(
    `capacity ${fraction} % N=${l.n}: ${l.outcome} (${l.withinTolerance} within, ${l.refusedBusy} refused busy${l.failures.length > 0 ? `; ${l.failures.slice(0, 2).join('; ')}` : ''}); ` +
      `server ${fx(l.cpuSPerTest, 3)} CPU-s/test, ${fx(l.memoryMiBPerTest, 1)} MiB/test, plane loop p99 ${fx(l.planeLoopMsP99, 1)} ms; client ${fx(l.clientCores)} cores, machine idle ${(100 * l.machineIdle).toFixed(0)} %\n`,
  );
}

/** One cap: the server's tree moved into a cgroup of `pct` % of a core, the ladder run until its limit, the budget or max N. */
async function runFraction(
  url: string,
  pid: number,
  pct: number,
  o: CapacityOptions,
  deadlineMs: number,
  idle: { cpuSPerS: number; rssMiB: number },
): Promise<Fraction> {
  const periodUs = capPeriodUs(pct);
  const made = createCpuCap({ name: `callprobe-capacity-${process.pid}-${pct}`, pctOfCore: pct, periodUs });
  if (!made.ok) throw new BenchError(`the server's CPU cgroup cannot be made here: ${made.detail}`);
  const cap = made.cap;
  const levels: Level[] = [];
  let stoppedBy: 'time' | 'max-n' = 'max-n';
  try {
    for (const p of processTree(pid)) cap.addPid(p);
    let base: ManyClientRun['tests'][number] | null = null;
    for (let n = 1; n <= o.maxN; n = nextN(n)) {
      if (performance.now() + (o.durationS + LEVEL_OVERHEAD_S) * 1000 > deadlineMs) {
        stoppedBy = 'time';
        break;
      }
      await untilPlaneOnTime();
      const { level, run } = await runLevel(url, pid, n, o.durationS, idle, base);
      if (n === 1) base = run.tests[0] ?? null;
      levels.push(level);
      say(pct, level);
      if (level.outcome !== 'held') break;
    }
    const usage = cap.usage();
    return {
      pctOfCore: pct,
      periodUs,
      levels,
      result: fractionResult(pct, levels, stoppedBy),
      throttledPeriods: usage.throttledPeriods,
      periods: usage.periods,
    };
  } finally {
    await cap.remove();
  }
}

function resultWords(r: FractionResult): string {
  const tests = (n: number): string => `${n} test${n === 1 ? '' : 's'}`;
  if (r.kind === 'capacity') return `${tests(r.largestN)} held: ${r.perCore.toFixed(0)} tests per core`;
  if (r.kind === 'too-busy') return `too busy to measure (${r.why})`;
  const why =
    r.why === 'client-limited'
      ? 'the client or the machine limited the run (client-limited)'
      : r.why === 'time'
        ? 'the time budget ran out'
        : '--max-n reached';
  return `at least ${tests(r.largestN)}, not the server's limit: ${why}`;
}

export async function runCapacityBench(o: CapacityOptions): Promise<void> {
  const t0 = performance.now();
  const deadlineMs = t0 + o.budgetS * 1000;
  // One loopback source runs every test: the per-source limits raised, --max-tests far above any level (the plane's lateness still refuses).
  const server = await startServe(
    [
      '--turn-ports',
      '3478-3481',
      '--max-tests',
      '1000',
      '--max-sessions-per-ip',
      '1000',
      '--sessions-per-minute',
      '1000',
      '--config-per-minute',
      '1000',
      '--max-connections-per-ip',
      '4096',
      '--no-store',
      '--metrics-listen',
      `127.0.0.1:${METRICS_PORT}`,
    ],
    HTTP_PORT,
  );
  const fractions: Fraction[] = [];
  try {
    // A fresh serve's own start goes on for about 20 s (bench/load/cost.ts): its idle rate is read after it.
    await idleRate(server.pid, 25);
    const idle = await idleRate(server.pid, 10);
    process.stderr.write(`capacity: serve idles at ${(idle.cpuSPerS * 1000).toFixed(1)} ms CPU/s, ${idle.rssMiB.toFixed(0)} MiB\n`);
    for (const [i, pct] of o.fractionsPct.entries()) {
      // Each cap gets an equal share of what is left of the budget.
      const share = (deadlineMs - performance.now()) / (o.fractionsPct.length - i);
      fractions.push(await runFraction(server.url, server.pid, pct, o, performance.now() + share, idle));
    }
  } finally {
    await server.stop();
  }
  publish(o, fractions, (performance.now() - t0) / 1000);
}

function publish(o: CapacityOptions, fractions: Fraction[], wallS: number): void {
  const overall = capacityPerCore(fractions.map((f) => f.result));
  const machine = machineInfo();
  const date = today();
  /** The both-cores check publishes apart: its own summary and section, the capacity table untouched. */
  const name = o.bothCores ? 'load-both-cores' : 'load-capacity';
  const files = resultFiles(name, date);
  const agreement =
    overall.agree === null
      ? 'Fewer than two caps measured a capacity: whether the fractions agree is not known.'
      : overall.agree
        ? `The caps agree: the largest capacity per core is ${fx(overall.spread)}x the smallest (at most 1.5x).`
        : `**The caps do not agree**: the largest capacity per core is ${fx(overall.spread)}x the smallest (more than 1.5x), so the cost of a test is not proportional to the CPU it is given here.`;
  const cores = bothCores(fractions.map((f) => f.result));
  const coresWords = !o.bothCores
    ? null
    : cores.ratio === null
      ? 'Two cores against one: not known (a cap measured no capacity).'
      : `Two cores against one: ${fx(cores.ratio)}x the tests (${cores.holds ? 'at least' : '**under**'} the ${BOTH_CORES_MIN_RATIO}x wanted).`;
  const command = `npm run bench:load -- --capacity${o.bothCores ? ' --both-cores' : ''}`;
  const result = {
    command,
    machine,
    options: o,
    wallS,
    tolerance: TOLERANCE_TEXT,
    capacityPerCore: overall,
    ...(o.bothCores ? { bothCores: cores } : {}),
    fractions,
  };
  const markdown = [
    o.bothCores ? `### Two cores against one, the server capped (${date})` : `### Capacity per core, the server capped (${date})`,
    '',
    `Command: \`${command}\` (${o.durationS} s data-channel tests from one client process, no page; \`serve\` and its data plane in a CPU cgroup of ${o.fractionsPct.join(', ')} % of a core; ${wallS.toFixed(0)} s in all). Summary: \`${files.summary}\`. Tolerance: ${TOLERANCE_TEXT}; a test refused with \`server-busy\` counts as past the limit.`,
    '',
    `**Capacity per core: ${overall.perCore === null ? 'not measured' : `${overall.perCore.toFixed(0)} tests`}.** ${agreement}${coresWords === null ? '' : ` ${coresWords}`}`,
    '',
    mdTable(
      ['cap', 'result'],
      fractions.map((f) => [`${f.pctOfCore} % (${f.periodUs / 1000} ms period)`, resultWords(f.result)]),
    ),
    '',
    mdTable(
      [
        'cap',
        'N',
        'outcome',
        'within / refused',
        'server CPU-s per test',
        'memory per test',
        'plane loop p99 (reports)',
        'HTTP / plane loop p99 (/metrics, 30 s)',
        'client CPU',
        'machine idle',
      ],
      fractions.flatMap((f) =>
        f.levels.map((l) => [
          `${f.pctOfCore} %`,
          l.n,
          l.outcome,
          `${l.withinTolerance} / ${l.refusedBusy}`,
          fx(l.cpuSPerTest, 3),
          `${fx(l.memoryMiBPerTest, 1)} MiB`,
          `${fx(l.planeLoopMsP99, 1)} ms`,
          `${fx(l.httpLoopMsP99, 1)} / ${fx(l.metricsPlaneLoopMsP99, 1)} ms`,
          `${fx(l.clientCores)} cores`,
          `${(100 * l.machineIdle).toFixed(0)} %`,
        ]),
      ),
    ),
  ].join('\n');
  for (const f of fractions) process.stdout.write(`${f.pctOfCore} % of a core: ${resultWords(f.result)}\n`);
  process.stdout.write(`capacity per core: ${overall.perCore === null ? 'not measured' : overall.perCore.toFixed(0)}; ${agreement}\n`);
  if (coresWords !== null) process.stdout.write(`${coresWords}\n`);
  const published = publishResults(
    { name, raw: result, summary: result, docs: { section: name, markdown } },
    { writeDocs: writeDocsRequested(process.argv), date },
  );
  process.stdout.write(`${describePublished(published)}\n`);
}
