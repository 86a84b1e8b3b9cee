/**
 * A rate-limited link with a finite FIFO queue (congestion model), pure and clocked by the
 * packet arrival times given to it.
 *
 * Service: a packet of s bytes takes (s + overheadBytes) * 8 / bitsPerSecond seconds on the
 * link; it starts when it arrives or when the previous accepted packet has left, whichever
 * is later, and leaves (departs) at the end of its service.
 * Queue: at an arrival, the backlog is every accepted packet that has not yet departed
 * (the one in service counts whole). Tail drop when backlog + this packet would exceed the
 * capacity (in bytes, datagram sizes without overhead; or in packets).
 * The queueing delay of an accepted packet is departure - arrival (it includes its own
 * serialization time).
 */
import type { RateLimit } from './scenario.js';

export type BottleneckResult = { accepted: true; departMs: number } | { accepted: false };

export class Bottleneck {
  /** Departure times and sizes of accepted packets still in the system, oldest first. */
  private readonly inSystem: { departMs: number; sizeBytes: number }[] = [];
  private head = 0;
  private backlogBytes = 0;
  private lastDepartMs = -Infinity;

  constructor(private readonly limit: RateLimit) {}

  offer(sizeBytes: number, arrivalMs: number): BottleneckResult {
    this.expire(arrivalMs);
    const packets = this.inSystem.length - this.head;
    const full = 'queueBytes' in this.limit ? this.backlogBytes + sizeBytes > this.limit.queueBytes : packets + 1 > this.limit.queuePackets;
    if (full) return { accepted: false };
    const serviceMs = ((sizeBytes + (this.limit.overheadBytes ?? 0)) * 8 * 1000) / this.limit.bitsPerSecond;
    const departMs = Math.max(arrivalMs, this.lastDepartMs) + serviceMs;
    this.lastDepartMs = departMs;
    this.inSystem.push({ departMs, sizeBytes });
    this.backlogBytes += sizeBytes;
    return { accepted: true, departMs };
  }

  /** Remove packets that departed at or before `nowMs`. */
  private expire(nowMs: number): void {
    while (this.head < this.inSystem.length) {
      const first = this.inSystem[this.head];
      if (first === undefined || first.departMs > nowMs) break;
      this.backlogBytes -= first.sizeBytes;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.inSystem.length) {
      this.inSystem.splice(0, this.head);
      this.head = 0;
    }
  }
}
