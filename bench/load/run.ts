/**
 * npm run bench:load: N concurrent tests against one `callprobe serve`, for growing N. The
 * figure is the largest N at which every test still measures within tolerance of an
 * unloaded run, with the server's CPU and memory. Clients are Node processes that run the
 * page's own session (runSession) through the relay (bench/load/node-client.ts). Loopback only (run
 * inside scripts/netns-run.sh); bounded: each level is one DURATION_S test plus setup, and
 * the ladder stops at the first failing level or MAX_N.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { machineInfo, writeResults } from '../lib/results.js';
import { median, startServe } from '../lib/processes.js';
import { mdTable, updateBenchmarksDoc } from '../lib/docs.js';

const DURATION_S = Number(process.env['DURATION_S'] ?? 15);
const LEVELS = (process.env['LEVELS'] ?? '1,2,4,8,12,16,24,32').split(',').map(Number);
const CLIENT = 'dist/bench/load/client-main.js';
/** The RTP path (issue 13): werift clients sending stamped RTP through the relay to the werift reflector leg. */
const RTP_CLIENT = 'dist/bench/load/rtp-client-main.js';
const RTP_LEVELS = (process.env['RTP_LEVELS'] ?? '1,2,4,8,12,16').split(',').map(Number);
/** RTP_ONLY=1: only the RTP ladder; RTP=0: only the data-channel ladder. */
const LADDERS =
  process.env['RTP_ONLY'] === '1' ? (['rtp'] as const) : process.env['RTP'] === '0' ? (['datachannel'] as const) : (['datachannel', 'rtp'] as const);

interface ClientResult {
  ok: boolean;
  rttMsP50: number | null;
  jitterMs: number | null;
  lossPct: number | null;
  verdict: string | null;
  missedTicks: number;
  error: string | null;
}

interface Summary {
  summary: {
    rttMsP50: number | null;
    jitterMs: number | null;
    lossPct: number | null;
    verdict: string;
  };
  diagnostics?: { sender?: { missedTicks?: number } };
}

async function runClient(url: string, client: string): Promise<ClientResult> {
  const child = spawn(process.execPath, [client, url, String(DURATION_S)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) return { ok: false, rttMsP50: null, jitterMs: null, lossPct: null, verdict: null, missedTicks: 0, error: err.trim() || `exit ${code}` };
  const r = JSON.parse(out) as Summary;
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

/** CPU seconds (user + system) and resident memory of a process, from /proc. */
function procUsage(pid: number): { cpuS: number; rssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuS: ticks / 100, rssMiB: rssKb / 1024 };
}

function withinTolerance(c: ClientResult, base: ClientResult): string | null {
  if (!c.ok) return `test failed: ${c.error}`;
  if (c.rttMsP50 === null || base.rttMsP50 === null) return 'no RTT';
  if (Math.abs(c.rttMsP50 - base.rttMsP50) > 1 + 0.2 * base.rttMsP50) return `RTT p50 ${c.rttMsP50.toFixed(2)} ms vs ${base.rttMsP50.toFixed(2)} ms unloaded`;
  if ((c.jitterMs ?? Infinity) > (base.jitterMs ?? 0) + 1) return `jitter ${c.jitterMs?.toFixed(2)} ms vs ${base.jitterMs?.toFixed(2)} ms unloaded`;
  if ((c.lossPct ?? Infinity) > 0.1) return `loss ${c.lossPct?.toFixed(2)} %`;
  // Skipped ticks are counted and never graded as loss; more than 1 % means the client itself
  // (which shares the 2 cores with the server) could no longer keep its schedule.
  if (c.missedTicks > 0.01 * DURATION_S * 100) return `${c.missedTicks} missed pacing ticks (client overloaded)`;
  return null;
}

async function main(): Promise<void> {
  // One loopback source runs every client: raise the per-source limits (defaults: an office behind one NAT).
  const server = await startServe(
    ['--turn-ports', '3478-3481', '--max-sessions-per-ip', '1000', '--sessions-per-minute', '1000', '--config-per-minute', '1000'],
    18091,
  );
  const pid = server.child.pid;
  if (pid === undefined) throw new Error('no server pid');
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
    const results = await Promise.all(Array.from({ length: n }, () => runClient(url, rtp ? RTP_CLIENT : CLIENT)));
    clearInterval(sampler);
    const after = procUsage(pid);
    const wallS = (performance.now() - t0) / 1000;
    if (n === 1) baseline = results[0] ?? null;
    if (!baseline?.ok) throw new Error(`the unloaded run failed: ${baseline?.error}`);
    const base = baseline;
    const failures = results.map((r) => withinTolerance(r, base)).filter((f): f is string => f !== null);
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
  const file = writeResults('load', {
    command: 'npm run bench:load',
    machine,
    durationS: DURATION_S,
    tolerance: 'RTT p50 within 1 ms + 20 % of the unloaded run, jitter within +1 ms, loss <= 0.1 %, at most 1 % of pacing ticks skipped by the client',
    baseline,
    largestN: largestOk,
    levels,
  });
  const fx = (v: number | null, d = 2): string => (v === null ? '–' : v.toFixed(d));
  updateBenchmarksDoc(
    'load',
    [
      `### Concurrent tests against one server (${new Date().toISOString().slice(0, 10)})`,
      '',
      `Command: \`npm run bench:load\` (Node clients that speak the page's probe protocol over @roamhq/wrtc through the embedded relay, ${DURATION_S} s tests at 100 probes/s; clients, relay, reflector and server share the ${machine['cores']} cores). Raw data: \`${file}\`.`,
      '',
      `**Largest N at which every test measured within tolerance of the unloaded run: ${largestOk}.** Tolerance: RTT p50 within 1 ms + 20 %, jitter within +1 ms, loss at most 0.1 %, at most 1 % of pacing ticks skipped by a client (skipped probes are counted apart, never as loss; more means the client process itself could not keep up on the shared cores).`,
      '',
      mdTable(
        ['concurrent tests', 'all within tolerance', 'median RTT p50', 'median jitter', 'server CPU', 'server peak RSS', 'first problems'],
        levels.map((l) => [
          l.n,
          l.ok ? 'yes' : 'no',
          `${fx(l.rttMsP50Median)} ms`,
          `${fx(l.jitterMsMedian)} ms`,
          `${l.serverCpuPct.toFixed(0)} %`,
          `${l.serverRssMiB.toFixed(0)} MiB`,
          l.failures.slice(0, 2).join('; ') || '–',
        ]),
      ),
    ].join('\n'),
  );
  process.stdout.write(`largest N within tolerance: ${largestOk}\nwritten to ${file}\n`);
}

/** The RTP ladder's raw data and its block in docs/benchmarks.md: server CPU per concurrent RTP session. */
function writeRtpResults(levels: Level[], baseline: ClientResult | null, largestOk: number): void {
  const machine = machineInfo();
  const perSession = levels.map((l) => ({ n: l.n, serverCpuPctPerSession: l.serverCpuPct / l.n }));
  const file = writeResults('load-rtp', {
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
  });
  const fx = (v: number | null, d = 2): string => (v === null ? '–' : v.toFixed(d));
  updateBenchmarksDoc(
    'load-rtp',
    [
      `### Concurrent RTP-path tests against one server (${new Date().toISOString().slice(0, 10)})`,
      '',
      `Command: \`npm run bench:load\` (\`RTP_ONLY=1\` for this table alone). Node clients (bench/load/rtp-client.ts) open both legs as the page does: the data-channel leg for control, and an audio transceiver over werift that sends stamped RTP probe frames at 100/s through the embedded relay to the reflector's werift leg, which echoes each at once; ${DURATION_S} s per test, Node ${process.version}; clients (werift in JavaScript, the heavier side), relay, reflector and server share the ${machine['cores']} cores. Raw data: \`${file}\`.`,
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
        levels.map((l) => [
          l.n,
          l.ok ? 'yes' : 'no',
          `${fx(l.rttMsP50Median)} ms`,
          `${fx(l.jitterMsMedian)} ms`,
          `${l.serverCpuPct.toFixed(0)} %`,
          `${(l.serverCpuPct / l.n).toFixed(1)} %`,
          `${l.serverRssMiB.toFixed(0)} MiB`,
          l.failures.slice(0, 2).join('; ') || '–',
        ]),
      ),
    ].join('\n'),
  );
  process.stdout.write(`rtp: largest N within tolerance: ${largestOk}\nwritten to ${file}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench:load failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
