/**
 * A budget of failed result-code lookups per minute over every source together. The per-source
 * read limit bounds one address (or IPv6 /64); many sources guessing together are bounded here:
 * once the minute's failures are spent, every lookup is refused (429) until the minute ends,
 * found or not, so a guess that would have hit is refused too. A minute of refusals costs
 * honest callers a retry; it costs a guesser its whole run (2^40 codes).
 */
const WINDOW_MS = 60_000;

export class LookupBudget {
  private windowStartMs: number;
  private failures = 0;
  private refusedTotal = 0;

  constructor(
    private readonly failedPerMinute: number,
    private readonly nowMs: () => number,
  ) {
    this.windowStartMs = nowMs();
  }

  private roll(): void {
    const t = this.nowMs();
    if (t - this.windowStartMs >= WINDOW_MS) {
      this.windowStartMs = t;
      this.failures = 0;
    }
  }

  /** May a lookup run now? False (and counted) once this minute's failures are spent. */
  open(): boolean {
    this.roll();
    if (this.failures < this.failedPerMinute) return true;
    this.refusedTotal++;
    return false;
  }

  /** A lookup found nothing. */
  failed(): void {
    this.roll();
    this.failures++;
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
