/**
 * TURN-over-TCP/TLS connections open per source, per network and in total, over every stream
 * listener of the relay. A source is an IPv4 address or an IPv6 /64 (`sourceKey`, the key of
 * the allocation quota and of the HTTP side's limits), a network an IPv6 /48 (IPv4: the
 * address). A stream connection carries at most one allocation (RFC 8656 §3.1: the 5-tuple is
 * the allocation's key), so a source never needs more connections open than its allocation
 * quota, nor the relay more than its allocation total; a network holds what a network may of
 * the allocations, and the last of the total go only to a source with none open
 * (server/common/door.ts). Beyond, a new connection is closed as soon as it is accepted.
 */
import { DoorCount, doorBounds, type DoorBounds, type DoorScope } from '../../common/door.js';

export class SourceConnections {
  private readonly door: DoorCount;

  /** `maxPerSource` and `total` as the allocation quotas (--max-allocations-per-ip, --max-allocations). */
  constructor(maxPerSource: number, total: number) {
    this.door = new DoorCount(doorBounds(total, maxPerSource));
  }

  get bounds(): DoorBounds {
    return this.door.bounds;
  }

  /** Counts a new connection from `ip`: null when counted (call `release(ip)` when it closes), else the bound that refused it (not counted). */
  tryOpen(ip: string): DoorScope | null {
    return this.door.take(ip);
  }

  /** A connection counted by `tryOpen` closed. */
  release(ip: string): void {
    this.door.release(ip);
  }

  /** Connections open from the source of `ip`. */
  openFrom(ip: string): number {
    return this.door.heldBySource(ip);
  }

  /** Connections open from the network of `ip`. */
  openFromNetwork(ip: string): number {
    return this.door.heldByNetwork(ip);
  }

  /** Sources with a connection open (the map holds nothing else). */
  get sources(): number {
    return this.door.sources;
  }

  /** Connections open in all. */
  get open(): number {
    return this.door.size;
  }
}
