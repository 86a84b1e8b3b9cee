/**
 * TURN over TCP and TLS (RFC 8656 §3.1: client-to-server stream, relayed transport stays UDP).
 * One port can serve TLS and plain TCP at once: the first byte tells them apart
 * (0x16 = TLS handshake record, RFC 8446 §5.1; STUN starts 0b00, ChannelData 0b01).
 */
import net from 'node:net';
import tls from 'node:tls';
import type { ClientTuple, ListenerInfo } from '../core/types.js';
import { StreamFramer, StreamFramingError } from '../codec/stream-framer.js';
import type { RelayRuntime, StreamConnection } from './runtime.js';
import { classifyTlsFailure } from './tls-refusals.js';
import { ListenerStats } from '../metrics.js';
import type { SourceConnections } from './source-connections.js';

/**
 * A connection is checked this long after it opened, and again every this long: without an
 * allocation then it is closed, whatever it sent meanwhile (coturn does the same at 60 s;
 * Bindings every 25 s used to keep it open forever).
 */
export const NO_ALLOCATION_DEADLINE_MS = 60_000;

/** Timers of the stream listener, injectable so tests need not wait 60 s. Returns the cancel function. */
export type StreamTimers = (delayMs: number, fn: () => void) => () => void;

const realStreamTimers: StreamTimers = (delayMs, fn) => {
  const t = setTimeout(fn, delayMs);
  t.unref();
  return () => clearTimeout(t);
};
/** Concurrent stream connections per listening port (each costs a socket and a framer). */
const MAX_CONNECTIONS = 4096;
/** TLS handshake must finish within this time. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export interface StreamListenerOptions {
  host: string;
  port: number;
  /** Listener info for plain TCP on this port (null: TLS only). Filled in once bound. */
  plain: ((boundPort: number) => ListenerInfo) | null;
  /** TLS on this port (null: plain only). */
  tls: {
    certPem: string;
    keyPem: string;
    listener: (boundPort: number) => ListenerInfo;
    /** A client aborted the handshake with a certificate alert (it does not trust the certificate). */
    onCertificateRefused?: (ip: string, alert: string) => void;
  } | null;
  /** Default realStreamTimers. */
  timers?: StreamTimers;
  /** Connections open per source, shared by every stream listener of the relay. */
  sources: SourceConnections;
}

let connectionCounter = 0;

function attach(runtime: RelayRuntime, socket: net.Socket, listener: ListenerInfo, timers: StreamTimers): void {
  const ip = socket.remoteAddress;
  const port = socket.remotePort;
  if (ip === undefined || port === undefined) {
    socket.destroy();
    return;
  }
  const tuple: ClientTuple = { key: `c${++connectionCounter}`, listener, ip, port };
  const conn: StreamConnection = { socket, tuple, writer: runtime.streamWriter(socket) };
  runtime.streams.set(tuple.key, conn);
  socket.setNoDelay(true);
  const framer = new StreamFramer();
  socket.on('data', (chunk: Buffer) => {
    let frames: Buffer[];
    try {
      frames = framer.push(chunk);
    } catch (err) {
      if (!(err instanceof StreamFramingError)) throw err;
      runtime.core.malformed(tuple, `stream-${err.reason}`);
      socket.destroy();
      return;
    }
    for (const f of frames) runtime.onStreamFrame(conn, f);
  });
  let cancelDeadline = (): void => undefined;
  const deadline = (): void => {
    if (!runtime.core.hasAllocation(tuple.key)) socket.destroy();
    else cancelDeadline = timers(NO_ALLOCATION_DEADLINE_MS, deadline);
  };
  cancelDeadline = timers(NO_ALLOCATION_DEADLINE_MS, deadline);
  socket.on('error', () => socket.destroy()); // peer resets are normal; 'close' does the cleanup
  socket.once('close', () => {
    cancelDeadline();
    conn.writer.release();
    runtime.streams.delete(tuple.key);
    runtime.execute(runtime.core.clientClosed(tuple, runtime.now()));
  });
}

/** Binds one stream server; resolves with it and the port it got. */
export function startStreamListener(runtime: RelayRuntime, opts: StreamListenerOptions): Promise<{ server: net.Server; port: number }> {
  const timers = opts.timers ?? realStreamTimers;
  return new Promise((resolve, reject) => {
    let plainListener: ListenerInfo | null = null;
    let tlsListener: ListenerInfo | null = null;
    const tlsServer = opts.tls ? tls.createServer({ cert: opts.tls.certPem, key: opts.tls.keyPem, handshakeTimeout: HANDSHAKE_TIMEOUT_MS }) : null;
    tlsServer?.on('secureConnection', (s: tls.TLSSocket) => {
      if (tlsListener) attach(runtime, s, tlsListener, timers);
      else s.destroy();
    });
    tlsServer?.on('tlsClientError', (err: Error & { code?: string }, s: tls.TLSSocket) => {
      const ip = s.remoteAddress;
      s.destroy();
      if (!tlsListener) return;
      const failure = classifyTlsFailure(err);
      ListenerStats.bump(tlsListener.stats.tlsHandshakeFailures, failure.reason);
      if (failure.alert !== null && ip !== undefined) opts.tls?.onCertificateRefused?.(ip, failure.alert);
    });
    const server = net.createServer((socket) => {
      socket.on('error', () => socket.destroy());
      const ip = socket.remoteAddress;
      const refused = ip === undefined ? 'source' : opts.sources.tryOpen(ip);
      if (refused !== null || ip === undefined) {
        const stats = (plainListener ?? tlsListener)?.stats;
        if (stats)
          ListenerStats.bump(
            stats.dropped,
            refused === 'network'
              ? 'stream-connections-per-network'
              : refused === 'total'
                ? 'stream-connections-total'
                : refused === 'reserve'
                  ? 'stream-connections-reserve'
                  : 'stream-connections-per-source',
          );
        socket.destroy();
        return;
      }
      socket.once('close', () => opts.sources.release(ip));
      // A connection that never sends its first byte is closed.
      const silent = setTimeout(() => socket.destroy(), HANDSHAKE_TIMEOUT_MS);
      silent.unref();
      socket.once('close', () => clearTimeout(silent));
      const route = (): void => {
        const first = socket.read(1) as Buffer | null;
        if (first === null) {
          socket.once('readable', route);
          return;
        }
        clearTimeout(silent);
        socket.unshift(first);
        if (first[0] === 0x16 && tlsServer) tlsServer.emit('connection', socket);
        else if (plainListener) attach(runtime, socket, plainListener, timers);
        else socket.destroy();
      };
      route();
    });
    server.maxConnections = MAX_CONNECTIONS;
    server.once('error', reject);
    // IPv6-only on an IPv6 address, as the UDP sockets: '::' and '0.0.0.0' are bound separately when both are wanted.
    server.listen({ host: opts.host, port: opts.port, exclusive: true, ipv6Only: net.isIPv6(opts.host) }, () => {
      server.removeListener('error', reject);
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : opts.port;
      plainListener = opts.plain ? opts.plain(port) : null;
      tlsListener = opts.tls ? opts.tls.listener(port) : null;
      resolve({ server, port });
    });
  });
}
