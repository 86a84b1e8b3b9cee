/**
 * The site x region table in words (../site/regions.ts): one row per test server (edge) any sample
 * measured, with the P90 of the samples' locate medians, graded against the site's Azure row where
 * the edge stands in that row's region. Labelled everywhere as locate figures: a 3 s measurement
 * of the round trip to each edge's relay before each test, not a graded test. Pure.
 */
import type { ResolvedProfile } from '../grade/targets.js';
import { azureRowOf } from '../grade/targets.js';
import type { SiteRegionRow } from '../site/regions.js';
import { count, figureMs, limitValue, ms, plural } from './format.js';

/** One row of the table, with its words. */
export interface SiteRegionView extends SiteRegionRow {
  /** pass, fail, insufficient, or 'not graded'. */
  grade: string;
  sentence: string;
}

/** What the table says it is, the same on the console and in `report --site`. */
export const SITE_REGIONS_CAPTION =
  "Region by region (locate figures): before each test, 20 probes through each test server's relay measure the round trip to it; the 90th percentile of the samples' medians, per test server. Not part of the verdict.";

/** Why an edge's P90 is not graded, for a site graded against `profile`. */
function notGradedBecause(profile: Pick<ResolvedProfile, 'id' | 'azureRegion'> | null): string {
  const row = profile?.id === 'azure-region' && profile.azureRegion !== null ? azureRowOf(profile.azureRegion) : null;
  if (row === null) return 'not graded: this site names no customer region (run --every --azure-region)';
  return `not graded: Microsoft's Azure table gives ${row.customerRegion} a limit to ${row.azureRegion} only`;
}

/** The rows with their words; `profile` is the site report's (its Azure row, if any). */
export function siteRegionViews(
  rows: readonly SiteRegionRow[],
  profile: Pick<ResolvedProfile, 'id' | 'azureRegion' | 'from'> | null,
  minSamples: number,
): SiteRegionView[] {
  return rows.map((r) => {
    const name = `${r.azureRegion} (${r.id})`;
    const p90 = r.p90Ms === null ? 'no locate figure' : `P90 of ${plural(r.samples, 'locate median')} ${ms(r.p90Ms, r.graded?.threshold)}`;
    const g = r.graded;
    let how: string;
    if (g === null) how = notGradedBecause(profile);
    else if (g.status === 'pass')
      how = `within the ${limitValue(g.threshold, 'ms')} limit (${profile?.from === 'edge' ? 'from your network edge' : 'from your site'})`;
    else if (g.status === 'fail')
      how = `not within the ${limitValue(g.threshold, 'ms')} limit (${profile?.from === 'edge' ? 'from your network edge' : 'from your site'})`;
    else how = `not graded yet against the ${limitValue(g.threshold, 'ms')} limit: a P90 needs ${count(minSamples)} samples, this edge has ${count(r.samples)}`;
    return { ...r, grade: g === null ? 'not graded' : g.status, sentence: `${name}: ${p90}, ${how}.` };
  });
}

/** One text line of the table for `report --site`. */
export function siteRegionLine(v: SiteRegionView): string {
  return `${v.grade.toUpperCase().padEnd(12)} ${`${v.azureRegion} (${v.id})`.padEnd(36)} ${count(v.samples).padStart(8)} ${count(v.tested).padStart(7)} ${figureMs(v.p50Ms).padStart(10)} ${figureMs(v.p90Ms, v.graded?.threshold).padStart(10)} ${(v.graded === null ? '–' : `< ${limitValue(v.graded.threshold, 'ms')}`).padStart(10)}`;
}

/** The heading of those lines. */
export const SITE_REGION_HEADING = `${'STATUS'.padEnd(12)} ${'TEST SERVER'.padEnd(36)} ${'SAMPLES'.padStart(8)} ${'TESTED'.padStart(7)} ${'P50'.padStart(10)} ${'P90'.padStart(10)} ${'LIMIT'.padStart(10)}`;
