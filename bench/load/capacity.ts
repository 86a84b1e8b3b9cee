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
 * `--both-cores [--core-pct 20]` says whether two cores hold at least BOTH_CORES_MIN_RATIO times
 * the tests of one. On this machine's 2 CPUs the client needs one of them, so each core of the
 * server is a CPU cgroup of `--core-pct` % of a core (10 ms CFS period): one core is `serve --workers 1` with its
 * whole tree in one cgroup; two cores are `serve --workers 2` in a cgroup of twice that, each
 * data plane in a child cgroup of one core's worth, the HTTP process free between them.
 * N rises one test at a time there (the ratio is read from small numbers).
 */
import { readFileSync } from 'node:fs';
import { createCpuCap, type CpuCap } from '../lib/cpu-cap.js';
import { mdTable } from '../lib/docs.js';
import { median } from '../lib/median.js';
import { processTree, spawnBounded } from '../lib/process.js';
import { BenchError, startServe } from '../lib/processes.js';
import { intFlag } from '../lib/flags.js';
import { describePublished, machineInfo, publishResults, resultFiles, today, writeDocsRequested } from '../lib/results.js';
import { costPerTest, idleRate, readTree, readTreeNs } from '../lib/test-cost.js';
import {
  BOTH_CORES_CORE_PCT,
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
  /** `--both-cores`: one core and two of `fractionsPct[0]` % each (--core-pct), and whether 2 cores hold 1.8x one. */
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
  if (both && value('--fractions') !== undefined)
    throw new BenchError('--both-cores sets its caps with --core-pct (one core and two of that size): leave out --fractions');
  if (!both && value('--core-pct') !== undefined) throw new BenchError('--core-pct goes with --both-cores');
  const fractionsPct = both ? [num('--core-pct', BOTH_CORES_CORE_PCT, 10, 50)] : (value('--fractions') ?? '20,10,5').split(',').map(Number);
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
  /** The server's cores (cgroups) and each one's % of a core: pctOfCore is their sum. */
  cores: number;
  pctPerCore: number;
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

/** Whether process `pid` is the second data plane of `serve --workers 2` (its title says so, in place of its command line: server/dataplane/main.ts). */
function isSecondPlane(pid: number): boolean {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return args.includes('--plane-index=1') || args[0]?.trim() === 'callprobe-dataplane-1';
  } catch {
    return false; // exited
  }
}

/**
 * One cap: the server's tree moved into a cgroup of `pct` % of a core (one core), or (two cores)
 * a cgroup of 2 x `pct` % holding the HTTP process, with one child cgroup of `pct` % for each data
 * plane inside it: each plane may use one core's worth, the HTTP process whichever core has
 * room, and all of them together two cores' worth, as on a machine of two such cores. The ladder
 * runs until its limit, the budget or max N.
 */
async function runFraction(
  url: string,
  pid: number,
  pct: number,
  cores: 1 | 2,
  o: CapacityOptions,
  deadlineMs: number,
  idle: { cpuSPerS: number; rssMiB: number },
): Promise<Fraction> {
  const periodUs = capPeriodUs(pct);
  const caps: CpuCap[] = [];
  const levels: Level[] = [];
  let stoppedBy: 'time' | 'max-n' = 'max-n';
  const cap = (name: string, pctOfCore: number, parent?: CpuCap): CpuCap => {
    const made = createCpuCap({ name, pctOfCore, periodUs, ...(parent ? { parent } : {}) });
    if (!made.ok) throw new BenchError(`the server's CPU cgroup cannot be made here: ${made.detail}`);
    caps.push(made.cap);
    return made.cap;
  };
  try {
    const name = `callprobe-capacity-${process.pid}-${pct}-${cores}`;
    const all = cap(name, pct * cores);
    const tree = processTree(pid);
    if (cores === 1) for (const p of tree) all.addPid(p);
    else {
      const planes = [cap('plane-0', pct, all), cap('plane-1', pct, all)];
      if (!tree.some(isSecondPlane)) throw new BenchError('serve --workers 2 started no second data plane');
      for (const p of tree) (p === pid ? all : (planes[isSecondPlane(p) ? 1 : 0] ?? all)).addPid(p);
    }
    let base: ManyClientRun['tests'][number] | null = null;
    // Two cores against one is read from small numbers: one test more at a time.
    for (let n = 1; n <= o.maxN; n = o.bothCores ? n + 1 : nextN(n)) {
      if (performance.now() + (o.durationS + LEVEL_OVERHEAD_S) * 1000 > deadlineMs) {
        stoppedBy = 'time';
        break;
      }
      await untilPlaneOnTime();
      const { level, run } = await runLevel(url, pid, n, o.durationS, idle, base);
      if (n === 1) base = run.tests[0] ?? null;
      levels.push(level);
      say(pct * cores, level);
      if (level.outcome !== 'held') break;
    }
    const usage = caps.map((c) => c.usage());
    return {
      cores,
      pctPerCore: pct,
      pctOfCore: pct * cores,
      periodUs,
      levels,
      result: fractionResult(pct * cores, levels, stoppedBy),
      throttledPeriods: usage.reduce((n, u) => n + u.throttledPeriods, 0),
      periods: usage.reduce((n, u) => n + u.periods, 0),
    };
  } finally {
    // The children before their parent (which may also have mounted the hierarchy: bench/lib/cpu-cap.ts).
    for (const c of [...caps].reverse()) await c.remove();
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
  const fractions: Fraction[] = [];
  if (o.bothCores) {
    // One core, then two: a serve of its own each (--workers 1, then 2), each with half of what is left.
    const pct = o.fractionsPct[0] ?? BOTH_CORES_CORE_PCT;
    for (const cores of [1, 2] as const) {
      const share = (deadlineMs - performance.now()) / (3 - cores);
      fractions.push(await withServe(['--workers', String(cores)], (url, pid, idle) => runFraction(url, pid, pct, cores, o, performance.now() + share, idle)));
    }
  } else {
    await withServe([], async (url, pid, idle) => {
      for (const [i, pct] of o.fractionsPct.entries()) {
        // Each cap gets an equal share of what is left of the budget.
        const share = (deadlineMs - performance.now()) / (o.fractionsPct.length - i);
        fractions.push(await runFraction(url, pid, pct, 1, o, performance.now() + share, idle));
      }
    });
  }
  publish(o, fractions, (performance.now() - t0) / 1000);
}

/** A `serve` for the bench (with `extra` flags), its idle rate read once its own start is over, handed to `run`; stopped after. */
async function withServe<T>(extra: string[], run: (url: string, pid: number, idle: { cpuSPerS: number; rssMiB: number }) => Promise<T>): Promise<T> {
  // One loopback source runs every test: the per-source limits raised, --max-tests far above any level (the plane's lateness still refuses).
  const server = await startServe(
    [
      ...extra,
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
  try {
    // A fresh serve's own start goes on for about 20 s (bench/load/cost.ts): its idle rate is read after it.
    await idleRate(server.pid, 25);
    const idle = await idleRate(server.pid, 10, readTreeNs);
    process.stderr.write(`capacity: serve ${extra.join(' ')} idles at ${(idle.cpuSPerS * 1000).toFixed(1)} ms CPU/s, ${idle.rssMiB.toFixed(0)} MiB\n`);
    return await run(server.url, server.pid, idle);
  } finally {
    await server.stop();
  }
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
  const cores = bothCores(
    fractions.map((f) => f.result),
    o.fractionsPct[0] ?? BOTH_CORES_CORE_PCT,
  );
  const coresWords = !o.bothCores
    ? null
    : cores.ratio === null
      ? 'Two cores against one: not known (one of them measured no capacity).'
      : `Two cores against one: ${fx(cores.ratio)}x the tests (${cores.holds ? 'at least' : 'under'} the ${BOTH_CORES_MIN_RATIO}x wanted).`;
  const capWords = (f: Fraction): string =>
    !o.bothCores
      ? `${f.pctOfCore} % (${f.periodUs / 1000} ms period)`
      : f.cores === 1
        ? `one core: \`--workers 1\`, ${f.pctPerCore} %`
        : `two cores: \`--workers 2\`, 2 x ${f.pctPerCore} %`;
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
    o.bothCores
      ? `Command: \`${command}\` (${o.durationS} s data-channel tests from one client process, no page; each core of the server a CPU cgroup of ${o.fractionsPct[0] ?? BOTH_CORES_CORE_PCT} % of a core with a 10 ms CFS period: one core is \`serve --workers 1\`, its whole tree in one cgroup; two cores are \`serve --workers 2\` in a cgroup of twice that, each data plane in a child cgroup of one core's worth and the HTTP process free between them; N one more at a time; ${wallS.toFixed(0)} s in all). Summary: \`${files.summary}\`. Tolerance: ${TOLERANCE_TEXT}; a test refused with \`server-busy\` counts as past the limit.`
      : `Command: \`${command}\` (${o.durationS} s data-channel tests from one client process, no page; \`serve\` and its data plane in a CPU cgroup of ${o.fractionsPct.join(', ')} % of a core; ${wallS.toFixed(0)} s in all). Summary: \`${files.summary}\`. Tolerance: ${TOLERANCE_TEXT}; a test refused with \`server-busy\` counts as past the limit.`,
    '',
    coresWords === null
      ? `**Capacity per core: ${overall.perCore === null ? 'not measured' : `${overall.perCore.toFixed(0)} tests`}.** ${agreement}`
      : `**${coresWords}**`,
    '',
    mdTable(
      ['cap', 'result'],
      fractions.map((f) => [capWords(f), resultWords(f.result)]),
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
          o.bothCores ? `${f.cores} x ${f.pctPerCore} %` : `${f.pctOfCore} %`,
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
  for (const f of fractions) process.stdout.write(`${capWords(f)}: ${resultWords(f.result)}\n`);
  if (coresWords === null) process.stdout.write(`capacity per core: ${overall.perCore === null ? 'not measured' : overall.perCore.toFixed(0)}; ${agreement}\n`);
  else process.stdout.write(`${coresWords}\n`);
  const published = publishResults(
    { name, raw: result, summary: result, docs: { page: 'load-capacity', section: name, markdown } },
    { writeDocs: writeDocsRequested(process.argv), date },
  );
  process.stdout.write(`${describePublished(published)}\n`);
}
