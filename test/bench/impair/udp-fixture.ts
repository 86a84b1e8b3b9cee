/** Loopback UDP fixtures for the proxy tests: an echo target, a probing client, and what must arrive. */
import type { Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import type { Seed } from '../../../bench/impair/prng.js';
import { normalizeDirection, parseScenario, type ImpairmentScenario } from '../../../bench/impair/scenario.js';
import { periodicPackets, simulateDirection } from '../../../bench/impair/simulate.js';
import { bindUdp, closeUdp, startUdpEcho } from '../../kit/net.js';
import { paced } from '../../kit/pace.js';

export interface EchoTarget {
  port: number;
  /** seq -> receive times (ms, performance.now) at the target. */
  received: Map<number, number[]>;
  /** Datagrams received (and echoed), duplicates included. */
  readonly datagrams: number;
  close(): Promise<void>;
}

/** Payload: seq (uint32) + send time (float64, performance.now ms) + padding. */
function encodeProbe(seq: number, sendMs: number, sizeBytes: number): Buffer {
  const b = Buffer.alloc(sizeBytes);
  b.writeUInt32BE(seq, 0);
  b.writeDoubleBE(sendMs, 4);
  return b;
}

function decodeProbe(b: Buffer): { seq: number; sendMs: number } {
  return { seq: b.readUInt32BE(0), sendMs: b.readDoubleBE(4) };
}

export async function startEchoTarget(): Promise<EchoTarget> {
  const received = new Map<number, number[]>();
  const echo = await startUdpEcho({
    onMessage: (msg) => {
      const t = performance.now();
      const { seq } = decodeProbe(msg);
      received.set(seq, [...(received.get(seq) ?? []), t]);
    },
  });
  return {
    port: echo.port,
    received,
    get datagrams() {
      return echo.received;
    },
    close: () => echo.close(),
  };
}

export interface ProbeClient {
  socket: Socket;
  /** Every echo: seq, its send time and arrival time (ms, performance.now). */
  echoes: { seq: number; sendMs: number; recvMs: number }[];
  close(): Promise<void>;
}

export async function startProbeClient(): Promise<ProbeClient> {
  const socket = await bindUdp();
  const client: ProbeClient = { socket, echoes: [], close: () => closeUdp(socket) };
  socket.on('message', (msg: Buffer) => {
    const recvMs = performance.now();
    client.echoes.push({ ...decodeProbe(msg), recvMs });
  });
  return client;
}

/** Send n probes of sizeBytes every intervalMs to port; resolves after the last send. */
export function sendProbes(client: ProbeClient, port: number, n: number, intervalMs: number, sizeBytes: number): Promise<void> {
  return paced(n, intervalMs, (seq) => client.socket.send(encodeProbe(seq, performance.now(), sizeBytes), port, '127.0.0.1'));
}

/**
 * How many datagrams the echo target and the client must see when `probes` probes of
 * `sizeBytes` go through listener `listenerIndex` of a proxy running `scenario` with `seed`
 * (its first flow): the same Sans-IO core on a virtual clock, with the proxy's PRNG stream
 * names. Exact for impairments that depend on the packet index only (random loss,
 * duplication, fixed delay), so a test can wait for these counts instead of a quiet period.
 */
export function expectedDeliveries(
  scenario: ImpairmentScenario,
  seed: Seed,
  probes: number,
  sizeBytes: number,
  listenerIndex = 0,
): { atTarget: number; atClient: number } {
  const parsed = parseScenario(scenario);
  const prefix = `L${listenerIndex}/F0`;
  const up = simulateDirection(normalizeDirection(parsed, 'up'), seed, periodicPackets(probes, 1, sizeBytes), { streamPrefix: `${prefix}/up` });
  const atTarget = up.sends.length;
  const down = simulateDirection(normalizeDirection(parsed, 'down'), seed, periodicPackets(atTarget, 1, sizeBytes), {
    streamPrefix: `${prefix}/down`,
  });
  return { atTarget, atClient: down.sends.length };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
}
