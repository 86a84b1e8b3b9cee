/**
 * The chain repository: a test run again from a stored result claims it as its earlier test
 * (`meta.previousCode`, column results.previous_code, migration 14). The upload door checks the
 * claim here (kept only for a result stored lately that started before the claimer), and notes
 * whether it came from another network than the claimed result (results.previous_other_network,
 * migration 16); the help desk console reads each result's links both ways.
 */

/** One result of a chain, as the console lists it. */
export interface ChainLink {
  id: string;
  code: string;
  startedAtMs: number;
  /** pass / fail / insufficient, or null for a could-not-test record. */
  verdict: string | null;
  /**
   * The claim between this link and the result viewed came from another network than the claimed
   * result (true), from the same (false), or could not be compared (null: an address not kept).
   */
  otherNetwork: boolean | null;
}

/** A claimed result as the upload door checks it: when it started, and the address that stored it (null: purged, or none). */
export interface ClaimedResult {
  startedAtMs: number;
  address: string | null;
}

export interface ChainRepository {
  /** The result with this canonical code, if stored at or after `sinceMs` (the server's clock). */
  claimed(code: string, sinceMs: number): Promise<ClaimedResult | null>;
  /**
   * The result `code` claims as its earlier one (null: none, or no longer stored), the results
   * that claim `code`, newest first, at most `laterMax`, and how many claim it in all.
   */
  linksOf(code: string, laterMax: number): Promise<{ earlier: ChainLink | null; later: ChainLink[]; laterTotal: number }>;
}
