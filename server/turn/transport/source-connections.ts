/**
 * TURN-over-TCP/TLS connections open per source, over every stream listener of the relay. A
 * source is an IPv4 address or an IPv6 /64 (`sourceKey`, the key of the allocation quota and of
 * the HTTP side's limits). A stream connection carries at most one allocation (RFC 8656 §3.1:
 * the 5-tuple is the allocation's key), so a source never needs more connections open than its
 * allocation quota; beyond it, a new connection is closed as soon as it is accepted.
 */
import { sourceKey } from '../../../src/protocol/source-key.js';

export class SourceConnections {
  private readonly open = new Map<string, number>();

  constructor(readonly maxPerSource: number) {}

  /** Counts a new connection from `ip`: its source key, or null (not counted) when that source is at the bound. */
  tryOpen(ip: string): string | null {
    const key = sourceKey(ip);
    const n = this.open.get(key) ?? 0;
    if (n >= this.maxPerSource) return null;
    this.open.set(key, n + 1);
    return key;
  }

  /** A connection counted by `tryOpen` closed. */
  release(key: string): void {
    const n = (this.open.get(key) ?? 1) - 1;
    if (n <= 0) this.open.delete(key);
    else this.open.set(key, n);
  }

  /** Connections open from the source of `ip`. */
  openFrom(ip: string): number {
    return this.open.get(sourceKey(ip)) ?? 0;
  }

  /** Sources with a connection open (the map holds nothing else). */
  get sources(): number {
    return this.open.size;
  }
}
