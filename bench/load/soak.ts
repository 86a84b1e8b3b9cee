/**
 * `npm run bench:load -- --soak [--soak-minutes 10]` (issue 14): one `callprobe serve` with its
 * default limits for the whole duration, a few valid test sessions back to back (the load
 * client, from 127.0.0.1) while abusive clients run in a loop (bench/lib/abuse.ts and
 * stalled-readers.ts, from other loopback addresses where the limit is per source): junk
 * signalling, candidate floods before an offer, idle WebSockets, /api/config bursts, Binding-
 * only TCP connections, Allocates without credentials and TCP clients that stop reading.
 * The server's RSS is sampled every 10 s; the figure is RSS at the end against RSS after the
 * first minute (within 10 %), and every valid test against the tolerance of an unloaded run.
 * Bounded: the abuse loop and the valid loops stop at the end; a hard deadline exits.
 * Run inside scripts/netns-run.sh: there the namespace's TCP buffers are set small, so stalled
 * readers fill the server's queues (the kernel's would absorb megabytes first).
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { bindingOnlyTcp, candidateMessage, floodSignalling, getConfig, idleSignalling, junkSignalling, unauthenticatedAllocates } from '../lib/abuse.js';
import { mdTable, updateBenchmarksDoc } from '../lib/docs.js';
import { BenchError, median, startServe } from '../lib/processes.js';
import { SERVE_ENV, SERVE_NODE_FLAGS } from '../../server/commands/serve-launch.js';
import { machineInfo, writeResults } from '../lib/results.js';
import { openStalledReaders } from '../lib/stalled-readers.js';
import { procUsage, runClient, TOLERANCE_TEXT, withinTolerance, type ClientResult } from './load-kit.js';

export interface SoakOptions {
  durationS: number;
  /** Valid sessions running at once, each back to back. */
  parallel: number;
  /** Length of each valid test. */
  testS: number;
}

/** `--soak [--soak-minutes N]` -> options, or null without --soak. */
export function soakOptionsFromArgs(args: readonly string[]): SoakOptions | null {
  if (!args.includes('--soak')) return null;
  const i = args.indexOf('--soak-minutes');
  const minutes = i >= 0 ? Number(args[i + 1]) : 10;
  if (!Number.isFinite(minutes) || minutes < 2 || minutes > 120) throw new BenchError(`--soak-minutes must be 2-120, got ${args[i + 1]}`);
  return { durationS: minutes * 60, parallel: 2, testS: 15 };
}

const SECRET = 'soak-secret';
const HTTP_PORT = 18092;
const METRICS_PORT = 18093;
const TURN_PORT = 3478;
const SAMPLE_MS = 10_000;
const RSS_TOLERANCE = 0.1;

interface AbuseTally {
  cycles: number;
  junkAnswers: number;
  floodRefusals: number;
  idleClosedByServer: number;
  idleRefused: number;
  config429: number;
  configOk: number;
  bindingOnlyClosedByServer: number;
  unauthAnswers: number;
  stalledDatagrams: number;
  errors: string[];
}

async function abuseCycle(url: string, t: AbuseTally): Promise<void> {
  const one = async <T>(what: string, run: () => Promise<T>, add: (r: T) => void): Promise<void> => {
    try {
      add(await run());
    } catch (err) {
      if (t.errors.length < 20) t.errors.push(`${what}: ${(err as Error).message}`);
    }
  };
  await Promise.all([
    one(
      'junk signalling',
      () => junkSignalling(url, 200, '127.0.0.2'),
      (n) => (t.junkAnswers += n),
    ),
    one(
      'candidate flood (900 B) before an offer',
      () => floodSignalling(url, candidateMessage(900), 500, '127.0.0.3'),
      (r) => (t.floodRefusals += r.refusals),
    ),
    one(
      'candidate flood (60 KB) before an offer',
      () => floodSignalling(url, candidateMessage(60_000), 100, '127.0.0.3'),
      (r) => (t.floodRefusals += r.refusals + (r.closeCode !== null ? 1 : 0)),
    ),
    one(
      'idle WebSockets',
      () => idleSignalling(url, 20, 7_000, '127.0.0.4'),
      (r) => {
        t.idleClosedByServer += r.closedByServer;
        t.idleRefused += r.refused;
      },
    ),
    one(
      '/api/config burst',
      () => Promise.all(Array.from({ length: 80 }, () => getConfig(url, '127.0.0.5'))),
      (codes) => {
        t.config429 += codes.filter((c) => c === 429).length;
        t.configOk += codes.filter((c) => c === 200).length;
      },
    ),
    one(
      'Binding-only TCP',
      () => bindingOnlyTcp('127.0.0.1', TURN_PORT, 50, 2_000, 8_000),
      (n) => (t.bindingOnlyClosedByServer += n),
    ),
    one(
      'Allocate without credentials',
      () => unauthenticatedAllocates('127.0.0.1', TURN_PORT, 200),
      (n) => (t.unauthAnswers += n),
    ),
    one(
      'stalled TCP readers',
      async () => {
        const readers = await openStalledReaders({
          host: '127.0.0.1',
          turnPort: TURN_PORT,
          secret: SECRET,
          count: 20,
          payloadBytes: 200,
          bytesPerTarget: 384 * 1024,
          datagramsPerS: 2_000,
        });
        try {
          return await readers.flooded;
        } finally {
          await readers.close();
        }
      },
      (r) => (t.stalledDatagrams += r.datagrams),
    ),
  ]);
  t.cycles++;
}

/** One RSS sample of the server, broken down from its /metrics (server/http/app.ts processMemoryMetrics). */
interface SoakSample {
  tS: number;
  rssMiB: number;
  cpuS: number;
  heapTotalMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
  /** RSS beyond V8 heap total and external: the native WebRTC stacks, their threads' malloc arenas, code. */
  nativeRestMiB: number;
}

/** The server's own view of its memory, read from its metrics listener. Throws BenchError when a gauge is missing. */
async function memoryBreakdown(url: string): Promise<Omit<SoakSample, 'tS' | 'rssMiB' | 'cpuS'>> {
  const text = await (await fetch(url)).text();
  const mib = (name: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    if (!line) throw new BenchError(`/metrics has no ${name}`);
    return Number(line.slice(name.length + 1)) / 2 ** 20;
  };
  const rss = mib('process_resident_memory_bytes');
  const heapTotalMiB = mib('nodejs_heap_size_total_bytes');
  const externalMiB = mib('nodejs_external_memory_bytes');
  return { heapTotalMiB, heapUsedMiB: mib('nodejs_heap_size_used_bytes'), externalMiB, nativeRestMiB: rss - heapTotalMiB - externalMiB };
}

export async function runSoak(o: SoakOptions): Promise<void> {
  // Only in the namespace scripts/netns-run.sh made for this run: small TCP buffers there.
  const ownNetns = process.env['CALLPROBE_IN_NETNS'] === '1';
  if (ownNetns) execFileSync('sysctl', ['-q', '-w', 'net.ipv4.tcp_rmem=4096 16384 65536', 'net.ipv4.tcp_wmem=4096 16384 65536']);
  else process.stderr.write('soak: not in a namespace of its own (scripts/netns-run.sh): kernel TCP buffers left as they are\n');
  const hardStop = setTimeout(
    () => {
      process.stderr.write('soak: hard deadline reached\n');
      process.exit(1);
    },
    (o.durationS + 180) * 1000,
  );
  hardStop.unref();
  // Default limits: valid clients from 127.0.0.1, abusers from 127.0.0.2-5 where the limit is per source.
  const server = await startServe(
    ['--turn-ports', `${TURN_PORT}-${TURN_PORT + 3}`, '--secret', SECRET, '--metrics-listen', `127.0.0.1:${METRICS_PORT}`],
    HTTP_PORT,
  );
  const pid = server.child.pid;
  if (pid === undefined) throw new BenchError('no server pid');
  const samples: SoakSample[] = [];
  const valid: (ClientResult & { startS: number; failure: string | null })[] = [];
  const tally: AbuseTally = {
    cycles: 0,
    junkAnswers: 0,
    floodRefusals: 0,
    idleClosedByServer: 0,
    idleRefused: 0,
    config429: 0,
    configOk: 0,
    bindingOnlyClosedByServer: 0,
    unauthAnswers: 0,
    stalledDatagrams: 0,
    errors: [],
  };
  let baseline: ClientResult;
  let t0 = 0;
  try {
    baseline = await runClient(server.url, o.testS);
    if (!baseline.ok) throw new BenchError(`the unloaded run failed: ${baseline.error}`);
    process.stderr.write(`soak: unloaded run RTT p50 ${baseline.rttMsP50?.toFixed(2)} ms, jitter ${baseline.jitterMs?.toFixed(2)} ms\n`);
    t0 = performance.now();
    const elapsedS = (): number => (performance.now() - t0) / 1000;
    const sample = async (): Promise<void> => {
      const tS = Math.round(elapsedS());
      const u = procUsage(pid);
      samples.push({ tS, rssMiB: u.rssMiB, cpuS: u.cpuS, ...(await memoryBreakdown(`http://127.0.0.1:${METRICS_PORT}/metrics`)) });
    };
    await sample();
    let samplerError: Error | null = null;
    const sampler = setInterval(() => {
      void sample().then(
        () => {
          const last = samples.at(-1);
          process.stderr.write(
            `soak: ${last?.tS} s RSS ${last?.rssMiB.toFixed(1)} MiB (V8 heap ${last?.heapTotalMiB.toFixed(1)}, external ${last?.externalMiB.toFixed(1)}, native rest ${last?.nativeRestMiB.toFixed(1)}); ${valid.length} valid tests (${valid.filter((v) => v.failure === null).length} within tolerance), ${tally.cycles} abuse cycles\n`,
          );
        },
        (err: unknown) => (samplerError ??= err instanceof Error ? err : new Error(String(err))),
      );
    }, SAMPLE_MS);
    const base = baseline;
    const validLoop = async (): Promise<void> => {
      // A test that could not finish before the end is not started.
      while (elapsedS() + o.testS + 10 < o.durationS) {
        const startS = Math.round(elapsedS());
        const r = await runClient(server.url, o.testS);
        valid.push({ ...r, startS, failure: withinTolerance(r, base, o.testS) });
      }
    };
    const abuseLoop = async (): Promise<void> => {
      while (elapsedS() + 15 < o.durationS) await abuseCycle(server.url, tally);
    };
    await Promise.all([...Array.from({ length: o.parallel }, validLoop), abuseLoop()]);
    // The end: the last sample at the soak's full duration.
    while (elapsedS() < o.durationS) await new Promise((resolve) => setTimeout(resolve, 250));
    clearInterval(sampler);
    if (samplerError) throw new BenchError(`a memory sample failed: ${(samplerError as Error).message}`);
    await sample();
  } finally {
    await server.stop();
  }
  const afterFirstMinute = samples.find((s) => s.tS >= 60) ?? samples[0];
  const end = samples.at(-1);
  if (!afterFirstMinute || !end) throw new BenchError('no RSS samples');
  const rssChange = (end.rssMiB - afterFirstMinute.rssMiB) / afterFirstMinute.rssMiB;
  const within = valid.filter((v) => v.failure === null).length;
  const cpuPct = (100 * ((end.cpuS - (samples[0]?.cpuS ?? 0)) / Math.max(1, end.tS))).toFixed(0);
  const rssOk = Math.abs(rssChange) <= RSS_TOLERANCE;
  const machine = machineInfo();
  const file = writeResults('load-soak', {
    command: `npm run bench:load -- --soak --soak-minutes ${o.durationS / 60}`,
    machine,
    durationS: o.durationS,
    parallelValidSessions: o.parallel,
    testS: o.testS,
    tolerance: TOLERANCE_TEXT,
    rssToleranceRatio: RSS_TOLERANCE,
    baseline,
    rssAfterFirstMinuteMiB: afterFirstMinute.rssMiB,
    rssAtEndMiB: end.rssMiB,
    rssChangeRatio: rssChange,
    rssWithinTolerance: rssOk,
    serverCpuPct: Number(cpuPct),
    validTests: valid.length,
    validWithinTolerance: within,
    abuse: tally,
    samples,
    valid,
  });
  const fx = (v: number | null | undefined, d = 2): string => (v === null || v === undefined ? '–' : v.toFixed(d));
  const failures = valid.filter((v) => v.failure !== null);
  updateBenchmarksDoc(
    'load-soak',
    [
      `### Soak: ${o.durationS / 60} minutes of valid tests among abusive clients (${new Date().toISOString().slice(0, 10)})`,
      '',
      `Command: \`npm run bench:load -- --soak\` (\`--soak-minutes N\`, default 10). One \`callprobe serve\` with its default limits; ${o.parallel} valid ${o.testS} s tests at a time, back to back, from 127.0.0.1; meanwhile, in a loop (${tally.cycles} cycles), abusive clients from other loopback addresses: junk signalling, candidate floods before an offer (900 B and 60 KB), 20 idle WebSockets, 80 \`/api/config\` at once, 50 Binding-only TURN/TCP connections, 200 Allocates without credentials, 20 TURN/TCP allocations that stop reading while 384 KiB of 200-byte datagrams are relayed to each (namespace TCP buffers set small). The server is launched as in production (\`server/commands/serve-launch.ts\`: ${SERVE_NODE_FLAGS.join(' ')}, ${Object.entries(
        SERVE_ENV,
      )
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}). RSS sampled every 10 s, with the server's own breakdown from its \`/metrics\`. Raw data: \`${file}\`.`,
      '',
      `**RSS at the end ${fx(end.rssMiB, 1)} MiB vs ${fx(afterFirstMinute.rssMiB, 1)} MiB after the first minute: ${(rssChange * 100).toFixed(1)} % (${rssOk ? 'within' : 'outside'} 10 %). Valid tests within tolerance: ${within} of ${valid.length}.** Server CPU over the soak: ${cpuPct} % of one core.`,
      '',
      mdTable(
        ['MiB', 'RSS', 'V8 heap (total)', 'external (ArrayBuffers included)', 'native rest (WebRTC stacks, arenas, code)'],
        [afterFirstMinute, end].map((x) => [
          x === end ? `at the end (${x.tS} s)` : `after the first minute (${x.tS} s)`,
          fx(x.rssMiB, 1),
          fx(x.heapTotalMiB, 1),
          fx(x.externalMiB, 1),
          fx(x.nativeRestMiB, 1),
        ]),
      ),
      '',
      mdTable(
        ['', 'unloaded run', 'valid tests during the soak (median)'],
        [
          ['RTT p50', `${fx(baseline.rttMsP50)} ms`, `${fx(median(valid.map((v) => v.rttMsP50).filter((x): x is number => x !== null)))} ms`],
          ['jitter', `${fx(baseline.jitterMs)} ms`, `${fx(median(valid.map((v) => v.jitterMs).filter((x): x is number => x !== null)))} ms`],
          ['loss', `${fx(baseline.lossPct)} %`, `${fx(median(valid.map((v) => v.lossPct).filter((x): x is number => x !== null)))} %`],
        ],
      ),
      '',
      `Abusers answered: junk ${tally.junkAnswers} error messages; candidate floods ${tally.floodRefusals} refusals or cuts; idle sockets ${tally.idleClosedByServer} closed by the server, ${tally.idleRefused} refused; \`/api/config\` ${tally.configOk} x 200, ${tally.config429} x 429; Binding-only TCP ${tally.bindingOnlyClosedByServer} closed by the server (they last 8 s, the deadline is 60 s); ${tally.unauthAnswers} challenges to Allocates without credentials; ${tally.stalledDatagrams} datagrams towards stalled readers.${failures.length > 0 ? ` Valid tests outside tolerance: ${failures.map((f) => `at ${f.startS} s: ${f.failure}`).join('; ')}.` : ''}${tally.errors.length > 0 ? ` Abuser errors: ${tally.errors.slice(0, 5).join('; ')}.` : ''}`,
    ].join('\n'),
  );
  process.stdout.write(
    `soak: RSS after 1 min ${afterFirstMinute.rssMiB.toFixed(1)} MiB, at the end ${end.rssMiB.toFixed(1)} MiB (${(rssChange * 100).toFixed(1)} %); valid ${within}/${valid.length} within tolerance\nwritten to ${file}\n`,
  );
  clearTimeout(hardStop);
}
