/**
 * The key a site name is filed under in the store: canonicalSite's key (src/protocol/site-name.ts),
 * so "Paris office", " paris  office " and "PARIS OFFICE" are one site. New names pass
 * canonicalSite at the door (the upload, a query); a name stored before it that canonicalSite
 * refuses (a control character, a formula prefix) keeps its text as its key, so its samples stay
 * where they were.
 */
import { canonicalSite, SiteNameError } from '../../src/protocol/site-name.js';

export function siteKeyOf(site: string): string {
  try {
    return canonicalSite(site).key;
  } catch (err) {
    if (err instanceof SiteNameError) return site;
    throw err;
  }
}

/**
 * The key of the site a result names without the token (its body's meta.siteUnverified, set by
 * the upload door: server/reports/upload.ts), or null: what the help desk's site search finds
 * it by (results.unverified_site_key). A body that is not JSON names none.
 */
export function unverifiedSiteKeyOf(reportJson: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(reportJson);
  } catch (err) {
    if (err instanceof SyntaxError) return null;
    throw err;
  }
  const named = (value as { meta?: { siteUnverified?: unknown } } | null)?.meta?.siteUnverified;
  return typeof named === 'string' && named.trim() !== '' ? siteKeyOf(named) : null;
}

/**
 * Migration 5's re-keying of alert states: each stored (site, metric) row under its key. Two
 * spellings of one site with a state for one metric become one row: the raised one is kept (an
 * alert never silently disappears), else the newer.
 */
export interface AlertStateKeyRow {
  site: string;
  metric: string;
  state: string;
  updatedAtMs: number;
}

/** The rows to delete and the (site, metric) renames to make, in order. */
export function rekeyAlertStates(rows: readonly AlertStateKeyRow[]): { drop: AlertStateKeyRow[]; rename: Array<{ row: AlertStateKeyRow; key: string }> } {
  const keep = new Map<string, AlertStateKeyRow>();
  const better = (a: AlertStateKeyRow, b: AlertStateKeyRow): AlertStateKeyRow =>
    (a.state === 'raised') !== (b.state === 'raised') ? (a.state === 'raised' ? a : b) : a.updatedAtMs >= b.updatedAtMs ? a : b;
  for (const r of rows) {
    const id = `${siteKeyOf(r.site)}\u0000${r.metric}`;
    const kept = keep.get(id);
    keep.set(id, kept === undefined ? r : better(kept, r));
  }
  const kept = new Set(keep.values());
  return {
    drop: rows.filter((r) => !kept.has(r)),
    rename: [...kept].filter((r) => siteKeyOf(r.site) !== r.site).map((row) => ({ row, key: siteKeyOf(row.site) })),
  };
}
