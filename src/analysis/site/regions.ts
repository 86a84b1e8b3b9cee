/**
 * A site region by region: every sample of a hub carries the locate's figures of the edges it
 * measured (src/session/locate/: 20 probes through each edge's relay, their median, p50), so a site
 * sampled for a week has, per edge, a P90 of those p50s. That P90 is graded, by the one P90 rule
 * of the site report (./p90.ts), against the site's Azure row (Microsoft, "Measuring Network
 * Performance using Azure VMs") for the edges that stand in the row's Azure region; an edge in
 * another region has no limit in that table for this site and is shown, not graded. These are
 * locate figures (a 3 s measurement of the round trip to each edge's relay), not a graded test's
 * round trip; the site's verdict never reads them. Pure.
 */
import type { ResolvedProfile } from '../grade/targets.js';
import { azureRowOf } from '../grade/targets.js';
import { nearestRankIndex } from '../measure/percentile.js';
import { siteMetric, type P90Settings, type SiteMetric } from './p90.js';

/** What the region table reads of one sample: the edge its test ran on, and every edge its locate measured. */
export interface SiteLocateFields {
  edge: { id: string; azureRegion: string } | null;
  /** The edges the locate measured with a round trip (state ok, p50 known). */
  located: ReadonlyArray<{ id: string; azureRegion: string; rttMsP50: number }>;
}

/** One edge of the site x region table. */
export interface SiteRegionRow {
  id: string;
  azureRegion: string;
  /** Samples whose locate measured this edge (with a round trip), and samples whose test ran on it. */
  samples: number;
  tested: number;
  /** Nearest-rank P50 and P90 of the samples' locate p50s, ms. */
  p50Ms: number | null;
  p90Ms: number | null;
  /** The P90 graded against the site's Azure row (this edge stands in the row's region); null: not graded (no row, or another region). */
  graded: Pick<SiteMetric, 'threshold' | 'status' | 'reason' | 'earlyFail' | 'samplesGraded' | 'missed'> | null;
}

/**
 * The table: one row per edge any sample measured, in the order first seen (by sample time),
 * each edge's P90 graded against `profile`'s round-trip limit when the profile is an Azure row
 * and the edge stands in that row's Azure region.
 */
export function siteRegions(
  samples: ReadonlyArray<{ sample: string; fields: SiteLocateFields }>,
  profile: ResolvedProfile | null,
  settings: P90Settings,
): SiteRegionRow[] {
  const row = profile?.id === 'azure-region' && profile.azureRegion !== null ? azureRowOf(profile.azureRegion) : null;
  const edges = new Map<string, { id: string; azureRegion: string; p50s: Array<{ value: number; sample: string }>; tested: number }>();
  const edgeOf = (id: string, azureRegion: string) => {
    let e = edges.get(id);
    if (e === undefined) {
      e = { id, azureRegion, p50s: [], tested: 0 };
      edges.set(id, e);
    }
    return e;
  };
  for (const { sample, fields } of samples) {
    for (const l of fields.located) edgeOf(l.id, l.azureRegion).p50s.push({ value: l.rttMsP50, sample });
    if (fields.edge !== null) edgeOf(fields.edge.id, fields.edge.azureRegion).tested++;
  }
  return [...edges.values()].map((e) => {
    const sorted = e.p50s.map((x) => x.value).sort((a, b) => a - b);
    const at = (p: number): number | null => (sorted.length === 0 ? null : (sorted[nearestRankIndex(sorted.length, p)] ?? null));
    const inRow = row !== null && profile !== null && row.azureRegion.toLowerCase() === e.azureRegion.toLowerCase();
    const m = inRow
      ? siteMetric(
          { target: 'latency-rtt', label: 'Locate round trip', direction: 'round-trip', unit: 'ms', threshold: profile.targets.rttMs },
          e.p50s,
          0,
          settings,
        )
      : null;
    return {
      id: e.id,
      azureRegion: e.azureRegion,
      samples: e.p50s.length,
      tested: e.tested,
      p50Ms: at(50),
      p90Ms: at(90),
      graded:
        m === null
          ? null
          : { threshold: m.threshold, status: m.status, reason: m.reason, earlyFail: m.earlyFail, samplesGraded: m.samplesGraded, missed: m.missed },
    };
  });
}
