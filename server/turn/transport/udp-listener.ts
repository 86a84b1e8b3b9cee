/**
 * The relay's UDP sockets: the client-facing ones (RFC 8656 §3: TURN over UDP on 3478-3481) and
 * the relayed addresses. The native socket (./native-udp.ts) on the native data path, or Node's
 * dgram on the portable one (`serve --data-path portable`, server/data-path.ts), behind the same
 * few calls the relay makes.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { literalLookup } from './literal-lookup.js';
import { NativeUdpSocket, type FastSocket, type SendFailure } from './native-udp.js';

/** Socket buffers large enough for bursts of small media packets (the kernel may cap them at rmem_max/wmem_max). */
const UDP_SOCKET_BUFFER_BYTES = 4 << 20;

/**
 * What a dgram socket may hold in memory beyond the kernel's send buffer: libuv queues a send the
 * kernel cannot take at once, without a bound of its own. Past this, a datagram is dropped and
 * counted as the native socket drops it (`full`), so what a client makes the relay send stays
 * bounded on the portable path too (SECURITY.md).
 */
const DGRAM_SEND_QUEUE_MAX_BYTES = 64 << 10;

/** Which socket the relay's UDP runs on. */
export type UdpKind = 'native' | 'dgram';

/** What the relay asks of a UDP socket. */
export interface RelayUdpSocket {
  readonly port: number;
  /** Starts reading: every datagram, with its sender and its traffic class (-1: not read); a receive error's code. */
  start(onMessage: (msg: Buffer, address: string, port: number, tos: number) => void, onError: (code: string) => void): void;
  /** Connects to one peer (a relayed address's one peer): null once connected, else why not (it stays as it was). */
  connect(ip: string, port: number): string | null;
  /** Undoes `connect`. */
  disconnect(): void;
  /**
   * Sends `data[offset, offset + length)` to `ip`:`port` (null: the connected peer), with traffic
   * class `tos` where the socket can (-1 or absent: its own); null when sent, else why not.
   */
  send(data: Buffer, ip: string | null, port: number, offset?: number, length?: number, tos?: number): SendFailure | null;
  close(): void;
  /** The fast path (./native/fast-peer.h), on the addon's sockets; null on dgram's. */
  readonly fast: FastSocket | null;
}

class NativeRelaySocket implements RelayUdpSocket {
  constructor(private readonly s: NativeUdpSocket) {}
  get fast(): FastSocket {
    return this.s;
  }
  get port(): number {
    return this.s.port;
  }
  start(onMessage: (msg: Buffer, address: string, port: number, tos: number) => void, onError: (code: string) => void): void {
    this.s.start(onMessage, onError);
  }
  connect(ip: string, port: number): string | null {
    try {
      this.s.connect(ip, port);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  }
  disconnect(): void {
    this.s.disconnect();
  }
  send(data: Buffer, ip: string | null, port: number, offset?: number, length?: number, tos?: number): SendFailure | null {
    return this.s.send(data, ip, port, offset, length, tos);
  }
  close(): void {
    this.s.close();
  }
}

/**
 * Node's dgram socket (the portable data path): a send the kernel cannot take at once queues in
 * libuv, up to DGRAM_SEND_QUEUE_MAX_BYTES. It reads no traffic class and sends with the socket's
 * own (0).
 */
class DgramRelaySocket implements RelayUdpSocket {
  readonly fast = null;
  constructor(private readonly s: dgram.Socket) {}
  get port(): number {
    return this.s.address().port;
  }
  start(onMessage: (msg: Buffer, address: string, port: number, tos: number) => void, onError: (code: string) => void): void {
    this.s.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => onMessage(msg, rinfo.address, rinfo.port, -1));
    this.s.on('error', (err: NodeJS.ErrnoException) => onError(err.code ?? err.message));
  }
  connect(ip: string, port: number): string | null {
    // The socket's lookup answers synchronously (./literal-lookup.ts), so connect() has connected, or failed and left it as it was.
    let failed: string | null = null;
    this.s.connect(port, ip, (err?: Error) => {
      if (err) failed = err.message;
    });
    try {
      this.s.remoteAddress();
      return null;
    } catch {
      return failed ?? 'not connected';
    }
  }
  disconnect(): void {
    this.s.disconnect();
  }
  send(data: Buffer, ip: string | null, port: number, offset = 0, length = data.length - offset): SendFailure | null {
    if (this.s.getSendQueueSize() + length > DGRAM_SEND_QUEUE_MAX_BYTES) return 'full';
    if (ip === null) this.s.send(data, offset, length);
    else this.s.send(data, offset, length, port, ip);
    return null;
  }
  close(): void {
    this.s.close();
  }
}

function bindDgram(host: string, port: number): Promise<dgram.Socket> {
  const v6 = net.isIPv6(host);
  const socket = dgram.createSocket({ type: v6 ? 'udp6' : 'udp4', ipv6Only: v6, lookup: literalLookup(v6 ? 6 : 4) });
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

/** Binds `host`:`port` on a socket of `kind`. Rejects with the bind's error (its `code`: EADDRINUSE, ...). */
export async function bindUdp(kind: UdpKind, host: string, port: number): Promise<RelayUdpSocket> {
  const family = net.isIPv6(host) ? 6 : 4;
  if (kind === 'dgram') return new DgramRelaySocket(await bindDgram(host, port));
  return new NativeRelaySocket(NativeUdpSocket.bind(family, host, port, UDP_SOCKET_BUFFER_BYTES));
}
