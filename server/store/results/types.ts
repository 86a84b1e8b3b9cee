/** The results repository: storing a result and reading it back (tables results and result_addresses). */
import type { NewAlertPost } from '../alerts/types.js';
import type { ResultKind } from '../summary.js';

/** What a stored record is (defined beside the summary columns, which the sites' repository reads too). */
export type { ResultKind };

/** One result to store, already validated (src/analysis/report/accept.ts). */
export interface NewResult {
  /** Client-made id of this upload: a second put with the same one stores nothing (idempotent). */
  sampleId: string | null;
  kind: ResultKind;
  /** When the test started (report meta.startedAt, or a could-not-test record's atMs), ms since the epoch. */
  startedAtMs: number;
  /** The site's name as shown (the upload door stores canonicalSite's `display`); filed under its key (../site-key.ts). */
  site: string | null;
  ticket: string | null;
  /** pass / fail / insufficient, or null for a could-not-test record. */
  verdict: string | null;
  /** The report JSON as the client sent it (without the upload's sampleId). */
  reportJson: string;
  /** The client's address as the server saw it, or null when unknown. */
  address: string | null;
  /**
   * Webhook posts to keep with the result, in its transaction (serve --result-webhook: one per
   * result webhook whose filter it passes), each in the result's own queue (resultQueue): none when
   * this sampleId was stored already. Absent: none.
   */
  posts?: readonly NewAlertPost[];
  /** A kept re-run claim (`meta.previousCode`) came from another network than the claimed result: true, false, or null (unknown, or no claim). */
  previousOtherNetwork?: boolean | null;
}

/** One stored result, address-free. */
export interface StoredResult {
  /** Internal id (operators). */
  id: string;
  /** What users see: `XXXX-XXXX` (src/protocol/result-code.ts). */
  code: string;
  sampleId: string | null;
  kind: ResultKind;
  storedAtMs: number;
  startedAtMs: number;
  site: string | null;
  siteKey: string | null;
  ticket: string | null;
  verdict: string | null;
  /** The report JSON text as stored. */
  reportJson: string;
}

/** The personal data kept apart from a result (table result_addresses). */
export interface StoredAddress {
  /** The full address, e.g. 203.0.113.7 or 2001:db8:1:2::7. */
  address: string;
  /** The same address truncated: IPv4 /24, IPv6 /48 (e.g. 203.0.113.0/24). */
  truncated: string;
  storedAtMs: number;
}

export interface PutOutcome {
  result: StoredResult;
  /** False when this sampleId was already stored: `result` is the first record. */
  created: boolean;
}

export interface ListQuery {
  /** Only tests started at or after this (ms since the epoch). */
  sinceMs: number | null;
  /** Only this site: any spelling, matched by its key (../site-key.ts). */
  site: string | null;
  /**
   * With `site`: also the results a ?site= link named it on without the token (stored
   * unverified: the help desk's search); never for site reports, alerts or exports.
   */
  siteUnverifiedToo?: boolean;
  /** At most this many rows, oldest first (newest first with `newestFirst`). */
  limit: number;
  /** Only tests started before this (ms since the epoch). */
  untilMs?: number | null;
  /**
   * Only tickets that start with this, letters' case ignored (the help desk types "inc-47" for
   * INC-4711; SQLite folds the case of ASCII letters only, PostgreSQL of every letter).
   */
  ticketPrefix?: string | null;
  /** Only this verdict (pass / fail / insufficient). */
  verdict?: string | null;
  /** Only could-not-test records (true) or only reports (false). */
  couldNotTest?: boolean | null;
  /** The help desk console's search: newest first. */
  newestFirst?: boolean;
}

export interface ResultsRepository {
  /**
   * Stores one result with a fresh id and code (and moves its site's row, table sites, in the
   * same transaction); resolves once it is durable (an acknowledged 201 survives kill -9).
   */
  put(result: NewResult): Promise<PutOutcome>;
  /** By its canonical code `XXXX-XXXX`. */
  getByCode(code: string): Promise<StoredResult | null>;
  /** By the client-made sampleId of its upload. */
  getBySampleId(sampleId: string): Promise<StoredResult | null>;
  /** By its internal id, with the addresses still kept (operators only). */
  getById(id: string): Promise<(StoredResult & { addresses: StoredAddress[] }) | null>;
  /** Oldest test first; the export reads this. */
  list(query: ListQuery): Promise<StoredResult[]>;
}
