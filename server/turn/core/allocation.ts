/**
 * Allocation state (RFC 8656 §2.2, §7): one relayed transport address, its permissions (§9)
 * and channel bindings (§12). Each class owns its fields: the request handlers change them
 * through the methods below, and the allocation table (allocation-table.ts) owns the
 * allocations themselves.
 */
import { encodeChannelData, type ChannelDataFraming, type StunMessage } from '../codec/index.js';
import type { IpAddress, IpFamily } from '../../../src/protocol/ip.js';
import type { ClientTuple, PeerDelivery } from './types.js';

/** RFC 8656 §9: a permission, keyed by peer IP only (ports ignored). */
export class Permission {
  constructor(
    readonly ipText: string,
    readonly ip: IpAddress,
    private expiresAt: number,
    /** The peer policy allowed this IP through an operator CIDR (no exact-endpoint check needed). */
    readonly cidrAllowed: boolean,
  ) {}

  get expiresAtMs(): number {
    return this.expiresAt;
  }

  /** RFC 8656 §9.2: a CreatePermission or ChannelBind for this IP refreshes it. */
  refresh(expiresAtMs: number): void {
    this.expiresAt = expiresAtMs;
  }
}

/** Decides whether relayed data may flow between an allocation and one exact peer endpoint (the core's peer policy). */
export interface EndpointJudge {
  /** Combined generation of every input of the decision; a cached decision lives as long as it. */
  readonly policyGeneration: number;
  endpointAllowed(a: Allocation, perm: Permission, ipText: string, port: number, peerKey: string): boolean;
}

/** RFC 8656 §12: a channel binding: channel number <-> peer transport address. */
export class ChannelBinding implements PeerDelivery {
  /** RFC 8656 §12.5: how ChannelData reaches this client (padded on TCP/TLS). */
  readonly framing: ChannelDataFraming;
  /** Cached exact-endpoint decision and the policy generation it was made at. */
  private policyGeneration = -1;
  private policyAllowed = false;
  private policyPerm: Permission | null = null;

  constructor(
    readonly alloc: Allocation,
    readonly channel: number,
    readonly peerIp: string,
    readonly peerPort: number,
    /** `${peerIp}|${peerPort}` (precomputed map key). */
    readonly peerKey: string,
    private perm: Permission,
    private expiresAt: number,
  ) {
    this.framing = alloc.client.listener.transport === 'udp' ? 'datagram' : 'stream';
  }

  get client(): ClientTuple {
    return this.alloc.client;
  }

  get expiresAtMs(): number {
    return this.expiresAt;
  }

  /** The ChannelData message that carries a peer's `payload` to the client (RFC 8656 §12.7). */
  frame(payload: Uint8Array): Buffer {
    return encodeChannelData(this.channel, payload, this.framing);
  }

  /** RFC 8656 §12.2: a ChannelBind refresh (the permission may have been replaced). */
  refresh(perm: Permission, expiresAtMs: number): void {
    this.perm = perm;
    this.expiresAt = expiresAtMs;
  }

  /** The peer's unexpired permission (following a replaced one), or undefined. */
  livePermission(nowMs: number): Permission | undefined {
    if (this.perm.expiresAtMs > nowMs) return this.perm;
    const p = this.alloc.permissionFor(this.peerIp, nowMs);
    if (p) this.perm = p;
    return p;
  }

  /** Whether data may flow to this peer: the judge's decision (an operator CIDR, a registered endpoint, a relay pair), cached per generation. */
  allowed(perm: Permission, judge: EndpointJudge): boolean {
    const gen = judge.policyGeneration;
    if (this.policyGeneration !== gen || this.policyPerm !== perm) {
      this.policyAllowed = judge.endpointAllowed(this.alloc, perm, this.peerIp, this.peerPort, this.peerKey);
      this.policyGeneration = gen;
      this.policyPerm = perm;
    }
    return this.policyAllowed;
  }
}

/** RFC 8656 §11.3: a Data indication for the client, built by the core (it carries the payload). */
export class DataIndication implements PeerDelivery {
  constructor(
    readonly client: ClientTuple,
    readonly message: Buffer,
  ) {}

  frame(): Buffer {
    return this.message;
  }
}

/** A per-direction token bucket (bytes). */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;
  constructor(
    private readonly ratePerMs: number,
    private readonly burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  /** Takes `bytes` tokens if available. */
  take(bytes: number, nowMs: number): boolean {
    if (nowMs > this.lastMs) {
      this.tokens = Math.min(this.burst, this.tokens + (nowMs - this.lastMs) * this.ratePerMs);
      this.lastMs = nowMs;
    }
    if (this.tokens < bytes) return false;
    this.tokens -= bytes;
    return true;
  }
}

/** RFC 8656 §7.2: a port held back for the Allocate that presents the token (30 s). */
export interface Reservation {
  readonly family: IpFamily;
  readonly port: number;
  readonly expiresAtMs: number;
  /** The allocation that made it: it counts against that owner's quotas and ends with it. */
  readonly owner: { readonly clientKey: string; readonly username: string; readonly ip: string };
}

/** 'opening' until the relay socket is bound, 'active' while relaying, 'closed' once deleted. */
export type AllocationState = 'opening' | 'active' | 'closed';

/** The fields an Allocate request decides once (RFC 8656 §7.2). */
type Decided =
  | 'client'
  | 'username'
  | 'key'
  | 'integrity'
  | 'family'
  | 'relayIp'
  | 'allocateTid'
  | 'evenPort'
  | 'reserveNext'
  | 'reservedPort'
  | 'wantsIpv6Too'
  | 'toPeer'
  | 'toClient';

/** What an Allocate request decided (RFC 8656 §7.2), before the relay socket exists. */
export type AllocationInit = Pick<Allocation, Decided> & {
  /** The Allocate request waiting for its relay socket to bind. */
  readonly request: StunMessage;
  readonly lifetimeS: number;
};

/** The fields that change over an allocation's life: read-only to callers, written only by its verbs (retryBind, activate, refresh, close). */
type Life = 'state' | 'relayPort' | 'relayKey' | 'lifetimeS' | 'expiresAtMs' | 'bindAttempts' | 'pendingRequest' | 'allocateResponse';

/** RFC 8656 §2.2: one allocation, identified by the client's 5-tuple. */
export class Allocation {
  readonly client: ClientTuple;
  readonly username: string;
  readonly key: Buffer;
  readonly integrity: 'sha1' | 'sha256';
  readonly family: IpFamily;
  readonly relayIp: string;
  /** Allocate transaction ID (hex), to recognise a retransmission (§7.2). */
  readonly allocateTid: string;
  /** EVEN-PORT present: the relayed port must be even. */
  readonly evenPort: boolean;
  /** EVEN-PORT R=1: reserve relayPort + 1 on success. */
  readonly reserveNext: boolean;
  /** Port taken from a RESERVATION-TOKEN (no retries on other ports), or 0. */
  readonly reservedPort: number;
  /** ADDITIONAL-ADDRESS-FAMILY asked for IPv6 too (answered with ADDRESS-ERROR-CODE 440). */
  readonly wantsIpv6Too: boolean;
  readonly toPeer: TokenBucket;
  readonly toClient: TokenBucket;
  readonly state: AllocationState = 'opening';
  /** The relayed port once active, else 0. */
  readonly relayPort: number = 0;
  /** `${relayIp}|${relayPort}` once active. */
  readonly relayKey: string = '';
  readonly lifetimeS: number;
  readonly expiresAtMs: number;
  /** Relay sockets tried for this allocation so far. */
  readonly bindAttempts: number = 1;
  /** The Allocate request waiting for its relay socket, while opening. */
  readonly pendingRequest: StunMessage | null;
  /** The Allocate success response, replayed on retransmission (RFC 8656 §7.2). */
  readonly allocateResponse: Buffer | null = null;
  private readonly permissions = new Map<string, Permission>();
  private readonly channels = new Map<number, ChannelBinding>();
  private readonly channelsByPeer = new Map<string, ChannelBinding>();

  constructor(
    /** Also the relay socket id. */
    readonly id: number,
    init: AllocationInit,
    nowMs: number,
  ) {
    this.client = init.client;
    this.username = init.username;
    this.key = init.key;
    this.integrity = init.integrity;
    this.family = init.family;
    this.relayIp = init.relayIp;
    this.allocateTid = init.allocateTid;
    this.evenPort = init.evenPort;
    this.reserveNext = init.reserveNext;
    this.reservedPort = init.reservedPort;
    this.wantsIpv6Too = init.wantsIpv6Too;
    this.toPeer = init.toPeer;
    this.toClient = init.toClient;
    this.lifetimeS = init.lifetimeS;
    // Restarted once the relayed address exists; until then it bounds a socket that never binds.
    this.expiresAtMs = nowMs + init.lifetimeS * 1000;
    this.pendingRequest = init.request;
  }

  /** The life fields, writable: for this class's verbs only. */
  private get life(): { -readonly [K in Life]: Allocation[K] } {
    return this;
  }

  get permissionCount(): number {
    return this.permissions.size;
  }

  get channelCount(): number {
    return this.channels.size;
  }

  /** Another relay socket is being tried. */
  retryBind(): void {
    this.life.bindAttempts++;
  }

  /** The relay socket is bound on `port`: the allocation relays from now on (RFC 8656 §7.2). */
  activate(port: number, nowMs: number, response: Buffer): void {
    const life = this.life;
    life.state = 'active';
    life.pendingRequest = null;
    life.relayPort = port;
    life.relayKey = `${this.relayIp}|${port}`;
    life.expiresAtMs = nowMs + this.lifetimeS * 1000;
    life.allocateResponse = response;
  }

  /** RFC 8656 §7.3: a Refresh sets a new lifetime from now. */
  refresh(lifetimeS: number, nowMs: number): void {
    this.life.lifetimeS = lifetimeS;
    this.life.expiresAtMs = nowMs + lifetimeS * 1000;
  }

  /** Deleted: nothing relays any more. */
  close(): void {
    this.life.state = 'closed';
    this.life.pendingRequest = null;
    this.permissions.clear();
    this.channels.clear();
    this.channelsByPeer.clear();
  }

  hasPermission(ipText: string): boolean {
    return this.permissions.has(ipText);
  }

  /** Valid (unexpired) permission for a peer IP. */
  permissionFor(ipText: string, nowMs: number): Permission | undefined {
    const p = this.permissions.get(ipText);
    return p && p.expiresAtMs > nowMs ? p : undefined;
  }

  /** RFC 8656 §9.2: installs or refreshes the permission for one peer IP. */
  installPermission(ip: IpAddress, ipText: string, cidrAllowed: boolean, expiresAtMs: number): Permission {
    let p = this.permissions.get(ipText);
    if (p && p.cidrAllowed === cidrAllowed) p.refresh(expiresAtMs);
    else {
      p = new Permission(ipText, ip, expiresAtMs, cidrAllowed);
      this.permissions.set(ipText, p);
    }
    return p;
  }

  channel(channel: number): ChannelBinding | undefined {
    return this.channels.get(channel);
  }

  /** The one channel binding when there is exactly one, else undefined. */
  onlyChannel(): ChannelBinding | undefined {
    if (this.channels.size !== 1) return undefined;
    for (const b of this.channels.values()) return b;
    return undefined;
  }

  channelForPeer(peerKey: string): ChannelBinding | undefined {
    return this.channelsByPeer.get(peerKey);
  }

  /** RFC 8656 §12.2: a new binding (the caller checked both directions are free). */
  bindChannel(channel: number, peerIp: string, peerPort: number, peerKey: string, perm: Permission, expiresAtMs: number): ChannelBinding {
    const b = new ChannelBinding(this, channel, peerIp, peerPort, peerKey, perm, expiresAtMs);
    this.channels.set(channel, b);
    this.channelsByPeer.set(peerKey, b);
    return b;
  }

  /** Removes lapsed permissions (§9) and channels (§12); returns the next expiry among the rest. */
  expireEntries(nowMs: number): number {
    let next = Number.POSITIVE_INFINITY;
    for (const [ip, p] of this.permissions) {
      if (p.expiresAtMs <= nowMs) this.permissions.delete(ip);
      else next = Math.min(next, p.expiresAtMs);
    }
    for (const [num, c] of this.channels) {
      if (c.expiresAtMs <= nowMs) {
        this.channels.delete(num);
        this.channelsByPeer.delete(c.peerKey);
      } else next = Math.min(next, c.expiresAtMs);
    }
    return next;
  }
}
