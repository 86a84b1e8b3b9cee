/**
 * Everything that involves a peer: CreatePermission (RFC 8656 §9-10), ChannelBind (§12),
 * Send indications (§11), ChannelData from clients (§12.6) and data from peers (§11.3, §12.7).
 * The two data paths are the hot path: map lookups by precomputed keys, cached policy
 * decisions, no allocation beyond the returned views.
 */
import {
  Attr,
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
import { formatIp, type IpAddress } from '../net/ip.js';
import { ChannelBinding, DataIndication, Permission, type Allocation } from './allocation.js';
import { successResponse } from './respond.js';
import type { AuthedRequest, TurnCore } from './turn-core.js';
import type { Action, ClientTuple } from './types.js';
import type { PeerIpDecision } from '../policy/peer-policy.js';
import type { ListenerStats } from '../metrics.js';

/** IP-level peer decision: the peer policy, or one of our own relayed IPs (RFC 8656 §9). */
function ipDecision(core: TurnCore, ip: IpAddress, ipText: string): PeerIpDecision | { allowed: true; via: 'own-relay' } {
  const d = core.cfg.peerPolicy.checkIp(ip, ipText);
  if (d.allowed) return d;
  if (core.cfg.relayAddresses[ip.family] === ipText && core.ownRelayKeys.size > 0) return { allowed: true, via: 'own-relay' };
  return d;
}

/** Exact-endpoint decision when data is relayed: CIDR-allowed IP, own relayed address, or registered endpoint. */
function endpointAllowed(core: TurnCore, perm: Permission, ipText: string, port: number, peerKey: string): boolean {
  return perm.cidrAllowed || core.ownRelayKeys.has(peerKey) || core.cfg.peerPolicy.endpointRegistered(ipText, port);
}

function activeAllocation(core: TurnCore, req: AuthedRequest): Allocation | Action[] {
  const a = core.byClient.get(req.client.key);
  if (!a || a.state !== 'active') return core.refuse(req, ErrorCodes.AllocationMismatch, 'no-allocation', 'no allocation on this 5-tuple');
  if (a.username !== req.username) return core.refuse(req, ErrorCodes.WrongCredentials, 'wrong-username', 'username differs from the allocation');
  return a;
}

function installPermission(core: TurnCore, a: Allocation, ip: IpAddress, ipText: string, cidrAllowed: boolean, nowMs: number): Permission {
  const expiresAtMs = nowMs + core.cfg.timers.permissionLifetimeS * 1000;
  let p = a.permissions.get(ipText);
  if (p && p.cidrAllowed === cidrAllowed) p.expiresAtMs = expiresAtMs;
  else {
    p = new Permission(ipText, ip, expiresAtMs, cidrAllowed);
    a.permissions.set(ipText, p);
  }
  return p;
}

interface CheckedPeer {
  readonly addr: TransportAddress;
  readonly ipText: string;
  readonly cidrAllowed: boolean;
}

/** Decodes and checks one XOR-PEER-ADDRESS: family (443) and policy (403). */
function checkPeer(core: TurnCore, req: AuthedRequest, a: Allocation, attr: NonNullable<ReturnType<typeof findAttr>>): CheckedPeer | Action[] {
  let addr: TransportAddress;
  try {
    addr = decodeXorAddress(req.msg, attr);
  } catch (err) {
    if (!(err instanceof StunDecodeError)) throw err;
    return core.refuse(req, ErrorCodes.BadRequest, 'bad-request', `XOR-PEER-ADDRESS: ${err.message}`);
  }
  if (addr.ip.family !== a.family) {
    return core.refuse(req, ErrorCodes.PeerAddressFamilyMismatch, 'peer-family', `IPv${addr.ip.family} peer on an IPv${a.family} allocation`);
  }
  const ipText = formatIp(addr.ip);
  const d = ipDecision(core, addr.ip, ipText);
  if (!d.allowed) {
    return core.refuse(req, ErrorCodes.Forbidden, `peer-${d.reason}`, `peer ${ipText} not allowed (${d.reason}${d.range ? `: ${d.range}` : ''})`);
  }
  return { addr, ipText, cidrAllowed: d.via === 'cidr' };
}

/** RFC 8656 §9.2: CreatePermission; all peers must pass or none is installed. */
export function createPermission(core: TurnCore, req: AuthedRequest, nowMs: number): Action[] {
  const a = activeAllocation(core, req);
  if (Array.isArray(a)) return a;
  const attrs = findAllAttrs(req.msg, Attr.XorPeerAddress);
  if (attrs.length === 0) return core.refuse(req, ErrorCodes.BadRequest, 'bad-request', 'CreatePermission without XOR-PEER-ADDRESS');
  const checked: CheckedPeer[] = [];
  for (const attr of attrs) {
    const c = checkPeer(core, req, a, attr);
    if (Array.isArray(c)) return c;
    checked.push(c);
  }
  const fresh = new Set(checked.map((c) => c.ipText).filter((ip) => !a.permissions.has(ip)));
  if (a.permissions.size + fresh.size > core.cfg.quotas.maxPermissionsPerAllocation) {
    return core.refuse(req, ErrorCodes.InsufficientCapacity, 'quota-permissions', `allocation holds ${a.permissions.size} permissions`);
  }
  for (const c of checked) installPermission(core, a, c.addr.ip, c.ipText, c.cidrAllowed, nowMs);
  const out: Action[] = [{ kind: 'send-client', client: req.client, data: successResponse(req.msg, req.sec, core.cfg.software, () => undefined) }];
  core.schedule(nowMs + core.cfg.timers.permissionLifetimeS * 1000, out);
  return out;
}

/**
 * RFC 8656 §12.2: ChannelBind. Channel numbers 0x4000-0x7FFF are accepted (the RFC 5766 §11
 * range): RFC 8656 narrows new bindings to 0x4000-0x4FFF, but Chromium (webrtc turn_port.cc)
 * still picks up to 0x7FFF and coturn accepts them, so refusing would break real clients.
 */
export function channelBind(core: TurnCore, req: AuthedRequest, nowMs: number): Action[] {
  const a = activeAllocation(core, req);
  if (Array.isArray(a)) return a;
  let channel: number | undefined;
  try {
    channel = readChannelNumber(req.msg);
  } catch (err) {
    if (!(err instanceof StunDecodeError)) throw err;
    return core.refuse(req, ErrorCodes.BadRequest, 'bad-request', err.message);
  }
  if (channel === undefined) return core.refuse(req, ErrorCodes.BadRequest, 'bad-request', 'ChannelBind without CHANNEL-NUMBER');
  if (channel < CHANNEL_MIN || channel > CHANNEL_MAX) {
    return core.refuse(req, ErrorCodes.BadRequest, 'bad-channel-number', `channel 0x${channel.toString(16)} outside 0x4000-0x7FFF`);
  }
  const attrs = findAllAttrs(req.msg, Attr.XorPeerAddress);
  const attr = attrs[0];
  if (!attr || attrs.length > 1) return core.refuse(req, ErrorCodes.BadRequest, 'bad-request', 'ChannelBind needs exactly one XOR-PEER-ADDRESS');
  const c = checkPeer(core, req, a, attr);
  if (Array.isArray(c)) return c;
  const peerKey = `${c.ipText}|${c.addr.port}`;
  const byNumber = a.channels.get(channel);
  const byPeer = a.channelsByPeer.get(peerKey);
  if (byNumber && byNumber.peerKey !== peerKey) {
    return core.refuse(req, ErrorCodes.BadRequest, 'channel-in-use', `channel 0x${channel.toString(16)} is bound to another peer`);
  }
  if (byPeer && byPeer.channel !== channel) {
    return core.refuse(req, ErrorCodes.BadRequest, 'peer-bound', `peer ${peerKey} is bound to channel 0x${byPeer.channel.toString(16)}`);
  }
  const q = core.cfg.quotas;
  if (!byNumber && a.channels.size >= q.maxChannelsPerAllocation) {
    return core.refuse(req, ErrorCodes.InsufficientCapacity, 'quota-channels', `allocation holds ${a.channels.size} channels`);
  }
  if (!a.permissions.has(c.ipText) && a.permissions.size >= q.maxPermissionsPerAllocation) {
    return core.refuse(req, ErrorCodes.InsufficientCapacity, 'quota-permissions', `allocation holds ${a.permissions.size} permissions`);
  }
  const perm = installPermission(core, a, c.addr.ip, c.ipText, c.cidrAllowed, nowMs);
  const expiresAtMs = nowMs + core.cfg.timers.channelLifetimeS * 1000;
  if (byNumber) {
    byNumber.expiresAtMs = expiresAtMs;
    byNumber.permission = perm;
  } else {
    const b = new ChannelBinding(a, channel, c.ipText, c.addr.port, peerKey, perm, expiresAtMs);
    a.channels.set(channel, b);
    a.channelsByPeer.set(peerKey, b);
  }
  const out: Action[] = [{ kind: 'send-client', client: req.client, data: successResponse(req.msg, req.sec, core.cfg.software, () => undefined) }];
  core.schedule(perm.expiresAtMs, out);
  return out;
}

/** Permission still valid (refreshing the binding's reference when it was replaced). */
function bindingPermission(b: ChannelBinding, nowMs: number): Permission | undefined {
  if (b.permission.expiresAtMs > nowMs) return b.permission;
  const p = b.alloc.permissionFor(b.peerIp, nowMs);
  if (p) b.permission = p;
  return p;
}

function bindingAllowed(core: TurnCore, b: ChannelBinding, perm: Permission): boolean {
  const gen = core.policyGeneration;
  if (b.policyGeneration !== gen) {
    b.policyAllowed = endpointAllowed(core, perm, b.peerIp, b.peerPort, b.peerKey);
    b.policyGeneration = gen;
  }
  return perm.cidrAllowed || b.policyAllowed;
}

/** RFC 8656 §12.6: ChannelData from the client. Returns the binding to relay through. */
export function channelDataFromClient(
  core: TurnCore,
  clientKey: string,
  stats: ListenerStats,
  buf: Buffer,
  nowMs: number,
): ChannelBinding | undefined {
  const len = channelDataLength(buf);
  if (len < 0) {
    core.malformedOn(stats, 'bad-channel-data');
    return undefined;
  }
  const a = core.byClient.get(clientKey);
  if (!a || a.state !== 'active') {
    core.drop(stats, 'no-allocation');
    return undefined;
  }
  const b = a.channels.get(channelDataNumber(buf));
  if (!b || b.expiresAtMs <= nowMs) {
    core.drop(stats, 'no-channel');
    return undefined;
  }
  const perm = bindingPermission(b, nowMs);
  if (!perm) {
    core.drop(stats, 'no-permission');
    return undefined;
  }
  if (!bindingAllowed(core, b, perm)) {
    core.drop(stats, 'peer-not-allowed');
    return undefined;
  }
  if (!a.toPeer.take(len, nowMs)) {
    core.drop(stats, 'bandwidth');
    return undefined;
  }
  stats.packetsToPeer++;
  stats.bytesToPeer += len;
  return b;
}

/** RFC 8656 §11.2: Send indication (never answered; failures are dropped and counted). */
export function sendIndication(core: TurnCore, client: ClientTuple, msg: StunMessage, nowMs: number): Action[] {
  const stats = client.listener.stats;
  const a = core.byClient.get(client.key);
  if (!a || a.state !== 'active') return [core.drop(stats, 'no-allocation')];
  if (unknownRequiredAttrs(msg).length > 0) return [core.drop(stats, 'unknown-attribute')];
  const attr = findAttr(msg, Attr.XorPeerAddress);
  const data = readData(msg);
  if (!attr || !data) return [core.malformed(client, 'send-missing-attribute')];
  let addr: TransportAddress;
  try {
    addr = decodeXorAddress(msg, attr);
  } catch {
    return [core.malformed(client, 'bad-attribute')];
  }
  if (addr.ip.family !== a.family) return [core.drop(stats, 'peer-family')];
  const ipText = formatIp(addr.ip);
  const perm = a.permissionFor(ipText, nowMs);
  if (!perm) return [core.drop(stats, 'no-permission')];
  if (!endpointAllowed(core, perm, ipText, addr.port, `${ipText}|${addr.port}`)) return [core.drop(stats, 'peer-not-allowed')];
  if (!a.toPeer.take(data.length, nowMs)) return [core.drop(stats, 'bandwidth')];
  stats.packetsToPeer++;
  stats.bytesToPeer += data.length;
  return [{ kind: 'send-peer', relayId: a.id, ip: ipText, port: addr.port, data }];
}

/** RFC 8656 §11.3, §12.7: a datagram from a peer on relay socket `relayId`. */
export function dataFromPeer(
  core: TurnCore,
  relayId: number,
  ip: string,
  port: number,
  peerKey: string,
  buf: Buffer,
  nowMs: number,
): ChannelBinding | DataIndication | undefined {
  const a = core.byId.get(relayId);
  if (!a || a.state !== 'active') return undefined;
  const stats = a.client.listener.stats;
  const b = a.channelsByPeer.get(peerKey);
  if (b && b.expiresAtMs > nowMs) {
    const perm = bindingPermission(b, nowMs);
    if (!perm) {
      core.drop(stats, 'peer-no-permission');
      return undefined;
    }
    if (!bindingAllowed(core, b, perm)) {
      core.drop(stats, 'peer-not-allowed');
      return undefined;
    }
    if (!a.toClient.take(buf.length, nowMs)) {
      core.drop(stats, 'bandwidth');
      return undefined;
    }
    stats.packetsToClient++;
    stats.bytesToClient += buf.length;
    return b;
  }
  const perm = a.permissionFor(ip, nowMs);
  if (!perm) {
    core.drop(stats, 'peer-no-permission');
    return undefined;
  }
  if (!endpointAllowed(core, perm, ip, port, peerKey)) {
    core.drop(stats, 'peer-not-allowed');
    return undefined;
  }
  if (buf.length > 0xffff - 64 || !a.toClient.take(buf.length, nowMs)) {
    core.drop(stats, 'bandwidth');
    return undefined;
  }
  // §11.3: Data indication with XOR-PEER-ADDRESS and DATA, random transaction ID.
  const w = new StunWriter(Method.Data, MessageClass.Indication, randomTid());
  addXorAddress(w, Attr.XorPeerAddress, { ip: perm.ip, port });
  w.add(Attr.Data, buf);
  stats.packetsToClient++;
  stats.bytesToClient += buf.length;
  return new DataIndication(a.client, w.build());
}

let tidCounter = 0;
const tidBase = Buffer.from(Array.from({ length: 12 }, () => Math.floor(Math.random() * 256)));
/** Indications need unique, not secret, transaction IDs (RFC 8489 §6: uniformly random is for requests). */
function randomTid(): Buffer {
  const t = Buffer.from(tidBase);
  t.writeUInt32BE((tidCounter = (tidCounter + 1) >>> 0), 8);
  return t;
}
