/**
 * `npm run bench:load -- --isolation [--runs 5] [--reference-runs 2] [--duration 15]`: a clean
 * test beside an abusive busy-line client (isolation.ts), `--runs` pairs against `serve` as it
 * ships (the data plane in a process of its own), then `--reference-runs` pairs against `serve
 * --workers 0` (the relay and reflector on the HTTP process's event loop, as before) for
 * comparison. The criterion: in every pair of the shipped layout, the clean test's round trip p50
 * beside the abuser within 1 ms + 20 % of its run alone.
 *
 * Run inside scripts/netns-run.sh: the abuser's four /64s go on the namespace's loopback, and it
 * runs in a CPU cgroup of half a core (10 ms CFS period) so that what is measured is the server's
 * design, not the abuser's share of the shared cores. Raw results go to bench/results/raw/;
 * `--write-docs` also writes the summary and the docs section.
 */
import { execFileSync } from 'node:child_process';
import { createCpuCap } from '../lib/cpu-cap.js';
import { mdTable } from '../lib/docs.js';
import { spawnBounded } from '../lib/process.js';
import { BenchError, startServe } from '../lib/processes.js';
import { intFlag } from '../lib/flags.js';
import { describePublished, machineInfo, publishResults, resultFiles, today, writeDocsRequested } from '../lib/results.js';
import { ABUSER_64S, ABUSER_CPU_PCT, ABUSE_SERVE_FLAGS, LOAD_FLOOD_MAIN, isolationPair, type IsolationPair } from './isolation.js';

export interface IsolationBenchOptions {
  runs: number;
  referenceRuns: number;
  durationS: number;
}

/** `--isolation [--runs N] [--reference-runs M] [--duration S]` -> options, or null without --isolation. */
export function isolationOptionsFromArgs(args: readonly string[]): IsolationBenchOptions | null {
  if (!args.includes('--isolation')) return null;
  const num = (flag: string, fallback: number, min: number, max: number): number => intFlag(args, flag, fallback, min, max);
  return { runs: num('--runs', 5, 1, 50), referenceRuns: num('--reference-runs', 2, 0, 50), durationS: num('--duration', 15, 3, 120) };
}

const HTTP_PORT = 18095;

const f = (v: number | null | undefined, unit = ' ms'): string => (v === null || v === undefined ? '–' : `${v.toFixed(2)}${unit}`);

interface Layout {
  name: string;
  workers: number;
  pairs: IsolationPair[];
}

async function runLayout(workers: number, runs: number, durationS: number, wrapNode: string): Promise<IsolationPair[]> {
  const server = await startServe(['--host', '::', '--relay-ip', '127.0.0.1,::1', '--workers', String(workers), ...ABUSE_SERVE_FLAGS], HTTP_PORT);
  const pairs: IsolationPair[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const pair = await isolationPair({
        url: server.url,
        urlV6: server.url.replace('127.0.0.1', '[::1]'),
        servePid: server.pid,
        durationS,
        spawnNode: (args, deadlineMs) => spawnBounded(process.execPath, args, { deadlineMs }),
        startAbuser: (json) => spawnBounded(wrapNode, [LOAD_FLOOD_MAIN, json], { deadlineMs: (durationS + 60) * 1000 }),
      });
      pairs.push(pair);
      process.stderr.write(
        `isolation --workers ${workers} #${i + 1}: RTT p50 alone ${f(pair.alone.rttMsP50)}, beside ${f(pair.beside.rttMsP50)} (${pair.within ? 'within' : 'OUTSIDE'}); ` +
          `p90 ${f(pair.alone.rttMsP90)} / ${f(pair.beside.rttMsP90)}, jitter ${f(pair.alone.jitterMs)} / ${f(pair.beside.jitterMs)}, ` +
          `server loop p99 ${f(pair.alone.server?.eventLoopDelayMsP99)} / ${f(pair.beside.server?.eventLoopDelayMsP99)}; ` +
          `abuser ${f(pair.abuserMBps, ' MB/s')}; serve CPU ${pair.serveCpuPct.map((c) => c.toFixed(0)).join(' + ')} %\n`,
      );
    }
  } finally {
    await server.stop();
  }
  return pairs;
}

export async function runIsolationBench(o: IsolationBenchOptions): Promise<void> {
  if (process.env['CALLPROBE_IN_NETNS'] !== '1')
    throw new BenchError("bench:load --isolation runs inside scripts/netns-run.sh (its /64s go on that namespace's loopback)");
  for (const a of ABUSER_64S) execFileSync('ip', ['addr', 'add', `${a}/64`, 'dev', 'lo', 'nodad']);
  const made = createCpuCap({ name: `callprobe-isolation-${process.pid}`, pctOfCore: ABUSER_CPU_PCT });
  if (!made.ok) throw new BenchError(`the abuser's CPU cgroup cannot be made here: ${made.detail}`);
  const cap = made.cap;
  const layouts: Layout[] = [];
  try {
    const wrapNode = cap.wrap(process.execPath);
    layouts.push({
      name: 'data plane in a process of its own (--workers 1, the default)',
      workers: 1,
      pairs: await runLayout(1, o.runs, o.durationS, wrapNode),
    });
    if (o.referenceRuns > 0) {
      layouts.push({
        name: 'relay and reflector on the HTTP process (--workers 0)',
        workers: 0,
        pairs: await runLayout(0, o.referenceRuns, o.durationS, wrapNode),
      });
    }
  } finally {
    const usage = cap.usage();
    process.stderr.write(
      `isolation: the abuser's cgroup was throttled in ${usage.throttledPeriods} of ${usage.periods} periods (${usage.throttledMs.toFixed(0)} ms)\n`,
    );
    await cap.remove();
  }
  const shipped = layouts[0]?.pairs ?? [];
  const passed = shipped.filter((p) => p.within).length;
  const date = today();
  const machine = machineInfo();
  const files = resultFiles('load-isolation', date);
  const command = `npm run bench:load -- --isolation --runs ${o.runs} --reference-runs ${o.referenceRuns} --duration ${o.durationS}`;
  const markdown = [
    `### A clean test beside an abusive busy-line client (${date})`,
    '',
    `Command: \`${command}\` (inside scripts/netns-run.sh; ${machine['cores']} cores). One \`callprobe serve\` (dual stack, the busy-line budgets at their highest so the abuser can load the sink for the whole run); a clean ${o.durationS} s test (the page's session in Node, data channel, 100 probes/s) alone, then beside an abuser that fills the busy-line flows from four IPv6 /64s of one /48 (3 uploads and 3 downloads each, phase after phase at full speed) in a CPU cgroup of ${ABUSER_CPU_PCT} % of a core with a 10 ms CFS period. Summary: \`${files.summary}\`.`,
    '',
    `**Criterion: the clean test's round trip p50 beside the abuser within 1 ms + 20 % of its run alone, in every pair of the shipped layout: ${passed} of ${shipped.length}.**`,
    '',
    mdTable(
      [
        'layout',
        'pair',
        'RTT p50 alone',
        'beside',
        'within',
        'p90 alone / beside',
        'jitter alone / beside',
        'server loop p99 beside (busy windows)',
        'abuser',
        'serve CPU (HTTP + plane)',
      ],
      layouts.flatMap((l) =>
        l.pairs.map((p, i) => [
          `--workers ${l.workers}`,
          i + 1,
          f(p.alone.rttMsP50),
          f(p.beside.rttMsP50),
          p.within ? 'yes' : 'no',
          `${f(p.alone.rttMsP90)} / ${f(p.beside.rttMsP90)}`,
          `${f(p.alone.jitterMs)} / ${f(p.beside.jitterMs)}`,
          p.beside.server ? `${f(p.beside.server.eventLoopDelayMsP99)} (${p.beside.server.busyWindows} of ${p.beside.server.windows})` : '–',
          `${f(p.abuserMBps, ' MB/s')}`,
          `${p.serveCpuPct.map((c) => c.toFixed(0)).join(' + ')} %`,
        ]),
      ),
    ),
  ].join('\n');
  const result = { command, machine, options: o, abuser: { from: ABUSER_64S, cpuPct: ABUSER_CPU_PCT, periodMs: 10 }, layouts, passed, of: shipped.length };
  const published = publishResults(
    { name: 'load-isolation', raw: result, summary: result, docs: { page: 'load', section: 'load-isolation', markdown } },
    { writeDocs: writeDocsRequested(process.argv), date },
  );
  process.stdout.write(`${markdown}\n${describePublished(published)}\n`);
  if (passed < shipped.length) process.exitCode = 1;
}
