/**
 * `npm run bench:load -- --cost [--runs 3] [--duration 15]`: what one full test costs the
 * server, measured as every bench measures it (bench/lib/test-cost.ts: the CPU seconds of
 * `serve`'s process tree, less its idle rate over the same time, per full test), for the CLI's
 * Chromium (`callprobe run`: the page, the RTP path with no data channel beside it, the port
 * check) and for the Node client (./many-client.ts, one test at a time: the data-channel path).
 * Tests run one after another against one `serve`, so each figure holds setup and teardown, and
 * what the tests leave running until the plane's idle collection. On the same `serve`, after
 * those and as many Chromium tests again not counted, the CLI's Chromium runs once more: a server
 * that has run tests all day, whose hot code V8 has optimized. All of it twice, side by side in
 * the same run: against a `serve` on the native data path (`--data-path native`: our C addons),
 * then against one on the portable path (`--data-path portable`: Node's dgram sockets, SRTP and
 * the probe core in JavaScript; server/data-path.ts). A cut measured before it was made is
 * measured from its commit (`git worktree add`), not by a switch in the product. Run inside
 * scripts/netns-run.sh (Chromium binds every interface). Raw results go to bench/results/raw/;
 * `--write-docs` also writes the summary and the docs section.
 */
import { CONSTANTS } from '../../src/protocol/defaults.js';
import type { DataPath } from '../../server/common/data-plane.js';
import { mdTable } from '../lib/docs.js';
import { spawnBounded } from '../lib/process.js';
import { runCli, startServe } from '../lib/processes.js';
import { intFlag } from '../lib/flags.js';
import { describePublished, machineInfo, publishResults, resultFiles, today, writeDocsRequested } from '../lib/results.js';
import { costPerTest, idleRate, readThreads, readTree, readTreeNs, ThreadLedger, threadShares } from '../lib/test-cost.js';
import { setTimeout as pause } from 'node:timers/promises';
import type { ManyClientRun } from './many-client.js';
import { floorCost, PROBE_DATAGRAM_BYTES, type FloorCost, type FloorKind } from './floor.js';
import { SRTP_PAYLOAD_BYTES, srtpContextCost } from './srtp-contexts.js';

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
  /** The data path of the `serve` the tests ran against. */
  path: DataPath;
  client: 'chromium' | 'node' | 'chromium-warm';
  /** What the tests ran: the graded probe path, and what ran beside it. */
  mode: string;
  tests: number;
  completed: number;
  cpuSPerTest: number | null;
  wallSPerTest: number;
  /** Where its tests' CPU went, by thread group (CPU-s per test, each group's idle rate taken off), when asked. */
  byThread?: [group: string, cpuSPerTest: number][];
}

/** How often the threads of serve are read while a test's CPU is kept by thread (ThreadLedger). */
const LEDGER_POLL_MS = 200;

/** Reads `pid`'s threads into a ledger every LEDGER_POLL_MS until the returned stop, which reads them once more. */
function keepThreads(pid: number): () => ThreadLedger {
  const ledger = new ThreadLedger(pid, readThreads(pid));
  const timer = setInterval(() => ledger.see(readThreads(pid)), LEDGER_POLL_MS);
  return () => {
    clearInterval(timer);
    ledger.see(readThreads(pid));
    return ledger;
  };
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

/** How long after the plane's idle collection is due the last reading waits (the collection's own work). */
const IDLE_TAIL_MARGIN_MS = 2_000;

/** Where the streaming went: serve's threads over the middle of a test that runs meanwhile (`STREAM_WINDOW`: seconds after its start, and how long). */
const STREAM_WINDOW = { fromS: 7, forS: 8 };

async function streamingShares(pid: number): Promise<[string, number][]> {
  await pause(STREAM_WINDOW.fromS * 1000);
  const before = readThreads(pid);
  const t0 = performance.now();
  await pause(STREAM_WINDOW.forS * 1000);
  return threadShares(pid, before, readThreads(pid), (performance.now() - t0) / 1000);
}

async function measure(
  dataPath: DataPath,
  client: ClientCost['client'],
  pid: number,
  url: string,
  o: CostOptions,
  idleCpuSPerS: number,
  shares?: { out: [string, number][] },
  idleByThread?: ReadonlyMap<string, number>,
): Promise<ClientCost> {
  const paths: string[] = [];
  if (client === 'chromium-warm') {
    // A serve that has run tests all day: its hot code optimized, which a fresh one's first tests
    // pay for as they run (V8's optimizing compiler on its helper threads, and slower code until
    // then). Warmed by as many tests again, not counted, and their tail let go before the reading.
    for (let i = 0; i < o.runs; i++)
      process.stderr.write(`cost ${dataPath} ${client} warm-up ${i + 1}/${o.runs}: ${(await chromiumTest(url, o.durationS)) ?? 'did not complete'}\n`);
    await pause(CONSTANTS.dataPlane.idleCollectMs + IDLE_TAIL_MARGIN_MS);
  }
  const before = readTree(pid);
  const stopLedger = idleByThread ? keepThreads(pid) : null;
  for (let i = 0; i < o.runs; i++) {
    // The last test's streaming, by thread, when asked (the plane is warm by then).
    const window = shares && i === o.runs - 1 && o.durationS >= STREAM_WINDOW.fromS + STREAM_WINDOW.forS ? streamingShares(pid) : null;
    const probePath = client === 'node' ? await nodeTest(url, o.durationS) : await chromiumTest(url, o.durationS);
    if (window && shares) shares.out = await window;
    process.stderr.write(`cost ${dataPath} ${client} test ${i + 1}/${o.runs}: ${probePath ?? 'did not complete'}\n`);
    if (probePath !== null) paths.push(probePath);
  }
  // What the tests leave running is theirs: the plane keeps wrtc's factory (its fake audio device
  // waking every 10 ms) until it has been idle CONSTANTS.dataPlane.idleCollectMs, then collects.
  // Read after that, so the tail and the collection are charged to the tests (the idle rate over
  // the wait is taken off with the rest).
  await pause(CONSTANTS.dataPlane.idleCollectMs + IDLE_TAIL_MARGIN_MS);
  const after = readTree(pid);
  const ledger = stopLedger?.() ?? null;
  const wallS = (after.atMs - before.atMs) / 1000;
  const byThread =
    ledger === null || idleByThread === undefined || paths.length === 0
      ? undefined
      : ledger
          .cpuSByGroup()
          .map(([g, cpuS]): [string, number] => [g, (cpuS - ((idleByThread.get(g) ?? 0) / 1000) * wallS) / paths.length])
          .sort((a, b) => b[1] - a[1]);
  const mode =
    client === 'node'
      ? `${[...new Set(paths)].join(', ') || '–'} at 100/s, no page`
      : `${[...new Set(paths)].join(', ') || '–'} graded${paths.length > 0 && paths.every((p) => p === 'rtp') ? ' (no data channel)' : ''}, port check`;
  return {
    path: dataPath,
    client,
    mode,
    tests: o.runs,
    completed: paths.length,
    cpuSPerTest: costPerTest(before, after, idleCpuSPerS, paths.length),
    wallSPerTest: wallS / o.runs,
    ...(byThread ? { byThread } : {}),
  };
}

/** Seconds a fresh serve is left before its idle rate is read (its start's own work goes on for about 20 s: 20-34 ms CPU/s, then 4-10), and the seconds read. */
const SETTLE_S = 30;
const IDLE_S = 15;
/** The idle rate is the median of this many windows of IDLE_S / IDLE_WINDOWS s (test-cost.ts windowedRate): one window's burst is not idle. */
const IDLE_WINDOWS = 3;

/** One `serve` on a data path: its idle rate, its tests' costs, and where the streaming of its last Chromium test went. */
interface ServeCosts {
  path: DataPath;
  idle: { cpuSPerS: number; rssMiB: number; windowsCpuSPerS: number[] };
  costs: ClientCost[];
  shares: [string, number][];
}

/** Starts serve on `dataPath`, reads its idle rate once it has settled, runs `clients`' tests; the idle rate and the costs. */
async function onOneServe(clients: readonly ClientCost['client'][], o: CostOptions, dataPath: DataPath): Promise<ServeCosts> {
  const server = await startServe(['--turn-ports', '3478-3481', '--no-store', '--data-path', dataPath], HTTP_PORT);
  try {
    await idleRate(server.pid, SETTLE_S);
    const idleThreads = readThreads(server.pid);
    const idle = await idleRate(server.pid, IDLE_S, readTreeNs, IDLE_WINDOWS);
    // Each thread group's idle rate (ms of CPU a second), taken off its share of the warm tests.
    const idleByThread = new Map(threadShares(server.pid, idleThreads, readThreads(server.pid), IDLE_S));
    const costs: ClientCost[] = [];
    const shares = { out: [] as [string, number][] };
    for (const client of clients) {
      costs.push(
        await measure(
          dataPath,
          client,
          server.pid,
          server.url,
          o,
          idle.cpuSPerS,
          client === 'chromium' ? shares : undefined,
          client === 'chromium-warm' ? idleByThread : undefined,
        ),
      );
    }
    return { path: dataPath, idle, costs, shares: shares.out };
  } finally {
    await server.stop();
  }
}

/** Each row's client, as the table says it (the warm row's names its tests' count). */
const COST_LABEL: Record<Exclude<ClientCost['client'], 'chromium-warm'>, string> = {
  chromium: "the CLI's Chromium (`callprobe run`)",
  node: 'Node client (no page)',
};

/** Each data path, as the tables say it. */
const PATH_LABEL: Record<DataPath, string> = {
  native: 'native (our C addons)',
  portable: "portable (Node's `dgram`, SRTP and probe core in JavaScript)",
};

const FLOOR_LABEL: Record<FloorKind, string> = {
  node: 'a bare Node echo (`dgram`)',
  'node-native': "a bare Node echo on the relay's native socket (`recvmmsg`, `sendto`)",
  c: 'a bare C echo (`recvfrom`, `sendto`)',
  'c-in-node': "the bare C echo on a Node process's event loop (an addon's `uv_poll`, no JavaScript per datagram)",
  'node-probe': "a probe echo in Node (the reflector's own SRTP and probe code, `dgram`)",
  'c-probe': "a probe echo in C (OpenSSL's AES and HMAC, contexts made once)",
  'c-probe-in-node': "the probe echo in C on a Node process's event loop (an addon's `uv_poll`, no JavaScript per datagram)",
};

/** A warm row's tests by thread group, for the docs: every group of at least 5 ms a test, the rest summed, and what no reading saw. */
function warmByThreadLines(warm: ClientCost | undefined): string[] {
  if (warm?.byThread === undefined || warm.cpuSPerTest === null) return [];
  const shown = warm.byThread.filter(([, v]) => Math.abs(v) >= 0.005);
  const rest = warm.byThread.filter(([, v]) => Math.abs(v) < 0.005).reduce((sum, [, v]) => sum + v, 0);
  const seen = warm.byThread.reduce((sum, [, v]) => sum + v, 0);
  return [
    '',
    `Where the warm row's tests went on the ${warm.path} path, whole (set-up, streaming, teardown and the tail to the plane's collection): serve's threads read every ${LEDGER_POLL_MS} ms, each thread kept to its last reading when it ended (wrtc's end with its factory), each group's idle rate taken off, in CPU-s per test; ${warm.cpuSPerTest.toFixed(3)} in all:`,
    '',
    mdTable(
      ['threads', 'CPU-s per test'],
      [
        ...shown.map(([g, v]) => [g, v.toFixed(3)]),
        ['every other thread', rest.toFixed(3)],
        [
          `threads that began and ended between two readings (the total less the threads'${seen > warm.cpuSPerTest ? ': the readings round apart' : ''})`,
          (warm.cpuSPerTest - seen).toFixed(3),
        ],
      ],
    ),
  ];
}

/** Where the streaming of a serve's last Chromium test went, for the docs. */
function streamingLines(r: ServeCosts): string[] {
  if (r.shares.length === 0) return [];
  return [
    '',
    `Where the streaming of the last Chromium test on the ${r.path} path went: the CPU of serve's threads from ${STREAM_WINDOW.fromS} s to ${STREAM_WINDOW.fromS + STREAM_WINDOW.forS} s after the test's start (schedstat, to the nanosecond), in ms of CPU a second; ${r.shares.reduce((sum, [, v]) => sum + v, 0).toFixed(1)} in all:`,
    '',
    mdTable(
      ['threads', 'ms of CPU a second'],
      r.shares.filter(([, v]) => v >= 0.05).map(([g, v]) => [g, v.toFixed(1)]),
    ),
  ];
}

/** A serve's idle rate and its windows, in words. */
const idleWords = (r: ServeCosts): string =>
  `${(r.idle.cpuSPerS * 1000).toFixed(1)} ms CPU/s (its windows ${r.idle.windowsCpuSPerS.map((v) => (v * 1000).toFixed(1)).join(', ')})`;

export async function runCostBench(o: CostOptions): Promise<void> {
  const clients = ['chromium', 'node', 'chromium-warm'] as const;
  const served = [await onOneServe(clients, o, 'native'), await onOneServe(clients, o, 'portable')];
  // The floors: the same probe stream echoed by a process that does nothing else, in Node and in C;
  // then real probes, each given a probe's own work (SRTP both ways, the probe read, the echo written).
  const floors: FloorCost[] = [];
  for (const kind of ['node', 'node-native', 'c', 'c-in-node', 'node-probe', 'c-probe', 'c-probe-in-node'] as const) {
    const f = await floorCost(kind, o.runs, o.durationS, process.cwd());
    process.stderr.write(`cost floor ${kind}: ${f.echoed} of ${f.sent} echoed\n`);
    if (f.bad > 0) throw new Error(`the ${kind} floor answered ${f.bad} probes wrongly (the first: ${f.firstBad ?? '?'}): it is no floor`);
    floors.push(f);
  }
  // What keeping SRTP contexts per session would save, per packet, in a tight loop.
  const srtp = srtpContextCost();
  const costs = served.flatMap((r) => r.costs);
  const fx = (v: number | null): string => (v === null ? '–' : v.toFixed(3));
  const date = today();
  const files = resultFiles('load-cost', date);
  const result = {
    command: 'npm run bench:load -- --cost',
    machine: machineInfo(),
    options: o,
    // Each serve's idle rate (CPU-s per s) and the windows it is the median of, by data path.
    idle: Object.fromEntries(served.map((r) => [r.path, r.idle])),
    costs,
    floors,
    srtp,
    streamingShares: Object.fromEntries(served.map((r) => [r.path, r.shares])),
  };
  const markdown = [
    `### The server's CPU per full test (${date})`,
    '',
    `Command: \`npm run bench:load -- --cost --runs ${o.runs} --duration ${o.durationS}\` (${o.runs} tests of ${o.durationS} s by each client, one after another, the tree read again ${(CONSTANTS.dataPlane.idleCollectMs + IDLE_TAIL_MARGIN_MS) / 1000} s after the last, once the plane had let wrtc's factory go and collected: what the tests left running is theirs; serve's process tree, its idle rate read to the nanosecond over ${IDLE_S} s once it had run ${SETTLE_S} s, the median of ${IDLE_WINDOWS} windows of ${IDLE_S / IDLE_WINDOWS} s (one window's burst is not idle), taken off). Each data path against a \`serve\` of its own (\`--data-path\`), one after the other in the same run: ${served.map((r) => `${r.path}, idle ${idleWords(r)}`).join('; ')}. Each warm row is its path's first two rows' \`serve\`, after their tests and ${o.runs} more Chromium tests not counted, whose tail was let go before its first reading. Summary: \`${files.summary}\`.`,
    '',
    mdTable(
      ['data path', 'client', 'what the test ran', 'tests completed', 'server CPU-s per test', 'wall s per test'],
      costs.map((c) => [
        PATH_LABEL[c.path],
        c.client === 'chromium-warm'
          ? `the CLI's Chromium, the same serve warm (after the two rows above and ${o.runs} more Chromium tests)`
          : COST_LABEL[c.client],
        c.mode,
        `${c.completed} of ${c.tests}`,
        fx(c.cpuSPerTest),
        c.wallSPerTest.toFixed(1),
      ]),
    ),
    '',
    `The floors, in the same run: a process that only echoes a test's probe stream (one ${PROBE_DATAGRAM_BYTES}-byte datagram every 10 ms for ${o.durationS} s over loopback), its CPU per stream less its idle rate. A bare echo sends each datagram straight back (no TURN, SRTP or WebRTC). A probe echo is sent real probes (a probe frame in SRTP in ChannelData) and does a probe's own work on each, in one handler: the SRTP tag checked and the payload decrypted, the probe read, the echo frame written (the last four probes' records), encrypted and tagged, one send; every echo is checked by the sender. The rows "on a Node process's event loop" run the C echoes as an addon in an otherwise idle Node process: each datagram wakes Node's loop and is answered in C without entering JavaScript, the least a probe path in native code behind the relay's sockets would pay.`,
    '',
    mdTable(
      ['floor', 'streams', 'datagrams echoed', 'CPU-s per test', 'CPU per datagram echoed'],
      floors.map((f) => [
        FLOOR_LABEL[f.floor],
        String(f.tests),
        `${f.echoed} of ${f.sent}`,
        fx(f.cpuSPerTest),
        f.cpuSPerTest === null || f.echoed === 0 ? '–' : `${Math.round((f.cpuSPerTest * f.tests * 1e6) / f.echoed)} µs`,
      ]),
    ),
    ...served.flatMap((r) => streamingLines(r)),
    ...served.flatMap((r) => warmByThreadLines(r.costs.find((c) => c.client === 'chromium-warm'))),
    '',
    `SRTP contexts kept per session against werift's new cipher and HMAC per packet (\`bench/load/srtp-contexts.ts\`: the same bytes checked first, then a tight loop of a ${SRTP_PAYLOAD_BYTES}-byte payload; a probe's round trip does each twice, decrypt and encrypt):`,
    '',
    mdTable(
      ['work per packet', "werift's (new per packet)", 'contexts kept per session'],
      srtp.map((r) => [r.work, `${r.freshUs.toFixed(2)} µs`, `${r.keptUs.toFixed(2)} µs`]),
    ),
  ].join('\n');
  for (const c of costs)
    process.stdout.write(`${c.path} ${c.client}: ${fx(c.cpuSPerTest)} server CPU-s per test (${c.completed} of ${c.tests} completed; ${c.mode})\n`);
  for (const f of floors) process.stdout.write(`floor ${f.floor}: ${fx(f.cpuSPerTest)} CPU-s per test (${f.echoed} of ${f.sent} echoed)\n`);
  const published = publishResults(
    { name: 'load-cost', raw: result, summary: result, docs: { page: 'load-cost', section: 'load-cost', markdown } },
    { writeDocs: writeDocsRequested(process.argv), date },
  );
  process.stdout.write(`${describePublished(published)}\n`);
}
