/**
 * Probe classification by datagram size. callprobe sends one probe per datagram, so through
 * TURN (ChannelData, RFC 8656 §12.4, or Send/Data indications, RFC 8656 §11, around DTLS
 * + SCTP) probes share one size class while SACKs, heartbeats and STUN/TURN control
 * messages have other sizes.
 *
 * Either the range is given (minBytes..maxBytes), or it is learned: the most frequent size
 * among the first N impaired datagrams (ties go to the larger size), +- toleranceBytes.
 * While learning, classify() answers null ("not known yet"); the caller classifies those
 * datagrams again once range() is set.
 */
import type { ProbeClass } from './scenario.js';

export interface SizeRange {
  minBytes: number;
  maxBytes: number;
}

export class ProbeClassifier {
  private current: SizeRange | null;
  private readonly sizes = new Map<number, number>();
  private observed = 0;

  constructor(private readonly spec: ProbeClass | null) {
    this.current = spec && 'minBytes' in spec ? { minBytes: spec.minBytes, maxBytes: spec.maxBytes } : null;
  }

  /** No classification configured: probe counts stay empty. */
  get enabled(): boolean {
    return this.spec !== null;
  }

  /** The range was learned (rather than given). */
  get learned(): boolean {
    return this.spec !== null && 'learnFromFirst' in this.spec && this.current !== null;
  }

  /** Datagrams the learned range was taken from. */
  get learnedFrom(): number {
    return this.observed;
  }

  range(): SizeRange | null {
    return this.current;
  }

  /** true/false when the range is known, null while learning or when disabled. */
  classify(sizeBytes: number): boolean | null {
    const r = this.current;
    if (r === null) return null;
    return sizeBytes >= r.minBytes && sizeBytes <= r.maxBytes;
  }

  /** Feed an impaired datagram's size while learning; true when this settled the range. */
  observeImpaired(sizeBytes: number): boolean {
    const spec = this.spec;
    if (spec === null || !('learnFromFirst' in spec) || this.current !== null) return false;
    this.sizes.set(sizeBytes, (this.sizes.get(sizeBytes) ?? 0) + 1);
    this.observed++;
    if (this.observed < spec.learnFromFirst) return false;
    return this.settle();
  }

  /** End of run while still learning: settle on what was seen (false if nothing was). */
  settle(): boolean {
    const spec = this.spec;
    if (spec === null || !('learnFromFirst' in spec) || this.current !== null || this.sizes.size === 0) return false;
    let best = -1;
    let bestCount = -1;
    for (const [size, count] of this.sizes) {
      if (count > bestCount || (count === bestCount && size > best)) {
        best = size;
        bestCount = count;
      }
    }
    const tolerance = spec.toleranceBytes ?? 0;
    this.current = { minBytes: Math.max(0, best - tolerance), maxBytes: best + tolerance };
    return true;
  }
}
