/** Allocate (RFC 8656 §7.2) and Refresh (§7.3) handling for the core. */
import {
  Attr,
  ErrorCodes,
  addAddressErrorCode,
  addXorAddress,
  attrValue,
  findAttr,
  readEvenPort,
  readFamily,
  readLifetimeS,
  readRequestedTransport,
  StunDecodeError,
  TRANSPORT_UDP,
} from '../codec/index.js';
import { parseIp, type IpFamily } from '../../../src/protocol/ip.js';
import { networkKey, sourceKey } from '../../common/source-key.js';
import { TokenBucket, type Reservation } from './allocation.js';
import { RESERVATION_TOKEN_BYTES } from './allocation-table.js';
import type { AuthedRequest, CoreContext, HandlerConfig } from './context.js';
import { successResponse } from './respond.js';
import type { Action } from './types.js';

/** RFC 8656 §7.2 step 9 / §7.3: min(requested, max), and the default when that is smaller. */
function grantedLifetimeS(cfg: HandlerConfig, requestedS: number | undefined): number {
  const { defaultLifetimeS, maxLifetimeS } = cfg.timers;
  if (requestedS === undefined) return defaultLifetimeS;
  const capped = Math.min(requestedS, maxLifetimeS);
  return capped > defaultLifetimeS ? capped : defaultLifetimeS;
}

/** A port for a new relay socket; with EVEN-PORT R=1 an even port whose successor is free too. */
function pickPort(ctx: CoreContext, fam: IpFamily, evenPort: { reserveNext: boolean } | undefined): number | null {
  const inUse = ctx.allocations.portsHeld(fam);
  if (!evenPort?.reserveNext) return ctx.cfg.portAllocator(fam, inUse, evenPort !== undefined);
  for (let i = 0; i < 16; i++) {
    const p = ctx.cfg.portAllocator(fam, inUse, true);
    if (p === null || p === 0) return null; // OS-chosen ports cannot be reserved in pairs
    if (p < 65535 && !inUse.has(p + 1)) return p;
  }
  return null;
}

function tidHex(req: AuthedRequest): string {
  return req.msg.transactionId.toString('hex');
}

export function allocate(ctx: CoreContext, req: AuthedRequest, key: Buffer, nowMs: number): Action[] {
  const { msg, client } = req;
  const existing = ctx.allocations.byClientKey(client.key);
  if (existing) {
    // §7.2: a retransmitted Allocate gets the same answer; anything else on this 5-tuple is 437.
    if (existing.allocateTid === tidHex(req)) {
      return existing.allocateResponse ? [{ kind: 'send-client', client, data: existing.allocateResponse }] : [];
    }
    return ctx.refuse(req, ErrorCodes.AllocationMismatch, 'allocation-exists', '5-tuple already has an allocation');
  }
  let transport: number | undefined;
  let family: IpFamily | 'invalid' | undefined;
  let additional: IpFamily | 'invalid' | undefined;
  let evenPort: { reserveNext: boolean } | undefined;
  let lifetimeS: number | undefined;
  try {
    transport = readRequestedTransport(msg);
    family = readFamily(msg, Attr.RequestedAddressFamily);
    additional = readFamily(msg, Attr.AdditionalAddressFamily);
    evenPort = readEvenPort(msg);
    lifetimeS = readLifetimeS(msg);
  } catch (err) {
    if (!(err instanceof StunDecodeError)) throw err;
    return ctx.refuse(req, ErrorCodes.BadRequest, 'bad-request', `malformed attribute: ${err.message}`);
  }
  if (transport === undefined) return ctx.refuse(req, ErrorCodes.BadRequest, 'bad-request', 'no REQUESTED-TRANSPORT');
  if (transport !== TRANSPORT_UDP) {
    return ctx.refuse(req, ErrorCodes.UnsupportedTransportProtocol, 'unsupported-transport', `REQUESTED-TRANSPORT ${transport}`);
  }
  const tokenAttr = findAttr(msg, Attr.ReservationToken);
  let reservation: Reservation | undefined;
  if (tokenAttr) {
    if (evenPort) return ctx.refuse(req, ErrorCodes.BadRequest, 'bad-request', 'RESERVATION-TOKEN with EVEN-PORT');
    if (family !== undefined) return ctx.refuse(req, ErrorCodes.BadRequest, 'bad-request', 'RESERVATION-TOKEN with REQUESTED-ADDRESS-FAMILY');
    if (tokenAttr.length !== RESERVATION_TOKEN_BYTES) return ctx.refuse(req, ErrorCodes.BadRequest, 'bad-request', 'RESERVATION-TOKEN length');
    reservation = ctx.allocations.takeReservation(attrValue(msg, tokenAttr), nowMs);
    // §7.2 step 5: an unknown or expired token cannot be honoured.
    if (!reservation) return ctx.refuse(req, ErrorCodes.InsufficientCapacity, 'no-reservation', 'unknown or expired RESERVATION-TOKEN');
  }
  if (family !== undefined && additional !== undefined) {
    return ctx.refuse(req, ErrorCodes.BadRequest, 'bad-request', 'both REQUESTED- and ADDITIONAL-ADDRESS-FAMILY');
  }
  if (additional === 4 || additional === 'invalid') {
    return ctx.refuse(req, ErrorCodes.BadRequest, 'bad-request', 'ADDITIONAL-ADDRESS-FAMILY must be IPv6');
  }
  if (family === 'invalid') return ctx.refuse(req, ErrorCodes.AddressFamilyNotSupported, 'address-family', 'unknown family');
  const fam: IpFamily = reservation?.family ?? family ?? 4; // §7.2: absent means IPv4
  const relayIp = ctx.cfg.relayAddresses[fam];
  if (relayIp === undefined) {
    return ctx.refuse(req, ErrorCodes.AddressFamilyNotSupported, 'address-family', `no IPv${fam} relay address`);
  }
  const q = ctx.cfg.quotas;
  const quota = ctx.allocations.quotaCheck(req.username, client.ip);
  if (quota === 'quota-username') {
    return ctx.refuse(req, ErrorCodes.AllocationQuotaReached, quota, `username holds ${q.maxAllocationsPerUsername} allocations`);
  }
  if (quota === 'quota-source-ip') {
    return ctx.refuse(
      req,
      ErrorCodes.AllocationQuotaReached,
      quota,
      `source ${sourceKey(client.ip)} holds ${ctx.allocations.doorBounds.perSource} allocations`,
    );
  }
  if (quota === 'quota-network') {
    const n = ctx.allocations.doorBounds.perNetwork;
    return ctx.refuse(req, ErrorCodes.AllocationQuotaReached, quota, `network ${networkKey(client.ip)} holds ${n} allocations`);
  }
  if (quota === 'quota-total') {
    return ctx.refuse(req, ErrorCodes.InsufficientCapacity, quota, `relay holds ${q.maxAllocationsTotal} allocations`);
  }
  if (quota === 'quota-reserve') {
    const r = ctx.allocations.doorBounds.reserve;
    return ctx.refuse(req, ErrorCodes.InsufficientCapacity, quota, `the relay's last ${r} allocations are kept for networks that hold none of the rest`);
  }
  const port = reservation ? reservation.port : pickPort(ctx, fam, evenPort);
  if (port === null) {
    return ctx.refuse(
      req,
      ErrorCodes.InsufficientCapacity,
      'no-relay-port',
      evenPort?.reserveNext ? 'no free even/odd port pair' : 'relay port range exhausted',
    );
  }
  const ratePerMs = q.maxBandwidthBytesPerS / 1000;
  const a = ctx.allocations.create(
    {
      client,
      username: req.username,
      key,
      integrity: req.sec.integrity,
      family: fam,
      relayIp,
      allocateTid: tidHex(req),
      request: msg,
      lifetimeS: grantedLifetimeS(ctx.cfg, lifetimeS),
      evenPort: evenPort !== undefined,
      reserveNext: evenPort?.reserveNext ?? false,
      reservedPort: reservation ? reservation.port : 0,
      wantsIpv6Too: additional === 6,
      toPeer: new TokenBucket(ratePerMs, q.bandwidthBurstBytes, nowMs),
      toClient: new TokenBucket(ratePerMs, q.bandwidthBurstBytes, nowMs),
    },
    nowMs,
  );
  return [{ kind: 'open-relay', relayId: a.id, family: fam, ip: relayIp, port }];
}

export function relayOpened(ctx: CoreContext, relayId: number, port: number, nowMs: number): Action[] {
  const a = ctx.allocations.byRelayId(relayId);
  const req = a?.pendingRequest;
  if (!a || a.state !== 'opening' || !req) return [{ kind: 'close-relay', relayId }];
  if (a.evenPort && port % 2 !== 0) {
    // Only possible with OS-chosen ports: give this one back and try again.
    return [{ kind: 'close-relay', relayId }, ...relayOpenFailed(ctx, relayId, 'odd port for EVEN-PORT', nowMs)];
  }
  // §7.2: EVEN-PORT with R=1 reserves port+1 for a later Allocate carrying this token.
  const reservation = a.reserveNext
    ? ctx.allocations.reserve(a.family, port + 1, nowMs, { clientKey: a.client.key, username: a.username, ip: a.client.ip })
    : null;
  const data = successResponse(req, { key: a.key, integrity: a.integrity }, ctx.cfg.software, (w) => {
    addXorAddress(w, Attr.XorRelayedAddress, { ip: parseIp(a.relayIp), port });
    w.addUint32(Attr.Lifetime, a.lifetimeS);
    addXorAddress(w, Attr.XorMappedAddress, { ip: parseIp(a.client.ip), port: a.client.port });
    // RFC 8656 §7.2: a dual allocation we cannot serve is reported per family, the IPv4 part succeeds.
    if (a.wantsIpv6Too) addAddressErrorCode(w, 6, ErrorCodes.AddressFamilyNotSupported, 'Address Family not Supported');
    if (reservation) w.add(Attr.ReservationToken, reservation.token);
  });
  ctx.allocations.activate(a, port, nowMs, data); // the lifetime starts when the relayed address exists
  const stats = a.client.listener.stats;
  stats.allocationsActive++;
  stats.allocationsTotal++;
  const out: Action[] = [
    { kind: 'send-client', client: a.client, data },
    {
      kind: 'log',
      level: 'info',
      msg: 'TURN allocation created',
      source: a.client.ip,
      fields: {
        relayId,
        relayed: `${a.relayIp}:${port}`,
        client: `${a.client.ip}:${a.client.port}`,
        transport: a.client.listener.transport,
        username: a.username,
        lifetimeS: a.lifetimeS,
      },
    },
  ];
  ctx.schedule(a.expiresAtMs, out);
  if (reservation) ctx.schedule(reservation.expiresAtMs, out);
  return out;
}

export function relayOpenFailed(ctx: CoreContext, relayId: number, detail: string, nowMs: number): Action[] {
  const a = ctx.allocations.byRelayId(relayId);
  const req = a?.pendingRequest;
  if (!a || a.state !== 'opening' || !req) return [];
  if (a.reservedPort !== 0)
    ctx.allocations.releasePort(a.family, a.reservedPort); // the reserved port is lost
  else if (a.bindAttempts < ctx.cfg.maxRelayBindAttempts) {
    const port = pickPort(ctx, a.family, a.evenPort ? { reserveNext: a.reserveNext } : undefined);
    if (port !== null) {
      a.retryBind();
      return [{ kind: 'open-relay', relayId, family: a.family, ip: a.relayIp, port }];
    }
  }
  const attempts = a.bindAttempts;
  const out = ctx.deleteAllocation(a, 'relay-bind-failed', nowMs);
  out.push(
    ...ctx.refuse(
      { msg: req, client: a.client, username: a.username, sec: { key: a.key, integrity: a.integrity } },
      ErrorCodes.InsufficientCapacity,
      'no-relay-port',
      `could not bind a relay socket after ${attempts} attempts (${detail})`,
    ),
  );
  return out;
}

export function refresh(ctx: CoreContext, req: AuthedRequest, nowMs: number): Action[] {
  const a = ctx.allocations.byClientKey(req.client.key);
  if (!a || a.state !== 'active') return ctx.refuse(req, ErrorCodes.AllocationMismatch, 'no-allocation', 'Refresh without allocation');
  if (a.username !== req.username) return ctx.refuse(req, ErrorCodes.WrongCredentials, 'wrong-username', 'Refresh with another username');
  let requested: number | undefined;
  let family: IpFamily | 'invalid' | undefined;
  try {
    requested = readLifetimeS(req.msg);
    family = readFamily(req.msg, Attr.RequestedAddressFamily);
  } catch (err) {
    if (!(err instanceof StunDecodeError)) throw err;
    return ctx.refuse(req, ErrorCodes.BadRequest, 'bad-request', `malformed attribute: ${err.message}`);
  }
  if (family !== undefined && family !== a.family) {
    return ctx.refuse(req, ErrorCodes.PeerAddressFamilyMismatch, 'address-family', 'Refresh for another family');
  }
  if (requested === 0) {
    const out = ctx.deleteAllocation(a, 'refresh-lifetime-0', nowMs);
    const data = successResponse(req.msg, req.sec, ctx.cfg.software, (w) => w.addUint32(Attr.Lifetime, 0));
    out.unshift({ kind: 'send-client', client: req.client, data });
    return out;
  }
  const granted = grantedLifetimeS(ctx.cfg, requested);
  a.refresh(granted, nowMs);
  const data = successResponse(req.msg, req.sec, ctx.cfg.software, (w) => w.addUint32(Attr.Lifetime, granted));
  const out: Action[] = [{ kind: 'send-client', client: req.client, data }];
  ctx.schedule(a.expiresAtMs, out);
  return out;
}
