/**
 * irtt through the impairment proxy, so callprobe and irtt can cross the same impairment,
 * and the reading of irtt's JSON (irtt 0.9, "json format version 1"; durations in ns).
 *
 * Field mapping (client -> server is "up", server -> client is "down"):
 *   stats.packets_sent            = up probe-class packetsIn (one 160 B test packet per seqno)
 *   round_trips[].lost            "true_up" / "true_down" = dropped up / down by the proxy;
 *                                 "true" = lost, direction unknown (server window did not say)
 *   stats.upstream_loss_percent   ~ up probes droppedTotal / packetsIn (from the server's
 *                                 received count in the last reply that arrived)
 *   stats.downstream_loss_percent ~ down probes droppedTotal / down packetsIn
 *   stats.send_delay              = up applied delay + base path (server receive wall clock minus
 *                                 client send wall clock; valid because both run on this host)
 *   stats.receive_delay           = down applied delay + base path
 *   stats.rtt                     = up + down applied delay + base (server processing removed)
 *   stats.ipdv_send / ipdv_receive: mean, median... of |IPDV| between consecutive seqnos both
 *                                 received ~ truthJitter.meanAbsIpdvMs of up / down probes
 *   stats.duplicates              = copies received twice (up and down duplication both cause them)
 *   stats.late_packets            = replies arriving after a higher seqno (reorder, RFC 4737 sense)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { startImpairProxy } from './proxy.js';
import type { JitterOracle } from './recorder.js';
import type { ImpairmentScenario } from './scenario.js';
import type { Truth } from './truth-types.js';

const NsStats = Type.Object({ n: Type.Number(), mean: Type.Number(), median: Type.Optional(Type.Number()) });
const IrttJson = Type.Object({
  stats: Type.Object({
    packets_sent: Type.Number(),
    packets_received: Type.Number(),
    server_packets_received: Type.Number(),
    upstream_loss_percent: Type.Number(),
    downstream_loss_percent: Type.Number(),
    duplicates: Type.Number(),
    late_packets: Type.Number(),
    send_delay: NsStats,
    receive_delay: NsStats,
    rtt: NsStats,
    ipdv_send: NsStats,
    ipdv_receive: NsStats,
  }),
  round_trips: Type.Array(Type.Object({ seqno: Type.Number(), lost: Type.String() })),
});
type IrttJson = Static<typeof IrttJson>;

interface IrttDelaySummary {
  count: number;
  meanMs: number;
  medianMs: number | null;
}

/** What the comparison needs from irtt's JSON, in ms. */
export interface IrttSummary {
  packetsSent: number;
  packetsReceived: number;
  serverPacketsReceived: number;
  upstreamLossPct: number;
  downstreamLossPct: number;
  duplicates: number;
  latePackets: number;
  sendDelay: IrttDelaySummary;
  receiveDelay: IrttDelaySummary;
  rtt: IrttDelaySummary;
  ipdvSend: IrttDelaySummary;
  ipdvReceive: IrttDelaySummary;
  lostUpSeqnos: number[];
  lostDownSeqnos: number[];
  /** Lost, direction unknown. */
  lostSeqnos: number[];
}

const ms = (s: Static<typeof NsStats>): IrttDelaySummary => ({
  count: s.n,
  meanMs: s.mean / 1e6,
  medianMs: s.median === undefined ? null : s.median / 1e6,
});

function readIrttJson(json: unknown): IrttSummary {
  if (!Value.Check(IrttJson, json)) {
    const first = Value.Errors(IrttJson, json).First();
    throw new Error(`not irtt JSON output: ${first ? `${first.path}: ${first.message}` : 'unknown shape'}`);
  }
  const j: IrttJson = json;
  const lost = (kind: string) => j.round_trips.filter((r) => r.lost === kind).map((r) => r.seqno);
  const s = j.stats;
  return {
    packetsSent: s.packets_sent,
    packetsReceived: s.packets_received,
    serverPacketsReceived: s.server_packets_received,
    upstreamLossPct: s.upstream_loss_percent,
    downstreamLossPct: s.downstream_loss_percent,
    duplicates: s.duplicates,
    latePackets: s.late_packets,
    sendDelay: ms(s.send_delay),
    receiveDelay: ms(s.receive_delay),
    rtt: ms(s.rtt),
    ipdvSend: ms(s.ipdv_send),
    ipdvReceive: ms(s.ipdv_receive),
    lostUpSeqnos: lost('true_up'),
    lostDownSeqnos: lost('true_down'),
    lostSeqnos: lost('true'),
  };
}

export interface IrttRunOptions {
  scenario: ImpairmentScenario;
  seed: string | number;
  /** irtt -i, ms (default 10). */
  intervalMs?: number;
  /** irtt -d, s (default 3). */
  durationS?: number;
  /** irtt -l, bytes (default 160); use it as the probe size in the scenario. */
  lengthBytes?: number;
  irttBin?: string;
  jitter?: JitterOracle;
}

/**
 * irtt server on a free loopback port, the proxy in front of it (in this process), the irtt
 * client through the proxy; returns the proxy's truth and irtt's summary. Everything it
 * starts is stopped before it returns, also on failure.
 */
export async function runIrttThroughProxy(o: IrttRunOptions): Promise<{ truth: Truth; irtt: IrttSummary }> {
  const bin = o.irttBin ?? 'irtt';
  const durationS = o.durationS ?? 3;
  const dir = await mkdtemp(join(tmpdir(), 'impair-irtt-'));
  const serverPort = await freeUdpPort();
  const server = spawn(bin, ['server', '-i', '0', '-b', `127.0.0.1:${serverPort}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let proxy: Awaited<ReturnType<typeof startImpairProxy>> | null = null;
  try {
    await waitForOutput(server, /ListenerStart/, 5000);
    proxy = await startImpairProxy({
      pairs: [{ listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: serverPort } }],
      scenario: o.scenario,
      seed: o.seed,
      durationMs: (durationS + 30) * 1000,
      ...(o.jitter ? { jitter: o.jitter } : {}),
    });
    const out = join(dir, 'irtt.json');
    const args = ['client', '-Q', '-i', `${o.intervalMs ?? 10}ms`, '-d', `${durationS}s`, '-l', String(o.lengthBytes ?? 160)];
    args.push('--fill=rand', '--wait=500ms', '-o', out, `127.0.0.1:${proxy.ports[0] ?? 0}`);
    await runToExit(spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] }), (durationS + 20) * 1000);
    const truth = await proxy.stop();
    proxy = null;
    return { truth, irtt: readIrttJson(JSON.parse(await readFile(out, 'utf8'))) };
  } finally {
    if (proxy) await proxy.stop();
    await stopProcess(server);
    await rm(dir, { recursive: true, force: true });
  }
}

/** A UDP port free on 127.0.0.1 right now (bound, read, released). */
function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => done(new Error(`irtt server not ready after ${timeoutMs} ms: ${seen.trim()}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) done(null);
    };
    const onExit = (code: number | null) => done(new Error(`irtt server exited (${code}) before ready: ${seen.trim()}`));
    const onError = (error: Error) => done(error);
    function done(error: Error | null): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      if (error) reject(error);
      else resolve();
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

function runToExit(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`irtt client still running after ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`irtt client exited with ${code}: ${stderr.trim()}`));
    });
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  // No pid: it never started (spawn error), so there is nothing to stop.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
