/** Loopback sockets for tests: free ports, bound UDP sockets, an echo peer, "is this port bound". */
import { createSocket, type Socket } from 'node:dgram';
import { createServer } from 'node:net';

/** Shared with the benches (bench/lib/process.ts): free UDP+TCP ports in 20000-29999, and "has some process bound this UDP port". */
export { boundUdpPorts, freePorts, processTree, udpSocketsOf, udpSocketsOfTree, waitUdpBound } from '../../bench/lib/process.js';

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
