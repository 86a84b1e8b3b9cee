/** Schema version of the reports this code writes (report-schema.ts; see migrate.ts for older ones). */
export const SCHEMA_VERSION = 3;
