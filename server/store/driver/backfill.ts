/**
 * What both drivers' migrations share: the batch size of a backfill, the UPDATE of the summary
 * columns, migration 4's scrub of a stored row and migration 11's rows that name an unverified site.
 */
import { hasAddress, scrubAddresses } from '../../../src/protocol/address-text.js';
import { withoutClientAddresses } from '../../../src/analysis/report/client-addresses.js';

/** The UPDATE of some of a row's summary columns (a migration's backfill), `?` or `$n` placeholders, the id last. */
export function summaryUpdateSql(columns: readonly string[], placeholder: (i: number) => string): string {
  return `UPDATE results SET ${columns.map((c, i) => `${c} = ${placeholder(i + 1)}`).join(', ')} WHERE id = ${placeholder(columns.length + 1)}`;
}

/** Rows the backfill reads at a time. */
export const BACKFILL_BATCH = 500;

/**
 * A stored body and its ticket column with the IP addresses in their texts replaced, as the
 * upload door does now (src/analysis/report/client-addresses.ts), or null when neither has any
 * (migration 4: bodies stored before the door scrubbed them). A body that is not JSON (stored
 * by hand, read as unreadable) is left as it is.
 */
export function scrubbedRow(reportJson: string, ticket: string | null): { report: string; ticket: string | null } | null {
  const cleanTicket = ticket === null ? null : scrubAddresses(ticket);
  let report = reportJson;
  // The raw text first: most bodies hold nothing that looks like an address, and need no parse.
  if (hasAddress(reportJson)) {
    let value: unknown;
    try {
      value = JSON.parse(reportJson);
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      value = undefined;
    }
    if (value !== undefined) {
      const clean = withoutClientAddresses(value);
      if (clean.scrubbed.length > 0) report = JSON.stringify(clean.value);
    }
  }
  return report === reportJson && cleanTicket === ticket ? null : { report, ticket: cleanTicket };
}

/**
 * Migration 11's next batch: rows with no site whose body may name an unverified one (the raw
 * text first, so most bodies are never parsed), after `after` by id; `ph` is the placeholder.
 */
export const unverifiedSiteCandidatesSql = (ph: string): string =>
  `SELECT id, report FROM results WHERE site_key IS NULL AND report LIKE '%"siteUnverified":"%' AND id > ${ph} ORDER BY id LIMIT ${BACKFILL_BATCH}`;
