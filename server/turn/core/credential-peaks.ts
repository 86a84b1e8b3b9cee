/**
 * How many allocations one credential held at once (RFC 8656 §7.2: the per-username quota is a
 * bound on exactly that), observed once per credential, when its last allocation or
 * reservation ends. One page test is one credential, so the histogram says how close tests
 * come to `--max-allocations-per-user`: the figure the quota is sized from
 * (src/protocol/defaults.ts), read off a live relay. Pure data; the table feeds it.
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

/** Each credential's most-held-at-once while it holds anything, and the histograms of those that ended. */
export class CredentialPeaks {
  /** Credentials holding allocations or reservations now -> the most they held at once so far, and whose. */
  private readonly open = new Map<string, { peak: number; owner: CredentialOwner }>();
  private readonly ended: Record<CredentialOwner, Histogram> = { page: new Histogram(), reflector: new Histogram() };

  /** `username` holds `held` now (just went up). */
  raised(username: string, held: number, owner: CredentialOwner): void {
    const o = this.open.get(username);
    if (o === undefined) this.open.set(username, { peak: held, owner });
    else if (held > o.peak) o.peak = held;
  }

  /** `username` holds `held` now (just went down): at zero its peak is observed and forgotten. */
  lowered(username: string, held: number): void {
    if (held > 0) return;
    const o = this.open.get(username);
    if (o === undefined) return;
    this.open.delete(username);
    this.ended[o.owner].observe(o.peak);
  }

  /**
   * The largest peak so far among `owner`'s credentials that still hold something (0 when none):
   * a credential whose allocations outlive its test (a release lost, a tab closed) is seen here
   * until their lifetime ends.
   */
  openPeakMax(owner: CredentialOwner): number {
    let max = 0;
    for (const o of this.open.values()) if (o.owner === owner && o.peak > max) max = o.peak;
    return max;
  }

  /** Credentials whose peak is still being followed (each holds something). */
  get following(): number {
    return this.open.size;
  }

  histogram(owner: CredentialOwner): PeakHistogram {
    return this.ended[owner].snapshot();
  }
}
