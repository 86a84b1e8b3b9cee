/**
 * The floors under the cost of a test: what a test's probe datagrams alone cost a server that
 * does nothing else with them. A bare echo (./bare-echo.ts in Node, ./c-echo.c in C) is sent
 * the stream a test sends (one datagram every 10 ms, the size of a probe's datagram at the
 * relay), and echoes each at once, as the reflector does. A probe echo (./probe-echo.ts in Node,
 * ./c-probe-echo.c in C) is sent real probes (./probe-stream.ts: SRTP in ChannelData) and does
 * a probe's own work on each: SRTP both ways, the probe read, the echo written; every echo is
 * checked on its way back. Each echo's CPU is read as a test's is (bench/lib/test-cost.ts: the
 * process's CPU seconds less its idle rate, per test), to the nanosecond from its threads'
 * schedstat (a C echo's cost is under /proc's 10 ms tick). The sender runs in the bench's own
 * process: only the echo's CPU is counted.
 */
import dgram from 'node:dgram';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildC } from '../lib/c-build.js';
import { freePorts, spawnBounded } from '../lib/process.js';
import { costPerTest, idleRate, readProcessNs } from '../lib/test-cost.js';
import { ProbeStream, newProbeKeys, probeKeysArg, sessionKeysArg, type ProbeKeys } from './probe-stream.js';

/**
 * A bare echo in Node (on dgram, or on the relay's native socket) or C, or a probe echo (the
 * probe's SRTP and frames) in Node or C; `c-in-node` and `c-probe-in-node` are the C echoes run
 * on a Node process's event loop (./c-echo-in-node.ts), no JavaScript per datagram.
 */
export type FloorKind = 'node' | 'node-native' | 'c' | 'c-in-node' | 'node-probe' | 'c-probe' | 'c-probe-in-node';

/** Whether `floor` is sent real probes (and so needs the probe stream's keys). */
const isProbeFloor = (floor: FloorKind): boolean => floor === 'node-probe' || floor === 'c-probe' || floor === 'c-probe-in-node';

/**
 * A probe's datagram as the relay receives it: a 160-byte Opus-sized frame (CONSTANTS.rtp.frameBytes),
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
  /** A probe echo's echoes that failed the sender's check (tag, decryption, frame), and the first one's reason. */
  bad: number;
  firstBad: string | null;
}

/**
 * One stream of `durationS` to the echo at `port`: what was sent and what came back (waits up to
 * 1 s for the last echoes). With `probes`, real probes, and only echoes that pass its check count.
 */
async function stream(port: number, durationS: number, probes: ProbeStream | null): Promise<{ sent: number; echoed: number }> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const bare = Buffer.alloc(PROBE_DATAGRAM_BYTES, 0x5a);
  let sent = 0;
  let echoed = 0;
  let allBack: (() => void) | null = null;
  socket.on('message', (msg: Buffer) => {
    if (probes !== null && !probes.echo(msg)) return;
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
      socket.send(probes === null ? bare : probes.next(performance.now()), port, '127.0.0.1');
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

/** The command line of the `floor` echo on `port` (a C echo built first). */
async function echoCommand(floor: FloorKind, port: number, keys: ProbeKeys | null, repo: string): Promise<{ cmd: string; args: string[] }> {
  const need = (k: ProbeKeys | null): ProbeKeys => {
    if (k === null) throw new Error(`the ${floor} echo needs the probe stream's keys`);
    return k;
  };
  const script = (name: string): string => join(repo, 'dist', 'bench', 'load', `${name}.js`);
  const crypto = [{ name: 'crypto', debian: 'libssl-dev' }];
  // A C echo as a program, or (`addon`) as a Node-API addon with IN_NODE set.
  const built = (name: string, libs: { name: string; debian: string }[] = [], addon = false): Promise<string> =>
    buildC(
      join(repo, 'bench', 'load', `${name}.c`),
      join(repo, 'dist', 'bench', 'load', addon ? `${name}.node` : name),
      'bench:load --cost',
      libs,
      addon ? { nodeAddon: { define: 'IN_NODE' } } : {},
    );
  const inNode = async (keysArg: string[]): Promise<{ cmd: string; args: string[] }> => ({
    cmd: process.execPath,
    args: [script('c-echo-in-node'), await built('c-probe-echo', crypto, true), String(port), ...keysArg],
  });
  switch (floor) {
    case 'c':
      return { cmd: await built('c-echo'), args: [String(port)] };
    case 'node':
      return { cmd: process.execPath, args: [script('bare-echo'), String(port)] };
    case 'node-native':
      return { cmd: process.execPath, args: [script('bare-echo'), String(port), 'native'] };
    case 'c-in-node':
      return inNode([]);
    case 'c-probe':
      return { cmd: await built('c-probe-echo', crypto), args: [String(port), sessionKeysArg(need(keys))] };
    case 'c-probe-in-node':
      return inNode([sessionKeysArg(need(keys))]);
    case 'node-probe':
      return { cmd: process.execPath, args: [script('probe-echo'), String(port), probeKeysArg(need(keys))] };
  }
}

/** A running floor echo: its port and process, the keys of its probe stream (a probe echo), and its stop. */
export interface FloorEcho {
  port: number;
  pid: number;
  keys: ProbeKeys | null;
  stop(): Promise<void>;
}

/** Starts the `floor` echo (a C echo built first) on a free loopback port; it ends by `stop` or after `deadlineS`. */
export async function startFloorEcho(floor: FloorKind, repo: string, deadlineS: number): Promise<FloorEcho> {
  const [port] = await freePorts(1);
  if (port === undefined) throw new Error('no free UDP port for the echo');
  const keys: ProbeKeys | null = isProbeFloor(floor) ? newProbeKeys() : null;
  const { cmd, args } = await echoCommand(floor, port, keys, repo);
  const echo = spawnBounded(cmd, args, { deadlineMs: deadlineS * 1000 });
  try {
    await echo.waitForLine('READY ', { timeoutMs: 10_000, what: `the ${floor} echo` });
    if (echo.pid === undefined) throw new Error(`the ${floor} echo did not start`);
  } catch (err) {
    await echo.stop();
    throw err;
  }
  return {
    port,
    pid: echo.pid,
    keys,
    stop: async () => {
      await echo.stop();
    },
  };
}

/** `runs` streams of `durationS` seconds echoed by the `floor` echo, one after another; its CPU per stream. */
export async function floorCost(floor: FloorKind, runs: number, durationS: number, repo: string): Promise<FloorCost> {
  const echo = await startFloorEcho(floor, repo, runs * (durationS + 5) + 30);
  try {
    // A Node process settles for a moment after it starts; its idle rate is read after.
    await idleRate(echo.pid, 2, readProcessNs);
    const idle = await idleRate(echo.pid, 3, readProcessNs);
    const before = readProcessNs(echo.pid);
    let sent = 0;
    let echoed = 0;
    // One probe stream over all runs, numbered on: the echo keeps one session's state throughout.
    const probes = echo.keys === null ? null : new ProbeStream(echo.keys);
    for (let i = 0; i < runs; i++) {
      const s = await stream(echo.port, durationS, probes);
      sent += s.sent;
      echoed += s.echoed;
    }
    const after = readProcessNs(echo.pid);
    const cpuSPerTest = costPerTest(before, after, idle.cpuSPerS, runs);
    return { floor, tests: runs, sent, echoed, cpuSPerTest, idleCpuSPerS: idle.cpuSPerS, bad: probes?.bad ?? 0, firstBad: probes?.firstBad ?? null };
  } finally {
    await echo.stop();
  }
}
