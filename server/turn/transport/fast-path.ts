/**
 * The relay's fast path (./native/fast-peer.h): a peer in this process offers to answer one
 * client's RTP stream in C, before any JavaScript, and the relay's UDP listener calls it for each
 * datagram of that stream. This file keeps the offers and the entries the listeners hold, and
 * counts what each entry took as the JavaScript path would have counted it (the core's counters,
 * quotas and witness, the listener's counters): every FAST_DRAIN_MS, before any other datagram
 * of that client reaches JavaScript, before a reading that must hold every packet, and when the
 * entry ends.
 */
import { CHANNEL_DATA_HEADER_BYTES, channelDataLength } from '../codec/channel-data.js';
import type { ChannelBinding } from '../core/allocation.js';
import type { TurnCore } from '../core/turn-core.js';
import { ListenerStats } from '../metrics.js';
import type { LogLimiter } from './log-limiter.js';
import type { FastPeer, FastRecord, FastSocket } from './native-udp.js';

/**
 * A peer in this process offers to answer one client's RTP stream in C. The relay takes it up at
 * the next datagram of that stream it hands the peer through a channel of an allocation whose
 * client is on a UDP listener of the addon's; from then on that stream's datagrams go to the
 * peer's C function first, its answers go back through that channel, and the relay counts what
 * it took in batches.
 *
 * Through whichever of the client's allocations carries the stream: a page holds a relay
 * candidate per network interface, and the pair its browser sends on can differ from the pair
 * the peer (werift, the controlled agent) answers on. Measured on a host with two interfaces:
 * Chromium sent its stream through one allocation and werift answered through the other, and
 * the fast path took 0-4 packets of about 1,600 in five tests of six while it asked for the
 * allocation werift answers on. Answering in the channel the stream came through is the page's
 * own path (RFC 8656 §12: a ChannelData message back to the client on the channel it bound).
 */
export interface FastOffer {
  readonly peer: FastPeer;
  /** The client's stream (RFC 3550 §5.1): its SSRC and payload type. */
  readonly ssrc: number;
  readonly payloadType: number;
  /** Past this many datagrams a second (`burst` at once), the stream goes to JavaScript, whose quotas apply. */
  readonly perSecond: number;
  readonly burst: number;
  /** Called after each drain of the relay's records: the peer drains its own. */
  onDrain(): void;
}

/** What the fast path needs of the relay it serves (RelayRuntime). */
export interface FastPathHost {
  readonly core: Pick<TurnCore, 'fastTaken' | 'fastStillRelays'>;
  now(): number;
  readonly log: LogLimiter;
  /** The addon's socket of client-facing UDP listener `listenerId`; null: none (a dgram socket, or gone). */
  fastSocket(listenerId: number): FastSocket | null;
  /** The relayed address of allocation `relayId` while its socket is bound; undefined: none. */
  relayedAddress(relayId: number): { readonly ip: string; readonly port: number } | undefined;
  /** The traffic class the peer at `peerKey` asked for its datagrams to clients (RelayRuntime.attachLocalPeer); -1: none. */
  peerTos(peerKey: string): number;
}

/**
 * How often the relay counts what its fast path took (and checks that each entry still stands).
 * Every 500 ms: a page's stream of 100 probes a second leaves 50 records, and an entry holds 256
 * (udp.c FAST_RECORDS); a datagram that finds them full goes to JavaScript, as if there were no
 * fast path. A reading that must hold every packet drains first (drainAll, beforeClient), so
 * nothing measured waits on this; drains every 100 ms cost the data plane more CPU a test
 * (docs/benchmarks/load-cost.md).
 */
const FAST_DRAIN_MS = 500;

/** A stream the fast path takes: its socket and entry there, the binding it relays on, the offer. */
interface FastEntry {
  readonly relayId: number;
  readonly clientKey: string;
  readonly socket: FastSocket;
  readonly entry: number;
  readonly binding: ChannelBinding;
  readonly offer: FastOffer;
}

export class FastPath {
  /** The peers' offers by peer key, the streams taken by relay id and by client key, and the drain timer. */
  private readonly offers = new Map<string, FastOffer>();
  private readonly byRelay = new Map<number, FastEntry>();
  private readonly byClient = new Map<string, FastEntry>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly host: FastPathHost) {}

  /** The peer at `peerKey` offers (or, null, withdraws): what its entries took is counted and they end first. */
  offer(peerKey: string, offer: FastOffer | null): void {
    this.end((e) => e.binding.peerKey === peerKey);
    if (offer === null) this.offers.delete(peerKey);
    else this.offers.set(peerKey, offer);
  }

  /**
   * After ChannelData `msg` on binding `b` was handed to a peer in this process: takes up that
   * peer's offer when the client is on one of the addon's UDP listeners, the allocation's relayed
   * socket is bound, and the stream is the offer's (through any of the client's allocations to
   * that peer: FastOffer).
   */
  handedToPeer(b: ChannelBinding, msg: Buffer): void {
    if (this.offers.size === 0 || this.byRelay.has(b.alloc.id)) return;
    const offer = this.offers.get(b.peerKey);
    const client = b.alloc.client;
    const socket = client.listener.transport === 'udp' ? this.host.fastSocket(client.listener.id) : null;
    const relayed = this.host.relayedAddress(b.alloc.id);
    if (offer === undefined || socket === null || relayed === undefined || this.byClient.has(client.key)) return;
    // The stream: the RTP header of the channel's data (RFC 3550 §5.1).
    const at = CHANNEL_DATA_HEADER_BYTES;
    if (channelDataLength(msg) < 12 || ((msg[at] as number) & 0xc0) !== 0x80) return;
    if (((msg[at + 1] as number) & 0x7f) !== offer.payloadType || msg.readUInt32BE(at + 8) !== offer.ssrc) return;
    let entry: number;
    try {
      entry = socket.fastAttach(
        {
          ip: client.ip,
          port: client.port,
          channel: b.channel,
          ssrc: offer.ssrc,
          payloadType: offer.payloadType,
          perSecond: offer.perSecond,
          burst: offer.burst,
          answerTos: this.host.peerTos(b.peerKey),
        },
        offer.peer,
      );
    } catch (err) {
      // Every entry of the listener in use (ENOSPC): the stream goes on through JavaScript, as before the fast path.
      this.host.log.log('warn', { err: (err as Error).message, relayId: b.alloc.id }, 'TURN relay: no fast path for a stream; it goes through JavaScript');
      this.offers.delete(b.peerKey);
      return;
    }
    const e: FastEntry = { relayId: b.alloc.id, clientKey: client.key, socket, entry, binding: b, offer };
    this.byRelay.set(e.relayId, e);
    this.byClient.set(e.clientKey, e);
    if (this.timer === null) {
      this.timer = setInterval(() => this.onTimer(), FAST_DRAIN_MS);
      this.timer.unref();
    }
  }

  /** Before a datagram of client `clientKey` reaches JavaScript: what the fast path took of its stream is counted first, so the witness and the peer see the stream in order. */
  beforeClient(clientKey: string): void {
    if (this.byClient.size === 0) return;
    const e = this.byClient.get(clientKey);
    if (e !== undefined) this.drain(e);
  }

  /** Counts what every entry took so far (before a reading of the witness or the counters that must hold every packet). */
  drainAll(): void {
    for (const e of this.byRelay.values()) this.drain(e);
  }

  /** Allocation `relayId` ends: its entry, if any, is counted and ends first. */
  endRelay(relayId: number): void {
    if (this.byRelay.has(relayId)) this.end((e) => e.relayId === relayId);
  }

  /** The relay closes: every entry counted and ended, every offer forgotten. */
  shutdown(): void {
    this.end(() => true);
    this.offers.clear();
  }

  /** Counts what entry `e` took since the last drain, then lets its peer drain its own. */
  private drain(e: FastEntry): void {
    const nowMs = this.host.now();
    const b = e.binding;
    const stats = b.alloc.client.listener.stats;
    e.socket.fastDrain(e.entry, (r: Readonly<FastRecord>) => {
      this.host.core.fastTaken(b, e.offer.ssrc, r, nowMs);
      stats.packetsInProcess++;
      if (r.sendFailure !== null) ListenerStats.sendFailed(stats, r.sendFailure);
    });
    e.offer.onDrain();
  }

  /** Every FAST_DRAIN_MS: each entry drained, and ended when its binding no longer relays (the allocation, channel or permission gone, or its socket closed). */
  private onTimer(): void {
    const nowMs = this.host.now();
    for (const e of [...this.byRelay.values()]) {
      // An entry that ends is drained as it ends.
      const stands = this.host.core.fastStillRelays(e.relayId, e.binding, nowMs) && this.host.relayedAddress(e.relayId) !== undefined;
      if (stands) this.drain(e);
      else this.end((x) => x === e);
    }
  }

  /** Ends the entries `which` picks: each drained, then detached (its stream goes to JavaScript again). */
  private end(which: (e: FastEntry) => boolean): void {
    for (const e of [...this.byRelay.values()]) {
      if (!which(e)) continue;
      this.drain(e);
      e.socket.fastDetach(e.entry);
      this.byRelay.delete(e.relayId);
      this.byClient.delete(e.clientKey);
    }
    if (this.byRelay.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}
