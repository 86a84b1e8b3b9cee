/**
 * The Sans-IO TURN server core (RFC 8656). Input: a datagram or stream frame plus its 5-tuple
 * and the current time. Output: actions. No sockets, no timers, no clock inside.
 *
 * Request handling lives in allocate.ts (Allocate, Refresh) and peers.ts (CreatePermission,
 * ChannelBind, Send, ChannelData, data from peers); this file owns the state and dispatch.
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
} from '../codec/index.js';
import { ListenerStats } from '../metrics.js';
import { parseIp } from '../net/ip.js';
import { Allocation, type ChannelBinding, type DataIndication, type Reservation } from './allocation.js';
import { randomBytes } from 'node:crypto';
import { authenticate } from './auth.js';
import { NonceIssuer } from './nonce.js';
import { errorResponse, successResponse, type ReplySecurity } from './respond.js';
import type { DropReason, MalformedReason, RefusalReason } from './reasons.js';
import type { Action, ClientTuple, CoreConfig } from './types.js';
import * as allocate from './allocate.js';
import * as peers from './peers.js';

/** A request that passed authentication. */
export interface AuthedRequest {
  readonly msg: StunMessage;
  readonly client: ClientTuple;
  readonly username: string;
  readonly sec: ReplySecurity;
}

/** RFC 8656 §7.2: a reservation lives about 30 seconds. */
const RESERVATION_LIFETIME_MS = 30_000;

export class TurnCore {
  readonly nonces: NonceIssuer;
  /** Allocations by client 5-tuple key (RFC 8656 §2.2). */
  readonly byClient = new Map<string, Allocation>();
  /** Allocations by relay socket id. */
  readonly byId = new Map<number, Allocation>();
  readonly portsInUse = { 4: new Set<number>(), 6: new Set<number>() };
  /** `${ip}|${port}` of every open relayed address: peers that are always allowed. */
  readonly ownRelayKeys = new Set<string>();
  readonly perUser = new Map<string, number>();
  readonly perIp = new Map<string, number>();
  ownGeneration = 0;
  /** RESERVATION-TOKEN (hex) -> reserved port (RFC 8656 §7.2, §14.9). */
  readonly reservations = new Map<string, Reservation>();
  private nextId = 1;
  private timerAtMs = Number.POSITIVE_INFINITY;

  constructor(readonly cfg: CoreConfig) {
    this.nonces = new NonceIssuer(cfg.nonceSecret, cfg.timers.nonceLifetimeS * 1000);
  }

  /** Combined generation of the peer policy and of our own relayed addresses. */
  get policyGeneration(): number {
    return this.ownGeneration + this.cfg.peerPolicy.generation;
  }

  get allocationCount(): number {
    return this.byClient.size;
  }

  allocateId(): number {
    return this.nextId++;
  }

  /** Any datagram (or complete stream frame) from a client. */
  handleClient(client: ClientTuple, buf: Buffer, nowMs: number): Action[] {
    if (buf.length === 0) return [this.malformed(client, 'too-short')];
    if (isChannelData(buf[0])) {
      const b = peers.channelDataFromClient(this, client.key, client.listener.stats, buf, nowMs);
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
    if (msg.cls === MessageClass.Indication && msg.method === Method.Send) return peers.sendIndication(this, client, msg, nowMs);
    return [this.drop(client.listener.stats, msg.cls === MessageClass.Indication ? 'unexpected-indication' : 'unexpected-response')];
  }

  /**
   * Fast path for ChannelData from a client (by 5-tuple key, no tuple object needed): the
   * binding to relay `buf[4 .. 4+length]` through, or undefined (dropped and counted).
   */
  channelDataFromClient(clientKey: string, stats: ListenerStats, buf: Buffer, nowMs: number): ChannelBinding | undefined {
    return peers.channelDataFromClient(this, clientKey, stats, buf, nowMs);
  }

  /**
   * Fast path for a datagram on relay socket `relayId`: a channel binding, a Data indication,
   * or undefined (dropped). `peerKey` must be `${ip}|${port}` (callers may cache it).
   */
  dataFromPeer(
    relayId: number,
    ip: string,
    port: number,
    buf: Buffer,
    nowMs: number,
    peerKey: string = ip + '|' + port,
  ): ChannelBinding | DataIndication | undefined {
    return peers.dataFromPeer(this, relayId, ip, port, peerKey, buf, nowMs);
  }

  private handleRequest(client: ClientTuple, msg: StunMessage, nowMs: number): Action[] {
    if (msg.method === Method.Binding) return this.binding(client, msg);
    const known =
      msg.method === Method.Allocate ||
      msg.method === Method.Refresh ||
      msg.method === Method.CreatePermission ||
      msg.method === Method.ChannelBind;
    if (!known) return this.refuse({ msg, client, username: '', sec: { key: null, integrity: 'sha1' } }, ErrorCodes.BadRequest, 'unknown-method', `method 0x${msg.method.toString(16)}`);
    const auth = authenticate(msg, client, nowMs, this.cfg, this.nonces);
    if (!auth.ok) return auth.actions;
    const req: AuthedRequest = { msg, client, username: auth.username, sec: { key: auth.key, integrity: auth.integrity } };
    const unknown = unknownRequiredAttrs(msg);
    if (unknown.length > 0) {
      return this.refuse(req, ErrorCodes.UnknownAttribute, 'unknown-attribute', `attributes ${unknown.map((t) => `0x${t.toString(16)}`).join(',')}`, (w) =>
        addUnknownAttributes(w, unknown),
      );
    }
    switch (msg.method) {
      case Method.Allocate:
        return allocate.allocate(this, req, auth.key, nowMs);
      case Method.Refresh:
        return allocate.refresh(this, req, nowMs);
      case Method.CreatePermission:
        return peers.createPermission(this, req, nowMs);
      default:
        return peers.channelBind(this, req, nowMs);
    }
  }

  /** RFC 8489 §6.3.1: Binding request -> XOR-MAPPED-ADDRESS, no authentication. */
  private binding(client: ClientTuple, msg: StunMessage): Action[] {
    const unknown = unknownRequiredAttrs(msg);
    if (unknown.length > 0) {
      return this.refuse({ msg, client, username: '', sec: { key: null, integrity: 'sha1' } }, ErrorCodes.UnknownAttribute, 'unknown-attribute', 'binding', (w) =>
        addUnknownAttributes(w, unknown),
      );
    }
    const data = successResponse(msg, null, this.cfg.software, (w) =>
      addXorAddress(w, Attr.XorMappedAddress, { ip: parseIp(client.ip), port: client.port }),
    );
    return [{ kind: 'send-client', client, data }];
  }

  /** The relay socket for `relayId` is bound on `port`. */
  relayOpened(relayId: number, port: number, nowMs: number): Action[] {
    return allocate.relayOpened(this, relayId, port, nowMs);
  }

  /** Binding the relay socket failed (port in use or other error): try another port or answer 508. */
  relayOpenFailed(relayId: number, detail: string, nowMs: number): Action[] {
    return allocate.relayOpenFailed(this, relayId, detail, nowMs);
  }

  /** A stream connection closed: its allocation goes with it (RFC 8656 §3.1). */
  clientClosed(client: ClientTuple, nowMs: number): Action[] {
    const a = this.byClient.get(client.key);
    return a ? this.deleteAllocation(a, 'connection-closed', nowMs) : [];
  }

  /** Holds `port` back for 30 s (RFC 8656 §7.2 step 9 of EVEN-PORT); returns the token (hex). */
  reserve(family: 4 | 6, port: number, nowMs: number): string {
    const token = randomBytes(8).toString('hex');
    this.reservations.set(token, { family, port, expiresAtMs: nowMs + RESERVATION_LIFETIME_MS });
    this.portsInUse[family].add(port);
    return token;
  }

  /** Consumes a reservation; the port stays marked in use for the new allocation. */
  takeReservation(token: string, nowMs: number): Reservation | undefined {
    const r = this.reservations.get(token);
    if (!r) return undefined;
    this.reservations.delete(token);
    if (r.expiresAtMs <= nowMs) {
      this.portsInUse[r.family].delete(r.port);
      return undefined;
    }
    return r;
  }

  /** Expires allocations (§7), permissions (§9) and channels (§12); schedules the next call. */
  onTimer(nowMs: number): Action[] {
    const out: Action[] = [];
    this.timerAtMs = Number.POSITIVE_INFINITY;
    let next = Number.POSITIVE_INFINITY;
    for (const [token, r] of this.reservations) {
      if (r.expiresAtMs <= nowMs) {
        this.reservations.delete(token);
        this.portsInUse[r.family].delete(r.port);
      } else next = Math.min(next, r.expiresAtMs);
    }
    for (const a of [...this.byClient.values()]) {
      if (a.expiresAtMs <= nowMs) {
        out.push(...this.deleteAllocation(a, 'expired', nowMs));
        continue;
      }
      next = Math.min(next, a.expiresAtMs);
      for (const [ip, p] of a.permissions) {
        if (p.expiresAtMs <= nowMs) a.permissions.delete(ip);
        else next = Math.min(next, p.expiresAtMs);
      }
      for (const [num, c] of a.channels) {
        if (c.expiresAtMs <= nowMs) {
          a.channels.delete(num);
          a.channelsByPeer.delete(c.peerKey);
        } else next = Math.min(next, c.expiresAtMs);
      }
    }
    this.schedule(next, out);
    return out;
  }

  /** Adds a timer action when `atMs` is earlier than the one already scheduled. */
  schedule(atMs: number, out: Action[]): void {
    if (atMs < this.timerAtMs && Number.isFinite(atMs)) {
      this.timerAtMs = atMs;
      out.push({ kind: 'timer', atMs });
    }
  }

  deleteAllocation(a: Allocation, reason: string, nowMs: number): Action[] {
    if (this.byClient.get(a.client.key) === a) this.byClient.delete(a.client.key);
    this.byId.delete(a.id);
    const dec = (m: Map<string, number>, k: string): void => {
      const n = (m.get(k) ?? 1) - 1;
      if (n <= 0) m.delete(k);
      else m.set(k, n);
    };
    dec(this.perUser, a.username);
    dec(this.perIp, a.client.ip);
    if (a.state === 'active') {
      this.portsInUse[a.family].delete(a.relayPort);
      this.ownRelayKeys.delete(a.relayKey);
      this.ownGeneration++;
      a.client.listener.stats.allocationsActive--;
    }
    a.permissions.clear();
    a.channels.clear();
    a.channelsByPeer.clear();
    const lived = a.state === 'active';
    a.state = 'opening';
    return [
      { kind: 'close-relay', relayId: a.id },
      {
        kind: 'log',
        level: lived ? 'info' : 'debug',
        msg: `TURN allocation deleted (${reason})`,
        fields: { reason, relayId: a.id, username: a.username, client: `${a.client.ip}:${a.client.port}`, nowMs },
      },
    ];
  }

  /** Sends an error response, counts the refusal and logs one line. */
  refuse(
    req: AuthedRequest,
    code: ErrorCodeNumber,
    reason: RefusalReason,
    detail: string,
    fill?: Parameters<typeof errorResponse>[4],
  ): Action[] {
    const data = errorResponse(req.msg, code, req.sec.key ? req.sec : null, this.cfg.software, fill);
    ListenerStats.bump(req.client.listener.stats.refusals, reason);
    return [
      { kind: 'send-client', client: req.client, data },
      {
        kind: 'log',
        level: 'warn',
        msg: `TURN request refused: ${detail}`,
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

  malformed(client: ClientTuple, reason: MalformedReason): Action {
    return this.malformedOn(client.listener.stats, reason);
  }

  malformedOn(stats: ListenerStats, reason: MalformedReason): Action {
    ListenerStats.bump(stats.malformed, reason);
    return { kind: 'drop', reason: `malformed:${reason}` };
  }

  drop(stats: ListenerStats, reason: DropReason): Action {
    ListenerStats.bump(stats.dropped, reason);
    return { kind: 'drop', reason };
  }
}
