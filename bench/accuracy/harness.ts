/**
 * Runs callprobe (a real headless test through the CLI) and irtt through the same seeded
 * impairment proxy, and returns each tool's figures next to the proxy's truth.
 *
 * Layout (loopback only): browser -> proxy 127.0.0.1:<proxyPort> -> relay 127.0.0.1:<relayPort>
 * -> reflector. `callprobe serve --advertise 127.0.0.1:<proxyPort>` hands the page the proxy's
 * address, so every probe and echo crosses the proxy. irtt: client -> proxy -> irtt server.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { runIrttThroughProxy, type IrttSummary } from '../impair/irtt.js';
import { startImpairProxy } from '../impair/proxy.js';
import type { ImpairmentScenario } from '../impair/scenario.js';
import type { Truth } from '../impair/truth-types.js';
import { runCli, startServe, type CliRun, type Served } from '../lib/processes.js';
import type { AccuracyScenario } from './scenarios.js';
import { flowTruthMetrics, type BurstWindow, type FlowTruthMetrics } from './truth.js';
import type { DataPath } from '../../server/common/data-plane.js';

/** SCTP DATA chunk (16) + SCTP header (12) + DTLS 1.2 AES-GCM record (13 + 8 + 16) + ChannelData (4). */
export const DATA_CHANNEL_WIRE_OVERHEAD_BYTES = 69;
/**
 * Probe datagrams between browser and relay: 160 B payload + 69 B = 229 B, 245 B with a SACK
 * bundled, a little more with SACK gap blocks or FORWARD-TSN after loss. Opus RTP (at most
 * ~180 B here) stays below the class, and every control message (receipt batches and JSON,
 * padded to CONTROL_MIN_BYTES by the wire protocol) above it: a dropped control datagram,
 * which SCTP retransmits, is never counted as a lost probe.
 */
export const CALLPROBE_PROBE_SIZES = { minBytes: 225, maxBytes: 420 } as const;
/**
 * RTP probe datagrams (the graded path by default): a 160-byte probe or echo frame
 * + RTP header with the audio header extensions + SRTP auth tag + ChannelData = 186-187 B
 * measured between Chromium 156, the relay and the werift reflector. Plain Opus frames, RTCP
 * and STUN stay below it, data-channel probes (229 B and up) above.
 */
export const CALLPROBE_RTP_PROBE_SIZES = { minBytes: 176, maxBytes: 224 } as const;
/**
 * The same RTP probe datagrams from Firefox: 232 B up and 224 B down, measured between Firefox
 * ESR 153, the relay and the werift reflector (Firefox's RTP header extensions are longer).
 * Its plain Opus frames (76 B here) stay below, its data-channel probes (272 B) above.
 */
export const FIREFOX_RTP_PROBE_SIZES = { minBytes: 220, maxBytes: 240 } as const;
/** irtt -l 160: every test packet is 160 B. */
const IRTT_PROBE_SIZES = { minBytes: 160, maxBytes: 160 } as const;
/** Impair from 1 s after the flow's first datagram: TURN, ICE, DTLS and SCTP set-up pass untouched. */
const START_AFTER = { ms: 1000 } as const;

/** The probe path a report graded: the RTP stream, or the data channel. */
export type ProbePath = 'rtp' | 'datachannel';

/** What the comparison reads from a callprobe report (a subset of the report schema). */
export interface CallprobeFigures {
  verdict: string;
  probePath: ProbePath;
  rttMsP50: number | null;
  packetsSent: number;
  up: CallprobeDirection;
  down: CallprobeDirection;
  senderDroppedProbes: number;
  maxBufferedAmountBytes: number;
}

interface CallprobeDirection {
  packetsSent: number;
  packetsLost: number;
  lossPct: number | null;
  jitterMeanMs: number | null;
  meanAbsIpdvMs: number | null;
  reordered: number;
  duplicates: number;
  worstBurst200ms: BurstWindow | null;
}

interface ReportDirection {
  packetsSent: number;
  packetsLost: number;
  lossPct: number | null;
  jitter: { meanMs: number | null };
  ipdv: { meanAbsMs: number | null };
  reorder: { reordered: number };
  duplicates: number;
  windows: { burst200ms: { worstIncludingSuspect: { value: number; startMs: number; lost: number; packets: number } | null } };
}

interface ReportShape {
  probe: { path: ProbePath; reason: string };
  summary: { verdict: string; rttMsP50: number | null; packetsSent: number };
  directions: { up: ReportDirection | null; down: ReportDirection | null };
  diagnostics: { sender: { droppedAtSender: number; maxBufferedAmountBytes: number } };
}

function direction(d: ReportDirection | null, name: string): CallprobeDirection {
  if (!d) throw new Error(`the report has no ${name} direction (not a reflector-mode test?)`);
  const w = d.windows.burst200ms.worstIncludingSuspect;
  return {
    packetsSent: d.packetsSent,
    packetsLost: d.packetsLost,
    lossPct: d.lossPct,
    jitterMeanMs: d.jitter.meanMs,
    meanAbsIpdvMs: d.ipdv.meanAbsMs,
    reordered: d.reorder.reordered,
    duplicates: d.duplicates,
    worstBurst200ms: w ? { valuePct: w.value, startMs: w.startMs, lost: w.lost, packets: w.packets } : null,
  };
}

export function callprobeFigures(report: unknown): CallprobeFigures {
  const r = report as ReportShape;
  return {
    verdict: r.summary.verdict,
    probePath: r.probe.path,
    rttMsP50: r.summary.rttMsP50,
    packetsSent: r.summary.packetsSent,
    up: direction(r.directions.up, 'up'),
    down: direction(r.directions.down, 'down'),
    senderDroppedProbes: r.diagnostics.sender.droppedAtSender,
    maxBufferedAmountBytes: r.diagnostics.sender.maxBufferedAmountBytes,
  };
}

export function proxyScenario(
  s: AccuracyScenario,
  seed: string,
  sizes: { minBytes: number; maxBytes: number },
  startAfter: ImpairmentScenario['startAfter'],
): ImpairmentScenario {
  return {
    name: s.name,
    seed,
    startAfter,
    probe: { ...sizes },
    ...(s.up ? { up: s.up } : {}),
    ...(s.down ? { down: s.down } : {}),
  };
}

/** `callprobe run` could not test (exit 4) and printed its could-not-test record: the reason and the message. */
export class CouldNotTestError extends Error {
  override readonly name = 'CouldNotTestError';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(`could not test (${reason}): ${message}`);
  }
}

/** The could-not-test record `callprobe run --json` prints instead of a report, or null. */
function couldNotTestRecord(stdout: string): { reason: string; message: string } | null {
  try {
    const v = JSON.parse(stdout) as { kind?: unknown; reason?: unknown; message?: unknown };
    return v.kind === 'could-not-test' && typeof v.reason === 'string' ? { reason: v.reason, message: String(v.message) } : null;
  } catch {
    return null;
  }
}

/** Ports of one `callprobe serve` behind its own proxy listener. */
export interface ServerPorts {
  httpPort: number;
  relayPort: number;
  proxyPort: number;
}

export interface HarnessOptions {
  /** The default server: the report grades the RTP stream. */
  rtp: ServerPorts;
  /** A second server with `--no-rtp`: the report grades the data channel (the RTP comparison). */
  datachannel: ServerPorts | null;
  durationS: number;
  /** Both servers' `--data-path` (server/data-path.ts); absent: the server's default, `auto`. */
  dataPath?: DataPath;
}

export class AccuracyHarness {
  private constructor(
    private readonly o: HarnessOptions,
    private readonly servers: Map<ProbePath, { ports: ServerPorts; served: Served }>,
  ) {}

  /** Each test's idle window, s. */
  get durationS(): number {
    return this.o.durationS;
  }

  static async start(o: HarnessOptions): Promise<AccuracyHarness> {
    const servers = new Map<ProbePath, { ports: ServerPorts; served: Served }>();
    const serve = (ports: ServerPorts, extra: string[]): Promise<Served> =>
      startServe(
        ['--turn-ports', String(ports.relayPort), '--advertise', `127.0.0.1:${ports.proxyPort}`, ...(o.dataPath ? ['--data-path', o.dataPath] : []), ...extra],
        ports.httpPort,
      );
    try {
      servers.set('rtp', { ports: o.rtp, served: await serve(o.rtp, []) });
      if (o.datachannel) servers.set('datachannel', { ports: o.datachannel, served: await serve(o.datachannel, ['--no-rtp']) });
    } catch (err) {
      await Promise.all([...servers.values()].map((x) => x.served.stop()));
      throw err;
    }
    return new AccuracyHarness(o, servers);
  }

  /**
   * One real headless test through the proxy on the given probe path; the proxy's truth for
   * the flow that carried the graded probes (the RTP leg's flow and RTP probe sizes, or the
   * data-channel flow and data-channel probe sizes). `extra.args` are added to `callprobe run`
   * (the busy rows' `--browser <wrapper>` and `--load`); `extra.moreTimeS` lengthens its deadline.
   */
  async runCallprobe(
    s: AccuracyScenario,
    seed: string,
    path: ProbePath = 'rtp',
    extra: { args?: readonly string[]; moreTimeS?: number } = {},
  ): Promise<{ figures: CallprobeFigures; truth: FlowTruthMetrics; report: unknown; rawTruth: Truth; progress: CliRun['progress'] }> {
    const server = this.servers.get(path);
    if (!server) throw new Error(`no server for the ${path} path (the harness started without it)`);
    const proxy = await startImpairProxy({
      pairs: [{ listen: { host: '127.0.0.1', port: server.ports.proxyPort }, target: { host: '127.0.0.1', port: server.ports.relayPort } }],
      scenario: proxyScenario(s, seed, path === 'rtp' ? CALLPROBE_RTP_PROBE_SIZES : CALLPROBE_PROBE_SIZES, START_AFTER),
      durationMs: (this.o.durationS + 90 + (extra.moreTimeS ?? 0)) * 1000,
    });
    let truth;
    let run;
    try {
      run = await runCli(
        ['--server', server.served.url, '--json', '--duration', String(this.o.durationS), ...(extra.args ?? [])],
        (this.o.durationS + 75 + (extra.moreTimeS ?? 0)) * 1000,
      );
      // The relay's last datagrams (deallocation) are still crossing the proxy: let them land.
      await sleep(200);
    } finally {
      truth = await proxy.stop();
    }
    if (run.exitCode === 4) {
      const record = couldNotTestRecord(run.stdout);
      if (record) throw new CouldNotTestError(record.reason, record.message);
    }
    if (run.exitCode > 2) throw new Error(`callprobe run failed (${run.exitCode}): ${run.progress.map((p) => p.line).join('\n')}`);
    let report: unknown;
    try {
      report = JSON.parse(run.stdout);
    } catch {
      throw new Error(`callprobe run printed no JSON report: ${run.stdout.slice(0, 300)} ${run.progress.map((p) => p.line).join('\n')}`);
    }
    const figures = callprobeFigures(report);
    if (figures.probePath !== path) {
      const reason = (report as ReportShape).probe.reason;
      throw new Error(`callprobe graded the ${figures.probePath} path where the ${path} path was asked for: ${reason}`);
    }
    return { figures, truth: flowTruthMetrics(truth, 10), report, rawTruth: truth, progress: run.progress };
  }

  /** irtt with the same probe rate and size through the same impairment. */
  async runIrtt(s: AccuracyScenario, seed: string): Promise<{ irtt: IrttSummary; truth: FlowTruthMetrics }> {
    const { truth, irtt } = await runIrttThroughProxy({
      scenario: proxyScenario(s, seed, IRTT_PROBE_SIZES, { firstProbe: true }),
      seed,
      intervalMs: 10,
      durationS: this.o.durationS,
      lengthBytes: 160,
    });
    return { irtt, truth: flowTruthMetrics(truth, 10) };
  }

  async stop(): Promise<void> {
    await Promise.all([...this.servers.values()].map((x) => x.served.stop()));
  }
}
