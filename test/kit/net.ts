/** Loopback sockets for tests: free ports, bound UDP sockets, an echo peer, "is this port bound". */
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { TestKitError } from './errors.js';
import { waitFor } from './wait.js';

const family = (host: string): 'udp4' | 'udp6' => (host.includes(':') ? 'udp6' : 'udp4');

/** A UDP socket bound on `host` (an ephemeral port unless `port` is given). */
export function bindUdp(host = '127.0.0.1', port = 0): Promise<Socket> {
  const socket = createSocket(family(host));
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

export function closeUdp(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

/** A UDP port the kernel just handed out on `host` (free now; bind it soon). */
export async function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  const socket = await bindUdp(host);
  const { port } = socket.address();
  await closeUdp(socket);
  return port;
}

/** A TCP port the kernel just handed out on `host` (free now; listen on it soon). */
export function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function udpAndTcpFree(port: number, host: string): Promise<boolean> {
  const udp = createSocket(family(host));
  const udpOk = await new Promise<boolean>((resolve) => {
    udp.once('error', () => resolve(false));
    udp.bind(port, host, () => resolve(true));
  });
  if (!udpOk) return false;
  await closeUdp(udp);
  const tcp = createServer();
  const tcpOk = await new Promise<boolean>((resolve) => {
    tcp.once('error', () => resolve(false));
    tcp.listen(port, host, () => resolve(true));
  });
  if (tcpOk) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  return tcpOk;
}

/**
 * `n` distinct ports free for both UDP and TCP on `host`, drawn from 20000-29999 (below
 * Linux's ephemeral range, so the kernel does not hand them to someone else meanwhile).
 * Pass a seeded `random` (kit/prng.ts) for a reproducible draw.
 */
export async function freePorts(n: number, random: () => number = Math.random, host = '127.0.0.1'): Promise<number[]> {
  const out: number[] = [];
  for (let tries = 0; out.length < n && tries < 500; tries++) {
    const port = 20000 + Math.floor(random() * 10000);
    if (!out.includes(port) && (await udpAndTcpFree(port, host))) out.push(port);
  }
  if (out.length < n) throw new TestKitError('no-free-port', `found ${out.length} of ${n} free UDP+TCP ports in 20000-29999`);
  return out;
}

/** UDP ports some process has bound, from /proc/net/udp and /proc/net/udp6 (Linux). */
export function boundUdpPorts(): Set<number> {
  const out = new Set<number>();
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // no IPv6 table: nothing bound there
      throw err;
    }
    for (const line of text.split('\n').slice(1)) {
      const hex = line.trim().split(/\s+/)[1]?.split(':')[1];
      if (hex) out.add(parseInt(hex, 16));
    }
  }
  return out;
}

/** Waits until some process (coturn, irtt, ...) has bound UDP `port`: for tools that print nothing when ready. */
export async function waitUdpBound(port: number, timeoutMs = 5000): Promise<void> {
  await waitFor(() => boundUdpPorts().has(port), { timeoutMs, pollMs: 20, what: `a process to bind UDP port ${port}` });
}

export interface UdpEcho {
  port: number;
  /** Datagrams received (and echoed) so far. */
  received: number;
  socket: Socket;
  close(): Promise<void>;
}

/**
 * A UDP echo peer on `host`: sends every datagram back to its source. `onMessage` sees each
 * datagram before it is echoed.
 */
export async function startUdpEcho(opts: { host?: string; onMessage?: (msg: Buffer, from: { address: string; port: number }) => void } = {}): Promise<UdpEcho> {
  const socket = await bindUdp(opts.host ?? '127.0.0.1');
  const echo: UdpEcho = { port: socket.address().port, received: 0, socket, close: () => closeUdp(socket) };
  socket.on('message', (msg, rinfo) => {
    echo.received++;
    opts.onMessage?.(msg, rinfo);
    socket.send(msg, rinfo.port, rinfo.address);
  });
  return echo;
}
