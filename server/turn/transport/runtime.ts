/**
 * Executes the core's actions on real sockets: client-facing UDP sockets and stream
 * connections, relay UDP sockets, and the single expiry timer. The two relay hot paths
 * (ChannelData in -> relay socket out, relay socket in -> ChannelData out) skip the action
 * objects: one map lookup for the 5-tuple, one for the channel, a cached policy decision.
 */
import dgram from 'node:dgram';
import type { Socket as NetSocket } from 'node:net';
import { CHANNEL_DATA_HEADER_BYTES, channelDataLength, isChannelData } from '../codec/channel-data.js';
import type { ChannelBinding } from '../core/allocation.js';
import type { TurnCore } from '../core/turn-core.js';
import type { Action, ClientTuple, ListenerInfo } from '../core/types.js';
import { ListenerStats } from '../metrics.js';
import type { LogLimiter } from './log-limiter.js';
import { literalLookup } from './literal-lookup.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { StreamWriter, WriteBudget } from './stream-writer.js';

/** A stream (TCP or TLS) client connection. */
export interface StreamConnection {
  readonly socket: NetSocket;
  readonly tuple: ClientTuple;
  /** Bounded writes to `socket` (everything sent to this client goes through it). */
  readonly writer: StreamWriter;
}

/** Bounds of what stream connections may hold; default DEFAULTS.relayStreamBacklog. */
export interface StreamBacklogLimits {
  maxBytesPerConnection: number;
  maxBytesTotal: number;
}

export class RelayRuntime {
  private readonly udpSockets: (dgram.Socket | undefined)[] = [];
  private readonly relaySockets = new Map<number, dgram.Socket>();
  private readonly opening = new Map<number, dgram.Socket>();
  private readonly cancelled = new Set<number>();
  readonly streams = new Map<string, StreamConnection>();
  private timer: NodeJS.Timeout | null = null;
  private timerAtMs = Number.POSITIVE_INFINITY;
  private closed = false;
  /** Bytes held for all stream connections (StreamWriter), against the relay-wide bound. */
  readonly streamBudget: WriteBudget;

  constructor(
    readonly core: TurnCore,
    readonly now: () => number,
    private readonly log: LogLimiter,
    private readonly backlog: StreamBacklogLimits = DEFAULTS.relayStreamBacklog,
  ) {
    this.streamBudget = new WriteBudget(backlog.maxBytesTotal);
  }

  /** The bounded writer of a new stream connection. */
  streamWriter(socket: NetSocket): StreamWriter {
    return new StreamWriter(socket, this.streamBudget, this.backlog.maxBytesPerConnection);
  }

  /** Hooks a bound client-facing UDP socket to the core. */
  attachUdpListener(listener: ListenerInfo, socket: dgram.Socket): void {
    this.udpSockets[listener.id] = socket;
    const prefix = `${listener.id}|`;
    const stats = listener.stats;
    // 5-tuple keys by source port: reusing the same (already hashed) string saves a concat and
    // a rehash per datagram. Bounded by the port space; a new address on a port replaces it.
    const keys = new Map<number, { address: string; key: string }>();
    socket.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      let k = keys.get(rinfo.port);
      if (k === undefined || k.address !== rinfo.address) {
        k = { address: rinfo.address, key: prefix + rinfo.address + '|' + rinfo.port };
        keys.set(rinfo.port, k);
      }
      const key = k.key;
      if (isChannelData(msg[0])) {
        const b = this.core.channelDataFromClient(key, stats, msg, this.now());
        if (b !== undefined) this.toPeer(b, msg);
        return;
      }
      this.guarded(listener.stats, () => this.core.handleClient({ key, listener, ip: rinfo.address, port: rinfo.port }, msg, this.now()));
    });
    socket.on('error', (err) => this.log.log('warn', { err: err.message, port: listener.port }, 'TURN UDP listener socket error'));
  }

  /** One complete frame from a stream connection. */
  onStreamFrame(conn: StreamConnection, frame: Buffer): void {
    if (isChannelData(frame[0])) {
      const b = this.core.channelDataFromClient(conn.tuple.key, conn.tuple.listener.stats, frame, this.now());
      if (b !== undefined) this.toPeer(b, frame);
      return;
    }
    this.guarded(conn.tuple.listener.stats, () => this.core.handleClient(conn.tuple, frame, this.now()));
  }

  /**
   * Runs a slow-path handler; a bug there must cost one message, not the process: the input is
   * dropped, counted as malformed 'internal-error' and logged with its stack.
   */
  private guarded(stats: ListenerStats, handle: () => Action[]): void {
    let actions: Action[];
    try {
      actions = handle();
    } catch (err) {
      ListenerStats.bump(stats.malformed, 'internal-error');
      this.log.log('error', { err: err instanceof Error ? (err.stack ?? err.message) : String(err) }, 'TURN relay: internal error while handling a message');
      return;
    }
    this.execute(actions);
  }

  /** Hot path: ChannelData payload out of the binding's relay socket. */
  private toPeer(b: ChannelBinding, msg: Buffer): void {
    const rs = this.relaySockets.get(b.alloc.id);
    if (rs !== undefined) rs.send(msg, CHANNEL_DATA_HEADER_BYTES, channelDataLength(msg), b.peerPort, b.peerIp);
  }

  /** Hot path: a datagram from a peer on relay socket `relayId`. */
  private fromPeer(relayId: number, msg: Buffer, rinfo: dgram.RemoteInfo, peerKey: string): void {
    const r = this.core.dataFromPeer(relayId, rinfo.address, rinfo.port, msg, this.now(), peerKey);
    if (r !== undefined) this.sendToClient(r.client, r.frame(msg));
  }

  sendToClient(client: ClientTuple, data: Buffer): void {
    if (client.listener.transport === 'udp') {
      this.udpSockets[client.listener.id]?.send(data, client.port, client.ip);
      return;
    }
    const conn = this.streams.get(client.key);
    if (conn === undefined || conn.socket.destroyed) return;
    const refused = conn.writer.write(data);
    if (refused !== null) ListenerStats.bump(client.listener.stats.dropped, refused);
  }

  execute(actions: Action[]): void {
    for (const a of actions) {
      switch (a.kind) {
        case 'send-client':
          this.sendToClient(a.client, a.data);
          break;
        case 'send-peer':
          this.relaySockets.get(a.relayId)?.send(a.data, a.port, a.ip);
          break;
        case 'open-relay':
          this.openRelay(a.relayId, a.family, a.ip, a.port);
          break;
        case 'close-relay':
          this.closeRelay(a.relayId);
          break;
        case 'timer':
          this.arm(a.atMs);
          break;
        case 'log':
          this.log.log(a.level, a.fields, a.msg, a.source);
          break;
        case 'drop':
          break; // counted by the core
      }
    }
  }

  private openRelay(relayId: number, family: 4 | 6, ip: string, port: number): void {
    if (this.closed) return;
    const s = dgram.createSocket({ type: family === 4 ? 'udp4' : 'udp6', ipv6Only: family === 6, lookup: literalLookup(family) });
    this.opening.set(relayId, s);
    const onBindError = (err: NodeJS.ErrnoException): void => {
      this.opening.delete(relayId);
      s.close();
      if (this.cancelled.delete(relayId)) return;
      this.execute(this.core.relayOpenFailed(relayId, err.code ?? err.message, this.now()));
    };
    s.once('error', onBindError);
    s.bind({ port, address: ip, exclusive: true }, () => {
      s.removeListener('error', onBindError);
      this.opening.delete(relayId);
      if (this.cancelled.delete(relayId) || this.closed) {
        s.close();
        return;
      }
      this.relaySockets.set(relayId, s);
      // Last peer key, cached: a relay socket talks to one peer almost always.
      let lastPort = -1;
      let lastAddress = '';
      let lastKey = '';
      s.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
        if (rinfo.port !== lastPort || rinfo.address !== lastAddress) {
          lastPort = rinfo.port;
          lastAddress = rinfo.address;
          lastKey = lastAddress + '|' + lastPort;
        }
        this.fromPeer(relayId, msg, rinfo, lastKey);
      });
      s.on('error', (err) => this.log.log('warn', { err: err.message, relayId }, 'TURN relay socket error'));
      this.execute(this.core.relayOpened(relayId, s.address().port, this.now()));
    });
  }

  private closeRelay(relayId: number): void {
    const s = this.relaySockets.get(relayId);
    if (s !== undefined) {
      this.relaySockets.delete(relayId);
      s.close();
      return;
    }
    if (this.opening.has(relayId)) this.cancelled.add(relayId);
  }

  private arm(atMs: number): void {
    if (this.closed || atMs >= this.timerAtMs) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAtMs = atMs;
    const delayMs = Math.max(0, Math.min(atMs - this.now(), 2 ** 31 - 1));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAtMs = Number.POSITIVE_INFINITY;
      this.execute(this.core.onTimer(this.now()));
    }, delayMs);
    this.timer.unref();
  }

  /** Number of bound relay sockets (tests check for leaks). */
  get relaySocketCount(): number {
    return this.relaySockets.size + this.opening.size;
  }

  /** Closes relay sockets and stream connections (listeners are closed by their owner). */
  shutdown(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const s of this.relaySockets.values()) s.close();
    this.relaySockets.clear();
    for (const id of this.opening.keys()) this.cancelled.add(id);
    for (const c of this.streams.values()) c.socket.destroy();
    this.streams.clear();
  }
}
