/** Sequential UDP ping-pong round trips (one in flight), direct or through a TURN channel. */
import dgram from 'node:dgram';
import type { TurnClient } from '../../server/turn/client/turn-client.js';
import { nearestRank } from '../../src/analysis/measure/percentile.js';

export interface RttStats {
  samples: number;
  lost: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
}

function summarize(rttMs: number[], lost: number): RttStats {
  const s = [...rttMs].sort((a, b) => a - b);
  const r = (v: number): number => Math.round(v * 1000) / 1000;
  return { samples: s.length, lost, p50Ms: r(nearestRank(s, 50)), p90Ms: r(nearestRank(s, 90)), p99Ms: r(nearestRank(s, 99)) };
}

/** One ping: sends `seq`, resolves with the RTT in ms, or null after `timeoutMs`. */
type Pinger = (seq: number) => Promise<number | null>;

function pinger(send: (b: Buffer) => void, subscribe: (cb: (b: Buffer) => void) => void, timeoutMs: number): Pinger {
  let waiting: { seq: number; t0: bigint; done: (v: number | null) => void; timer: NodeJS.Timeout } | null = null;
  subscribe((b) => {
    if (!waiting || b.length < 4 || b.readUInt32BE(0) !== waiting.seq) return;
    const w = waiting;
    waiting = null;
    clearTimeout(w.timer);
    w.done(Number(process.hrtime.bigint() - w.t0) / 1e6);
  });
  return (seq) =>
    new Promise((resolve) => {
      const payload = Buffer.alloc(64);
      payload.writeUInt32BE(seq, 0);
      const timer = setTimeout(() => {
        waiting = null;
        resolve(null);
      }, timeoutMs);
      waiting = { seq, t0: process.hrtime.bigint(), done: resolve, timer };
      send(payload);
    });
}

export async function directPinger(echoPort: number): Promise<{ ping: Pinger; close: () => Promise<void> }> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.connect(echoPort, '127.0.0.1', () => r()));
  const ping = pinger(
    (b) => s.send(b),
    (cb) => s.on('message', cb),
    200,
  );
  return { ping, close: () => new Promise((r) => s.close(() => r())) };
}

export function turnPinger(client: TurnClient, channel: number): Pinger {
  return pinger(
    (b) => client.sendChannelData(channel, b),
    (cb) => (client.onData = (d) => cb(d)),
    200,
  );
}

/** Interleaves the pingers in blocks so drift in machine load hits all of them alike. */
export async function interleaved(pingers: Record<string, Pinger>, total: number, block = 100): Promise<Record<string, RttStats>> {
  const names = Object.keys(pingers);
  const rtts: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const lost: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  let seq = 1;
  for (let done = 0; done < total; done += block) {
    for (const n of names) {
      const p = pingers[n];
      if (!p) continue;
      for (let i = 0; i < block; i++) {
        const r = await p(seq++);
        if (r === null) lost[n] = (lost[n] ?? 0) + 1;
        else rtts[n]?.push(r);
      }
    }
  }
  return Object.fromEntries(names.map((n) => [n, summarize(rtts[n] ?? [], lost[n] ?? 0)]));
}
