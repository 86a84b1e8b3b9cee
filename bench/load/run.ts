/**
 * npm run bench:load: N concurrent tests against one `callprobe serve`, for growing N. The
 * figure is the largest N at which every test still measures within tolerance of an
 * unloaded run, with the server's CPU and memory. Clients are Node processes that run the
 * page's own session (runSession) through the relay (bench/load/node-client.ts). Loopback only (run
 * inside scripts/netns-run.sh); bounded: each level is one DURATION_S test plus setup, and
 * the ladder stops at the first failing level or MAX_N; a one-test level already out of tolerance
 * says "too busy to measure" and writes nothing. Raw results go to bench/results/raw/;
 * `--write-docs` also writes the summary and the docs section (the soak's too). `--capacity`
 * runs the capacity bench on one pinned core (./capacity.ts), `--cost` the cost of one test (./cost.ts),
 * `--soak` and `--isolation` theirs; `--help`
 * lists them.
 */
import { describePublished, machineInfo, publishResults, resultFiles, today, writeDocsRequested } from '../lib/results.js';
import { median } from '../lib/median.js';
import { startServe } from '../lib/processes.js';
import { mdTable } from '../lib/docs.js';
import { procUsage, runClient, TOLERANCE_TEXT, withinTolerance, type ClientResult } from './load-kit.js';
import { runSoak, soakOptionsFromArgs } from './soak.js';
import { isolationOptionsFromArgs, runIsolationBench } from './isolation-bench.js';
import { capacityOptionsFromArgs, runCapacityBench } from './capacity.js';
import { costOptionsFromArgs, runCostBench } from './cost.js';

const DURATION_S = Number(process.env['DURATION_S'] ?? 15);
const LEVELS = (process.env['LEVELS'] ?? '1,2,4,8,12,16,24,32').split(',').map(Number);

/** The RTP path: werift clients sending stamped RTP through the relay to the werift reflector leg. */
const RTP_CLIENT = 'dist/bench/load/rtp-client-main.js';
const RTP_LEVELS = (process.env['RTP_LEVELS'] ?? '1,2,4,8,12,16').split(',').map(Number);
/** RTP_ONLY=1: only the RTP ladder; RTP=0: only the data-channel ladder. */
const LADDERS =
  process.env['RTP_ONLY'] === '1' ? (['rtp'] as const) : process.env['RTP'] === '0' ? (['datachannel'] as const) : (['datachannel', 'rtp'] as const);

async function main(): Promise<void> {
  // One loopback source runs every client: raise the per-source limits (defaults: an office behind one NAT),
  // and the total, whose eighth is all one network may hold (server/common/door.ts).
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
    ],
    18091,
  );
  const pid = server.pid;
  try {
    for (const ladder of LADDERS) await runLadder(ladder, server.url, pid);
  } finally {
    await server.stop();
  }
}

interface Level {
  n: number;
  ok: boolean;
  failures: string[];
  serverCpuPct: number;
  serverRssMiB: number;
  rttMsP50Median: number | null;
  jitterMsMedian: number | null;
}

async function runLadder(ladder: 'datachannel' | 'rtp', url: string, pid: number): Promise<void> {
  const rtp = ladder === 'rtp';
  const levels: Level[] = [];
  let baseline: ClientResult | null = null;
  for (const n of rtp ? RTP_LEVELS : LEVELS) {
    const before = procUsage(pid);
    const t0 = performance.now();
    let peakRss = before.rssMiB;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, procUsage(pid).rssMiB);
    }, 500);
    const results = await Promise.all(Array.from({ length: n }, () => runClient(url, DURATION_S, rtp ? RTP_CLIENT : undefined)));
    clearInterval(sampler);
    const after = procUsage(pid);
    const wallS = (performance.now() - t0) / 1000;
    if (n === 1) baseline = results[0] ?? null;
    if (!baseline?.ok) throw new Error(`the unloaded run failed: ${baseline?.error}`);
    const base = baseline;
    // A one-test run out of its own tolerance (its client missed its pacing ticks: the machine is busy) measures nothing.
    const unloaded = n === 1 ? withinTolerance(base, base, DURATION_S) : null;
    if (unloaded !== null) {
      process.stderr.write(`${ladder}: too busy to measure: the one-test run itself was out of tolerance (${unloaded}); run it on a quiet machine\n`);
      process.stdout.write(`${ladder}: too busy to measure (${unloaded}); nothing written\n`);
      return;
    }
    const failures = results.map((r) => withinTolerance(r, base, DURATION_S)).filter((f): f is string => f !== null);
    const level = {
      n,
      ok: failures.length === 0,
      failures,
      serverCpuPct: (100 * (after.cpuS - before.cpuS)) / wallS,
      serverRssMiB: peakRss,
      rttMsP50Median: median(results.map((r) => r.rttMsP50).filter((v): v is number => v !== null)),
      jitterMsMedian: median(results.map((r) => r.jitterMs).filter((v): v is number => v !== null)),
    };
    levels.push(level);
    process.stderr.write(
      `${ladder} N=${n}: ${level.ok ? 'all within tolerance' : `${failures.length} outside: ${failures.slice(0, 3).join('; ')}`}; server CPU ${level.serverCpuPct.toFixed(0)} %, RSS ${level.serverRssMiB.toFixed(0)} MiB\n`,
    );
    if (!level.ok) break;
  }
  const largestOk = levels.filter((l) => l.ok).reduce((m, l) => Math.max(m, l.n), 0);
  const machine = machineInfo();
  if (rtp) {
    writeRtpResults(levels, baseline, largestOk);
    return;
  }
  // Every level is a row of the docs' table: the summary is the whole result.
  const result = {
    command: 'npm run bench:load',
    machine,
    durationS: DURATION_S,
    tolerance: TOLERANCE_TEXT,
    baseline,
    largestN: largestOk,
    levels,
  };
  const date = today();
  const files = resultFiles('load', date);
  const markdown = [
    `### Concurrent tests against one server (${date})`,
    '',
    `Command: \`npm run bench:load\` (Node clients that speak the page's probe protocol over @roamhq/wrtc through the embedded relay, ${DURATION_S} s tests at 100 probes/s; clients, relay, reflector and server share the ${machine['cores']} cores). Summary: \`${files.summary}\`.`,
    '',
    `**Largest N at which every test measured within tolerance of the unloaded run: ${largestOk}.** Tolerance: RTT p50 within 1 ms + 20 %, jitter within +1 ms, loss at most 0.1 %, at most 1 % of pacing ticks skipped by a client (skipped probes are counted apart, never as loss; more means the client process itself could not keep up on the shared cores).`,
    '',
    mdTable(
      ['concurrent tests', 'all within tolerance', 'median RTT p50', 'median jitter', 'server CPU', 'server peak RSS', 'first problems'],
      levels.map((l) => levelRow(l, false)),
    ),
  ].join('\n');
  process.stdout.write(`largest N within tolerance: ${largestOk}\n${publishLadder('load', result, markdown, date)}\n`);
}

/** The RTP ladder's results and its block in docs/benchmarks/load.md: server CPU per concurrent RTP session. */
function writeRtpResults(levels: Level[], baseline: ClientResult | null, largestOk: number): void {
  const machine = machineInfo();
  const perSession = levels.map((l) => ({ n: l.n, serverCpuPctPerSession: l.serverCpuPct / l.n }));
  // As for the data-channel ladder, every level is a row of the docs' table.
  const result = {
    command: 'npm run bench:load',
    machine,
    node: process.version,
    durationS: DURATION_S,
    tolerance:
      'RTP round trip p50 within 1 ms + 20 % of the unloaded run, jitter within +1 ms, loss <= 0.1 %, at most 1 % of pacing ticks skipped by the client',
    baseline,
    largestN: largestOk,
    levels,
    perSession,
  };
  const date = today();
  const files = resultFiles('load-rtp', date);
  const markdown = [
    `### Concurrent RTP-path tests against one server (${date})`,
    '',
    `Command: \`npm run bench:load\` (\`RTP_ONLY=1\` for this table alone). Node clients (bench/load/rtp-client.ts) open both legs as the page does: the data-channel leg for control, and an audio transceiver over werift that sends stamped RTP probe frames at 100/s through the embedded relay to the reflector's werift leg, which echoes each at once; ${DURATION_S} s per test, Node ${process.version}; clients (werift in JavaScript, the heavier side), relay, reflector and server share the ${machine['cores']} cores. Summary: \`${files.summary}\`.`,
    '',
    `**Largest N at which every RTP test measured within tolerance of the unloaded run: ${largestOk}.** Same tolerance as the data-channel table (round trip by the client's clock; jitter here is the mean absolute difference of consecutive round trips).`,
    '',
    mdTable(
      [
        'concurrent RTP tests',
        'all within tolerance',
        'median RTT p50',
        'median jitter',
        'server CPU',
        'server CPU per session',
        'server peak RSS',
        'first problems',
      ],
      levels.map((l) => levelRow(l, true)),
    ),
  ].join('\n');
  process.stdout.write(`rtp: largest N within tolerance: ${largestOk}\n${publishLadder('load-rtp', result, markdown, date)}\n`);
}

/** One row of a ladder's table; the RTP table adds the server's CPU per session. */
function levelRow(l: Level, perSession: boolean): (string | number)[] {
  const fx = (v: number | null): string => (v === null ? '–' : v.toFixed(2));
  return [
    l.n,
    l.ok ? 'yes' : 'no',
    `${fx(l.rttMsP50Median)} ms`,
    `${fx(l.jitterMsMedian)} ms`,
    `${l.serverCpuPct.toFixed(0)} %`,
    ...(perSession ? [`${(l.serverCpuPct / l.n).toFixed(1)} %`] : []),
    `${l.serverRssMiB.toFixed(0)} MiB`,
    l.failures.slice(0, 2).join('; ') || '–',
  ];
}

/** Writes a ladder's results: its summary is the whole result, every level a row of its table. */
function publishLadder(name: 'load' | 'load-rtp', result: unknown, markdown: string, date: string): string {
  const published = publishResults(
    { name, raw: result, summary: result, docs: { page: 'load', section: name, markdown } },
    { writeDocs: writeDocsRequested(process.argv), date },
  );
  return describePublished(published);
}

const HELP = `npm run bench:load [-- <mode and options>]: concurrent tests against one callprobe serve (run inside scripts/netns-run.sh; the npm script does).

  (no mode)     the ladder: N = 1, 2, 4, ... concurrent tests, each a Node client process, until one falls out of tolerance
                (DURATION_S=15, LEVELS, RTP_LEVELS, RTP_ONLY=1, RTP=0 in the environment)
  --capacity    tests per core: serve pinned to one CPU, the fast load client (many RTP tests in one process, native
                SRTP) to the other; N raised until a test falls out of tolerance or is refused server-busy
      --duration 10         seconds per test
      --budget 540          seconds for the whole run (at most 600)
      --max-n 512           the largest N tried
  --cost        the server's CPU per full test, for the CLI's Chromium and the Node client, tests one after another
      --runs 3              tests per client
      --duration 15         seconds per test
  --soak        the soak: valid tests among abusive clients (--soak-minutes 10)
  --isolation   a clean test beside an abusive busy-line client (--runs, --reference-runs, --duration)
  --write-docs  also write the tracked summary and the mode's section of docs/benchmarks/load.md
                (--cost: load-cost.md; --capacity: load-capacity.md)
  --help        this text

A tolerance: ${TOLERANCE_TEXT}.
A one-test run already out of tolerance prints "too busy to measure", never a largest N of 0.
`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(HELP);
  process.exit(0);
}
const soak = soakOptionsFromArgs(args);
const isolation = isolationOptionsFromArgs(args);
const capacity = capacityOptionsFromArgs(args);
const cost = costOptionsFromArgs(args);
const run = (): Promise<void> =>
  soak ? runSoak(soak) : isolation ? runIsolationBench(isolation) : capacity ? runCapacityBench(capacity) : cost ? runCostBench(cost) : main();
run().catch((err: Error) => {
  process.stderr.write(`bench:load failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
