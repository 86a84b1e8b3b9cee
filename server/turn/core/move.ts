/**
 * Moving a UDP allocation between the relays of `serve --workers N`'s planes. Every plane runs a
 * relay of its own; the first holds the public listeners, so every allocation starts there. Once
 * an allocation's peer turns out to live in another plane (that plane's reflector session), the
 * first plane writes the allocation down (`exportAllocation`) and the other plane takes it in
 * (`adoptAllocation`), with the same relayed address, credential key, lifetime, permissions and
 * channels, so its client and peer see one allocation throughout (RFC 8656 §2.2: an allocation is
 * its 5-tuple and its relayed address, whoever holds the state). The first plane then `lend`s it:
 * it relays nothing there, and its port and quota counts stay held until the other plane says it
 * ended (`settleLent`), so the port is never given out twice.
 */
import type { MovedAllocation } from '../../common/data-plane.js';
import { parseIp } from '../../../src/protocol/ip.js';
import { TokenBucket } from './allocation.js';
import type { CoreContext } from './context.js';
import type { Action, ListenerInfo } from './types.js';

/** The allocation on relay socket `relayId`, written down for another plane; null when it is not an active UDP allocation. */
export function exportAllocation(ctx: CoreContext, relayId: number, nowMs: number): MovedAllocation | null {
  const a = ctx.allocations.byRelayId(relayId);
  if (a === undefined || a.state !== 'active' || a.client.listener.transport !== 'udp' || a.allocateResponse === null) return null;
  const left = (atMs: number): number => Math.max(0, Math.round(atMs - nowMs));
  const { permissions, channels } = a.entries();
  return {
    clientIp: a.client.ip,
    clientPort: a.client.port,
    listenerAddress: a.client.listener.address,
    listenerPort: a.client.listener.port,
    username: a.username,
    keyHex: a.key.toString('hex'),
    integrity: a.integrity,
    family: a.family,
    relayIp: a.relayIp,
    relayPort: a.relayPort,
    allocateTid: a.allocateTid,
    lifetimeS: a.lifetimeS,
    expiresInMs: left(a.expiresAtMs),
    responseHex: a.allocateResponse.toString('hex'),
    permissions: permissions.map((p) => ({ ip: p.ipText, expiresInMs: left(p.expiresAtMs), cidrAllowed: p.cidrAllowed })),
    channels: channels.map((c) => ({ channel: c.channel, peerIp: c.peerIp, peerPort: c.peerPort, expiresInMs: left(c.expiresAtMs) })),
  };
}

/** The allocation on `relayId` went to another plane: close its relay socket here, keep its port and counts. */
export function lendAllocation(ctx: CoreContext, relayId: number, plane: number, nowMs: number): Action[] {
  const a = ctx.allocations.byRelayId(relayId);
  if (a === undefined || a.state !== 'active') return [];
  a.lend(plane);
  a.client.listener.stats.allocationsActive--;
  ctx.witnesses.retire(a.id, nowMs);
  return [
    { kind: 'close-relay', relayId },
    {
      kind: 'log',
      level: 'debug',
      msg: 'TURN allocation moved to another data plane',
      source: a.client.ip,
      fields: { relayId, plane, relayed: `${a.relayIp}:${a.relayPort}`, client: `${a.client.ip}:${a.client.port}` },
    },
  ];
}

/** The plane that took the allocation at `port` of `family` ended it: it is deleted here too, its port free again. */
export function settleLent(ctx: CoreContext, family: 4 | 6, port: number, nowMs: number): Action[] {
  const a = ctx.allocations.lentAt(family, port);
  return a === undefined ? [] : ctx.deleteAllocation(a, 'moved-ended', nowMs);
}

/** Every allocation lent to `plane` is deleted (that plane stopped). */
export function settleAllLent(ctx: CoreContext, plane: number, nowMs: number): Action[] {
  return ctx.allocations.lentTo(plane).flatMap((a) => ctx.deleteAllocation(a, 'moved-ended', nowMs));
}

/**
 * Takes in an allocation another plane's relay wrote down, on `listener` (this plane's socket on
 * the same address and port, connected to the client) with its relay socket bound already on
 * `m.relayPort`. Returns its relay id, and the expiry timer to arm.
 */
export function adoptAllocation(ctx: CoreContext, m: MovedAllocation, listener: ListenerInfo, nowMs: number): { relayId: number; actions: Action[] } {
  const q = ctx.cfg.quotas;
  const ratePerMs = q.maxBandwidthBytesPerS / 1000;
  const client = { key: `${listener.id}|${m.clientIp}|${m.clientPort}`, listener, ip: m.clientIp, port: m.clientPort };
  const a = ctx.allocations.create(
    {
      client,
      username: m.username,
      key: Buffer.from(m.keyHex, 'hex'),
      integrity: m.integrity,
      family: m.family,
      relayIp: m.relayIp,
      allocateTid: m.allocateTid,
      evenPort: false,
      reserveNext: false,
      reservedPort: 0,
      wantsIpv6Too: false,
      toPeer: new TokenBucket(ratePerMs, q.bandwidthBurstBytes, nowMs),
      toClient: new TokenBucket(ratePerMs, q.bandwidthBurstBytes, nowMs),
      request: null,
      lifetimeS: m.lifetimeS,
    },
    nowMs,
  );
  ctx.allocations.activate(a, m.relayPort, nowMs, Buffer.from(m.responseHex, 'hex'));
  a.expireIn(m.expiresInMs, nowMs);
  listener.stats.allocationsActive++;
  const perms = new Map(m.permissions.map((p) => [p.ip, a.installPermission(parseIp(p.ip), p.ip, p.cidrAllowed, nowMs + p.expiresInMs)]));
  for (const c of m.channels) {
    const perm = perms.get(c.peerIp);
    if (perm !== undefined) a.bindChannel(c.channel, c.peerIp, c.peerPort, `${c.peerIp}|${c.peerPort}`, perm, nowMs + c.expiresInMs);
  }
  const actions: Action[] = [
    {
      kind: 'log',
      level: 'info',
      msg: 'TURN allocation moved in from the first data plane',
      source: m.clientIp,
      fields: { relayId: a.id, relayed: `${m.relayIp}:${m.relayPort}`, client: `${m.clientIp}:${m.clientPort}` },
    },
  ];
  ctx.schedule(a.expiresAtMs, actions);
  for (const p of perms.values()) ctx.schedule(p.expiresAtMs, actions);
  return { relayId: a.id, actions };
}
