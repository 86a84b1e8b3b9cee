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
import { parseIp, type IpFamily } from '../net/ip.js';
import { Allocation, TokenBucket, type Reservation } from './allocation.js';
import { successResponse } from './respond.js';
import type { AuthedRequest, TurnCore } from './turn-core.js';
import type { Action } from './types.js';

/** RFC 8656 §7.2 step 9 / §7.3: min(requested, max), and the default when that is smaller. */
export function grantedLifetimeS(core: TurnCore, requestedS: number | undefined): number {
  const { defaultLifetimeS, maxLifetimeS } = core.cfg.timers;
  if (requestedS === undefined) return defaultLifetimeS;
  const capped = Math.min(requestedS, maxLifetimeS);
  return capped > defaultLifetimeS ? capped : defaultLifetimeS;
}

/** A port for a new relay socket; with EVEN-PORT R=1 an even port whose successor is free too. */
function pickPort(core: TurnCore, fam: IpFamily, evenPort: { reserveNext: boolean } | undefined): number | null {
  const inUse = core.portsInUse[fam];
  if (!evenPort?.reserveNext) return core.cfg.portAllocator(fam, inUse, evenPort !== undefined);
  for (let i = 0; i < 16; i++) {
    const p = core.cfg.portAllocator(fam, inUse, true);
    if (p === null || p === 0) return null; // OS-chosen ports cannot be reserved in pairs
    if (p < 65535 && !inUse.has(p + 1)) return p;
  }
  return null;
}

function tidHex(req: AuthedRequest): string {
  return req.msg.transactionId.toString('hex');
}

export function allocate(core: TurnCore, req: AuthedRequest, key: Buffer, nowMs: number): Action[] {
  const { msg, client } = req;
  const existing = core.byClient.get(client.key);
  if (existing) {
    // §7.2: a retransmitted Allocate gets the same answer; anything else on this 5-tuple is 437.
    if (existing.allocateTid === tidHex(req)) {
      return existing.allocateResponse ? [{ kind: 'send-client', client, data: existing.allocateResponse }] : [];
    }
    return core.refuse(req, ErrorCodes.AllocationMismatch, 'allocation-exists', '5-tuple already has an allocation');
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
    return core.refuse(req, ErrorCodes.BadRequest, 'bad-request', `malformed attribute: ${err.message}`);
  }
  if (transport === undefined) return core.refuse(req, ErrorCodes.BadRequest, 'bad-request', 'no REQUESTED-TRANSPORT');
  if (transport !== TRANSPORT_UDP) {
    return core.refuse(req, ErrorCodes.UnsupportedTransportProtocol, 'unsupported-transport', `REQUESTED-TRANSPORT ${transport}`);
  }
  const tokenAttr = findAttr(msg, Attr.ReservationToken);
  let reservation: Reservation | undefined;
  if (tokenAttr) {
    if (evenPort) return core.refuse(req, ErrorCodes.BadRequest, 'bad-request', 'RESERVATION-TOKEN with EVEN-PORT');
    if (family !== undefined) return core.refuse(req, ErrorCodes.BadRequest, 'bad-request', 'RESERVATION-TOKEN with REQUESTED-ADDRESS-FAMILY');
    if (tokenAttr.length !== 8) return core.refuse(req, ErrorCodes.BadRequest, 'bad-request', 'RESERVATION-TOKEN length');
    reservation = core.takeReservation(attrValue(msg, tokenAttr).toString('hex'), nowMs);
    // §7.2 step 5: an unknown or expired token cannot be honoured.
    if (!reservation) return core.refuse(req, ErrorCodes.InsufficientCapacity, 'no-reservation', 'unknown or expired RESERVATION-TOKEN');
  }
  if (family !== undefined && additional !== undefined) {
    return core.refuse(req, ErrorCodes.BadRequest, 'bad-request', 'both REQUESTED- and ADDITIONAL-ADDRESS-FAMILY');
  }
  if (additional === 4 || additional === 'invalid') {
    return core.refuse(req, ErrorCodes.BadRequest, 'bad-request', 'ADDITIONAL-ADDRESS-FAMILY must be IPv6');
  }
  if (family === 'invalid') return core.refuse(req, ErrorCodes.AddressFamilyNotSupported, 'address-family', 'unknown family');
  const fam: IpFamily = reservation?.family ?? family ?? 4; // §7.2: absent means IPv4
  const relayIp = core.cfg.relayAddresses[fam];
  if (relayIp === undefined) {
    return core.refuse(req, ErrorCodes.AddressFamilyNotSupported, 'address-family', `no IPv${fam} relay address`);
  }
  const q = core.cfg.quotas;
  if ((core.perUser.get(req.username) ?? 0) >= q.maxAllocationsPerUsername) {
    return core.refuse(req, ErrorCodes.AllocationQuotaReached, 'quota-username', `username holds ${q.maxAllocationsPerUsername} allocations`);
  }
  if ((core.perIp.get(client.ip) ?? 0) >= q.maxAllocationsPerSourceIp) {
    return core.refuse(req, ErrorCodes.AllocationQuotaReached, 'quota-source-ip', `${client.ip} holds ${q.maxAllocationsPerSourceIp} allocations`);
  }
  if (core.byClient.size >= q.maxAllocationsTotal) {
    return core.refuse(req, ErrorCodes.InsufficientCapacity, 'quota-total', `relay holds ${q.maxAllocationsTotal} allocations`);
  }
  const port = reservation ? reservation.port : pickPort(core, fam, evenPort);
  if (port === null) {
    return core.refuse(req, ErrorCodes.InsufficientCapacity, 'no-relay-port', evenPort?.reserveNext ? 'no free even/odd port pair' : 'relay port range exhausted');
  }
  const granted = grantedLifetimeS(core, lifetimeS);
  const ratePerMs = q.maxBandwidthBytesPerS / 1000;
  const a = new Allocation(
    core.allocateId(),
    client,
    req.username,
    key,
    req.sec.integrity,
    findAttr(msg, Attr.Fingerprint) !== undefined,
    fam,
    relayIp,
    tidHex(req),
    granted,
    nowMs + granted * 1000,
    evenPort !== undefined,
    new TokenBucket(ratePerMs, q.bandwidthBurstBytes, nowMs),
    new TokenBucket(ratePerMs, q.bandwidthBurstBytes, nowMs),
  );
  a.pendingRequest = msg;
  a.reserveNext = evenPort?.reserveNext ?? false;
  a.reservedPort = reservation ? reservation.port : 0;
  a.wantsIpv6Too = additional === 6;
  a.bindAttempts = 1;
  core.byClient.set(client.key, a);
  core.byId.set(a.id, a);
  core.perUser.set(req.username, (core.perUser.get(req.username) ?? 0) + 1);
  core.perIp.set(client.ip, (core.perIp.get(client.ip) ?? 0) + 1);
  return [{ kind: 'open-relay', relayId: a.id, family: fam, ip: relayIp, port }];
}

export function relayOpened(core: TurnCore, relayId: number, port: number, nowMs: number): Action[] {
  const a = core.byId.get(relayId);
  if (!a || a.state !== 'opening' || !a.pendingRequest) return [{ kind: 'close-relay', relayId }];
  if (a.evenPort && port % 2 !== 0) {
    // Only possible with OS-chosen ports: give this one back and try again.
    return [{ kind: 'close-relay', relayId }, ...relayOpenFailed(core, relayId, 'odd port for EVEN-PORT', nowMs)];
  }
  const req = a.pendingRequest;
  a.pendingRequest = null;
  a.state = 'active';
  a.expiresAtMs = nowMs + a.lifetimeS * 1000; // the lifetime starts when the relayed address exists
  a.relayPort = port;
  a.relayKey = `${a.relayIp}|${port}`;
  core.portsInUse[a.family].add(port);
  core.ownRelayKeys.add(a.relayKey);
  core.ownGeneration++;
  const stats = a.client.listener.stats;
  stats.allocationsActive++;
  stats.allocationsTotal++;
  const data = successResponse(req, { key: a.key, integrity: a.integrity }, core.cfg.software, (w) => {
    addXorAddress(w, Attr.XorRelayedAddress, { ip: parseIp(a.relayIp), port });
    w.addUint32(Attr.Lifetime, a.lifetimeS);
    addXorAddress(w, Attr.XorMappedAddress, { ip: parseIp(a.client.ip), port: a.client.port });
    // RFC 8656 §7.2: a dual allocation we cannot serve is reported per family, the IPv4 part succeeds.
    if (a.wantsIpv6Too) addAddressErrorCode(w, 6, ErrorCodes.AddressFamilyNotSupported, 'Address Family not Supported');
    // §7.2: EVEN-PORT with R=1 reserves port+1 for a later Allocate carrying this token.
    if (a.reserveNext) w.add(Attr.ReservationToken, Buffer.from(core.reserve(a.family, port + 1, nowMs), 'hex'));
  });
  a.allocateResponse = data;
  const out: Action[] = [
    { kind: 'send-client', client: a.client, data },
    {
      kind: 'log',
      level: 'info',
      msg: 'TURN allocation created',
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
  core.schedule(a.expiresAtMs, out);
  for (const r of core.reservations.values()) core.schedule(r.expiresAtMs, out);
  return out;
}

export function relayOpenFailed(core: TurnCore, relayId: number, detail: string, nowMs: number): Action[] {
  const a = core.byId.get(relayId);
  if (!a || a.state !== 'opening' || !a.pendingRequest) return [];
  const req = a.pendingRequest;
  if (a.reservedPort !== 0) core.portsInUse[a.family].delete(a.reservedPort); // the reserved port is lost
  else if (a.bindAttempts < core.cfg.maxRelayBindAttempts) {
    const port = pickPort(core, a.family, a.evenPort ? { reserveNext: a.reserveNext } : undefined);
    if (port !== null) {
      a.bindAttempts++;
      return [{ kind: 'open-relay', relayId, family: a.family, ip: a.relayIp, port }];
    }
  }
  const out = core.deleteAllocation(a, 'relay-bind-failed', nowMs);
  out.push(
    ...core.refuse(
      { msg: req, client: a.client, username: a.username, sec: { key: a.key, integrity: a.integrity } },
      ErrorCodes.InsufficientCapacity,
      'no-relay-port',
      `could not bind a relay socket after ${a.bindAttempts} attempts (${detail})`,
    ),
  );
  return out;
}

export function refresh(core: TurnCore, req: AuthedRequest, nowMs: number): Action[] {
  const a = core.byClient.get(req.client.key);
  if (!a || a.state !== 'active') return core.refuse(req, ErrorCodes.AllocationMismatch, 'no-allocation', 'Refresh without allocation');
  if (a.username !== req.username) return core.refuse(req, ErrorCodes.WrongCredentials, 'wrong-username', 'Refresh with another username');
  let requested: number | undefined;
  let family: IpFamily | 'invalid' | undefined;
  try {
    requested = readLifetimeS(req.msg);
    family = readFamily(req.msg, Attr.RequestedAddressFamily);
  } catch (err) {
    if (!(err instanceof StunDecodeError)) throw err;
    return core.refuse(req, ErrorCodes.BadRequest, 'bad-request', `malformed attribute: ${err.message}`);
  }
  if (family !== undefined && family !== a.family) {
    return core.refuse(req, ErrorCodes.PeerAddressFamilyMismatch, 'address-family', 'Refresh for another family');
  }
  if (requested === 0) {
    const out = core.deleteAllocation(a, 'refresh-lifetime-0', nowMs);
    const data = successResponse(req.msg, req.sec, core.cfg.software, (w) => w.addUint32(Attr.Lifetime, 0));
    out.unshift({ kind: 'send-client', client: req.client, data });
    return out;
  }
  const granted = grantedLifetimeS(core, requested);
  a.lifetimeS = granted;
  a.expiresAtMs = nowMs + granted * 1000;
  const data = successResponse(req.msg, req.sec, core.cfg.software, (w) => w.addUint32(Attr.Lifetime, granted));
  const out: Action[] = [{ kind: 'send-client', client: req.client, data }];
  core.schedule(a.expiresAtMs, out);
  return out;
}
