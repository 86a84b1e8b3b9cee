/**
 * The all-sites overview (issue 12): the fleet view IT looks at. Per site, the samples in the
 * span and the P90 of every graded metric with its grade, by the same rules as the site report
 * (./site.ts): nearest-rank P90 (src/analysis/measure/percentile.ts), graded only from
 * DEFAULTS.siteReport.p90MinSamples graded samples, with the site report's strict "<".
 *
 * The store gives groups (one per site, body state, profile and probe path) with each metric's
 * counts and P90; this module picks each site's pool as the site report does by default (the
 * profile most samples used, then the probe path most of those used; ties: the smaller key, the
 * store having no newest-sample order here) and grades it.
 */
import type { GradeDirection, TargetId, Verdict } from '../schema/report-schema.js';
import { verdictOf } from '../grade/grade.js';
import { ProfileError, resolveProfile, TARGET_LABELS, targetUnit } from '../grade/targets.js';
import { p90Grade, profileKey, SITE_METRIC_KEYS, SITE_SETTINGS, type SiteSettings, THRESHOLD_KEY } from './site.js';

/** One metric of a group: graded samples, samples that could not grade it, and the nearest-rank P90 of the graded ones. */
export interface OverviewGroupMetric {
  graded: number;
  insufficient: number;
  p90: number | null;
}

/** What the store answers: one group of a site's samples in the span. */
export interface OverviewGroup {
  site: string;
  body: 'report' | 'could-not-test' | 'unreadable';
  profileId: string | null;
  profileRegion: string | null;
  profileFrom: string | null;
  probePath: string | null;
  samples: number;
  /** In SITE_METRIC_KEYS order. The P90s are those of the group pickPool chooses for its site (other groups may have null). */
  metrics: OverviewGroupMetric[];
}

export interface OverviewMetric {
  target: TargetId;
  label: string;
  direction: GradeDirection;
  unit: 'ms' | '%';
  threshold: number;
  samplesGraded: number;
  samplesInsufficient: number;
  p90: number | null;
  status: Verdict;
  reason: 'no-data' | 'too-few-samples' | null;
}

export interface OverviewSite {
  site: string;
  /** Every sample of the site in the span. */
  samplesTotal: number;
  /** Samples pooled: reports of the profile and probe path below. */
  samples: number;
  couldNotTest: number;
  unreadable: number;
  /** Reports of another profile or probe path, left out. */
  otherPool: number;
  profile: { id: string; azureRegion: string | null; from: string | null; label: string } | null;
  probePath: string | null;
  metrics: OverviewMetric[];
  verdict: Verdict;
  /** Why the site is not graded although it has samples, or null. */
  problem: string | null;
}

export interface SitesOverview {
  kind: 'sites-overview';
  schemaVersion: 1;
  since: string;
  minSamplesP90: number;
  sites: OverviewSite[];
}

function keyOf(g: PoolCount): string {
  return profileKey({ id: g.profileId ?? '', azureRegion: g.profileRegion, from: g.profileFrom });
}

/** A group without its metrics: what choosing a pool reads. */
export type PoolCount = Omit<OverviewGroup, 'metrics'>;

/** A site's pool among its report groups: the profile most samples used, then its most used probe path (ties: the smaller key). */
export function pickPool<G extends PoolCount>(reports: readonly G[]): G | null {
  const byProfile = new Map<string, number>();
  for (const g of reports) byProfile.set(keyOf(g), (byProfile.get(keyOf(g)) ?? 0) + g.samples);
  const best = <T extends string>(m: Map<T, number>): T | null => {
    let out: T | null = null;
    for (const [k, n] of [...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) if (out === null || n > (m.get(out) ?? 0)) out = k;
    return out;
  };
  const profile = best(byProfile);
  const byPath = new Map<string, number>();
  for (const g of reports) if (keyOf(g) === profile) byPath.set(g.probePath ?? '', (byPath.get(g.probePath ?? '') ?? 0) + g.samples);
  const path = best(byPath);
  return reports.find((g) => keyOf(g) === profile && (g.probePath ?? '') === path) ?? null;
}

/** Grades the store's groups into the overview, sites in name order. */
export function sitesOverview(groups: readonly OverviewGroup[], sinceMs: number, settings: SiteSettings = SITE_SETTINGS): SitesOverview {
  const bySite = new Map<string, OverviewGroup[]>();
  for (const g of groups) bySite.set(g.site, [...(bySite.get(g.site) ?? []), g]);
  const sites: OverviewSite[] = [];
  for (const site of [...bySite.keys()].sort()) {
    const gs = bySite.get(site) ?? [];
    const reports = gs.filter((g) => g.body === 'report');
    const sum = (list: readonly OverviewGroup[]): number => list.reduce((a, g) => a + g.samples, 0);
    const pool = pickPool(reports);
    let profile: ReturnType<typeof resolveProfile> | null = null;
    let problem: string | null = null;
    if (pool !== null) {
      try {
        profile = resolveProfile({
          id: pool.profileId as Parameters<typeof resolveProfile>[0]['id'],
          ...(pool.profileRegion === null ? {} : { azureRegion: pool.profileRegion }),
          ...(pool.profileFrom === null ? {} : { from: pool.profileFrom as 'site' | 'edge' }),
        });
      } catch (err) {
        // A profile this build no longer knows (e.g. a retired Azure region): that site is not graded, the others are.
        if (!(err instanceof ProfileError)) throw err;
        problem = `its samples' profile cannot be graded: ${err.message}`;
      }
    }
    const metrics: OverviewMetric[] = [];
    if (pool !== null && profile !== null) {
      SITE_METRIC_KEYS.forEach((k, i) => {
        const m = pool.metrics[i];
        if (m === undefined || m.graded + m.insufficient === 0) return;
        const threshold = profile.targets[THRESHOLD_KEY[k.target]];
        metrics.push({
          target: k.target,
          label: TARGET_LABELS[k.target],
          direction: k.direction,
          unit: targetUnit(k.target),
          threshold,
          samplesGraded: m.graded,
          samplesInsufficient: m.insufficient,
          p90: m.p90,
          ...p90Grade(m.graded, m.p90, threshold, settings),
        });
      });
    }
    sites.push({
      site,
      samplesTotal: sum(gs),
      samples: pool?.samples ?? 0,
      couldNotTest: sum(gs.filter((g) => g.body === 'could-not-test')),
      unreadable: sum(gs.filter((g) => g.body === 'unreadable')),
      otherPool: sum(reports) - (pool?.samples ?? 0),
      profile: profile === null ? null : { id: profile.id, azureRegion: profile.azureRegion ?? null, from: profile.from ?? null, label: profile.label },
      probePath: pool?.probePath ?? null,
      metrics,
      verdict: verdictOf(metrics),
      problem,
    });
  }
  return { kind: 'sites-overview', schemaVersion: 1, since: new Date(sinceMs).toISOString(), minSamplesP90: settings.minSamplesP90, sites };
}
