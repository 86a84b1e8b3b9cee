/**
 * Executes the core's actions on real sockets: client-facing UDP sockets and stream
 * connections, relay UDP sockets, and the single expiry timer. The two relay hot paths
 * (ChannelData in -> relay socket out, relay socket in -> ChannelData out) skip the action
 * objects: one map lookup for the 5-tuple, one for the channel, a cached policy decision; a
 * relay socket whose allocation has one peer is connected to it and sends without an address.
 *
 * A peer in this very process (the reflector's RTP leg, `attachLocalPeer`) is handed its
 * datagrams by a call, and hands its own to the relay socket's receive path the same way: the
 * same checks, counters and witness as a datagram from the socket, without the two system calls
 * and the event-loop turn of a loopback hop each way. So is a datagram one relay socket of ours
 * sends to another (the data-channel leg: the page's allocation and the reflector's meet at
 * each other's relayed addresses).
 */
import type { Socket as NetSocket } from 'node:net';
import { CHANNEL_DATA_HEADER_BYTES, channelDataLength, isChannelData } from '../codec/channel-data.js';
import type { ChannelBinding } from '../core/allocation.js';
import type { TurnCore } from '../core/turn-core.js';
import type { Action, ClientTuple, ListenerInfo } from '../core/types.js';
import { ListenerStats } from '../metrics.js';
import type { LogLimiter } from './log-limiter.js';
import { bindUdp, type RelayUdpSocket, type UdpKind } from './udp-listener.js';
import type { SendFailure } from './native-udp.js';
import { FastPath, type FastOffer } from './fast-path.js';
import { CONSTANTS } from '../../../src/protocol/defaults.js';
import { StreamWriter, WriteBudget } from './stream-writer.js';
import { Method } from '../codec/constants.js';
import { canonicalIp } from '../../../src/protocol/ip.js';

/** A stream (TCP or TLS) client connection. */
export interface StreamConnection {
  readonly socket: NetSocket;
  readonly tuple: ClientTuple;
  /** Bounded writes to `socket` (everything sent to this client goes through it). */
  readonly writer: StreamWriter;
}

/** Bounds of what stream connections may hold; default CONSTANTS.relayStreamBacklog. */
export interface StreamBacklogLimits {
  maxBytesPerConnection: number;
  maxBytesTotal: number;
}

/** Takes a datagram the relay sends to a peer in this process, from relayed address `fromIp`:`fromPort`. */
export type LocalDelivery = (data: Buffer, fromIp: string, fromPort: number) => void;

/** A peer in this process, attached to the relay (RelayRuntime.attachLocalPeer). */
export interface LocalPeerHandle {
  /**
   * The DSCP (RFC 2474 §3) the relay puts on each datagram of this peer's to a client on UDP, its
   * fast path's answers too; null: none (not asked, or the relay's sockets cannot: Node's dgram).
   */
  readonly dscp: number | null;
  /** The peer sends `data` to relayed address `toIp`:`toPort`: taken as if it came on that socket; false when no relay socket of this relay is there (send it on the wire). */
  fromPeer(data: Buffer, toIp: string, toPort: number): boolean;
  /** Offers the fast path (./fast-path.ts: FastOffer), or withdraws it (null): then what it took is counted, and its datagrams go to JavaScript again, before this returns. */
  offerFast(offer: FastOffer | null): void;
  detach(): void;
}

export class RelayRuntime {
  private readonly udpSockets: (RelayUdpSocket | undefined)[] = [];
  private readonly relaySockets = new Map<number, RelayUdpSocket>();
  /** Relay sockets being bound, by relay id. */
  private readonly opening = new Set<number>();
  private readonly cancelled = new Set<number>();
  /**
   * Relay sockets connected to their allocation's one peer, by relay id: the peer's `ip|port`.
   * A connected UDP socket sends without an address (no per-datagram address handling in Node
   * or a route lookup in the kernel) and receives only from that peer, so it stays connected
   * only while its allocation has exactly one permission and one channel (TurnCore.singlePeer):
   * a CreatePermission or ChannelBind re-decides, and a Send indication to another endpoint
   * disconnects it for good (`multiPeer`).
   */
  private readonly connectedTo = new Map<number, string>();
  private readonly multiPeer = new Set<number>();
  /**
   * Relay sockets bound to a port asked for by number (the relay's port range): only these are
   * connected, because Linux gives a socket bound to port 0 a new port when it is disconnected
   * (udp_disconnect keeps the port only under SOCK_BINDPORT_LOCK).
   */
  private readonly pinnedPort = new Set<number>();
  readonly streams = new Map<string, StreamConnection>();
  /** Peers in this process, by `ip|port` (the peer key): what a datagram to them is handed to. */
  private readonly localPeers = new Map<string, LocalDelivery>();
  /** The traffic class (the DSCP in its upper six bits) each peer in this process asked for its datagrams to clients, by peer key. */
  private readonly localPeerTos = new Map<string, number>();
  /** The fast path: the peers' offers and the streams the addon's listeners answer in C (./fast-path.ts). */
  private readonly fast: FastPath;
  /** Each bound relay socket's own address as `ip|port`, and the relay id at each. */
  private readonly relayKeyOf = new Map<number, { key: string; ip: string; port: number }>();
  private readonly relayAt = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private timerAtMs = Number.POSITIVE_INFINITY;
  private closed = false;
  /** Bytes held for all stream connections (StreamWriter), against the relay-wide bound. */
  readonly streamBudget: WriteBudget;

  constructor(
    readonly core: TurnCore,
    readonly now: () => number,
    private readonly log: LogLimiter,
    private readonly backlog: StreamBacklogLimits = CONSTANTS.relayStreamBacklog,
    /** The UDP sockets' kind (./udp-listener.ts): native, or dgram on the portable data path. */
    private readonly udpKind: UdpKind = 'native',
  ) {
    this.streamBudget = new WriteBudget(backlog.maxBytesTotal);
    this.fast = new FastPath({
      core,
      now,
      log,
      fastSocket: (listenerId) => this.udpSockets[listenerId]?.fast ?? null,
      relayedAddress: (relayId) => (this.relaySockets.has(relayId) ? this.relayKeyOf.get(relayId) : undefined),
      peerTos: (peerKey) => this.localPeerTos.get(peerKey) ?? -1,
    });
  }

  /** The bounded writer of a new stream connection. */
  streamWriter(socket: NetSocket): StreamWriter {
    return new StreamWriter(socket, this.streamBudget, this.backlog.maxBytesPerConnection);
  }

  /** Hooks a bound client-facing UDP socket to the core, and starts reading it. */
  attachUdpListener(listener: ListenerInfo, socket: RelayUdpSocket): void {
    this.udpSockets[listener.id] = socket;
    const prefix = `${listener.id}|`;
    const stats = listener.stats;
    // 5-tuple keys by source port: reusing the same (already hashed) string saves a concat and
    // a rehash per datagram. Bounded by the port space; a new address on a port replaces it.
    const keys = new Map<number, { address: string; key: string }>();
    socket.start(
      (msg, address, port, tos) => {
        let k = keys.get(port);
        if (k === undefined || k.address !== address) {
          k = { address, key: prefix + address + '|' + port };
          keys.set(port, k);
        }
        const key = k.key;
        this.fast.beforeClient(key);
        if (isChannelData(msg[0])) {
          const b = this.core.channelDataFromClient(key, stats, msg, this.now(), tos);
          if (b !== undefined) this.toPeer(b, msg);
          return;
        }
        this.guarded(listener.stats, () => this.core.handleClient({ key, listener, ip: address, port }, msg, this.now()));
        this.afterPeerRequest(msg);
      },
      (code) => this.log.log('warn', { err: code, port: listener.port }, 'TURN UDP listener socket error'),
    );
  }

  /** One complete frame from a stream connection. */
  onStreamFrame(conn: StreamConnection, frame: Buffer): void {
    if (isChannelData(frame[0])) {
      const b = this.core.channelDataFromClient(conn.tuple.key, conn.tuple.listener.stats, frame, this.now());
      if (b !== undefined) this.toPeer(b, frame);
      return;
    }
    this.guarded(conn.tuple.listener.stats, () => this.core.handleClient(conn.tuple, frame, this.now()));
    this.afterPeerRequest(frame);
  }

  /** After a CreatePermission or ChannelBind request (RFC 8656 §9, §12), every connected relay socket is decided again: its allocation may have a second peer now. */
  private afterPeerRequest(msg: Buffer): void {
    if (this.connectedTo.size === 0 || msg.length < 2) return;
    // A request's message type is its method: the class bits are 0 (RFC 8489 §5).
    const type = msg.readUInt16BE(0);
    if (type !== Method.CreatePermission && type !== Method.ChannelBind) return;
    for (const relayId of [...this.connectedTo.keys()]) {
      const s = this.relaySockets.get(relayId);
      if (s !== undefined) this.settlePeer(relayId, s);
    }
  }

  /**
   * Connects relay socket `relayId` to its allocation's one peer, or disconnects it when there is
   * more than one (or none); returns the peer key it is connected to now, or null.
   */
  private settlePeer(relayId: number, s: RelayUdpSocket): string | null {
    const want = this.multiPeer.has(relayId) || !this.pinnedPort.has(relayId) ? null : this.core.singlePeer(relayId);
    const have = this.connectedTo.get(relayId) ?? null;
    if ((want?.key ?? null) === have) return have;
    if (have !== null) {
      s.disconnect();
      this.connectedTo.delete(relayId);
    }
    if (want === null) return null;
    const failed = s.connect(want.ip, want.port);
    if (failed !== null) {
      this.log.log('warn', { err: failed, relayId }, 'TURN relay socket could not connect to its one peer: sending with addresses');
      return null;
    }
    this.connectedTo.set(relayId, want.key);
    return want.key;
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

  /**
   * A peer in this process at `ip`:`port` (`ip` in the relay's canonical text): datagrams the
   * relay would send it there are given to `deliver` instead, and `fromPeer` of the handle takes
   * its datagrams to a relayed address of this relay. `dscp` (0-63): each of its datagrams the
   * relay sends on to a client over UDP carries that DSCP (RFC 2474 §3), that datagram alone
   * (Microsoft's "Implement Quality of Service in Microsoft Teams": audio EF), where the relay's
   * sockets can mark one (the addon's; dgram's cannot). Undone by `detach`.
   */
  attachLocalPeer(ip: string, port: number, deliver: LocalDelivery, dscp: number | null = null): LocalPeerHandle {
    const key = ip + '|' + port;
    this.localPeers.set(key, deliver);
    const marked = dscp !== null && this.udpKind === 'native' ? dscp : null;
    const tos = marked === null ? -1 : marked << 2;
    if (marked === null) this.localPeerTos.delete(key);
    else this.localPeerTos.set(key, tos);
    return {
      dscp: marked,
      fromPeer: (data, toIp, toPort) => {
        const relayId = this.relayAt.get(toIp + '|' + toPort);
        if (relayId === undefined || !this.relaySockets.has(relayId)) return false;
        this.fromPeer(relayId, data, { address: ip, port }, key, tos);
        return true;
      },
      offerFast: (offer) => {
        if (this.localPeers.get(key) === deliver) this.fast.offer(key, offer);
      },
      detach: () => {
        if (this.localPeers.get(key) !== deliver) return;
        this.fast.offer(key, null);
        this.localPeers.delete(key);
        this.localPeerTos.delete(key);
      },
    };
  }

  /** Hands `data` to a peer in this process; false when none is at `peerKey`. */
  private toLocal(relayId: number, peerKey: string, data: Buffer): boolean {
    const deliver = this.localPeers.get(peerKey);
    const from = deliver === undefined ? undefined : this.relayKeyOf.get(relayId);
    if (deliver === undefined || from === undefined) return false;
    this.inProcess(relayId);
    try {
      deliver(data, from.ip, from.port);
    } catch (err) {
      // The peer's own handler failed: that datagram is lost to it, as a socket's would be; the relay goes on.
      this.log.log(
        'error',
        { err: err instanceof Error ? (err.stack ?? err.message) : String(err), relayId },
        'TURN relay: a peer in this process failed on a datagram',
      );
    }
    return true;
  }

  /**
   * Hands `data`, sent by relay socket `fromId`, to relay socket `toId` of this relay as if it
   * had come on the wire from `fromId`'s address (a test's two legs, each relayed here, meet at
   * each other's relayed addresses): the same checks, counters and witness, without a send, a
   * receive and an event-loop turn. False when either socket is gone (then it goes on the wire).
   */
  private toOwnRelay(fromId: number, toId: number, data: Buffer): boolean {
    const from = this.relayKeyOf.get(fromId);
    if (from === undefined || !this.relaySockets.has(toId)) return false;
    this.inProcess(fromId);
    this.fromPeer(toId, data, { address: from.ip, port: from.port }, from.key);
    return true;
  }

  /** Hands `data` from relay socket `relayId` to what of this process is at `peerKey`: a peer attached here, or a relay socket of ours; false when neither is (it goes on the wire). */
  private toInProcess(relayId: number, peerKey: string, data: Buffer): boolean {
    if (this.localPeers.size > 0 && this.toLocal(relayId, peerKey, data)) return true;
    const own = this.relayAt.get(peerKey);
    return own !== undefined && this.toOwnRelay(relayId, own, data);
  }

  /** Counts what every fast entry took so far (a reading of the witness or the counters that must hold every packet). */
  drainFastPath(): void {
    this.fast.drainAll();
  }

  /** Counts a datagram relay socket `relayId` handed over in this process under its allocation's listener. */
  private inProcess(relayId: number): void {
    const stats = this.core.listenerOf(relayId);
    if (stats !== null) stats.packetsInProcess++;
  }

  /** Hot path: ChannelData payload out of the binding's relay socket. */
  private toPeer(b: ChannelBinding, msg: Buffer): void {
    const id = b.alloc.id;
    const rs = this.relaySockets.get(id);
    if (rs === undefined) return;
    if (
      (this.localPeers.size > 0 || this.relayAt.has(b.peerKey)) &&
      this.toInProcess(id, b.peerKey, msg.subarray(CHANNEL_DATA_HEADER_BYTES, CHANNEL_DATA_HEADER_BYTES + channelDataLength(msg)))
    ) {
      this.fast.handedToPeer(b, msg);
      return;
    }
    const connected = this.connectedTo.get(id) === b.peerKey || this.settlePeer(id, rs) === b.peerKey;
    const failed = rs.send(msg, connected ? null : b.peerIp, b.peerPort, CHANNEL_DATA_HEADER_BYTES, channelDataLength(msg));
    if (failed !== null) ListenerStats.sendFailed(b.alloc.client.listener.stats, failed);
  }

  /** A Send indication's data (RFC 8656 §11.2): to the connected peer without an address; to another, the socket is disconnected for good first. */
  private sendIndicated(relayId: number, ip: string, port: number, data: Buffer): void {
    const rs = this.relaySockets.get(relayId);
    if (rs === undefined) return;
    const peerKey = ip + '|' + port;
    if (this.toInProcess(relayId, peerKey, data)) return;
    const key = this.connectedTo.get(relayId) ?? this.settlePeer(relayId, rs);
    if (key !== null && key === peerKey) {
      const failed = rs.send(data, null, port);
      if (failed !== null) this.droppedOn(relayId, failed);
      return;
    }
    if (key !== null) {
      rs.disconnect();
      this.connectedTo.delete(relayId);
    }
    this.multiPeer.add(relayId);
    const failed = rs.send(data, ip, port);
    if (failed !== null) this.droppedOn(relayId, failed);
  }

  /** Counts a datagram relay socket `relayId` could not send under its allocation's listener. */
  private droppedOn(relayId: number, why: SendFailure): void {
    const stats = this.core.listenerOf(relayId);
    if (stats !== null) ListenerStats.sendFailed(stats, why);
  }

  /** Hot path: a datagram from a peer on relay socket `relayId`, sent on to its client with traffic class `tos` (-1: the socket's own). */
  private fromPeer(relayId: number, msg: Buffer, rinfo: { address: string; port: number }, peerKey: string, tos = -1): void {
    const r = this.core.dataFromPeer(relayId, rinfo.address, rinfo.port, msg, this.now(), peerKey);
    if (r !== undefined) this.sendToClient(r.client, r.frame(msg), tos);
  }

  /** Sends `data` to `client`: over UDP with traffic class `tos` where its socket can mark one (-1: the socket's own); over its stream otherwise. */
  sendToClient(client: ClientTuple, data: Buffer, tos = -1): void {
    if (client.listener.transport === 'udp') {
      const id = client.listener.id;
      const socket = this.udpSockets[id];
      if (socket === undefined) return;
      const failed = socket.send(data, client.ip, client.port, 0, data.length, tos);
      if (failed !== null) ListenerStats.sendFailed(client.listener.stats, failed);
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
          this.sendIndicated(a.relayId, a.ip, a.port, a.data);
          break;
        case 'open-relay':
          this.openRelay(a.relayId, a.ip, a.port);
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

  private openRelay(relayId: number, ip: string, port: number): void {
    if (this.closed) return;
    this.opening.add(relayId);
    bindUdp(this.udpKind, ip, port).then(
      (s) => {
        this.opening.delete(relayId);
        if (this.cancelled.delete(relayId) || this.closed) {
          s.close();
          return;
        }
        this.wireRelay(relayId, s, ip, port);
        this.execute(this.core.relayOpened(relayId, s.port, this.now()));
      },
      (err: NodeJS.ErrnoException) => {
        this.opening.delete(relayId);
        if (this.cancelled.delete(relayId)) return;
        this.execute(this.core.relayOpenFailed(relayId, err.code ?? err.message, this.now()));
      },
    );
  }

  /** A bound relay socket of relay id `relayId` (asked for on `port`, 0: any): its receive path. */
  private wireRelay(relayId: number, s: RelayUdpSocket, ip: string, port: number): void {
    this.relaySockets.set(relayId, s);
    if (port !== 0) this.pinnedPort.add(relayId);
    const canonical = canonicalIp(ip);
    const bound = { ip: canonical, port: s.port, key: canonical + '|' + s.port };
    this.relayKeyOf.set(relayId, bound);
    this.relayAt.set(bound.key, relayId);
    // Last peer key, cached: a relay socket talks to one peer almost always.
    let lastPort = -1;
    let lastAddress = '';
    let lastKey = '';
    const from = { address: '', port: 0 };
    s.start(
      (msg, address, peerPort) => {
        if (peerPort !== lastPort || address !== lastAddress) {
          lastPort = peerPort;
          lastAddress = address;
          lastKey = lastAddress + '|' + lastPort;
        }
        from.address = address;
        from.port = peerPort;
        this.fromPeer(relayId, msg, from, lastKey);
      },
      (code) => this.log.log('warn', { err: code, relayId }, 'TURN relay socket error'),
    );
  }

  private closeRelay(relayId: number): void {
    this.fast.endRelay(relayId);
    const bound = this.relayKeyOf.get(relayId);
    if (bound !== undefined && this.relayAt.get(bound.key) === relayId) this.relayAt.delete(bound.key);
    this.relayKeyOf.delete(relayId);
    this.connectedTo.delete(relayId);
    this.multiPeer.delete(relayId);
    this.pinnedPort.delete(relayId);
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
    this.fast.shutdown();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const s of this.relaySockets.values()) s.close();
    this.relaySockets.clear();
    this.relayKeyOf.clear();
    this.relayAt.clear();
    this.localPeers.clear();
    this.localPeerTos.clear();
    for (const id of this.opening.keys()) this.cancelled.add(id);
    this.connectedTo.clear();
    this.multiPeer.clear();
    this.pinnedPort.clear();
    for (const c of this.streams.values()) c.socket.destroy();
    this.streams.clear();
  }
}
