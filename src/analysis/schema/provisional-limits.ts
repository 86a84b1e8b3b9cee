/** How much of the provisional answers a report keeps (report-schema.ts; the server bounds report bodies). */

/** Longest evidence string a provisional claim keeps in a report. */
export const CLAIM_EVIDENCE_MAX_CHARS = 200;
/** At most this many claims per provisional answer, and answers per test, in a report. */
export const PROVISIONAL_MAX_CLAIMS = 12;
export const PROVISIONAL_MAX_ANSWERS = 16;
