/**
 * The chain repository: a test run again from a stored result claims it as its earlier test
 * (`meta.previousCode`, column results.previous_code, migration 14). The upload door checks the
 * claim here; the help desk console reads each result's links both ways.
 */

/** One result of a chain, as the console lists it. */
export interface ChainLink {
  id: string;
  code: string;
  startedAtMs: number;
  /** pass / fail / insufficient, or null for a could-not-test record. */
  verdict: string | null;
}

export interface ChainRepository {
  /** Whether a result with this canonical code was stored at or after `sinceMs` (the server's clock). */
  storedSince(code: string, sinceMs: number): Promise<boolean>;
  /**
   * The result `code` claims as its earlier one (null: none, or no longer stored), and the
   * results that claim `code`, oldest first, at most `laterMax`.
   */
  linksOf(code: string, laterMax: number): Promise<{ earlier: ChainLink | null; later: ChainLink[] }>;
}
