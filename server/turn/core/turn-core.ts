/**
 * The Sans-IO TURN server core (RFC 8656). Input: a datagram or stream frame plus its 5-tuple
 * and the current time. Output: actions. No sockets, no timers, no clock and no randomness
 * of its own inside: time is an argument and random bytes come from `CoreConfig.random`.
 *
 * State lives in the allocation table (allocation-table.ts). Request handling lives in
 * allocate.ts (Allocate, Refresh) and peers.ts (CreatePermission, ChannelBind, Send,
 * ChannelData, data from peers); they see the core through the CoreContext interface
 * (context.ts). This file owns dispatch.
 */
import {
  Attr,
  CHANNEL_DATA_HEADER_BYTES,
  ErrorCodes,
  MessageClass,
  Method,
  StunDecodeError,
  addUnknownAttributes,
  addXorAddress,
  channelDataLength,
  decodeStun,
  isChannelData,
  unknownRequiredAttrs,
  type ErrorCodeNumber,
  type StunMessage,
  type StunWriter,
} from '../codec/index.js';
import { ListenerStats } from '../metrics.js';
import { parseIp } from '../../../src/protocol/ip.js';
import * as allocate from './allocate.js';
import type { Allocation, ChannelBinding, DataIndication, Permission } from './allocation.js';
import { AllocationTable, type AllocationCensus } from './allocation-table.js';
import { authenticate } from './auth.js';
import type { CredentialOwner, PeakHistogram } from './credential-peaks.js';
import type { AuthedRequest, CoreContext } from './context.js';
import { NonceIssuer } from './nonce.js';
import { RelayPairs } from './relay-pairs.js';
import * as peers from './peers.js';
import type { DeletionReason, DropReason, MalformedReason, RefusalReason } from './reasons.js';
import { IndicationIds, errorResponse, successResponse } from './respond.js';
import { DEFAULT_WITNESS_LIMITS, type Action, type ClientTuple, type CoreConfig, type FastDatagram } from './types.js';
import { WitnessBook, type WitnessCensus } from '../witness/book.js';
import type { RelayWitness } from '../../../src/protocol/wire.js';

/** The core as its request handlers see it (CoreContext), plus the one expiry timer. */
class CoreServices implements CoreContext {
  readonly allocations: AllocationTable;
  readonly witnesses: WitnessBook;
  readonly pairs: RelayPairs;
  private readonly ids: IndicationIds;
  private timerAtMs = Number.POSITIVE_INFINITY;

  constructor(readonly cfg: Readonly<CoreConfig>) {
    this.pairs = new RelayPairs();
    this.allocations = new AllocationTable(cfg.quotas, cfg.random);
    this.ids = new IndicationIds(cfg.random(12));
    this.witnesses = new WitnessBook(cfg.witness ?? DEFAULT_WITNESS_LIMITS, cfg.arrivalClock ?? null);
  }

  /** Combined generation of the peer policy, of our own relayed addresses and of the relay pairs. */
  get policyGeneration(): number {
    return this.allocations.generation + this.cfg.peerPolicy.generation + this.pairs.generation;
  }

  /**
   * Exact-endpoint decision when data is relayed between allocation `a` and a peer: a relayed
   * address of ours only as a relay pair (relay-pairs.ts), whatever a CIDR
   * says; anything else by an operator CIDR or a registered endpoint.
   */
  endpointAllowed(a: Allocation, perm: Permission, ipText: string, port: number, peerKey: string): boolean {
    const b = this.allocations.ownRelayAt(peerKey);
    if (b !== undefined) return this.pairs.allowed(a, peerKey, b);
    return perm.cidrAllowed || this.cfg.peerPolicy.endpointRegistered(ipText, port);
  }

  /** Whether `peerKey` is a relayed address of ours (a refused datagram to it is `peer-other-test`). */
  isRelayAddress(peerKey: string): boolean {
    return this.allocations.ownRelayAt(peerKey) !== undefined;
  }

  indicationTid(): Buffer {
    return this.ids.next();
  }

  schedule(atMs: number, out: Action[]): void {
    if (atMs < this.timerAtMs && Number.isFinite(atMs)) {
      this.timerAtMs = atMs;
      out.push({ kind: 'timer', atMs });
    }
  }

  /** The scheduled timer fired. */
  timerFired(): void {
    this.timerAtMs = Number.POSITIVE_INFINITY;
  }

  deleteAllocation(a: Allocation, reason: DeletionReason, nowMs: number): Action[] {
    const lived = this.allocations.delete(a, nowMs);
    if (lived) a.client.listener.stats.allocationsActive--;
    this.witnesses.retire(a.id, nowMs);
    return [
      { kind: 'close-relay', relayId: a.id },
      {
        kind: 'log',
        level: lived ? 'info' : 'debug',
        msg: `TURN allocation deleted (${reason})`,
        source: a.client.ip,
        fields: { reason, relayId: a.id, username: a.username, client: `${a.client.ip}:${a.client.port}`, nowMs },
      },
    ];
  }

  refuse(req: AuthedRequest, code: ErrorCodeNumber, reason: RefusalReason, detail: string, fill?: (w: StunWriter) => void): Action[] {
    const data = errorResponse(req.msg, code, req.sec.key ? req.sec : null, this.cfg.software, fill);
    ListenerStats.bump(req.client.listener.stats.refusals, reason);
    return [
      { kind: 'send-client', client: req.client, data },
      {
        kind: 'log',
        level: 'warn',
        msg: `TURN request refused: ${detail}`,
        source: req.client.ip,
        fields: {
          reason,
          code,
          client: `${req.client.ip}:${req.client.port}`,
          transport: req.client.listener.transport,
          ...(req.username ? { username: req.username } : {}),
        },
      },
    ];
  }

  malformed(stats: ListenerStats, reason: MalformedReason): Action {
    ListenerStats.bump(stats.malformed, reason);
    return { kind: 'drop', reason: `malformed:${reason}` };
  }

  drop(stats: ListenerStats, reason: DropReason): Action {
    ListenerStats.bump(stats.dropped, reason);
    return { kind: 'drop', reason };
  }
}

export class TurnCore {
  readonly nonces: NonceIssuer;
  private readonly ctx: CoreServices;

  constructor(cfg: CoreConfig) {
    this.nonces = new NonceIssuer(cfg.nonceSecret, cfg.timers.nonceLifetimeS * 1000);
    this.ctx = new CoreServices(cfg);
  }

  /** Allocations held (opening or active). */
  get allocationCount(): number {
    return this.ctx.allocations.size;
  }

  /**
   * The allocations of reflector credential `reflectorUsername` (a session's data-channel leg) may
   * exchange data with relayed address `ip`:`port` (the IP in canonical text), a candidate its
   * page signalled (relay-pairs.ts). Returns an idempotent undo, called as the session ends.
   */
  allowRelayPair(reflectorUsername: string, ip: string, port: number): () => void {
    return this.ctx.pairs.allow(reflectorUsername, `${ip}|${port}`);
  }

  /** Relay pairs registered (tests check that they are released). */
  get relayPairCensus(): number {
    return this.ctx.pairs.size;
  }

  /** The 5-tuple `clientKey` holds an allocation (stream connections without one are closed). */
  hasAllocation(clientKey: string): boolean {
    return this.ctx.allocations.byClientKey(clientKey) !== undefined;
  }

  /** How much state the core holds (tests check that everything is released). */
  census(): AllocationCensus {
    return this.ctx.allocations.census();
  }

  /** The most allocations each credential of `owner` held at once: how near tests come to the per-username quota. */
  credentialPeaks(owner: CredentialOwner, nowMs: number): { ended: PeakHistogram; followedMax: number } {
    return this.ctx.allocations.credentialPeaks(owner, nowMs);
  }

  /**
   * What the relay saw of the RTP between its allocations and peer endpoint `peerKey`
   * (`${ip}|${port}`, the IP in canonical text), live or deleted up to the witness grace; null
   * when no RTP went either way.
   */
  witnessFor(peerKey: string, nowMs: number): RelayWitness | null {
    return this.ctx.witnesses.forPeer(peerKey, nowMs);
  }

  /** How much witness state the core holds (tests check it is bounded and released). */
  witnessCensus(): WitnessCensus {
    return this.ctx.witnesses.census();
  }

  /**
   * The one peer endpoint (`ip|port`) of the allocation on relay socket `relayId` while it has
   * exactly one permission and one channel binding, else null: the runtime connects that relay
   * socket to it (no per-datagram address on the hot path) and disconnects it once there is more.
   */
  singlePeer(relayId: number): { ip: string; port: number; key: string } | null {
    const a = this.ctx.allocations.byRelayId(relayId);
    if (a === undefined || a.state !== 'active' || a.permissionCount !== 1 || a.channelCount !== 1) return null;
    const b = a.onlyChannel();
    return b === undefined ? null : { ip: b.peerIp, port: b.peerPort, key: b.peerKey };
  }

  /** The counters of the listener allocation `relayId`'s client came in on (what a datagram the relay could not send is counted under), or null. */
  listenerOf(relayId: number): ListenerStats | null {
    return this.ctx.allocations.byRelayId(relayId)?.client.listener.stats ?? null;
  }

  /** Whether this relay holds `port` of `family` (bound or reserved). */
  isPortHeld(family: 4 | 6, port: number): boolean {
    return this.ctx.allocations.portsHeld(family).has(port);
  }

  /** Any datagram (or complete stream frame) from a client. */
  handleClient(client: ClientTuple, buf: Buffer, nowMs: number): Action[] {
    if (buf.length === 0) return [this.malformed(client, 'too-short')];
    if (isChannelData(buf[0])) {
      const b = peers.channelDataFromClient(this.ctx, client.key, client.listener.stats, buf, nowMs);
      if (!b) return [];
      const data = buf.subarray(CHANNEL_DATA_HEADER_BYTES, CHANNEL_DATA_HEADER_BYTES + channelDataLength(buf));
      return [{ kind: 'send-peer', relayId: b.alloc.id, ip: b.peerIp, port: b.peerPort, data }];
    }
    let msg: StunMessage;
    try {
      msg = decodeStun(buf);
    } catch (err) {
      if (err instanceof StunDecodeError) return [this.malformed(client, err.reason)];
      throw err;
    }
    if (msg.cls === MessageClass.Request) return this.handleRequest(client, msg, nowMs);
    if (msg.cls === MessageClass.Indication && msg.method === Method.Send) return peers.sendIndication(this.ctx, client, msg, nowMs);
    return [this.ctx.drop(client.listener.stats, msg.cls === MessageClass.Indication ? 'unexpected-indication' : 'unexpected-response')];
  }

  /**
   * Fast path for ChannelData from a client (by 5-tuple key, no tuple object needed): the
   * binding to relay the message's data through, or undefined (dropped and counted). `tos`: the
   * datagram's traffic class as it arrived (-1: not read), for the witness.
   */
  channelDataFromClient(clientKey: string, stats: ListenerStats, buf: Buffer, nowMs: number, tos = -1): ChannelBinding | undefined {
    return peers.channelDataFromClient(this.ctx, clientKey, stats, buf, nowMs, tos);
  }

  /**
   * Fast path for a datagram on relay socket `relayId`: where and how it goes to the client
   * (send `frame(buf)` to `client`), or undefined (dropped). `peerKey` must be `${ip}|${port}`
   * (callers may cache it).
   */
  dataFromPeer(
    relayId: number,
    ip: string,
    port: number,
    buf: Buffer,
    nowMs: number,
    peerKey: string = ip + '|' + port,
  ): ChannelBinding | DataIndication | undefined {
    return peers.dataFromPeer(this.ctx, relayId, ip, port, peerKey, buf, nowMs);
  }

  /** The relay's fast path took datagram `d` of stream `ssrc` on binding `b`: counted as the two hot paths above count it (peers.fastTaken). */
  fastTaken(b: ChannelBinding, ssrc: number, d: Readonly<FastDatagram>, nowMs: number): void {
    peers.fastTaken(this.ctx, b, ssrc, d, nowMs);
  }

  /** Whether binding `b` of relay `relayId` still relays (its allocation, channel and permission alive, the peer allowed): else its fast entry ends. */
  fastStillRelays(relayId: number, b: ChannelBinding, nowMs: number): boolean {
    return peers.fastStillRelays(this.ctx, relayId, b, nowMs);
  }

  private handleRequest(client: ClientTuple, msg: StunMessage, nowMs: number): Action[] {
    if (msg.method === Method.Binding) return this.binding(client, msg);
    const known =
      msg.method === Method.Allocate || msg.method === Method.Refresh || msg.method === Method.CreatePermission || msg.method === Method.ChannelBind;
    if (!known) {
      return this.ctx.refuse(unauthenticated(client, msg), ErrorCodes.BadRequest, 'unknown-method', `method 0x${msg.method.toString(16)}`);
    }
    const auth = authenticate(msg, client, nowMs, this.ctx.cfg, this.nonces);
    if (!auth.ok) return auth.actions;
    const req: AuthedRequest = { msg, client, username: auth.username, sec: { key: auth.key, integrity: auth.integrity } };
    const unknown = unknownRequiredAttrs(msg);
    if (unknown.length > 0) {
      return this.ctx.refuse(req, ErrorCodes.UnknownAttribute, 'unknown-attribute', `attributes ${unknown.map((t) => `0x${t.toString(16)}`).join(',')}`, (w) =>
        addUnknownAttributes(w, unknown),
      );
    }
    switch (msg.method) {
      case Method.Allocate:
        return allocate.allocate(this.ctx, req, auth.key, nowMs);
      case Method.Refresh:
        return allocate.refresh(this.ctx, req, nowMs);
      case Method.CreatePermission:
        return peers.createPermission(this.ctx, req, nowMs);
      default:
        return peers.channelBind(this.ctx, req, nowMs);
    }
  }

  /** RFC 8489 §6.3.1: Binding request -> XOR-MAPPED-ADDRESS, no authentication. */
  private binding(client: ClientTuple, msg: StunMessage): Action[] {
    const unknown = unknownRequiredAttrs(msg);
    if (unknown.length > 0) {
      return this.ctx.refuse(unauthenticated(client, msg), ErrorCodes.UnknownAttribute, 'unknown-attribute', 'binding', (w) =>
        addUnknownAttributes(w, unknown),
      );
    }
    const data = successResponse(msg, null, this.ctx.cfg.software, (w) =>
      addXorAddress(w, Attr.XorMappedAddress, { ip: parseIp(client.ip), port: client.port }),
    );
    return [{ kind: 'send-client', client, data }];
  }

  /** The relay socket for `relayId` is bound on `port`. */
  relayOpened(relayId: number, port: number, nowMs: number): Action[] {
    return allocate.relayOpened(this.ctx, relayId, port, nowMs);
  }

  /** Binding the relay socket failed (port in use or other error): try another port or answer 508. */
  relayOpenFailed(relayId: number, detail: string, nowMs: number): Action[] {
    return allocate.relayOpenFailed(this.ctx, relayId, detail, nowMs);
  }

  /** A stream connection closed: its allocation goes with it (RFC 8656 §3.1). */
  clientClosed(client: ClientTuple, nowMs: number): Action[] {
    const a = this.ctx.allocations.byClientKey(client.key);
    return a ? this.ctx.deleteAllocation(a, 'connection-closed', nowMs) : [];
  }

  /** Expires allocations (§7), permissions (§9), channels (§12) and reservations; schedules the next call. */
  onTimer(nowMs: number): Action[] {
    this.ctx.timerFired();
    const { due, nextMs } = this.ctx.allocations.expire(nowMs);
    const out: Action[] = [];
    for (const a of due) out.push(...this.ctx.deleteAllocation(a, 'expired', nowMs));
    this.ctx.schedule(nextMs, out);
    return out;
  }

  /** Counts undecodable input from `client` (also used by the stream transport's framer). */
  malformed(client: ClientTuple, reason: MalformedReason): Action {
    return this.ctx.malformed(client.listener.stats, reason);
  }
}

/** A request answered before (or without) authentication: no key, SHA1 by default. */
function unauthenticated(client: ClientTuple, msg: StunMessage): AuthedRequest {
  return { msg, client, username: '', sec: { key: null, integrity: 'sha1' } };
}
