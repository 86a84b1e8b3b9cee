/**
 * A budget of failed result-code lookups per minute over every source together. The per-source
 * read limit bounds one address (or IPv6 /64); many sources guessing together are bounded here.
 * Once the minute's failures are spent, a lookup is refused (429) until the minute ends, found
 * or not, so a guess that would have hit is refused too, unless it comes from a network that
 * asked for no unknown code this minute (IPv4 /24, IPv6 /48: a site, RFC 6177 §3). So a few
 * guessers cannot lock everyone else out of their own results: a caller who types a code right
 * gets it. The free pass ends for a network at its first failed lookup, and for everyone once
 * more than `maxFailedNetworks` networks failed this minute (each guesses at most once beyond the
 * budget, so a minute allows at most failedPerMinute + maxFailedNetworks guesses of 2^40 codes).
 */
import { formatIp, tryParseIp } from '../../src/protocol/ip.js';

const WINDOW_MS = 60_000;
/** Bytes of the network a free pass is counted by: IPv4 /24, IPv6 /48. */
const IPV4_NETWORK_BYTES = 3;
const IPV6_NETWORK_BYTES = 6;

/** The network `ip` belongs to for the free pass: its IPv4 /24 or IPv6 /48 (IPv4-mapped unwrapped); text that is not an address is its own key. */
export function lookupNetwork(ip: string | undefined): string {
  if (ip === undefined || ip === '') return 'unknown';
  const a = tryParseIp(ip);
  if (a === null) return ip.toLowerCase();
  const mapped = a.family === 6 && a.bytes.subarray(0, 10).every((b) => b === 0) && a.bytes[10] === 0xff && a.bytes[11] === 0xff;
  const v4 = a.family === 4 ? a.bytes : mapped ? a.bytes.slice(12) : null;
  if (v4 !== null) {
    const net = new Uint8Array(4);
    net.set(v4.subarray(0, IPV4_NETWORK_BYTES));
    return `${formatIp({ family: 4, bytes: net })}/24`;
  }
  const net = new Uint8Array(16);
  net.set(a.bytes.subarray(0, IPV6_NETWORK_BYTES));
  return `${formatIp({ family: 6, bytes: net })}/48`;
}

export class LookupBudget {
  private windowStartMs: number;
  private failures = 0;
  private refusedTotal = 0;
  /** Networks with a failed lookup this minute; null once more than maxFailedNetworks did (no free pass for anyone). */
  private failedNetworks: Set<string> | null = new Set();

  constructor(
    private readonly failedPerMinute: number,
    private readonly maxFailedNetworks: number,
    private readonly nowMs: () => number,
  ) {
    this.windowStartMs = nowMs();
  }

  private roll(): void {
    const t = this.nowMs();
    if (t - this.windowStartMs >= WINDOW_MS) {
      this.windowStartMs = t;
      this.failures = 0;
      this.failedNetworks = new Set();
    }
  }

  /** May a lookup from `network` (lookupNetwork) run now? False (and counted) once this minute's failures are spent and the network has no free pass. */
  open(network: string): boolean {
    this.roll();
    if (this.failures < this.failedPerMinute) return true;
    if (this.failedNetworks !== null && !this.failedNetworks.has(network)) return true;
    this.refusedTotal++;
    return false;
  }

  /** A lookup from `network` found nothing. */
  failed(network: string): void {
    this.roll();
    this.failures++;
    if (this.failedNetworks === null) return;
    this.failedNetworks.add(network);
    if (this.failedNetworks.size > this.maxFailedNetworks) this.failedNetworks = null;
  }

  /** Seconds until the budget opens again (for Retry-After). */
  retryAfterS(): number {
    return Math.max(1, Math.ceil((this.windowStartMs + WINDOW_MS - this.nowMs()) / 1000));
  }

  /** Lookups refused because the budget was spent, since start. */
  get refused(): number {
    return this.refusedTotal;
  }
}
