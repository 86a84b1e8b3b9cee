/**
 * `npm run bench:load -- --cost [--runs 3] [--duration 15]`: what one full test costs the
 * server, measured as every bench measures it (bench/lib/test-cost.ts: the CPU seconds of
 * `serve`'s process tree, less its idle rate over the same time, per full test), for the CLI's
 * Chromium (`callprobe run`: the page, the RTP path with the data-channel cross-check, the port
 * check) and for the Node client (./many-client.ts, one test at a time: the data-channel path).
 * Tests run one after another against one `serve`, so each figure holds setup and teardown. Run
 * inside scripts/netns-run.sh (Chromium binds every interface). Raw results go to
 * bench/results/raw/; `--write-docs` also writes the summary and the docs section.
 */
import { mdTable } from '../lib/docs.js';
import { spawnBounded } from '../lib/process.js';
import { runCli, startServe } from '../lib/processes.js';
import { intFlag } from '../lib/flags.js';
import { describePublished, machineInfo, publishResults, resultFiles, today, writeDocsRequested } from '../lib/results.js';
import { costPerTest, idleRate, readTree } from '../lib/test-cost.js';
import type { ManyClientRun } from './many-client.js';

export interface CostOptions {
  runs: number;
  durationS: number;
}

/** `--cost [--runs N] [--duration S]` -> options, or null without --cost. */
export function costOptionsFromArgs(args: readonly string[]): CostOptions | null {
  if (!args.includes('--cost')) return null;
  const num = (flag: string, fallback: number, min: number, max: number): number => intFlag(args, flag, fallback, min, max);
  return { runs: num('--runs', 3, 1, 20), durationS: num('--duration', 15, 3, 60) };
}

const HTTP_PORT = 18098;

interface ClientCost {
  client: 'chromium' | 'node';
  /** What the tests ran: the graded probe path, and the cross-check beside it. */
  mode: string;
  tests: number;
  completed: number;
  cpuSPerTest: number | null;
  wallSPerTest: number;
}

/** One test by the CLI's Chromium; returns its probe path, or null when it did not complete. */
async function chromiumTest(url: string, durationS: number): Promise<string | null> {
  const r = await runCli(['--server', url, '--json', '--no-save', '--duration', String(durationS)], (durationS + 90) * 1000);
  if (r.exitCode > 2) return null;
  const report = JSON.parse(r.stdout) as { probe?: { path?: string } };
  return report.probe?.path ?? 'unknown';
}

/** One test by the Node client; returns its probe path, or null when it did not complete. */
async function nodeTest(url: string, durationS: number): Promise<string | null> {
  const p = spawnBounded(process.execPath, ['dist/bench/load/many-client-main.js', url, String(durationS), '1', '0'], { deadlineMs: (durationS + 60) * 1000 });
  const status = await p.exited;
  if (status.code !== 0) return null;
  const run = JSON.parse(p.stdout()) as ManyClientRun;
  return run.tests[0]?.ok === true ? 'datachannel' : null;
}

async function measure(client: ClientCost['client'], pid: number, url: string, o: CostOptions, idleCpuSPerS: number): Promise<ClientCost> {
  const paths: string[] = [];
  const before = readTree(pid);
  for (let i = 0; i < o.runs; i++) {
    const path = client === 'chromium' ? await chromiumTest(url, o.durationS) : await nodeTest(url, o.durationS);
    process.stderr.write(`cost ${client} test ${i + 1}/${o.runs}: ${path ?? 'did not complete'}\n`);
    if (path !== null) paths.push(path);
  }
  const after = readTree(pid);
  const mode =
    client === 'chromium'
      ? `${[...new Set(paths)].join(', ') || '–'} graded, data-channel cross-check at 5/s, port check`
      : `${[...new Set(paths)].join(', ') || '–'} at 100/s, no page`;
  return {
    client,
    mode,
    tests: o.runs,
    completed: paths.length,
    cpuSPerTest: costPerTest(before, after, idleCpuSPerS, paths.length),
    wallSPerTest: (after.atMs - before.atMs) / 1000 / o.runs,
  };
}

export async function runCostBench(o: CostOptions): Promise<void> {
  const server = await startServe(['--turn-ports', '3478-3481', '--no-store'], HTTP_PORT);
  const costs: ClientCost[] = [];
  let idle: { cpuSPerS: number; rssMiB: number };
  try {
    idle = await idleRate(server.pid, 3);
    for (const client of ['chromium', 'node'] as const) costs.push(await measure(client, server.pid, server.url, o, idle.cpuSPerS));
  } finally {
    await server.stop();
  }
  const fx = (v: number | null): string => (v === null ? '–' : v.toFixed(3));
  const date = today();
  const files = resultFiles('load-cost', date);
  const result = { command: 'npm run bench:load -- --cost', machine: machineInfo(), options: o, idleCpuSPerS: idle.cpuSPerS, costs };
  const markdown = [
    `### The server's CPU per full test (${date})`,
    '',
    `Command: \`npm run bench:load -- --cost --runs ${o.runs} --duration ${o.durationS}\` (one \`callprobe serve\`, ${o.runs} tests of ${o.durationS} s by each client, one after another; serve's process tree, its idle rate of ${(idle.cpuSPerS * 1000).toFixed(1)} ms CPU/s taken off). Summary: \`${files.summary}\`.`,
    '',
    mdTable(
      ['client', 'what the test ran', 'tests completed', 'server CPU-s per test', 'wall s per test'],
      costs.map((c) => [
        c.client === 'chromium' ? "the CLI's Chromium (`callprobe run`)" : 'Node client (no page)',
        c.mode,
        `${c.completed} of ${c.tests}`,
        fx(c.cpuSPerTest),
        c.wallSPerTest.toFixed(1),
      ]),
    ),
  ].join('\n');
  for (const c of costs) process.stdout.write(`${c.client}: ${fx(c.cpuSPerTest)} server CPU-s per test (${c.completed} of ${c.tests} completed; ${c.mode})\n`);
  const published = publishResults(
    { name: 'load-cost', raw: result, summary: result, docs: { section: 'load-cost', markdown } },
    { writeDocs: writeDocsRequested(process.argv), date },
  );
  process.stdout.write(`${describePublished(published)}\n`);
}
