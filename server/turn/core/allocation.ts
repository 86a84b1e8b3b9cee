/**
 * Allocation state (RFC 8656 §2.2, §7): one relayed transport address, its permissions (§9)
 * and channel bindings (§12). Plain data plus small helpers; the core owns the rules.
 */
import { encodeChannelData, type ChannelDataFraming, type StunMessage } from '../codec/index.js';
import type { IpAddress, IpFamily } from '../net/ip.js';
import type { ClientTuple, PeerDelivery } from './types.js';

/** RFC 8656 §9: a permission, keyed by peer IP only (ports ignored). */
export class Permission {
  constructor(
    readonly ipText: string,
    readonly ip: IpAddress,
    public expiresAtMs: number,
    /** The peer policy allowed this IP through an operator CIDR (no exact-endpoint check needed). */
    readonly cidrAllowed: boolean,
  ) {}
}

/** RFC 8656 §12: a channel binding: channel number <-> peer transport address. */
export class ChannelBinding implements PeerDelivery {
  readonly kind = 'channel' as const;
  /** Cached exact-endpoint decision and the policy generation it was made at. */
  policyGeneration = -1;
  policyAllowed = false;
  /** RFC 8656 §12.5: how ChannelData reaches this client (padded on TCP/TLS). */
  readonly framing: ChannelDataFraming;
  constructor(
    readonly alloc: Allocation,
    readonly channel: number,
    readonly peerIp: string,
    readonly peerPort: number,
    /** `${peerIp}|${peerPort}` (precomputed map key). */
    readonly peerKey: string,
    public permission: Permission,
    public expiresAtMs: number,
  ) {
    this.framing = alloc.client.listener.transport === 'udp' ? 'datagram' : 'stream';
  }

  get client(): ClientTuple {
    return this.alloc.client;
  }

  /** The ChannelData message that carries a peer's `payload` to the client (RFC 8656 §12.7). */
  frame(payload: Uint8Array): Buffer {
    return encodeChannelData(this.channel, payload, this.framing);
  }
}

/** RFC 8656 §11.3: a Data indication for the client, built by the core (it carries the payload). */
export class DataIndication implements PeerDelivery {
  readonly kind = 'indication' as const;
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
}

export type AllocationState = 'opening' | 'active';

/** RFC 8656 §2.2: one allocation, identified by the client's 5-tuple. */
export class Allocation {
  state: AllocationState = 'opening';
  relayPort = 0;
  /** `${relayIp}|${relayPort}` once open. */
  relayKey = '';
  bindAttempts = 0;
  /** The Allocate request waiting for its relay socket to bind. */
  pendingRequest: StunMessage | null = null;
  /** ADDITIONAL-ADDRESS-FAMILY asked for IPv6 too (answered with ADDRESS-ERROR-CODE 440). */
  wantsIpv6Too = false;
  /** EVEN-PORT R=1: reserve relayPort + 1 on success. */
  reserveNext = false;
  /** Port taken from a RESERVATION-TOKEN (no retries on other ports), or 0. */
  reservedPort = 0;
  /** Allocate transaction ID (hex) and its success response, replayed on retransmission (§7.2). */
  allocateResponse: Buffer | null = null;
  readonly permissions = new Map<string, Permission>();
  readonly channels = new Map<number, ChannelBinding>();
  readonly channelsByPeer = new Map<string, ChannelBinding>();

  constructor(
    /** Also the relay socket id. */
    readonly id: number,
    readonly client: ClientTuple,
    readonly username: string,
    readonly key: Buffer,
    readonly integrity: 'sha1' | 'sha256',
    readonly useFingerprint: boolean,
    readonly family: IpFamily,
    readonly relayIp: string,
    readonly allocateTid: string,
    public lifetimeS: number,
    public expiresAtMs: number,
    readonly evenPort: boolean,
    readonly toPeer: TokenBucket,
    readonly toClient: TokenBucket,
  ) {}

  /** Valid (unexpired) permission for a peer IP. */
  permissionFor(ipText: string, nowMs: number): Permission | undefined {
    const p = this.permissions.get(ipText);
    return p && p.expiresAtMs > nowMs ? p : undefined;
  }
}
