/**
 * `npm run bench:relay`: the same paced turnutils_uclient load against coturn, our relay and the
 * two floors, a bare Node forwarder and a bare C forwarder (each in front of a second coturn),
 * alternating over several rounds, plus the relay-added round trip. The C forwarder is compiled
 * here with Debian's `cc` into dist/ (the bench fails at once, saying so, when `cc` is missing). Loopback only; every process is ours and stopped at the end; the
 * whole run is bounded by a deadline.
 *
 * Environment knobs: BENCH_ROUNDS (3), BENCH_SESSIONS (40), BENCH_MESSAGES (1000 per session),
 * BENCH_LENGTH (120 bytes), BENCH_INTERVAL_MS (2), BENCH_RTT_PINGS (2000), BENCH_PROFILE=1
 * (our relay runs under `node --cpu-prof`, profile in bench/results/raw/). Raw results go to
 * bench/results/raw/relay-<date>.json; `--write-docs` also writes the summary
 * (bench/results/relay-<date>.summary.json). The relay section of docs/benchmarks/relay.md is written
 * by hand from it.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { TurnClient } from '../../server/turn/client/turn-client.js';
import { renderCoturnConfig } from '../../server/turn/coturn-config.js';
import { mintRestCredential } from '../../server/turn/credentials.js';
import { parseIp } from '../../src/protocol/ip.js';
import { percentile } from '../../src/analysis/measure/percentile.js';
import { cpuMs, cpuTimes, freePorts, runProcess, spawnBounded, waitUdpBound, type ProcessHandle } from '../lib/process.js';
import { parseUclient, uclientArgs } from './uclient.js';
import { directPinger, interleaved, turnPinger, type RttStats } from './rtt.js';
import { relaySummary } from './summary.js';
import { describePublished, publishResults, RAW_DIR, writeDocsRequested } from '../lib/results.js';
import { buildC } from '../lib/c-build.js';
import { benchCommandLine } from '../lib/cli.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..', '..');
const env = (k: string, d: number): number => {
  const v = Number(process.env[k]);
  return Number.isFinite(v) && v > 0 ? v : d;
};
const cfg = {
  rounds: env('BENCH_ROUNDS', 3),
  sessions: env('BENCH_SESSIONS', 40),
  messages: env('BENCH_MESSAGES', 1000),
  lengthBytes: env('BENCH_LENGTH', 120),
  intervalMs: env('BENCH_INTERVAL_MS', 2),
  rttPings: env('BENCH_RTT_PINGS', 2000),
  profile: process.env['BENCH_PROFILE'] === '1',
};
const SECRET = 'bench-secret';
const DEADLINE_MS = 15 * 60_000;

/** `bare`: the Node floor (bare-forwarder.ts); `c`: the physical floor (c-forwarder.c). */
/** `ours-dgram`: our relay on the portable data path's sockets, Node's dgram (`--data-path portable`), where `ours` runs on our addon's. */
type Contestant = 'coturn' | 'ours' | 'ours-dgram' | 'bare' | 'c';
const FORWARDERS: readonly Contestant[] = ['bare', 'c'];

interface RunResult {
  round: number;
  contestant: Contestant;
  sent: number;
  received: number;
  lostPct: number;
  relayedPackets: number;
  cpuMs: number;
  /** Split of cpuMs (Linux accounts softirq work done in a syscall to the process). */
  userMs: number;
  sysMs: number;
  cpuUsPerPacket: number;
  /** coturn behind the forwarder (the bare and c rounds only). */
  backendCpuMs?: number;
  uclientWallMs: number;
  /** CPU of turnutils_uclient itself (user + system), when /usr/bin/time is installed. */
  generatorCpuMs?: number;
}

function generatorCpu(out: string): { generatorCpuMs?: number } {
  const m = /GENERATOR_CPU ([\d.]+) ([\d.]+)/.exec(out);
  return m ? { generatorCpuMs: Math.round((Number(m[1]) + Number(m[2])) * 1000) } : {};
}

/** A process of this bench, bounded by the whole run's deadline. */
function start(cmd: string, args: string[]): ProcessHandle {
  return spawnBounded(cmd, args, { deadlineMs: DEADLINE_MS });
}

function pidOf(p: ProcessHandle, what: string): number {
  if (p.pid === undefined) throw new Error(`${what} did not start`);
  return p.pid;
}

/** Compiles the C forwarder into dist/ (ignored) with Debian's cc. */
function buildCForwarder(): Promise<string> {
  return buildC(join(repo, 'bench', 'relay', 'c-forwarder.c'), join(repo, 'dist', 'bench', 'relay', 'c-forwarder'), 'bench:relay');
}

async function main(): Promise<void> {
  benchCommandLine(
    'bench:relay',
    'The same paced turnutils_uclient load against coturn, our relay, a bare Node forwarder and a bare C forwarder, alternating over rounds, plus the relay-added round trip.',
  );
  const cForwarder = await buildCForwarder();
  const procs: ProcessHandle[] = [];
  const deadline = setTimeout(() => {
    process.stderr.write('bench:relay: deadline reached, stopping\n');
    for (const p of procs) p.child.kill('SIGKILL');
    process.exit(2);
  }, DEADLINE_MS);
  const stopAll = async (): Promise<void> => {
    await Promise.all(procs.map((p) => p.stop(3000)));
  };
  try {
    const [peerPort, coturnPort, backendPort, oursPort, oursDgramPort, barePort, cPort] = await freePorts(7);
    if (!peerPort || !coturnPort || !backendPort || !oursPort || !oursDgramPort || !barePort || !cPort) throw new Error('ports');
    const rawDir = join(repo, RAW_DIR);
    mkdirSync(rawDir, { recursive: true });

    const peer = start('turnutils_peer', ['-L', '127.0.0.1', '-p', String(peerPort)]);
    procs.push(peer);
    const coturnConfs = renderCoturnConfig({
      listeningIp: '127.0.0.1',
      relayIp: '127.0.0.1',
      ports: [coturnPort, backendPort],
      relayPortRange: { min: 42000, max: 45999 },
      realm: 'callprobe',
      secret: SECRET,
      allowPeers: ['127.0.0.1/32'],
      logFile: join(rawDir, 'coturn.log'),
      // The load is 40 sessions of one user from one address: raised like our relay's quotas below.
      userQuota: 1000,
      totalQuota: 2000,
    });
    const coturns: ProcessHandle[] = coturnConfs.map((c) => {
      const file = join(rawDir, `turnserver-${c.port}.conf`);
      writeFileSync(file, c.text);
      const p = start('turnserver', ['-c', file, '--pidfile', join(rawDir, `turnserver-${c.port}.pid`), '--userdb', join(rawDir, `turndb-${c.port}`)]);
      procs.push(p);
      return p;
    });
    const [coturn, backend] = coturns;
    if (!coturn || !backend) throw new Error('coturn');
    const ourRelay = (port: number, relayRange: string, dataPath: 'native' | 'portable'): ProcessHandle =>
      start(process.execPath, [
        ...(cfg.profile ? ['--cpu-prof', '--cpu-prof-dir', rawDir] : []),
        join(repo, 'dist', 'server', 'turn', 'main.js'),
        '--host',
        '127.0.0.1',
        '--udp-ports',
        String(port),
        '--secret',
        SECRET,
        '--relay-range',
        relayRange,
        '--allow-peers',
        '127.0.0.1/32',
        '--max-allocations-per-user',
        '1000',
        '--max-allocations-per-ip',
        '1000',
        '--data-path',
        dataPath,
        '--log-level',
        'warn',
      ]);
    const ours = ourRelay(oursPort, '46000-47999', 'native');
    procs.push(ours);
    const oursDgram = ourRelay(oursDgramPort, '48000-49999', 'portable');
    procs.push(oursDgram);
    const bare = start(process.execPath, [join(repo, 'dist', 'bench', 'relay', 'bare-forwarder.js'), String(barePort), String(backendPort)]);
    procs.push(bare);
    const cFloor = start(cForwarder, [String(cPort), String(backendPort)]);
    procs.push(cFloor);
    await Promise.all([
      waitUdpBound(peerPort, 10_000),
      waitUdpBound(coturnPort, 10_000),
      waitUdpBound(backendPort, 10_000),
      ours.waitForLine('READY ', { timeoutMs: 10_000, what: 'our relay' }),
      oursDgram.waitForLine('READY ', { timeoutMs: 10_000, what: 'our relay on dgram' }),
      bare.waitForLine('READY ', { timeoutMs: 10_000, what: 'bare forwarder' }),
      cFloor.waitForLine('READY ', { timeoutMs: 10_000, what: 'C forwarder' }),
    ]);

    // 1. Relay-added round trip, on a quiet machine, interleaved.
    const cred = mintRestCredential(SECRET, 'rtt', 600, Date.now());
    const viaOurs = await TurnClient.connect({ host: '127.0.0.1', port: oursPort, username: cred.username, password: cred.credential });
    const viaCoturn = await TurnClient.connect({ host: '127.0.0.1', port: coturnPort, username: cred.username, password: cred.credential });
    const direct = await directPinger(peerPort);
    let rtt: Record<string, RttStats>;
    try {
      const echo = { ip: parseIp('127.0.0.1'), port: peerPort };
      for (const c of [viaOurs, viaCoturn]) {
        await c.allocate();
        await c.channelBind(0x4000, echo);
      }
      await interleaved({ direct: direct.ping, ours: turnPinger(viaOurs, 0x4000), coturn: turnPinger(viaCoturn, 0x4000) }, 200); // warm-up
      rtt = await interleaved({ direct: direct.ping, ours: turnPinger(viaOurs, 0x4000), coturn: turnPinger(viaCoturn, 0x4000) }, cfg.rttPings);
    } finally {
      await Promise.all([viaOurs.close(), viaCoturn.close(), direct.close()]);
    }

    // 2. Throughput CPU: alternating rounds.
    const targets: Record<Contestant, { port: number; pid: number }> = {
      coturn: { port: coturnPort, pid: pidOf(coturn, 'coturn') },
      ours: { port: oursPort, pid: pidOf(ours, 'our relay') },
      'ours-dgram': { port: oursDgramPort, pid: pidOf(oursDgram, 'our relay on dgram') },
      bare: { port: barePort, pid: pidOf(bare, 'the bare forwarder') },
      c: { port: cPort, pid: pidOf(cFloor, 'the C forwarder') },
    };
    const order: Contestant[] = ['coturn', 'ours', 'ours-dgram', 'bare', 'c'];
    /** The paced load of every uclient run: channels (-c), the configured sessions, sizes and pace. */
    const load = { flags: ['-c'], sessions: cfg.sessions, lengthBytes: cfg.lengthBytes, intervalMs: cfg.intervalMs, peerPort };
    // Warm-up (not recorded): JIT for the Node contestants, caches for all.
    for (const c of order) {
      await runProcess('turnutils_uclient', uclientArgs({ ...load, messages: 200, relayPort: targets[c].port, auth: { secret: SECRET, user: 'warmup' } }), {
        timeoutMs: 60_000,
      });
    }
    const runs: RunResult[] = [];
    for (let round = 0; round < cfg.rounds; round++) {
      for (let k = 0; k < order.length; k++) {
        const contestant = order[(k + round) % order.length] ?? 'ours';
        const t = targets[contestant];
        const t0 = cpuTimes(t.pid);
        const c0 = t0.userMs + t0.sysMs;
        const fronted = FORWARDERS.includes(contestant);
        const b0 = fronted ? cpuMs(pidOf(backend, 'the backend coturn')) : 0;
        // The generator's own CPU, through /usr/bin/time when present (shows it is not the ceiling).
        const timed = existsSync('/usr/bin/time');
        const r = await runProcess(
          timed ? '/usr/bin/time' : 'turnutils_uclient',
          [
            ...(timed ? ['-f', 'GENERATOR_CPU %U %S', 'turnutils_uclient'] : []),
            ...uclientArgs({ ...load, messages: cfg.messages, relayPort: t.port, auth: { secret: SECRET, user: `bench${round}` } }),
          ],
          { timeoutMs: 120_000 },
        );
        const t1 = cpuTimes(t.pid);
        const used = t1.userMs + t1.sysMs - c0;
        const s = parseUclient(r.output);
        if (!s) throw new Error(`uclient against ${contestant} gave no summary: ${r.output.slice(-400)}`);
        const relayedPackets = s.sent + s.received;
        runs.push({
          round,
          contestant,
          ...s,
          relayedPackets,
          cpuMs: used,
          userMs: t1.userMs - t0.userMs,
          sysMs: t1.sysMs - t0.sysMs,
          cpuUsPerPacket: Math.round(((used * 1000) / Math.max(1, relayedPackets)) * 100) / 100,
          ...(fronted ? { backendCpuMs: cpuMs(pidOf(backend, 'the backend coturn')) - b0 } : {}),
          uclientWallMs: r.wallMs,
          ...generatorCpu(r.output),
        });
        process.stderr.write(`round ${round} ${contestant}: ${relayedPackets} packets, ${used} ms CPU, loss ${s.lostPct} %\n`);
      }
    }
    const perPacket = (c: Contestant): number =>
      percentile(
        runs.filter((r) => r.contestant === c).map((r) => r.cpuUsPerPacket),
        50,
      );
    const coturnUs = perPacket('coturn');
    const cUs = perPacket('c');
    /** x's CPU per packet over `base`'s (medians), to 3 decimals. */
    const ratio = (base: number, x: Contestant): number => Math.round((base / perPacket(x)) * 1000) / 1000;
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '', node: process.version },
      config: cfg,
      rtt,
      relayAddedRttP50Ms: Math.round(((rtt['ours']?.p50Ms ?? NaN) - (rtt['direct']?.p50Ms ?? NaN)) * 1000) / 1000,
      coturnAddedRttP50Ms: Math.round(((rtt['coturn']?.p50Ms ?? NaN) - (rtt['direct']?.p50Ms ?? NaN)) * 1000) / 1000,
      cpuUsPerPacketMedian: { coturn: coturnUs, ours: perPacket('ours'), oursDgram: perPacket('ours-dgram'), bare: perPacket('bare'), c: cUs },
      efficiency: { ours: ratio(coturnUs, 'ours'), oursDgram: ratio(coturnUs, 'ours-dgram'), bare: ratio(coturnUs, 'bare'), c: ratio(coturnUs, 'c') },
      /** The C floor's CPU per packet over each contestant's: 1 is the physical floor. */
      toCFloor: { coturn: ratio(cUs, 'coturn'), ours: ratio(cUs, 'ours'), oursDgram: ratio(cUs, 'ours-dgram'), bare: ratio(cUs, 'bare') },
      runs,
    };
    const published = publishResults(
      { name: 'relay', raw: result, summary: relaySummary(result) },
      { writeDocs: writeDocsRequested(process.argv), root: repo, date: result.date.slice(0, 10) },
    );
    process.stdout.write(
      [
        `relay-added RTT p50 ${result.relayAddedRttP50Ms} ms (ours p50/p90/p99 ${rtt['ours']?.p50Ms}/${rtt['ours']?.p90Ms}/${rtt['ours']?.p99Ms}, ` +
          `direct ${rtt['direct']?.p50Ms}/${rtt['direct']?.p90Ms}/${rtt['direct']?.p99Ms}, coturn ${rtt['coturn']?.p50Ms}/${rtt['coturn']?.p90Ms}/${rtt['coturn']?.p99Ms})`,
        `CPU us/packet (median): coturn ${coturnUs}, ours ${perPacket('ours')}, ours on dgram ${perPacket('ours-dgram')}, Node floor ${perPacket('bare')}, C floor ${cUs}`,
        `efficiency (coturn/x): ours ${result.efficiency.ours}, ours on dgram ${result.efficiency.oursDgram}, Node floor ${result.efficiency.bare}, C floor ${result.efficiency.c}`,
        `to the C floor (C/x): coturn ${result.toCFloor.coturn}, ours ${result.toCFloor.ours}, Node floor ${result.toCFloor.bare}`,
        describePublished(published),
      ].join('\n') + '\n',
    );
  } finally {
    await stopAll();
    clearTimeout(deadline);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:relay failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
