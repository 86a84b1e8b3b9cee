/**
 * How many allocations one credential held at once (RFC 8656 §7.2: the per-username quota is a
 * bound on exactly that). One page test is one credential, so this says how close tests come to
 * `--max-allocations-per-user`: the figure the quota is sized from (src/protocol/defaults.ts),
 * read off a live relay. A credential's peak is followed while it holds anything and for
 * `idleGraceMs` after (a page's port checks come and go one after another before its legs
 * open: each is part of the same test), then observed once into its owner's histogram. Pure
 * data with the time passed in; the allocation table feeds it.
 */

/** Upper bounds (inclusive) of the buckets: fine where tests are, coarser beyond. */
export const CREDENTIAL_PEAK_BUCKETS: readonly number[] = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 56, 64, 96, 128];

/** Whose credential: a page's (anonymous callers) or the server's own reflector's (one per signalling session). */
export type CredentialOwner = 'page' | 'reflector';

/** One owner's histogram: per-bucket counts (not cumulative), the overflow above the last bound, their sum and count. */
export interface PeakHistogram {
  readonly buckets: readonly number[];
  readonly overflow: number;
  readonly sum: number;
  readonly count: number;
}

/** A credential followed for long enough to cover one test's gaps; past it, a credential's test is over. */
export const CREDENTIAL_IDLE_GRACE_MS = 60_000;
/** Idle credentials followed at most (the oldest observed first beyond it): bounds memory whatever mints credentials. */
const MAX_IDLE_CREDENTIALS = 4_096;

class Histogram {
  private readonly counts = CREDENTIAL_PEAK_BUCKETS.map(() => 0);
  private over = 0;
  private total = 0;
  private n = 0;

  observe(peak: number): void {
    const i = CREDENTIAL_PEAK_BUCKETS.findIndex((le) => peak <= le);
    if (i < 0) this.over++;
    else this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.total += peak;
    this.n++;
  }

  snapshot(): PeakHistogram {
    return { buckets: [...this.counts], overflow: this.over, sum: this.total, count: this.n };
  }
}

interface Followed {
  peak: number;
  owner: CredentialOwner;
}

export class CredentialPeaks {
  /** Credentials holding something, or idle for less than the grace: their most held at once so far. */
  private readonly followed = new Map<string, Followed>();
  /** The idle ones among them, oldest first, with when they last held nothing. */
  private readonly idle = new Map<string, number>();
  private readonly ended: Record<CredentialOwner, Histogram> = { page: new Histogram(), reflector: new Histogram() };

  constructor(
    private readonly idleGraceMs: number = CREDENTIAL_IDLE_GRACE_MS,
    private readonly maxIdle: number = MAX_IDLE_CREDENTIALS,
  ) {}

  /** `username` holds `held` now (just went up). */
  raised(username: string, held: number, owner: CredentialOwner, nowMs: number): void {
    this.idle.delete(username);
    const f = this.followed.get(username);
    if (f === undefined) this.followed.set(username, { peak: held, owner });
    else if (held > f.peak) f.peak = held;
    this.sweep(nowMs);
  }

  /** `username` holds `held` now (just went down): at zero its idle grace starts. */
  lowered(username: string, held: number, nowMs: number): void {
    if (held > 0 || !this.followed.has(username)) return;
    this.idle.delete(username);
    this.idle.set(username, nowMs);
    this.sweep(nowMs);
  }

  /** Observes the credentials idle past their grace, and the oldest idle ones beyond the bound. */
  sweep(nowMs: number): void {
    for (const [username, sinceMs] of this.idle) {
      if (sinceMs + this.idleGraceMs > nowMs && this.idle.size <= this.maxIdle) break;
      this.idle.delete(username);
      const f = this.followed.get(username);
      this.followed.delete(username);
      if (f !== undefined) this.ended[f.owner].observe(f.peak);
    }
  }

  /** Credentials followed now (holding something, or within their idle grace). */
  get following(): number {
    return this.followed.size;
  }

  /** The largest peak among `owner`'s credentials followed now (0 when none): the tests of the last minute, and any whose allocations outlive them. */
  followedPeakMax(owner: CredentialOwner): number {
    let max = 0;
    for (const f of this.followed.values()) if (f.owner === owner && f.peak > max) max = f.peak;
    return max;
  }

  histogram(owner: CredentialOwner): PeakHistogram {
    return this.ended[owner].snapshot();
  }
}
