/**
 * The one owner of the relay's allocation state (RFC 8656 §2.2, §7): allocations by client
 * 5-tuple and by relay id, the per-username and per-source counts behind the quotas, the ports
 * this relay holds, EVEN-PORT reservations and the set of our own relayed addresses.
 * Everything is private; the core and its request handlers go through these methods.
 *
 * A source is an IPv4 address or an IPv6 /64 (`sourceKey`, the key the HTTP side's limits
 * count by): every address of a /64 is free to its holder, so counted one by one, a few of
 * them would take the whole relay. The /64s of one network (IPv6 /48) together hold at most
 * `doorBounds(total, perSource).perNetwork` (an eighth of the total), and the last `reserve` (a
 * quarter) go only to a network that holds none of the rest (server/common/door.ts). The server's own reflector's
 * allocations (a username only the secret's holder can mint, isReflectorUsername) are not an
 * anonymous caller's: they stay outside the door, one per signalling session and interface.
 */
import type { IpFamily } from '../../../src/protocol/ip.js';
import { DoorCount, doorBounds, type DoorScope } from '../../common/door.js';
import { Allocation, type AllocationInit, type Reservation } from './allocation.js';
import { isReflectorUsername } from '../credentials.js';
import { CredentialPeaks, type CredentialOwner, type PeakHistogram } from './credential-peaks.js';
import type { RandomBytes, RelayQuotas } from './types.js';

/** RFC 8656 §7.2: a reservation lives about 30 seconds. */
const RESERVATION_LIFETIME_MS = 30_000;
/** RFC 8656 §14.9: RESERVATION-TOKEN is 8 bytes. */
export const RESERVATION_TOKEN_BYTES = 8;

/** RFC 8656 §7.2: which allocation quota a new allocation would exceed (486, or 508 for the total and the reserve). */
export type QuotaRefusal = 'quota-username' | 'quota-source-ip' | 'quota-network' | 'quota-total' | 'quota-reserve';

const QUOTA_OF_SCOPE: Record<DoorScope, QuotaRefusal> = {
  source: 'quota-source-ip',
  network: 'quota-network',
  total: 'quota-total',
  reserve: 'quota-reserve',
};

/** How much the table holds (tests check that everything is released). */
export interface AllocationCensus {
  readonly allocations: number;
  readonly relayIds: number;
  readonly usernames: number;
  /** Sources (IPv4 addresses, IPv6 /64s) holding allocations or reservations. */
  readonly sources: number;
  readonly ownRelays: number;
  /** Allocations of the server's own reflector, outside the door's counts. */
  readonly reflectorAllocations: number;
  readonly portsHeld: { readonly 4: number; readonly 6: number };
  readonly reservations: number;
  /** Credentials holding something whose most-held-at-once is being followed (CredentialPeaks). */
  readonly credentialsFollowed: number;
}

export class AllocationTable {
  /** Allocations by client 5-tuple key (RFC 8656 §2.2). */
  private readonly byClient = new Map<string, Allocation>();
  /** Allocations by relay socket id. */
  private readonly byId = new Map<number, Allocation>();
  private readonly portsInUse: { readonly 4: Set<number>; readonly 6: Set<number> } = { 4: new Set(), 6: new Set() };
  /** Every open relayed address (`${ip}|${port}`) and its allocation: peers allowed only as relay-pairs.ts says. */
  private readonly ownRelayKeys = new Map<string, Allocation>();
  private readonly perUser = new Map<string, number>();
  /** Allocations and reservations by source, network and in total (the door's quotas). */
  private readonly door: DoorCount;
  /** RESERVATION-TOKEN (hex) -> reserved port (RFC 8656 §7.2, §14.9). */
  private readonly reservations = new Map<string, Reservation>();
  /** Reservations held per owner username (they count against the quotas, and in the door). */
  private readonly resPerUser = new Map<string, number>();
  /** Allocations of the server's own reflector (isReflectorUsername): outside the door, bounded by the signalling sessions. */
  private reflectorHeld = 0;
  /** Each credential's most allocations and reservations at once, observed when it holds nothing any more. */
  private readonly peaks = new CredentialPeaks();
  private ownGeneration = 0;
  private nextId = 1;

  constructor(
    private readonly quotas: Readonly<RelayQuotas>,
    private readonly random: RandomBytes,
  ) {
    this.door = new DoorCount(doorBounds(quotas.maxAllocationsTotal, quotas.maxAllocationsPerSourceIp));
  }

  /** The per-network bound and the reserve in force (from the quotas and CONSTANTS.doors). */
  get doorBounds(): DoorCount['bounds'] {
    return this.door.bounds;
  }

  /** Allocations held (opening or active). */
  get size(): number {
    return this.byClient.size;
  }

  /** Moves whenever one of our relayed addresses opens or closes. */
  get generation(): number {
    return this.ownGeneration;
  }

  /** True while at least one relayed address is open. */
  get hasOwnRelays(): boolean {
    return this.ownRelayKeys.size > 0;
  }

  byClientKey(clientKey: string): Allocation | undefined {
    return this.byClient.get(clientKey);
  }

  byRelayId(relayId: number): Allocation | undefined {
    return this.byId.get(relayId);
  }

  /** The allocation whose open relayed address is `peerKey` (`${ip}|${port}`), or undefined when it is none of ours. */
  ownRelayAt(peerKey: string): Allocation | undefined {
    return this.ownRelayKeys.get(peerKey);
  }

  /** Ports of `family` this relay holds (bound or reserved). */
  portsHeld(family: IpFamily): ReadonlySet<number> {
    return this.portsInUse[family];
  }

  /** Allocations and EVEN-PORT reservations `username` holds: what its quota counts (reservations stand for the allocations they will be). */
  private heldBy(username: string): number {
    return (this.perUser.get(username) ?? 0) + (this.resPerUser.get(username) ?? 0);
  }

  private lowered(username: string, nowMs: number): void {
    this.peaks.lowered(username, this.heldBy(username), nowMs);
  }

  /** RFC 8656 §7.2: the quota a new allocation for `username` from `clientIp` would exceed, or null. */
  quotaCheck(username: string, clientIp: string): QuotaRefusal | null {
    if (this.heldBy(username) >= this.quotas.maxAllocationsPerUsername) return 'quota-username';
    // The server's own reflector is not an anonymous caller: one signalling session, one username.
    if (isReflectorUsername(username)) return null;
    const scope = this.door.check(clientIp);
    return scope === null ? null : QUOTA_OF_SCOPE[scope];
  }

  /** A new allocation, opening (its relay socket is not bound yet). */
  create(init: AllocationInit, nowMs: number): Allocation {
    const a = new Allocation(this.nextId++, init, nowMs);
    this.byClient.set(a.client.key, a);
    this.byId.set(a.id, a);
    this.perUser.set(a.username, (this.perUser.get(a.username) ?? 0) + 1);
    this.peaks.raised(a.username, this.heldBy(a.username), ownerOf(a.username), nowMs);
    if (isReflectorUsername(a.username)) this.reflectorHeld++;
    else this.door.add(a.client.ip);
    return a;
  }

  /** The relay socket of `a` is bound on `port`: the relayed address exists from now on. */
  activate(a: Allocation, port: number, nowMs: number, response: Buffer): void {
    a.activate(port, nowMs, response);
    this.portsInUse[a.family].add(port);
    this.ownRelayKeys.set(a.relayKey, a);
    this.ownGeneration++;
  }

  /** Removes `a` and releases what it held. Returns whether it was active. */
  delete(a: Allocation, nowMs: number): boolean {
    // Its unused EVEN-PORT reservations end with it.
    for (const [token, r] of this.reservations) if (r.owner.clientKey === a.client.key) this.dropReservation(token, r, true, nowMs);
    if (this.byClient.get(a.client.key) === a) this.byClient.delete(a.client.key);
    this.byId.delete(a.id);
    decrement(this.perUser, a.username);
    this.lowered(a.username, nowMs);
    if (isReflectorUsername(a.username)) this.reflectorHeld--;
    else this.door.release(a.client.ip);
    const lived = a.state === 'active';
    if (lived) {
      this.portsInUse[a.family].delete(a.relayPort);
      if (this.ownRelayKeys.get(a.relayKey) === a) this.ownRelayKeys.delete(a.relayKey);
      this.ownGeneration++;
    }
    a.close();
    return lived;
  }

  /** A port held for a reservation that can no longer be used (its bind failed). */
  releasePort(family: IpFamily, port: number): void {
    this.portsInUse[family].delete(port);
  }

  /** Holds `port` back for 30 s (RFC 8656 §7.2, EVEN-PORT R=1); returns the RESERVATION-TOKEN. */
  reserve(family: IpFamily, port: number, nowMs: number, owner: Reservation['owner']): { token: Buffer; expiresAtMs: number } {
    const token = this.random(RESERVATION_TOKEN_BYTES);
    const expiresAtMs = nowMs + RESERVATION_LIFETIME_MS;
    this.reservations.set(token.toString('hex'), { family, port, expiresAtMs, owner });
    this.resPerUser.set(owner.username, (this.resPerUser.get(owner.username) ?? 0) + 1);
    this.peaks.raised(owner.username, this.heldBy(owner.username), ownerOf(owner.username), nowMs);
    this.door.add(owner.ip);
    this.portsInUse[family].add(port);
    return { token, expiresAtMs };
  }

  /** Forgets a reservation (and its quota counts); releases its port unless it is handed on. */
  private dropReservation(token: string, r: Reservation, releasePort: boolean, nowMs: number): void {
    this.reservations.delete(token);
    decrement(this.resPerUser, r.owner.username);
    this.lowered(r.owner.username, nowMs);
    this.door.release(r.owner.ip);
    if (releasePort) this.portsInUse[r.family].delete(r.port);
  }

  /** Consumes a reservation; the port stays held for the new allocation. Undefined when unknown or expired. */
  takeReservation(token: Buffer, nowMs: number): Reservation | undefined {
    const key = token.toString('hex');
    const r = this.reservations.get(key);
    if (!r) return undefined;
    const lapsed = r.expiresAtMs <= nowMs;
    this.dropReservation(key, r, lapsed, nowMs);
    return lapsed ? undefined : r;
  }

  /**
   * Drops lapsed reservations, permissions (RFC 8656 §9) and channels (§12). Returns the
   * allocations whose lifetime ended (§7: the caller deletes them) and the next expiry among
   * what is left.
   */
  expire(nowMs: number): { due: Allocation[]; nextMs: number } {
    let nextMs = Number.POSITIVE_INFINITY;
    for (const [token, r] of this.reservations) {
      if (r.expiresAtMs <= nowMs) this.dropReservation(token, r, true, nowMs);
      else nextMs = Math.min(nextMs, r.expiresAtMs);
    }
    const due: Allocation[] = [];
    for (const a of this.byClient.values()) {
      if (a.expiresAtMs <= nowMs) {
        due.push(a);
        continue;
      }
      nextMs = Math.min(nextMs, a.expiresAtMs, a.expireEntries(nowMs));
    }
    return { due, nextMs };
  }

  /**
   * For /metrics: the most allocations each credential of `owner` held at once, observed once it
   * held nothing for a minute, and the largest peak among those followed now.
   */
  credentialPeaks(owner: CredentialOwner, nowMs: number): { ended: PeakHistogram; followedMax: number } {
    this.peaks.sweep(nowMs);
    return { ended: this.peaks.histogram(owner), followedMax: this.peaks.followedPeakMax(owner) };
  }

  census(): AllocationCensus {
    return {
      allocations: this.byClient.size,
      relayIds: this.byId.size,
      usernames: this.perUser.size,
      sources: this.door.sources,
      reflectorAllocations: this.reflectorHeld,
      ownRelays: this.ownRelayKeys.size,
      portsHeld: { 4: this.portsInUse[4].size, 6: this.portsInUse[6].size },
      reservations: this.reservations.size,
      credentialsFollowed: this.peaks.following,
    };
  }
}

function ownerOf(username: string): CredentialOwner {
  return isReflectorUsername(username) ? 'reflector' : 'page';
}

function decrement(m: Map<string, number>, k: string): void {
  const n = (m.get(k) ?? 1) - 1;
  if (n <= 0) m.delete(k);
  else m.set(k, n);
}
