/** Loopback UDP fixtures for the proxy tests: an echo target and a probing client. */
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';

export interface EchoTarget {
  port: number;
  /** seq -> receive times (ms, performance.now) at the target. */
  received: Map<number, number[]>;
  datagrams: number;
  close(): Promise<void>;
}

/** Payload: seq (uint32) + send time (float64, performance.now ms) + padding. */
export function encodeProbe(seq: number, sendMs: number, sizeBytes: number): Buffer {
  const b = Buffer.alloc(sizeBytes);
  b.writeUInt32BE(seq, 0);
  b.writeDoubleBE(sendMs, 4);
  return b;
}

export function decodeProbe(b: Buffer): { seq: number; sendMs: number } {
  return { seq: b.readUInt32BE(0), sendMs: b.readDoubleBE(4) };
}

export async function startEchoTarget(): Promise<EchoTarget> {
  const socket = createSocket('udp4');
  const received = new Map<number, number[]>();
  const target: EchoTarget = {
    port: 0,
    received,
    datagrams: 0,
    close: () => closeSocket(socket),
  };
  socket.on('message', (msg, rinfo) => {
    const t = performance.now();
    target.datagrams++;
    const { seq } = decodeProbe(msg);
    received.set(seq, [...(received.get(seq) ?? []), t]);
    socket.send(msg, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  target.port = socket.address().port;
  return target;
}

export interface ProbeClient {
  socket: Socket;
  /** Every echo: seq, its send time and arrival time (ms, performance.now). */
  echoes: { seq: number; sendMs: number; recvMs: number }[];
  lastArrivalMs: number;
  close(): Promise<void>;
}

export async function startProbeClient(): Promise<ProbeClient> {
  const socket = createSocket('udp4');
  const client: ProbeClient = { socket, echoes: [], lastArrivalMs: 0, close: () => closeSocket(socket) };
  socket.on('message', (msg) => {
    const recvMs = performance.now();
    client.lastArrivalMs = recvMs;
    client.echoes.push({ ...decodeProbe(msg), recvMs });
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  return client;
}

/** Send n probes of sizeBytes every intervalMs to port; resolves after the last send. */
export function sendProbes(client: ProbeClient, port: number, n: number, intervalMs: number, sizeBytes: number): Promise<void> {
  return new Promise((resolve) => {
    let seq = 0;
    const start = performance.now();
    const tick = () => {
      while (seq < n && performance.now() - start >= seq * intervalMs) {
        client.socket.send(encodeProbe(seq, performance.now(), sizeBytes), port, '127.0.0.1');
        seq++;
      }
      if (seq >= n) return resolve();
      setTimeout(tick, Math.max(0, start + seq * intervalMs - performance.now()));
    };
    tick();
  });
}

/** Resolve when `condition` holds (checked every 10 ms); reject after timeoutMs. */
export function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = performance.now() + timeoutMs;
    const check = () => {
      if (condition()) return resolve();
      if (performance.now() > deadline) return reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      setTimeout(check, 10);
    };
    check();
  });
}

export function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
}
