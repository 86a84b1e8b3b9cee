/**
 * What the request handlers (allocate.ts, peers.ts) may use of the core: the allocation table,
 * the configuration they read, and the core's ways of answering, counting and scheduling.
 * turn-core.ts implements it; the handlers never see the core itself (no import cycle).
 */
import type { ErrorCodeNumber, StunMessage, StunWriter } from '../codec/index.js';
import type { ListenerStats } from '../metrics.js';
import type { Allocation, EndpointJudge } from './allocation.js';
import type { AllocationTable } from './allocation-table.js';
import type { DeletionReason, DropReason, MalformedReason, RefusalReason } from './reasons.js';
import type { ReplySecurity } from './respond.js';
import type { Action, ClientTuple, CoreConfig } from './types.js';
import type { WitnessBook } from '../witness/book.js';

/** A request that passed authentication (RFC 8489 §9.2.4). */
export interface AuthedRequest {
  readonly msg: StunMessage;
  readonly client: ClientTuple;
  readonly username: string;
  readonly sec: ReplySecurity;
}

/** The configuration the handlers read. */
export type HandlerConfig = Readonly<
  Pick<CoreConfig, 'relayAddresses' | 'peerPolicy' | 'portAllocator' | 'quotas' | 'timers' | 'maxRelayBindAttempts' | 'software'>
>;

export interface CoreContext extends EndpointJudge {
  readonly cfg: HandlerConfig;
  readonly allocations: AllocationTable;
  /** The RTP witness: every relayed payload passes through `observe` (RTP headers only). */
  readonly witnesses: WitnessBook;
  /** Sends an error response, counts the refusal and logs one line. */
  refuse(req: AuthedRequest, code: ErrorCodeNumber, reason: RefusalReason, detail: string, fill?: (w: StunWriter) => void): Action[];
  /** Counts a deliberate drop. */
  drop(stats: ListenerStats, reason: DropReason): Action;
  /** Counts undecodable input. */
  malformed(stats: ListenerStats, reason: MalformedReason): Action;
  /** Adds a timer action when `atMs` is earlier than the one already scheduled. */
  schedule(atMs: number, out: Action[]): void;
  /** Whether `peerKey` (`ip|port`) is a relayed address of ours: reached only as a relay pair (relay-pairs.ts). */
  isRelayAddress(peerKey: string): boolean;
  /** Deletes an allocation: close-relay and log actions. */
  deleteAllocation(a: Allocation, reason: DeletionReason, nowMs: number): Action[];
  /** A fresh transaction ID for a Data indication (unique, not secret: RFC 8489 §6). */
  indicationTid(): Buffer;
}
