/**
 * One busy-line test through a real bottleneck queue (bench/lib/bottleneck.ts), with irtt
 * probing through the same queue as the reference: `callprobe serve` and `irtt server` in the
 * server namespace, `callprobe run --load` (headless Chromium) and `irtt client` in the client
 * namespace. Both namespaces share this host's clock, so irtt's one-way delays are true ones;
 * the reference added delay of a direction is irtt's median one-way delay over callprobe's
 * working window of that direction minus its median over the idle seconds before the phase.
 */
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Report } from '../../src/analysis/schema/report-schema.js';
import type { AnalysisInput } from '../../src/analysis/schema/input.js';
import type { ArrivalRecord } from '../../src/analysis/measure/records.js';
import { median, medianInterval } from '../lib/median.js';
import { Bottleneck, type BottleneckSpec } from '../lib/bottleneck.js';
import { BenchError, CLI } from '../lib/processes.js';

export interface TestbedRun {
  report: Report;
  /** irtt's added one-way delay per direction over callprobe's working windows (ms), null without samples. */
  irtt: {
    upAddedMs: number | null;
    downAddedMs: number | null;
    /** The 95 % interval of each added delay (irtt's median's, less the idle median): how well irtt itself pins it down. */
    upAddedIntervalMs: AddedInterval | null;
    downAddedIntervalMs: AddedInterval | null;
    idleUpMs: number | null;
    idleDownMs: number | null;
    /** irtt's round trips sent in each working window, and how many of them were lost on the way. */
    upWindow: { sent: number; lost: number } | null;
    downWindow: { sent: number; lost: number } | null;
    samples: number;
  };
  /**
   * Probe for probe: each of callprobe's probes in a working window against irtt's reading of the
   * queue at the moment it crossed it (sent, going up; received, coming down), both as added
   * delay over their own idle medians (pairedDifference). Null without pairs.
   */
  paired: { up: PairedDifference | null; down: PairedDifference | null };
  /** Seconds the run took, from the browser's start to its report. */
  wallS: number;
  queue: { up: string; down: string };
}

export interface TestbedOptions {
  tag: string;
  spec: BottleneckSpec;
  /** The idle window (s). */
  durationS: number;
  httpPort: number;
  /** serve flags beyond the defaults (e.g. --load-max-bytes). */
  serveArgs?: string[];
  /**
   * A test hook: serve's data plane (the relay and the reflectors: one process of its own, the
   * default `--workers 1`) stopped (SIGSTOP) for `forMs` every `everyMs` from the start of the
   * test, so its event loop runs that late, as a busy server's does. Absent: left alone.
   */
  serverLate?: { everyMs: number; forMs: number };
}

/** The children of a process (Linux: /proc/<pid>/task/<tid>/children). */
function childPids(pid: number): number[] {
  const tasks = readdirSync(`/proc/${pid}/task`);
  return tasks.flatMap((t) =>
    readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8')
      .split(' ')
      .filter((x) => x.trim() !== '')
      .map(Number),
  );
}

/**
 * Stops `pid` for `forMs` every `everyMs` (SIGSTOP, then SIGCONT) until the returned function is
 * called, which leaves it running. The stop is the test's, on its own timers: a few ms more under
 * load, never less.
 */
function pauseRepeatedly(pid: number, o: { everyMs: number; forMs: number }): () => void {
  let resume: ReturnType<typeof setTimeout> | undefined;
  /** Signals the process; false when it is gone (ESRCH: it ended), any other error thrown. */
  const signal = (sig: NodeJS.Signals): boolean => {
    try {
      process.kill(pid, sig);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
      throw err;
    }
  };
  const cont = (): void => {
    signal('SIGCONT');
  };
  const timer = setInterval(() => {
    if (signal('SIGSTOP')) resume = setTimeout(cont, o.forMs);
  }, o.everyMs);
  return () => {
    clearInterval(timer);
    clearTimeout(resume);
    cont();
  };
}

/** serve's data plane: its one child process, once it has started (up to 5 s). */
async function dataPlanePid(servePid: number): Promise<number> {
  const until = Date.now() + 5000;
  for (;;) {
    const [plane] = childPids(servePid);
    if (plane !== undefined) return plane;
    if (Date.now() > until) throw new BenchError(`callprobe serve (pid ${servePid}) started no data plane in 5 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The probe-for-probe rule: callprobe's added delay within 3 % or 5 ms (whichever is larger) of
 * irtt's read at the moments of callprobe's own probes, and the pairs' median difference within
 * the same. The first holds the published figure to the queue as callprobe sampled it (so a swing
 * sampled differently by the two tools does not count, and probes callprobe left out would); the
 * second, each reading to irtt's at the same moment.
 */
export function pairedAgrees(ours: number | null, paired: PairedDifference | null): boolean | null {
  if (ours === null || paired === null) return null;
  const allowed = Math.max(0.03 * Math.abs(paired.referenceMs), 5);
  return Math.abs(ours - paired.referenceMs) <= allowed && Math.abs(paired.medianMs) <= allowed;
}

/** Low and high ends of a 95 % interval (ms). */
export interface AddedInterval {
  lo: number;
  hi: number;
}

/**
 * The acceptance rule for an added delay against irtt's on the same queue: within 10 % or 5 ms,
 * whichever is larger, or inside irtt's own 95 % interval for its median. The interval matters
 * when the window holds a swing of the queue (TCP's flows backing off after a tail drop, the
 * delay falling from a second to a tenth of one and climbing back): the median then sits on the
 * slope between two levels, and two probe streams at different rates, losing different probes
 * in the swing, read different points of that slope. A steady full queue gives an interval of a
 * few ms, so the 10 % rule is the one that binds there.
 */
export function withinReference(ours: number | null, irtt: number | null, interval: AddedInterval | null = null): boolean | null {
  if (ours === null || irtt === null) return null;
  if (Math.abs(ours - irtt) <= Math.max(0.1 * Math.abs(irtt), 5)) return true;
  return interval !== null && ours >= interval.lo && ours <= interval.hi;
}

/** One irtt round trip as its JSON gives it (irtt 0.9; times in ns). */
interface IrttRoundTrip {
  lost: string;
  timestamps: { client: { send: { wall: number }; receive?: { wall: number } } };
  delay?: { send?: number; receive?: number };
}

/** One probe's added delay (ms over its tool's idle median) and when it crossed the queue (wall clock, ms). */
export interface TimedDelay {
  atMs: number;
  addedMs: number;
}

/**
 * callprobe's probes each paired with irtt's reading of the queue at the same moment (pairedDifference):
 * the median of the differences (callprobe's added delay less irtt's), the median of irtt's
 * readings, and how many pairs.
 */
export interface PairedDifference {
  medianMs: number;
  referenceMs: number;
  pairs: number;
}

/** irtt probes every 20 ms: one sent within 10 ms of any moment, unless it was lost. */
const PAIR_WITHIN_MS = 10;
/** Two of irtt's probes at most this far apart are read in between along the line joining them (a few lost between them). */
const BRIDGE_MS = 100;

/**
 * irtt's reading of the queue at `atMs`: along the line between its probes either side when they
 * are at most BRIDGE_MS apart, else its probe within PAIR_WITHIN_MS, else none. `ref` is sorted by time.
 */
function referenceAt(ref: readonly TimedDelay[], atMs: number): number | null {
  // The first reference probe at or after atMs, and the one before it.
  let lo = 0;
  let hi = ref.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((ref[mid]?.atMs ?? 0) < atMs) lo = mid + 1;
    else hi = mid;
  }
  const before = ref[lo - 1];
  const after = ref[lo];
  if (after !== undefined && after.atMs === atMs) return after.addedMs;
  if (before !== undefined && after !== undefined && after.atMs - before.atMs <= BRIDGE_MS) {
    return before.addedMs + ((atMs - before.atMs) / (after.atMs - before.atMs)) * (after.addedMs - before.addedMs);
  }
  const near = [before, after].filter((r): r is TimedDelay => r !== undefined && Math.abs(r.atMs - atMs) <= PAIR_WITHIN_MS);
  return near.sort((x, y) => Math.abs(x.atMs - atMs) - Math.abs(y.atMs - atMs))[0]?.addedMs ?? null;
}

/**
 * Reads irtt's queue at the moment of each of `ours` (referenceAt) and gives the median of the
 * differences (ours less irtt's) and the median of irtt's readings. Two medians over a window
 * compare two samplings of the queue; these compare the two tools' readings at the same moments,
 * so a swing in the window, or probes one tool lost and the other did not, leave them alone.
 */
export function pairedDifference(ours: readonly TimedDelay[], reference: readonly TimedDelay[]): PairedDifference | null {
  const ref = [...reference].sort((a, b) => a.atMs - b.atMs);
  const diffs: number[] = [];
  const readings: number[] = [];
  for (const o of ours) {
    const r = referenceAt(ref, o.atMs);
    if (r === null) continue;
    diffs.push(o.addedMs - r);
    readings.push(r);
  }
  const m = median(diffs);
  const r = median(readings);
  return m === null || r === null ? null : { medianMs: m, referenceMs: r, pairs: diffs.length };
}

/**
 * callprobe's probes of one direction as added delays, from its evidence: the transits (arrival
 * less send, on two clocks whose offset the idle median takes away) of the probes sent in
 * [fromMs, toMs), less the median transit of those sent in the idle seconds [idleFromMs,
 * idleToMs), each at the moment it crossed the queue. Times are on the client's clock, which
 * `wallOf` turns into the wall clock. Going up, a probe is sent and crosses the queue at its
 * send time on that clock (`sendMs`). Coming down, the server sent it on its own clock; its
 * send time on the client's is its arrival less its added delay (the idle one-way delay, a
 * tenth of a millisecond here, aside), and it crossed the queue at its arrival (`recvMs`).
 */
export function callprobeDelays(
  arrivals: readonly ArrivalRecord[],
  direction: 'up' | 'down',
  idle: { fromMs: number; toMs: number },
  window: { fromMs: number; toMs: number },
  wallOf: (clientMs: number) => number,
): TimedDelay[] {
  const transit = (a: ArrivalRecord): number => a.recvMs - a.sendMs;
  const crossedAt = (a: ArrivalRecord): number => (direction === 'up' ? a.sendMs : a.recvMs);
  // The idle seconds hold no queue: coming down, arrival and send differ there by the idle delay alone.
  const idleMs = median(arrivals.filter((a) => crossedAt(a) >= idle.fromMs && crossedAt(a) < idle.toMs).map(transit));
  if (idleMs === null) return [];
  const sentAt = (a: ArrivalRecord): number => (direction === 'up' ? a.sendMs : a.recvMs - (transit(a) - idleMs));
  return arrivals
    .filter((a) => sentAt(a) >= window.fromMs && sentAt(a) < window.toMs)
    .map((a) => ({ atMs: wallOf(crossedAt(a)), addedMs: transit(a) - idleMs }));
}

function collect(child: ChildProcess): { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return { out: () => out, err: () => err };
}

async function waitForText(get: () => string, text: string, child: ChildProcess, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!get().includes(text)) {
    if (child.exitCode !== null) throw new BenchError(`${what} exited ${child.exitCode}: ${get()}`);
    if (Date.now() > until) throw new BenchError(`${what} not ready in ${timeoutMs} ms: ${get()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Ends `child` with SIGTERM (when still running) and waits for it. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

/** `callprobe serve` on the server side of `net` (no store, warnings only, `serveArgs` added); resolves once it listens. */
export async function serveIn(net: Bottleneck, httpPort: number, serveArgs: readonly string[] = []): Promise<ChildProcess> {
  const ip = Bottleneck.serverIp;
  const serve = net.spawn('server', process.execPath, [
    CLI,
    'serve',
    '--host',
    ip,
    '--relay-ip',
    ip,
    '--http-port',
    String(httpPort),
    '--no-store',
    '--log-level',
    'warn',
    ...serveArgs,
  ]);
  const serveOut = collect(serve);
  try {
    await waitForText(() => serveOut.out() + serveOut.err(), 'callprobe serving', serve, 20_000, 'callprobe serve');
  } catch (err) {
    await stop(serve);
    throw err;
  }
  return serve;
}

/** irtt's one-way delay going up (ms), null when the probe never reached its server. */
const upDelayMs = (r: IrttRoundTrip): number | null => (r.delay?.send !== undefined && r.lost !== 'true_up' && r.lost !== 'true' ? r.delay.send / 1e6 : null);
/** irtt's one-way delay coming down (ms), null when the round trip did not complete. */
const downDelayMs = (r: IrttRoundTrip): number | null => (r.delay?.receive !== undefined && r.lost === 'false' ? r.delay.receive / 1e6 : null);

interface IrttWindow {
  up: number[];
  down: number[];
  sent: number;
  lost: number;
}

/** irtt's one-way delays (ms) of round trips sent in [fromMs, toMs) (wall clock), and how many were sent and lost. */
function irttWithin(rts: readonly IrttRoundTrip[], fromMs: number, toMs: number): IrttWindow {
  const w: IrttWindow = { up: [], down: [], sent: 0, lost: 0 };
  for (const r of rts) {
    const t = r.timestamps.client.send.wall / 1e6;
    if (t < fromMs || t >= toMs) continue;
    w.sent++;
    if (r.lost !== 'false') w.lost++;
    const up = upDelayMs(r);
    const down = downDelayMs(r);
    if (up !== null) w.up.push(up);
    if (down !== null) w.down.push(down);
  }
  return w;
}

/**
 * Every irtt one-way delay less its direction's idle median, at the moment it crossed the queue:
 * sent (going up) or received (coming down), on the client's wall clock.
 */
function irttTimed(rts: readonly IrttRoundTrip[], idleUpMs: number, idleDownMs: number): { up: TimedDelay[]; down: TimedDelay[] } {
  const up: TimedDelay[] = [];
  const down: TimedDelay[] = [];
  for (const r of rts) {
    const upMs = upDelayMs(r);
    const downMs = downDelayMs(r);
    const received = r.timestamps.client.receive?.wall;
    if (upMs !== null) up.push({ atMs: r.timestamps.client.send.wall / 1e6, addedMs: upMs - idleUpMs });
    if (downMs !== null && received !== undefined) down.push({ atMs: received / 1e6, addedMs: downMs - idleDownMs });
  }
  return { up, down };
}

/** A window's added delay and its interval over one direction's idle median; nulls without samples. */
function added(delays: readonly number[], idleMs: number | null): { ms: number | null; interval: AddedInterval | null } {
  const m = median(delays);
  const i = medianInterval(delays);
  if (m === null || idleMs === null) return { ms: null, interval: null };
  return { ms: m - idleMs, interval: i === null ? null : { lo: i.lo - idleMs, hi: i.hi - idleMs } };
}

/**
 * The probe-for-probe comparison of both directions' working windows, from callprobe's evidence
 * file: up, by the moment each probe was sent (the client's clock both sides); down, by the
 * moment each echo was received (the client's again). The page's clock is put on the wall clock
 * through the phase's start, which the report gives on both (`startedAt`, the evidence's
 * `load.startMs`). The working windows are the report's (`windowMs`, from the phase's start); the
 * idle seconds are those irtt's idle median is taken over.
 */
function pairedFigures(
  evidenceFile: string,
  rts: readonly IrttRoundTrip[],
  startedAt: number,
  durationS: number,
  idleUpMs: number,
  idleDownMs: number,
  windows: Record<'up' | 'down', { fromMs: number; toMs: number } | null>,
): TestbedRun['paired'] {
  if (!existsSync(evidenceFile)) throw new BenchError('callprobe run wrote no evidence file');
  const ev = JSON.parse(readFileSync(evidenceFile, 'utf8')) as Pick<AnalysisInput, 'up' | 'down' | 'load'>;
  const load = ev.load;
  if (!load || load.startedAt === null || ev.up === null || ev.down === null) return { up: null, down: null };
  const wallOf = (clientMs: number): number => startedAt + (clientMs - load.startMs);
  const idle = { fromMs: load.startMs - (durationS - 2) * 1000, toMs: load.startMs };
  const ref = irttTimed(rts, idleUpMs, idleDownMs);
  const side = (d: 'up' | 'down'): PairedDifference | null => {
    const w = windows[d];
    const records = ev[d];
    if (w === null || records === null) return null;
    const window = { fromMs: load.startMs + w.fromMs, toMs: load.startMs + w.toMs };
    return pairedDifference(callprobeDelays(records.arrivals, d, idle, window, wallOf), ref[d]);
  };
  return { up: side('up'), down: side('down') };
}

export async function runTestbed(o: TestbedOptions): Promise<TestbedRun> {
  // The queues go in once the test streams (below): what is measured (the idle window and the
  // phase, callprobe's and irtt's) all crosses them, but loading the page and connecting do not.
  // Over a 2-packet queue those alone took 25 s of TCP and DTLS retransmission timeouts, which
  // is not what this testbed is for.
  const net = Bottleneck.create(o.tag, { up: null, down: null });
  const dir = mkdtempSync(join(tmpdir(), 'callprobe-busyline-'));
  const started: ChildProcess[] = [];
  let unpause = (): void => undefined;
  try {
    const ip = Bottleneck.serverIp;
    const serve = await serveIn(net, o.httpPort, o.serveArgs);
    started.push(serve);
    // `ip netns exec` execs the command: its pid is serve's.
    if (o.serverLate !== undefined && serve.pid !== undefined) unpause = pauseRepeatedly(await dataPlanePid(serve.pid), o.serverLate);
    const irttd = net.spawn('server', 'irtt', ['server', '-b', `${ip}:2112`, '-i', '10ms', '--allow-fills=rand']);
    started.push(irttd);
    // The client starts only once the server listens (a client first is refused and exits).
    const irttdOut = collect(irttd);
    await waitForText(() => irttdOut.out() + irttdOut.err(), 'listener', irttd, 10_000, 'irtt server');
    const irttOut = join(dir, 'irtt.json');
    // callprobe's evidence: every probe's send and arrival times, for the probe-for-probe comparison.
    const evidenceFile = join(dir, 'evidence.json');
    // An upper bound (connecting, the idle window, the longest phase, the last echoes): stopped by
    // SIGINT once callprobe's run ends. It must outlast the run: an irtt that has sent its last
    // packet waits for the final replies, and a SIGINT in that wait ends it with an error and no
    // results (irtt's client returns the context's error from its wait). A busy machine has been
    // seen to take 56 s over a 4 s idle window and two capped phases.
    const irttS = o.durationS + 150;
    const irtt = net.spawn('client', 'irtt', [
      'client',
      '-i',
      '20ms',
      '-l',
      '172',
      '-d',
      `${irttS}s`,
      '--wait=2s',
      '--fill=rand',
      '-Q',
      '-o',
      irttOut,
      `${ip}:2112`,
    ]);
    started.push(irtt);
    // Its exit, listened for at once: an irtt that ends early (a refused flag) must not be waited on forever.
    const irttDone = once(irtt, 'exit');
    const irttLog = collect(irtt);
    const t0 = Date.now();
    const run = net.spawn('client', process.execPath, [
      CLI,
      'run',
      '--server',
      `http://${ip}:${o.httpPort}`,
      '--load',
      '--json',
      '--no-save',
      '--evidence',
      evidenceFile,
      '--duration',
      String(o.durationS),
    ]);
    started.push(run);
    const runOut = collect(run);
    let shaped = false;
    run.stderr?.on('data', () => {
      if (shaped || !/^callprobe: streaming:/m.test(runOut.err())) return;
      shaped = true;
      net.shape(o.spec);
    });
    const [code] = (await once(run, 'exit')) as [number | null];
    const wallS = (Date.now() - t0) / 1000;
    if (code !== 0 && code !== 1 && code !== 2) throw new BenchError(`callprobe run exited ${String(code)}: ${runOut.err()}`);
    if (!shaped) throw new BenchError(`callprobe run never streamed, so the queues were never put in: ${runOut.err().slice(-500)}`);
    const report = JSON.parse(runOut.out()) as Report;
    // The phase and callprobe's last echoes are over: irtt stops at SIGINT and writes its JSON
    // then (its -d is only the upper bound), so the run costs no more than callprobe's own test.
    if (irtt.exitCode === null && irtt.signalCode === null) irtt.kill('SIGINT');
    await irttDone;
    if (!existsSync(irttOut)) throw new BenchError(`irtt wrote no results (exit ${String(irtt.exitCode)}): ${irttLog.err().slice(-500)}`);
    const rts = (JSON.parse(readFileSync(irttOut, 'utf8')) as { round_trips: IrttRoundTrip[] }).round_trips;
    const l = report.load;
    const startedAt = l?.startedAt ? Date.parse(l.startedAt) : null;
    let irttFigures: TestbedRun['irtt'] = {
      upAddedMs: null,
      downAddedMs: null,
      upAddedIntervalMs: null,
      downAddedIntervalMs: null,
      idleUpMs: null,
      idleDownMs: null,
      upWindow: null,
      downWindow: null,
      samples: rts.length,
    };
    if (startedAt !== null && l) {
      // Idle: the seconds of the idle window before the phase (the first two skipped: connecting).
      const idle = irttWithin(rts, startedAt - (o.durationS - 2) * 1000, startedAt);
      const idleUpMs = median(idle.up);
      const idleDownMs = median(idle.down);
      const upW = l.up ? irttWithin(rts, startedAt + l.up.windowMs.fromMs, startedAt + l.up.windowMs.toMs) : null;
      const downW = l.down ? irttWithin(rts, startedAt + l.down.windowMs.fromMs, startedAt + l.down.windowMs.toMs) : null;
      const up = upW === null ? null : added(upW.up, idleUpMs);
      const down = downW === null ? null : added(downW.down, idleDownMs);
      irttFigures = {
        upAddedMs: up?.ms ?? null,
        downAddedMs: down?.ms ?? null,
        upAddedIntervalMs: up?.interval ?? null,
        downAddedIntervalMs: down?.interval ?? null,
        idleUpMs,
        idleDownMs,
        upWindow: upW === null ? null : { sent: upW.sent, lost: upW.lost },
        downWindow: downW === null ? null : { sent: downW.sent, lost: downW.lost },
        samples: rts.length,
      };
    }
    const paired =
      startedAt !== null && l && irttFigures.idleUpMs !== null && irttFigures.idleDownMs !== null
        ? pairedFigures(evidenceFile, rts, startedAt, o.durationS, irttFigures.idleUpMs, irttFigures.idleDownMs, {
            up: l.up?.windowMs ?? null,
            down: l.down?.windowMs ?? null,
          })
        : { up: null, down: null };
    return { report, irtt: irttFigures, paired, wallS, queue: { up: net.queueStats('up'), down: net.queueStats('down') } };
  } finally {
    unpause();
    for (const c of started.reverse()) await stop(c);
    net.delete();
    rmSync(dir, { recursive: true, force: true });
  }
}
