/** Binds the client-facing UDP sockets (RFC 8656 §3: TURN over UDP on 3478-3481). */
import dgram from 'node:dgram';
import net from 'node:net';
import { literalLookup } from './literal-lookup.js';

/** Socket buffers large enough for bursts of small media packets (the kernel may cap them at rmem_max/wmem_max). */
const UDP_SOCKET_BUFFER_BYTES = 4 << 20;

/**
 * Binds `host`:`port`. `shared`: with SO_REUSEADDR, so that another data plane of this server can
 * bind a socket connected to one client beside it (transport/runtime.ts `adopt`); the port is
 * first bound without it for a moment, so a port another program holds still fails here (and
 * port 0 becomes a port nobody holds).
 */
export async function bindUdp(host: string, port: number, shared = false): Promise<dgram.Socket> {
  if (shared) {
    // Port 0 too: the OS would give a shared socket a port another shared socket holds.
    const alone = await bindUdp(host, port);
    port = alone.address().port;
    await closeUdp(alone);
  }
  const v6 = net.isIPv6(host);
  const socket = dgram.createSocket({ type: v6 ? 'udp6' : 'udp4', ipv6Only: v6, lookup: literalLookup(v6 ? 6 : 4), reuseAddr: shared });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.removeListener('error', reject);
      socket.setRecvBufferSize(UDP_SOCKET_BUFFER_BYTES);
      socket.setSendBufferSize(UDP_SOCKET_BUFFER_BYTES);
      resolve(socket);
    });
  });
}

export function closeUdp(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}
