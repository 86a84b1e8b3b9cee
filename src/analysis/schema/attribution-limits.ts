/** How much of the attribution a report lists (report-schema.ts), as data the analysis may import at runtime. */
/** Intervals listed per direction; the rest are counted in `intervalsLeftOut` (and in the windows). */
export const ATTRIBUTION_MAX_INTERVALS = 200;
/** Arrival bins listed (the ones with the longest gaps). */
export const ATTRIBUTION_MAX_BINS = 100;
