/**
 * Everything that involves a peer: CreatePermission (RFC 8656 §9-10), ChannelBind (§12),
 * Send indications (§11), ChannelData from clients (§12.6) and data from peers (§11.3, §12.7).
 * The two data paths are the hot path: map lookups by precomputed keys, cached policy
 * decisions, no allocation beyond the returned views.
 */
import {
  Attr,
  CHANNEL_DATA_HEADER_BYTES,
  CHANNEL_MAX,
  CHANNEL_MIN,
  ErrorCodes,
  MessageClass,
  Method,
  StunDecodeError,
  StunWriter,
  addXorAddress,
  channelDataLength,
  channelDataNumber,
  decodeXorAddress,
  findAllAttrs,
  findAttr,
  readChannelNumber,
  readData,
  unknownRequiredAttrs,
  type StunMessage,
  type TransportAddress,
} from '../codec/index.js';
import { formatIp, type IpAddress } from '../../../src/protocol/ip.js';
import { DataIndication, type Allocation, type ChannelBinding } from './allocation.js';
import type { AuthedRequest, CoreContext } from './context.js';
import { RelayPairs } from './relay-pairs.js';
import { successResponse } from './respond.js';
import type { Action, ClientTuple, FastDatagram } from './types.js';
import type { PeerIpDecision } from '../policy/peer-policy.js';
import type { ListenerStats } from '../metrics.js';

/** IP-level peer decision: the peer policy, or one of our own relayed IPs (RFC 8656 §9). */
function ipDecision(ctx: CoreContext, ip: IpAddress, ipText: string): PeerIpDecision | { allowed: true; via: 'own-relay' } {
  const d = ctx.cfg.peerPolicy.checkIp(ip, ipText);
  if (d.allowed) return d;
  if (ctx.cfg.relayAddresses[ip.family] === ipText && ctx.allocations.hasOwnRelays) return { allowed: true, via: 'own-relay' };
  return d;
}

/** Why data to or from `peerKey` was not allowed: a relayed address that is no relay pair of the allocation, or any other peer. */
function notAllowed(ctx: CoreContext, peerKey: string): 'peer-other-test' | 'peer-not-allowed' {
  return ctx.isRelayAddress(peerKey) ? 'peer-other-test' : 'peer-not-allowed';
}

function activeAllocation(ctx: CoreContext, req: AuthedRequest): Allocation | Action[] {
  const a = ctx.allocations.byClientKey(req.client.key);
  if (!a || a.state !== 'active') return ctx.refuse(req, ErrorCodes.AllocationMismatch, 'no-allocation', 'no allocation on this 5-tuple');
  if (a.username !== req.username) return ctx.refuse(req, ErrorCodes.WrongCredentials, 'wrong-username', 'username differs from the allocation');
  return a;
}

interface CheckedPeer {
  readonly addr: TransportAddress;
  readonly ipText: string;
  readonly cidrAllowed: boolean;
}

/** Decodes and checks one XOR-PEER-ADDRESS: family (443) and policy (403). */
function checkPeer(ctx: CoreContext, req: AuthedRequest, a: Allocation, attr: NonNullable<ReturnType<typeof findAttr>>): CheckedPeer | Action[] {
  let addr: TransportAddress;
  try {
    addr = decodeXorAddress(req.msg, attr);
  } catch (err) {
    if (!(err instanceof StunDecodeError)) throw err;
    return ctx.refuse(req, ErrorCodes.BadRequest, 'bad-request', `XOR-PEER-ADDRESS: ${err.message}`);
  }
  if (addr.ip.family !== a.family) {
    return ctx.refuse(req, ErrorCodes.PeerAddressFamilyMismatch, 'peer-family', `IPv${addr.ip.family} peer on an IPv${a.family} allocation`);
  }
  const ipText = formatIp(addr.ip);
  const d = ipDecision(ctx, addr.ip, ipText);
  if (!d.allowed) {
    return ctx.refuse(req, ErrorCodes.Forbidden, `peer-${d.reason}`, `peer ${ipText} not allowed (${d.reason}${d.range ? `: ${d.range}` : ''})`);
  }
  return { addr, ipText, cidrAllowed: d.via === 'cidr' };
}

/** RFC 8656 §9.2: CreatePermission; all peers must pass or none is installed. */
export function createPermission(ctx: CoreContext, req: AuthedRequest, nowMs: number): Action[] {
  const a = activeAllocation(ctx, req);
  if (Array.isArray(a)) return a;
  const attrs = findAllAttrs(req.msg, Attr.XorPeerAddress);
  if (attrs.length === 0) return ctx.refuse(req, ErrorCodes.BadRequest, 'bad-request', 'CreatePermission without XOR-PEER-ADDRESS');
  const checked: CheckedPeer[] = [];
  for (const attr of attrs) {
    const c = checkPeer(ctx, req, a, attr);
    if (Array.isArray(c)) return c;
    checked.push(c);
  }
  const fresh = new Set(checked.map((c) => c.ipText).filter((ip) => !a.hasPermission(ip)));
  if (a.permissionCount + fresh.size > ctx.cfg.quotas.maxPermissionsPerAllocation) {
    return ctx.refuse(req, ErrorCodes.InsufficientCapacity, 'quota-permissions', `allocation holds ${a.permissionCount} permissions`);
  }
  const expiresAtMs = nowMs + ctx.cfg.timers.permissionLifetimeS * 1000;
  for (const c of checked) a.installPermission(c.addr.ip, c.ipText, c.cidrAllowed, expiresAtMs);
  const out: Action[] = [{ kind: 'send-client', client: req.client, data: successResponse(req.msg, req.sec, ctx.cfg.software, () => undefined) }];
  ctx.schedule(nowMs + ctx.cfg.timers.permissionLifetimeS * 1000, out);
  return out;
}

/**
 * RFC 8656 §12.2: ChannelBind. Channel numbers 0x4000-0x7FFF are accepted (the RFC 5766 §11
 * range): RFC 8656 narrows new bindings to 0x4000-0x4FFF, but Chromium (webrtc turn_port.cc)
 * still picks up to 0x7FFF and coturn accepts them, so refusing would break real clients.
 */
export function channelBind(ctx: CoreContext, req: AuthedRequest, nowMs: number): Action[] {
  const a = activeAllocation(ctx, req);
  if (Array.isArray(a)) return a;
  let channel: number | undefined;
  try {
    channel = readChannelNumber(req.msg);
  } catch (err) {
    if (!(err instanceof StunDecodeError)) throw err;
    return ctx.refuse(req, ErrorCodes.BadRequest, 'bad-request', err.message);
  }
  if (channel === undefined) return ctx.refuse(req, ErrorCodes.BadRequest, 'bad-request', 'ChannelBind without CHANNEL-NUMBER');
  if (channel < CHANNEL_MIN || channel > CHANNEL_MAX) {
    return ctx.refuse(req, ErrorCodes.BadRequest, 'bad-channel-number', `channel 0x${channel.toString(16)} outside 0x4000-0x7FFF`);
  }
  const attrs = findAllAttrs(req.msg, Attr.XorPeerAddress);
  const attr = attrs[0];
  if (!attr || attrs.length > 1) return ctx.refuse(req, ErrorCodes.BadRequest, 'bad-request', 'ChannelBind needs exactly one XOR-PEER-ADDRESS');
  const c = checkPeer(ctx, req, a, attr);
  if (Array.isArray(c)) return c;
  const peerKey = `${c.ipText}|${c.addr.port}`;
  const other = ctx.allocations.ownRelayAt(peerKey);
  if (other !== undefined && !RelayPairs.bindable(a, other)) {
    return ctx.refuse(req, ErrorCodes.Forbidden, 'peer-other-test', `peer ${peerKey} is another test's relayed address`);
  }
  const byNumber = a.channel(channel);
  const byPeer = a.channelForPeer(peerKey);
  if (byNumber && byNumber.peerKey !== peerKey) {
    return ctx.refuse(req, ErrorCodes.BadRequest, 'channel-in-use', `channel 0x${channel.toString(16)} is bound to another peer`);
  }
  if (byPeer && byPeer.channel !== channel) {
    return ctx.refuse(req, ErrorCodes.BadRequest, 'peer-bound', `peer ${peerKey} is bound to channel 0x${byPeer.channel.toString(16)}`);
  }
  const q = ctx.cfg.quotas;
  if (!byNumber && a.channelCount >= q.maxChannelsPerAllocation) {
    return ctx.refuse(req, ErrorCodes.InsufficientCapacity, 'quota-channels', `allocation holds ${a.channelCount} channels`);
  }
  if (!a.hasPermission(c.ipText) && a.permissionCount >= q.maxPermissionsPerAllocation) {
    return ctx.refuse(req, ErrorCodes.InsufficientCapacity, 'quota-permissions', `allocation holds ${a.permissionCount} permissions`);
  }
  const perm = a.installPermission(c.addr.ip, c.ipText, c.cidrAllowed, nowMs + ctx.cfg.timers.permissionLifetimeS * 1000);
  const expiresAtMs = nowMs + ctx.cfg.timers.channelLifetimeS * 1000;
  if (byNumber) byNumber.refresh(perm, expiresAtMs);
  else a.bindChannel(channel, c.ipText, c.addr.port, peerKey, perm, expiresAtMs);
  const out: Action[] = [{ kind: 'send-client', client: req.client, data: successResponse(req.msg, req.sec, ctx.cfg.software, () => undefined) }];
  ctx.schedule(perm.expiresAtMs, out);
  return out;
}

/** RFC 8656 §12.6: ChannelData from the client, with its traffic class as it arrived (-1: not read). Returns the binding to relay through. */
export function channelDataFromClient(
  ctx: CoreContext,
  clientKey: string,
  stats: ListenerStats,
  buf: Buffer,
  nowMs: number,
  tos = -1,
): ChannelBinding | undefined {
  const len = channelDataLength(buf);
  if (len < 0) {
    ctx.malformed(stats, 'bad-channel-data');
    return undefined;
  }
  const a = ctx.allocations.byClientKey(clientKey);
  if (!a || a.state !== 'active') {
    ctx.drop(stats, 'no-allocation');
    return undefined;
  }
  const b = a.channel(channelDataNumber(buf));
  if (!b || b.expiresAtMs <= nowMs) {
    ctx.drop(stats, 'no-channel');
    return undefined;
  }
  const perm = b.livePermission(nowMs);
  if (!perm) {
    ctx.drop(stats, 'no-permission');
    return undefined;
  }
  if (!b.allowed(perm, ctx)) {
    ctx.drop(stats, notAllowed(ctx, b.peerKey));
    return undefined;
  }
  if (!a.toPeer.take(len, nowMs)) {
    ctx.drop(stats, 'bandwidth');
    return undefined;
  }
  stats.packetsToPeer++;
  stats.bytesToPeer += len;
  ctx.witnesses.observe(a.id, b.peerKey, 'up', buf, CHANNEL_DATA_HEADER_BYTES, len, nowMs, tos);
  return b;
}

/**
 * The relay's fast path took datagram `d` of the client's stream `ssrc` on binding `b` (the peer
 * answered it in C): counted as channelDataFromClient and dataFromPeer count the datagram and its
 * answer, when the relay drains it. The fast entry's own rate bounded what it took; the
 * allocation's buckets are charged as they would have been (what they would refuse was sent).
 */
export function fastTaken(ctx: CoreContext, b: ChannelBinding, ssrc: number, d: Readonly<FastDatagram>, nowMs: number): void {
  const a = b.alloc;
  const stats = a.client.listener.stats;
  const arrival = (atMs: number): number => (ctx.witnesses.ownClock ? atMs : nowMs);
  // Drained as its allocation ends (deleted): its witness is retired already, and is not made again.
  const witnessed = a.state === 'active';
  a.toPeer.take(d.dataBytes, nowMs);
  stats.packetsToPeer++;
  stats.bytesToPeer += d.dataBytes;
  if (witnessed) ctx.witnesses.observeRtp(a.id, b.peerKey, 'up', ssrc, d.upSeq, d.upTimestamp, d.upPadding, arrival(d.recvMs), d.tos);
  if (d.answerBytes === 0) return;
  a.toClient.take(d.answerBytes, nowMs);
  stats.packetsToClient++;
  stats.bytesToClient += d.answerBytes;
  if (witnessed) ctx.witnesses.observeRtp(a.id, b.peerKey, 'down', d.answerSsrc, d.answerSeq, d.answerTimestamp, false, arrival(d.recvMs));
}

/** Whether binding `b` of relay `relayId` still relays as it did when its fast entry was made: the allocation, the channel and its permission alive, the peer allowed. */
export function fastStillRelays(ctx: CoreContext, relayId: number, b: ChannelBinding, nowMs: number): boolean {
  const a = ctx.allocations.byRelayId(relayId);
  if (!a || a.state !== 'active' || a !== b.alloc || a.channel(b.channel) !== b || b.expiresAtMs <= nowMs) return false;
  const perm = b.livePermission(nowMs);
  return perm !== undefined && b.allowed(perm, ctx);
}

/** RFC 8656 §11.2: Send indication (never answered; failures are dropped and counted). */
export function sendIndication(ctx: CoreContext, client: ClientTuple, msg: StunMessage, nowMs: number): Action[] {
  const stats = client.listener.stats;
  const a = ctx.allocations.byClientKey(client.key);
  if (!a || a.state !== 'active') return [ctx.drop(stats, 'no-allocation')];
  if (unknownRequiredAttrs(msg).length > 0) return [ctx.drop(stats, 'unknown-attribute')];
  const attr = findAttr(msg, Attr.XorPeerAddress);
  const data = readData(msg);
  if (!attr || !data) return [ctx.malformed(stats, 'send-missing-attribute')];
  let addr: TransportAddress;
  try {
    addr = decodeXorAddress(msg, attr);
  } catch (err) {
    if (!(err instanceof StunDecodeError)) throw err;
    return [ctx.malformed(stats, 'bad-attribute')];
  }
  if (addr.ip.family !== a.family) return [ctx.drop(stats, 'peer-family')];
  const ipText = formatIp(addr.ip);
  const perm = a.permissionFor(ipText, nowMs);
  if (!perm) return [ctx.drop(stats, 'no-permission')];
  const peerKey = `${ipText}|${addr.port}`;
  if (!ctx.endpointAllowed(a, perm, ipText, addr.port, peerKey)) return [ctx.drop(stats, notAllowed(ctx, peerKey))];
  if (!a.toPeer.take(data.length, nowMs)) return [ctx.drop(stats, 'bandwidth')];
  stats.packetsToPeer++;
  stats.bytesToPeer += data.length;
  ctx.witnesses.observe(a.id, peerKey, 'up', data, 0, data.length, nowMs);
  return [{ kind: 'send-peer', relayId: a.id, ip: ipText, port: addr.port, data }];
}

/** RFC 8656 §11.3, §12.7: a datagram from a peer on relay socket `relayId`. */
export function dataFromPeer(
  ctx: CoreContext,
  relayId: number,
  ip: string,
  port: number,
  peerKey: string,
  buf: Buffer,
  nowMs: number,
): ChannelBinding | DataIndication | undefined {
  const a = ctx.allocations.byRelayId(relayId);
  if (!a || a.state !== 'active') return undefined;
  const stats = a.client.listener.stats;
  const b = a.channelForPeer(peerKey);
  if (b && b.expiresAtMs > nowMs) {
    const perm = b.livePermission(nowMs);
    if (!perm) {
      ctx.drop(stats, 'peer-no-permission');
      return undefined;
    }
    if (!b.allowed(perm, ctx)) {
      ctx.drop(stats, notAllowed(ctx, peerKey));
      return undefined;
    }
    if (!a.toClient.take(buf.length, nowMs)) {
      ctx.drop(stats, 'bandwidth');
      return undefined;
    }
    stats.packetsToClient++;
    stats.bytesToClient += buf.length;
    ctx.witnesses.observe(a.id, peerKey, 'down', buf, 0, buf.length, nowMs);
    return b;
  }
  const perm = a.permissionFor(ip, nowMs);
  if (!perm) {
    ctx.drop(stats, 'peer-no-permission');
    return undefined;
  }
  if (!ctx.endpointAllowed(a, perm, ip, port, peerKey)) {
    ctx.drop(stats, notAllowed(ctx, peerKey));
    return undefined;
  }
  if (buf.length > 0xffff - 64 || !a.toClient.take(buf.length, nowMs)) {
    ctx.drop(stats, 'bandwidth');
    return undefined;
  }
  // §11.3: Data indication with XOR-PEER-ADDRESS and DATA, random transaction ID.
  const w = new StunWriter(Method.Data, MessageClass.Indication, ctx.indicationTid());
  addXorAddress(w, Attr.XorPeerAddress, { ip: perm.ip, port });
  w.add(Attr.Data, buf);
  stats.packetsToClient++;
  stats.bytesToClient += buf.length;
  ctx.witnesses.observe(a.id, peerKey, 'down', buf, 0, buf.length, nowMs);
  return new DataIndication(a.client, w.build());
}
