/**
 * Types shared by the Sans-IO TURN core and the transports that execute its actions.
 * The core never touches sockets or timers: it takes input plus the current time and returns
 * what to do (RFC 8656 server behaviour, §7-§12).
 */
import { CONSTANTS, DEFAULTS } from '../../../src/protocol/defaults.js';
import type { IpFamily } from '../../../src/protocol/ip.js';
import type { ListenerStats, TransportKind } from '../metrics.js';
import type { PeerPolicy } from '../policy/peer-policy.js';
import type { WitnessLimits } from '../witness/book.js';

export type { TransportKind };

/** One listening socket (or stream server) of the relay. */
export interface ListenerInfo {
  readonly id: number;
  readonly transport: TransportKind;
  readonly address: string;
  readonly port: number;
  /** Counters shared by the listeners of this transport+port. */
  readonly stats: ListenerStats;
}

/** RFC 8656 §2: the client's 5-tuple as seen by the server. */
export interface ClientTuple {
  /** Unique per 5-tuple: UDP "<listenerId>|<ip>|<port>", stream "c<connectionId>". */
  readonly key: string;
  readonly listener: ListenerInfo;
  readonly ip: string;
  readonly port: number;
}

import type { AuthRefusal, DropActionReason } from './reasons.js';

export type AuthResult = { readonly ok: true; readonly key: Buffer } | { readonly ok: false; readonly reason: AuthRefusal; readonly detail: string };

/** RFC 8489 §9.2: long-term credential lookup. Returns the key MD5(user:realm:pass) or a refusal. */
export type AuthHandler = (username: string, realm: string, nowMs: number) => AuthResult;

/**
 * RFC 8656 §7.2 step 8: picks a relayed transport address port. Returns a port to try
 * (0 = let the OS choose), or null when none is left. `inUse` lists ports this relay holds.
 */
export type RelayPortAllocator = (family: IpFamily, inUse: ReadonlySet<number>, evenPort: boolean) => number | null;

/** Per-relay limits (RFC 8656 §7.2: 486 per-user quota, 508 capacity). */
export interface RelayQuotas {
  /** Concurrent allocations one username may hold (486 beyond). */
  maxAllocationsPerUsername: number;
  /** Concurrent allocations one source may hold, EVEN-PORT reservations included (486 beyond): an IPv4 address or an IPv6 /64 (server/common/source-key.ts). */
  maxAllocationsPerSourceIp: number;
  /** Concurrent allocations in total (508 beyond). */
  maxAllocationsTotal: number;
  /** Relayed payload rate per allocation and direction, bytes per second; excess is dropped. */
  maxBandwidthBytesPerS: number;
  /** Token-bucket depth for the rate above, bytes. */
  bandwidthBurstBytes: number;
  /** Distinct peer IPs with a permission per allocation (508 beyond, RFC 8656 §9.2). */
  maxPermissionsPerAllocation: number;
  /** Channel bindings per allocation (508 beyond, RFC 8656 §12.2). */
  maxChannelsPerAllocation: number;
}

/** Sized in src/protocol/defaults.ts, with every other default (an office behind one NAT). */
export const DEFAULT_QUOTAS: Readonly<RelayQuotas> = DEFAULTS.relayQuotas;

/** RFC 8656 §7.2, §9, §12 timers, and the nonce lifetime. Defaults follow the RFC. */
export interface CoreTimers {
  /** RFC 8656 §3.2: default allocation lifetime 600 s. */
  defaultLifetimeS: number;
  /** RFC 8656 §7.2: maximum lifetime, 3600 s recommended. */
  maxLifetimeS: number;
  /** RFC 8656 §9: permission lifetime 300 s. */
  permissionLifetimeS: number;
  /** RFC 8656 §12: channel binding lifetime 600 s. */
  channelLifetimeS: number;
  /** RFC 8489 §9.2: how long a nonce stays fresh before 438 (coturn's default is 600 s). */
  nonceLifetimeS: number;
}

export const DEFAULT_TIMERS: Readonly<CoreTimers> = {
  defaultLifetimeS: 600,
  maxLifetimeS: 3600,
  permissionLifetimeS: 300,
  channelLifetimeS: 600,
  nonceLifetimeS: 600,
};

/**
 * A source of random bytes (the core's only randomness: RESERVATION-TOKENs, RFC 8656 §14.9,
 * and the Data indication transaction-ID base, RFC 8489 §6). The Node transport passes
 * crypto.randomBytes; tests pass a seeded source, so the core is deterministic given its inputs.
 */
export type RandomBytes = (size: number) => Buffer;

export interface CoreConfig {
  realm: string;
  /** Relayed addresses by family (at least one). The address is bound by relay sockets. */
  relayAddresses: { readonly 4?: string; readonly 6?: string };
  auth: AuthHandler;
  peerPolicy: PeerPolicy;
  portAllocator: RelayPortAllocator;
  quotas: RelayQuotas;
  timers: CoreTimers;
  /** Key for stateless nonces (random per process). */
  nonceSecret: Buffer;
  /** How many ports to try before answering 508. */
  maxRelayBindAttempts: number;
  /** SOFTWARE attribute in responses (RFC 8489 §14.14); empty = none. */
  software: string;
  /** Randomness for tokens and transaction IDs. */
  random: RandomBytes;
  /** The RTP witness's bounds; default DEFAULT_WITNESS_LIMITS. */
  witness?: WitnessLimits;
  /**
   * Monotonic high-resolution clock (ms) for the arrival times of relayed RTP packets (jitter,
   * IPDV); read only for RTP. Default: the `nowMs` argument (the transport passes performance.now).
   */
  arrivalClock?: () => number;
}

/** Sized in src/protocol/defaults.ts (CONSTANTS.relayWitness). */
export const DEFAULT_WITNESS_LIMITS: Readonly<WitnessLimits> = CONSTANTS.relayWitness;

/**
 * Where and how a peer's datagram reaches the client: through a channel binding as ChannelData
 * (RFC 8656 §12.7, framed per §12.5) or as a Data indication (§11.3). The transport sends
 * `frame(payload)` to `client`; tests check the same bytes.
 */
export interface PeerDelivery {
  readonly client: ClientTuple;
  frame(payload: Buffer): Buffer;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** What the transport must do. Actions are executed in order. */
export type Action =
  /** Send bytes to the client over its 5-tuple (stream transports frame as-is). */
  | { readonly kind: 'send-client'; readonly client: ClientTuple; readonly data: Buffer }
  /** Send a datagram from relay socket `relayId` to a peer. */
  | { readonly kind: 'send-peer'; readonly relayId: number; readonly ip: string; readonly port: number; readonly data: Buffer }
  /** Bind a UDP relay socket (port 0 = ephemeral) and report relayOpened / relayOpenFailed. */
  | { readonly kind: 'open-relay'; readonly relayId: number; readonly family: IpFamily; readonly ip: string; readonly port: number }
  | { readonly kind: 'close-relay'; readonly relayId: number }
  /** Call onTimer() at (or soon after) this time. */
  | { readonly kind: 'timer'; readonly atMs: number }
  /** Input dropped on purpose; already counted. */
  | { readonly kind: 'drop'; readonly reason: DropActionReason }
  | {
      readonly kind: 'log';
      readonly level: LogLevel;
      readonly msg: string;
      readonly fields: Readonly<Record<string, unknown>>;
      /** The client address the line is about: its source (IPv4 address, IPv6 /64) has its own budget of log lines. */
      readonly source?: string;
    };

/**
 * A datagram the relay's fast path took (a peer in this process answered it in C before any
 * JavaScript: ../transport/native/fast-peer.h), as the core counts it once the relay drains it.
 */
export interface FastDatagram {
  /** When it was read (ms, performance.now()). */
  recvMs: number;
  /** The channel's data: the client's RTP packet's bytes. */
  dataBytes: number;
  /** The RTP header of the datagram (RFC 3550 §5.1), as the relay's witness reads it. */
  upSeq: number;
  upTimestamp: number;
  upPadding: boolean;
  /** The answer's bytes (0: none), and its RTP header. */
  answerBytes: number;
  answerSsrc: number;
  answerSeq: number;
  answerTimestamp: number;
  /** Its traffic class as it arrived (the IPv4 TOS byte or IPv6 traffic class, its DSCP the upper six bits); -1: none read. */
  tos: number;
}
