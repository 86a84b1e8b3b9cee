/**
 * How much of the attribution a report lists (report-schema.ts), as data the analysis may import at
 * runtime: little enough that the largest report, with every list full, stays under the upload's
 * body limit (test/server/http/route-bounds.test.ts). The windows count every interval.
 */
/** Intervals listed per direction; the rest are counted in `intervalsLeftOut` (and in the windows). */
export const ATTRIBUTION_MAX_INTERVALS = 30;
/** Arrival bins listed (the ones with the longest gaps). */
export const ATTRIBUTION_MAX_BINS = 10;
/** 200 ms windows of the server's event-loop readings one report may count: 12 minutes of them (a test lasts 10 at most). */
export const SERVER_LOOP_MAX_WINDOWS = 3_600;
/** The longest event-loop delay a report may carry: a whole test's length (10 minutes). */
export const SERVER_LOOP_MAX_DELAY_MS = 600_000;
