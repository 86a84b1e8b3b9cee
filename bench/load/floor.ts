/**
 * The floors under the cost of a test: what a test's probe datagrams alone cost a server that
 * does nothing else with them. A bare echo (./bare-echo.ts in Node, ./c-echo.c in C) is sent
 * the stream a test sends (one datagram every 10 ms, the size of a probe's datagram at the
 * relay), and echoes each at once, as the reflector does; its CPU is read as a test's is
 * (bench/lib/test-cost.ts: the process's CPU seconds less its idle rate, per test), to the
 * nanosecond from its threads' schedstat (a C echo's cost is under /proc's 10 ms tick). The
 * sender runs in the bench's own process: only the echo's CPU is counted.
 */
import dgram from 'node:dgram';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildC } from '../lib/c-build.js';
import { freePorts, spawnBounded } from '../lib/process.js';
import { costPerTest, idleRate, readProcessNs } from '../lib/test-cost.js';

export type FloorKind = 'node' | 'c';

/**
 * A probe's datagram as the relay receives it: a 160-byte Opus-sized frame (DEFAULTS.rtp.frameBytes),
 * a 12-byte RTP header, a 10-byte SRTP tag and a 4-byte ChannelData header (RFC 8656 §12.4).
 */
export const PROBE_DATAGRAM_BYTES = 160 + 12 + 10 + 4;
/** A test's probe interval (100 probes a second). */
const INTERVAL_MS = 10;

export interface FloorCost {
  floor: FloorKind;
  tests: number;
  /** Datagrams sent to the echo over all tests, and those that came back. */
  sent: number;
  echoed: number;
  cpuSPerTest: number | null;
  idleCpuSPerS: number;
}

/** One stream of `durationS` to the echo at `port`: what was sent and what came back (waits up to 1 s for the last echoes). */
async function stream(port: number, durationS: number): Promise<{ sent: number; echoed: number }> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const datagram = Buffer.alloc(PROBE_DATAGRAM_BYTES, 0x5a);
  let sent = 0;
  let echoed = 0;
  let allBack: (() => void) | null = null;
  socket.on('message', () => {
    echoed++;
    if (echoed >= sent) allBack?.();
  });
  const endAt = performance.now() + durationS * 1000;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      if (performance.now() >= endAt) {
        clearInterval(tick);
        resolve();
        return;
      }
      socket.send(datagram, port, '127.0.0.1');
      sent++;
    }, INTERVAL_MS);
  });
  if (echoed < sent)
    await new Promise<void>((resolve) => {
      const late = setTimeout(resolve, 1000);
      allBack = () => {
        clearTimeout(late);
        resolve();
      };
    });
  socket.close();
  return { sent, echoed };
}

/** `runs` streams of `durationS` seconds echoed by the `floor` echo, one after another; its CPU per stream. */
export async function floorCost(floor: FloorKind, runs: number, durationS: number, repo: string): Promise<FloorCost> {
  const [port] = await freePorts(1);
  if (port === undefined) throw new Error('no free UDP port for the echo');
  const cmd =
    floor === 'c'
      ? await buildC(join(repo, 'bench', 'load', 'c-echo.c'), join(repo, 'dist', 'bench', 'load', 'c-echo'), 'bench:load --cost')
      : process.execPath;
  const args = floor === 'c' ? [String(port)] : [join(repo, 'dist', 'bench', 'load', 'bare-echo.js'), String(port)];
  const echo = spawnBounded(cmd, args, { deadlineMs: (runs * (durationS + 5) + 30) * 1000 });
  try {
    await echo.waitForLine('READY ', { timeoutMs: 10_000, what: `the ${floor} echo` });
    if (echo.pid === undefined) throw new Error(`the ${floor} echo did not start`);
    // A Node process settles for a moment after it starts; its idle rate is read after.
    await idleRate(echo.pid, 2, readProcessNs);
    const idle = await idleRate(echo.pid, 3, readProcessNs);
    const before = readProcessNs(echo.pid);
    let sent = 0;
    let echoed = 0;
    for (let i = 0; i < runs; i++) {
      const s = await stream(port, durationS);
      sent += s.sent;
      echoed += s.echoed;
    }
    const after = readProcessNs(echo.pid);
    return { floor, tests: runs, sent, echoed, cpuSPerTest: costPerTest(before, after, idle.cpuSPerS, runs), idleCpuSPerS: idle.cpuSPerS };
  } finally {
    await echo.stop();
  }
}
