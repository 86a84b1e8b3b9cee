/**
 * `npm run bench:load -- --soak [--soak-minutes 10]`: one `callprobe serve` with its
 * default limits for the whole duration, a few valid test sessions back to back (the load
 * client, from 127.0.0.1) while abusive clients run in a loop (bench/lib/abuse.ts and
 * stalled-readers.ts, from other loopback addresses where the limit is per source): junk
 * signalling, candidate floods before an offer, the LF offer (candidates that are not the relay,
 * behind LF line endings), idle WebSockets, /api/config bursts, Binding-only TCP connections,
 * Allocates without credentials, TCP clients that stop reading, an allocation flood from five
 * addresses of one IPv6 /64 (allocation-flood.ts) and a password spray at the help desk console
 * (login-spray.ts) while its user logs in from elsewhere.
 * The server's RSS (its HTTP process and its data plane together) is sampled every 10 s; the
 * figure is RSS at the end against RSS after the first minute (growth within 5 %), open file descriptors at the end against before the load (flat), and every valid test against the tolerance of an unloaded run.
 * Bounded: the abuse loop and the valid loops stop at the end; a hard deadline exits.
 * Run inside scripts/netns-run.sh: there the namespace's TCP buffers are set small, so stalled
 * readers fill the server's queues (the kernel's would absorb megabytes first), and its loopback
 * gets the IPv6 /64s the flood and the spray come from (fd00::/8, unique local, RFC 4193).
 * Raw results go to bench/results/raw/; `--write-docs` also writes the summary and the docs section.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  bindingOnlyTcp,
  candidateMessage,
  floodSignalling,
  getConfig,
  idleSignalling,
  junkSignalling,
  lfOffer,
  unauthenticatedAllocates,
  loadAbuse,
  trickleUploads,
  prflxChecks,
} from '../lib/abuse.js';
import { httpConnectionFlood } from '../lib/http-flood.js';
import { floodAllocations } from '../lib/allocation-flood.js';
import { sprayLogins } from '../lib/login-spray.js';
import { hashPassword } from '../../server/console/auth.js';
import { DEFAULTS } from '../../src/protocol/defaults.js';
import { doorBounds } from '../../server/common/door.js';
import { mdTable } from '../lib/docs.js';
import { BenchError, startServe } from '../lib/processes.js';
import { SERVE_ENV, SERVE_NODE_FLAGS } from '../../server/common/launch.js';
import { describePublished, machineInfo, publishResults, resultFiles, today, writeDocsRequested } from '../lib/results.js';
import { openStalledReaders } from '../lib/stalled-readers.js';
import { openFds, procUsage, runClient, TOLERANCE_TEXT, withinTolerance, type ClientResult } from './load-kit.js';
import { FD_SLACK, fdFacts, soakEnds, soakSummary, type AbuseTally, type SoakRaw, type SoakSample, type SoakValidTest } from './soak-summary.js';

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
/** The most RSS may grow from the first minute to the end (a shrink is fine). */
const RSS_TOLERANCE = 0.05;
/** Five addresses of one /64 flood the relay with allocations; three of another spray console logins. */
const FLOOD_64 = ['fd00:cb:64::1', 'fd00:cb:64::2', 'fd00:cb:64::3', 'fd00:cb:64::4', 'fd00:cb:64::5'];
const SPRAY_64 = ['fd00:cb:65::1', 'fd00:cb:65::2', 'fd00:cb:65::3'];
/** One address in each of 4 /64s of one /48 (fd00:cb:70::/48): a site's allocation, counted per /64 and per /48. */
const FLOOD_48 = ['fd00:cb:70:1::1', 'fd00:cb:70:2::1', 'fd00:cb:70:3::1', 'fd00:cb:70:4::1'];
/** The busy-line trickle's sources: 4 /64s of another /48 (fd00:cb:71::/48). */
const TRICKLE_48 = ['fd00:cb:71:1::1', 'fd00:cb:71:2::1', 'fd00:cb:71:3::1', 'fd00:cb:71:4::1'];
const CONSOLE_USER = { name: 'agent', password: 'soak-agent-password' };

/** What the cycle needs besides the URL: whether the IPv6 /64s are on loopback (our own namespace). */
interface AbuseSetup {
  ipv6: boolean;
  /** The server's pid: the peer-reflexive attack checks every UDP socket it holds. */
  serverPid: number;
}

async function abuseCycle(url: string, t: AbuseTally, setup: AbuseSetup): Promise<void> {
  const one = async <T>(what: string, run: () => Promise<T>, add: (r: T) => void): Promise<void> => {
    try {
      add(await run());
    } catch (err) {
      if (t.errors.length < 20) t.errors.push(`${what}: ${(err as Error).message}`);
    }
  };
  // UDP allocations from `addresses` (100 a second) until the relay refuses them; each client
  // sends to the relay (on ::) at its own address: see AllocationFloodOptions.host.
  const floodFrom = (addresses: readonly string[]): Promise<{ granted: number } | null> =>
    setup.ipv6
      ? floodAllocations({
          host: null,
          port: TURN_PORT,
          secret: SECRET,
          transport: 'udp',
          localAddresses: addresses,
          maxPerAddress: DEFAULTS.relayQuotas.maxAllocationsTotal,
          perSecond: 100,
        })
      : Promise.resolve(null);
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
      'the LF offer',
      () => lfOffer(url, '127.0.0.6'),
      (r) => {
        if (r === 'refused') t.lfOfferRefused = (t.lfOfferRefused ?? 0) + 1;
        else if (r === 'answered') t.lfOfferAnswered = (t.lfOfferAnswered ?? 0) + 1;
        else throw new BenchError('the LF offer got neither a refusal nor an answer within 5 s');
      },
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
      'HTTP connection flood',
      // More idle connections than one source may hold, kept past the first-request timeout.
      () => httpConnectionFlood(url, '127.0.0.10', DEFAULTS.http.maxConnectionsPerSource + 100, DEFAULTS.http.firstRequestTimeoutMs + 3_000),
      (r) => {
        const f = (t.httpFlood ??= { refused: 0, closedIdle: 0, heldToEnd: 0, failed: 0 });
        f.refused += r.refused;
        f.closedIdle += r.closedIdle;
        f.heldToEnd += r.heldToEnd;
        f.failed += r.failed;
      },
    ),
    one(
      'busy-line load abuse',
      () => loadAbuse(url, '127.0.0.7', 3_000),
      (r) => {
        const a = (t.loadAbuse ??= { grants: 0, refusals: {} });
        a.grants += r.grants;
        for (const [k, n] of Object.entries(r.refusals)) a.refusals[k] = (a.refusals[k] ?? 0) + n;
      },
    ),
    one(
      'trickling uploads from 4 /64s of one IPv6 /48',
      // 12 flows each (the 48 that once held every flow), 1 byte a second; a legitimate phase beside them.
      () => (setup.ipv6 ? trickleUploads({ 4: url, 6: url.replace('127.0.0.1', '[::1]') }, TRICKLE_48, '127.0.0.11', 12, 8_000) : Promise.resolve(null)),
      (r) => {
        if (r === null) return;
        const a = (t.trickle ??= { opened: 0, ended: {}, legitServed: 0, legitNotServed: 0 });
        a.opened += r.opened;
        for (const [k, n] of Object.entries(r.ended)) a.ended[k] = (a.ended[k] ?? 0) + n;
        if (r.legitServed) a.legitServed++;
        else a.legitNotServed++;
      },
    ),
    one(
      'peer-reflexive checks with the session password from a third address',
      () => prflxChecks(url, setup.serverPid, TURN_PORT, '127.0.0.12', '127.0.0.13'),
      (r) => {
        const a = (t.prflx ??= { targets: 0, answered: 0 });
        a.targets += r.targets;
        a.answered += r.answered;
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
    one(
      'allocation flood from one IPv6 /64',
      () => floodFrom(FLOOD_64),
      (r) => {
        if (r !== null) (t.floodGranted ??= []).push(r.granted);
      },
    ),
    one(
      'allocation flood from 4 /64s of one IPv6 /48',
      () => floodFrom(FLOOD_48),
      (r) => {
        if (r !== null) (t.flood48Granted ??= []).push(r.granted);
      },
    ),
    one(
      'console login spray',
      () =>
        sprayLogins({
          baseUrl: { 4: url, 6: url.replace('127.0.0.1', '[::1]') },
          user: CONSOLE_USER.name,
          password: CONSOLE_USER.password,
          from: setup.ipv6 ? [...SPRAY_64, '127.0.0.8'] : ['127.0.0.8'],
          legitFrom: '127.0.0.9',
          attempts: 60,
          concurrency: 6,
        }),
      (r) => {
        const spray = (t.sprayStatus ??= {});
        for (const [status, n] of Object.entries(r.sprayStatus)) spray[status] = (spray[status] ?? 0) + n;
        const legit = (t.legitLogins ??= { ok: 0, refused: 0 });
        if (r.legitStatus === 200) legit.ok++;
        else legit.refused++;
      },
    ),
  ]);
  t.cycles++;
}

/**
 * The server's own view of its memory, read from its metrics listener: the HTTP process's and its
 * data plane's together. Throws BenchError when a gauge is missing.
 */
async function memoryBreakdown(url: string): Promise<Omit<SoakSample, 'tS' | 'rssMiB' | 'cpuS'>> {
  const text = await (await fetch(url)).text();
  const mib = (name: string, optional = false): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    if (!line) {
      if (optional) return 0;
      throw new BenchError(`/metrics has no ${name}`);
    }
    return Number(line.slice(name.length + 1)) / 2 ** 20;
  };
  // The data plane's gauges are missing only while it is started again.
  const both = (http: string, plane: string): number => mib(http) + mib(plane, true);
  const rss = both('process_resident_memory_bytes', 'callprobe_dataplane_resident_memory_bytes');
  const heapTotalMiB = both('nodejs_heap_size_total_bytes', 'callprobe_dataplane_heap_size_total_bytes');
  const externalMiB = both('nodejs_external_memory_bytes', 'callprobe_dataplane_external_memory_bytes');
  return {
    heapTotalMiB,
    heapUsedMiB: both('nodejs_heap_size_used_bytes', 'callprobe_dataplane_heap_size_used_bytes'),
    externalMiB,
    nativeRestMiB: rss - heapTotalMiB - externalMiB,
  };
}

export async function runSoak(o: SoakOptions): Promise<void> {
  // Only in the namespace scripts/netns-run.sh made for this run: small TCP buffers there.
  const ownNetns = process.env['CALLPROBE_IN_NETNS'] === '1';
  if (ownNetns) {
    execFileSync('sysctl', ['-q', '-w', 'net.ipv4.tcp_rmem=4096 16384 65536', 'net.ipv4.tcp_wmem=4096 16384 65536']);
    for (const a of [...FLOOD_64, ...SPRAY_64, ...FLOOD_48, ...TRICKLE_48]) execFileSync('ip', ['addr', 'add', `${a}/64`, 'dev', 'lo', 'nodad']);
  } else process.stderr.write('soak: not in a namespace of its own (scripts/netns-run.sh): kernel TCP buffers left as they are, no IPv6 /64 flood\n');
  const usersDir = mkdtempSync(join(tmpdir(), 'callprobe-soak-users-'));
  const usersFile = join(usersDir, 'users.json');
  writeFileSync(usersFile, JSON.stringify([{ name: CONSOLE_USER.name, role: 'tier1', passwordHash: await hashPassword(CONSOLE_USER.password) }]));
  const hardStop = setTimeout(
    () => {
      process.stderr.write('soak: hard deadline reached\n');
      process.exit(1);
    },
    (o.durationS + 180) * 1000,
  );
  hardStop.unref();
  // Default limits: valid clients from 127.0.0.1, abusers from 127.0.0.2-8 (the user's own logins from 127.0.0.9) and IPv6 /64s where the limit is per source.
  // Dual stack (--host ::), so the IPv6 abusers reach it; the valid tests stay on IPv4.
  const server = await startServe(
    [
      '--host',
      '::',
      '--relay-ip',
      '127.0.0.1,::1',
      '--turn-ports',
      `${TURN_PORT}-${TURN_PORT + 3}`,
      '--secret',
      SECRET,
      '--metrics-listen',
      `127.0.0.1:${METRICS_PORT}`,
      '--users',
      usersFile,
    ],
    HTTP_PORT,
  );
  const pid = server.pid;
  const samples: SoakSample[] = [];
  const valid: SoakValidTest[] = [];
  const tally: AbuseTally = {
    cycles: 0,
    junkAnswers: 0,
    floodRefusals: 0,
    lfOfferRefused: 0,
    lfOfferAnswered: 0,
    idleClosedByServer: 0,
    idleRefused: 0,
    config429: 0,
    configOk: 0,
    bindingOnlyClosedByServer: 0,
    unauthAnswers: 0,
    stalledDatagrams: 0,
    floodGranted: [],
    flood48Granted: [],
    sprayStatus: {},
    legitLogins: { ok: 0, refused: 0 },
    errors: [],
  };
  const setup: AbuseSetup = { ipv6: ownNetns, serverPid: pid };
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
      samples.push({ tS, rssMiB: u.rssMiB, cpuS: u.cpuS, fds: openFds(pid), ...(await memoryBreakdown(`http://127.0.0.1:${METRICS_PORT}/metrics`)) });
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
      while (elapsedS() + 15 < o.durationS) await abuseCycle(server.url, tally, setup);
    };
    await Promise.all([...Array.from({ length: o.parallel }, validLoop), abuseLoop()]);
    // The end: the last sample at the soak's full duration.
    while (elapsedS() < o.durationS) await new Promise((resolve) => setTimeout(resolve, 250));
    clearInterval(sampler);
    if (samplerError) throw new BenchError(`a memory sample failed: ${(samplerError as Error).message}`);
    await sample();
  } finally {
    await server.stop();
    rmSync(usersDir, { recursive: true, force: true });
  }
  const { afterFirstMinute, atEnd: end } = soakEnds(samples);
  const rssChange = (end.rssMiB - afterFirstMinute.rssMiB) / afterFirstMinute.rssMiB;
  const cpuPct = (100 * ((end.cpuS - (samples[0]?.cpuS ?? 0)) / Math.max(1, end.tS))).toFixed(0);
  const raw: SoakRaw = {
    command: `npm run bench:load -- --soak --soak-minutes ${o.durationS / 60}`,
    machine: machineInfo(),
    durationS: o.durationS,
    parallelValidSessions: o.parallel,
    testS: o.testS,
    tolerance: TOLERANCE_TEXT,
    rssToleranceRatio: RSS_TOLERANCE,
    baseline,
    rssAfterFirstMinuteMiB: afterFirstMinute.rssMiB,
    rssAtEndMiB: end.rssMiB,
    rssChangeRatio: rssChange,
    rssWithinTolerance: rssChange <= RSS_TOLERANCE,
    fds: fdFacts(samples),
    serverCpuPct: Number(cpuPct),
    validTests: valid.length,
    validWithinTolerance: valid.filter((v) => v.failure === null).length,
    abuse: tally,
    samples,
    valid,
  };
  const summary = soakSummary(raw);
  const date = today();
  const published = publishResults(
    {
      name: 'load-soak',
      raw,
      summary,
      docs: { page: 'load', section: 'load-soak', markdown: soakMarkdown(o, summary, resultFiles('load-soak', date).summary, date) },
    },
    { writeDocs: writeDocsRequested(process.argv), date },
  );
  process.stdout.write(
    `soak: RSS after 1 min ${afterFirstMinute.rssMiB.toFixed(1)} MiB, at the end ${end.rssMiB.toFixed(1)} MiB (${(rssChange * 100).toFixed(1)} %); valid ${summary.validWithinTolerance}/${summary.validTests} within tolerance\n${describePublished(published)}\n`,
  );
  clearTimeout(hardStop);
}

/** The HTTP connection flood's part of the abusers' line; empty for a soak run before it joined. */
function httpFloodText(tally: AbuseTally): string {
  const f = tally.httpFlood;
  if (f === undefined) return '';
  return `; idle HTTP connections (${DEFAULTS.http.maxConnectionsPerSource + 100} a cycle from one address, over its ${DEFAULTS.http.maxConnectionsPerSource}) ${f.refused} refused at once, ${f.closedIdle} closed for sending no request, ${f.heldToEnd} still open at the end of their ${(DEFAULTS.http.firstRequestTimeoutMs + 3_000) / 1000} s, ${f.failed} not opened`;
}

/** The /64 flood's and the console spray's part of the abusers' line; empty for a soak run before they joined it. */
function ourAbuseText(tally: AbuseTally): string {
  if (tally.floodGranted === undefined || tally.sprayStatus === undefined || tally.legitLogins === undefined) return '';
  const range = (g: readonly number[]): string =>
    g.length === 0 ? 'nothing (not in a namespace of its own)' : Math.min(...g) === Math.max(...g) ? String(g[0]) : `${Math.min(...g)}-${Math.max(...g)}`;
  const flood = range(tally.floodGranted);
  const relay = doorBounds(DEFAULTS.relayQuotas.maxAllocationsTotal, DEFAULTS.relayQuotas.maxAllocationsPerSourceIp);
  const flood48 =
    tally.flood48Granted === undefined
      ? ''
      : `; the flood from 4 /64s of one /48 got ${range(tally.flood48Granted)} per cycle (a /48 may hold ${relay.perNetwork} of the ${relay.total})`;
  const tr = tally.trickle;
  const trickle =
    tr === undefined
      ? ''
      : `; the trickling uploads opened ${tr.opened} flows (${Object.entries(tr.ended)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ')}), and the legitimate phase beside them was served in ${tr.legitServed} of ${tr.legitServed + tr.legitNotServed} cycles`;
  const spray = Object.entries(tally.sprayStatus)
    .map(([status, n]) => `${n} x ${status}`)
    .join(', ');
  const prflx =
    tally.prflx === undefined
      ? ''
      : `; checks keyed with a session's ICE password from a third address, sent to its relayed address and to each of the server's ${Math.round(tally.prflx.targets / Math.max(1, tally.cycles))} loopback UDP sockets a cycle, drew ${tally.prflx.answered} datagrams back in all`;
  return `; the IPv6 /64 flood got ${flood} allocations per cycle (the per-source quota is ${DEFAULTS.relayQuotas.maxAllocationsPerSourceIp})${flood48}${trickle}${prflx}; the console spray got ${spray}, and the user's own logins from another address ${tally.legitLogins.ok} x 200, ${tally.legitLogins.refused} refused`;
}

/** The soak's section of docs/benchmarks/load.md, from its summary. */
function soakMarkdown(o: SoakOptions, s: ReturnType<typeof soakSummary>, summaryFile: string, date: string): string {
  const fx = (v: number | null | undefined, d = 2): string => (v === null || v === undefined ? '–' : v.toFixed(d));
  const { afterFirstMinute, atEnd: end } = s.memory;
  const tally = s.abuse;
  return [
    `### Soak: ${o.durationS / 60} minutes of valid tests among abusive clients (${date})`,
    '',
    `Command: \`npm run bench:load -- --soak\` (\`--soak-minutes N\`, default 10). One \`callprobe serve\` with its default limits; ${o.parallel} valid ${o.testS} s tests at a time, back to back, from 127.0.0.1; meanwhile, in a loop (${tally.cycles} cycles), abusive clients from other loopback addresses: junk signalling, candidate floods before an offer (900 B and 60 KB)${tally.lfOfferRefused !== undefined ? ', the LF offer (a data-channel offer with LF line endings whose candidates are other loopback addresses, UDP and ICE-TCP)' : ''}, 20 idle WebSockets, 80 \`/api/config\` at once, 50 Binding-only TURN/TCP connections,${tally.httpFlood !== undefined ? ` ${DEFAULTS.http.maxConnectionsPerSource + 100} idle HTTP connections from one address,` : ''} 200 Allocates without credentials, 20 TURN/TCP allocations that stop reading while 384 KiB of 200-byte datagrams are relayed to each (namespace TCP buffers set small)${tally.sprayStatus !== undefined ? ', UDP allocations from five addresses of one IPv6 /64 and from four /64s of one /48 (100 a second each) until the relay refuses them, 12 busy-line uploads from each of four /64s of another /48 that declare 4 MB and send 1 byte a second (8 s) while a legitimate phase from another address uploads 2 MB, and 60 wrong console passwords for one user from one /64 and one IPv4 address (6 at a time) while that user logs in from another address; the server listens dual stack (`--host ::`) with a help desk user (`--users`)' : ''}. The server is launched as in production (\`server/common/launch.ts\`: ${SERVE_NODE_FLAGS.join(' ')}, ${Object.entries(
      SERVE_ENV,
    )
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}). RSS sampled every 10 s, with the server's own breakdown from its \`/metrics\`. Summary: \`${summaryFile}\`.`,
    '',
    `**RSS at the end ${fx(end.rssMiB, 1)} MiB vs ${fx(afterFirstMinute.rssMiB, 1)} MiB after the first minute: ${(s.rssChangeRatio * 100).toFixed(1)} % (${s.rssWithinTolerance ? 'within' : 'outside'} +${fx(s.rssToleranceRatio * 100, 0)} %).${s.fds ? ` Open file descriptors ${s.fds.atStart} before the load, at most ${s.fds.max} during it, ${s.fds.atEnd} at the end (${s.fds.flat ? 'flat' : 'not flat'}: at most ${FD_SLACK} more allowed).` : ''} Valid tests within tolerance: ${s.validWithinTolerance} of ${s.validTests}.** Server CPU over the soak: ${s.serverCpuPct} % of one core.`,
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
        ['RTT p50', `${fx(s.baseline.rttMsP50)} ms`, `${fx(s.validMedian.rttMsP50)} ms`],
        ['jitter', `${fx(s.baseline.jitterMs)} ms`, `${fx(s.validMedian.jitterMs)} ms`],
        ['loss', `${fx(s.baseline.lossPct)} %`, `${fx(s.validMedian.lossPct)} %`],
      ],
    ),
    '',
    `Abusers answered: junk ${tally.junkAnswers} error messages; candidate floods ${tally.floodRefusals} refusals or cuts;${tally.lfOfferRefused !== undefined ? ` LF offers ${tally.lfOfferRefused} refused, ${tally.lfOfferAnswered ?? 0} answered;` : ''} idle sockets ${tally.idleClosedByServer} closed by the server, ${tally.idleRefused} refused; \`/api/config\` ${tally.configOk} x 200, ${tally.config429} x 429; Binding-only TCP ${tally.bindingOnlyClosedByServer} closed by the server (they last 8 s, the deadline is 60 s); ${tally.unauthAnswers} challenges to Allocates without credentials; ${tally.stalledDatagrams} datagrams towards stalled readers${ourAbuseText(tally)}${httpFloodText(tally)}.${s.validFailures.length > 0 ? ` Valid tests outside tolerance: ${s.validFailures.map((f) => `at ${f.startS} s: ${f.failure}`).join('; ')}.` : ''}${tally.errors.length > 0 ? ` Abuser errors: ${tally.errors.slice(0, 5).join('; ')}.` : ''}`,
  ].join('\n');
}
