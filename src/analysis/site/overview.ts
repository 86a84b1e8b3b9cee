/**
 * The all-sites overview: the fleet view IT looks at. Per site, the samples in the
 * span and the P90 of every graded metric with its grade, by the same rules as the site report
 * (./site.ts): nearest-rank P90 (src/analysis/measure/percentile.ts), graded only from
 * DEFAULTS.siteReport.p90MinSamples graded samples, with the site report's strict "<".
 *
 * The store gives groups (one per site, body state, profile and probe path) with each metric's
 * counts and P90; this module picks each site's pool as the site report does by default (the
 * profile most samples used, then the probe path most of those used; ties: the smaller key, the
 * store having no newest-sample order here) and grades it.
 */
import type { Verdict } from '../schema/report-schema.js';
import { verdictOf } from '../grade/grade.js';
import { ProfileError, resolveProfile, TARGET_LABELS, targetUnit } from '../grade/targets.js';
import { SITE_METRIC_KEYS, SITE_SETTINGS, type SiteSettings, THRESHOLD_KEY } from './site.js';
import { edgePools } from './pools.js';
import { p90Grade, type SiteMetric } from './p90.js';
import { siteHealth, type HealthRules, type SiteHealth, type SiteHealthFacts } from './health.js';
import { verdictWithBlocked } from './causes.js';

/**
 * One metric of a group: graded samples, samples that could not grade it, the nearest-rank P90
 * of the graded ones and how many of them missed the group's profile's target (value >= its
 * threshold: what an early fail reads); null where the store did not count them.
 */
export interface OverviewGroupMetric {
  graded: number;
  insufficient: number;
  p90: number | null;
  missed: number | null;
}

/** What the store answers: one group of a site's samples in the span. */
export interface OverviewGroup {
  site: string;
  body: 'report' | 'could-not-test' | 'unreadable';
  profileId: string | null;
  profileRegion: string | null;
  profileFrom: string | null;
  probePath: string | null;
  /** The edge of a hub the samples ran on (results.edge_id, edge_region); null on a server that is not a hub's edge. */
  edgeId: string | null;
  edgeRegion: string | null;
  samples: number;
  /** Could-not-test samples the scheduler abandoned when stopped (reason interrupted): nobody's outage. */
  interrupted: number;
  /**
   * Why samples could not be judged (./causes.ts), as the summary columns tell: samples whose
   * network blocked every relay port offered, those of them that found every port Teams uses
   * blocked (each a fail), reports with no verdict because the probe machine was busy,
   * could-not-test samples on the server's side, and reports with no verdict because the server
   * was busy.
   */
  blocked: number;
  blockedEveryPort: number;
  deviceBusy: number;
  serverSide: number;
  serverBusy: number;
  /** In SITE_METRIC_KEYS order. The P90s are those of the group pickPool chooses for its site (other groups may have null). */
  metrics: OverviewGroupMetric[];
}

/** A site report metric's figures the overview has (counts and the P90; its early fail without the lower value: counts only). */
type OverviewMetric = Pick<
  SiteMetric,
  'target' | 'label' | 'direction' | 'unit' | 'threshold' | 'samplesGraded' | 'samplesInsufficient' | 'p90' | 'status' | 'reason' | 'earlyFail'
>;

interface OverviewSite {
  /** The name to show (the newest spelling stored). */
  site: string;
  /** The key its samples are filed under (src/protocol/site-name.ts). */
  key: string;
  /** Every sample of the site in the span. */
  samplesTotal: number;
  /** Samples pooled: reports of the profile and probe path below. */
  samples: number;
  couldNotTest: number;
  unreadable: number;
  /** Why samples could not be judged, by cause (./causes.ts; our downtime is in `health`). */
  causes: { blocked: number; blockedEveryPort: number; deviceBusy: number; serverSide: number; serverBusy: number };
  /** Reports of another profile or probe path, left out. */
  otherPool: number;
  profile: { id: string; azureRegion: string | null; from: string | null; label: string } | null;
  probePath: string | null;
  /** The edge the pooled samples ran on (the one with most samples); null on a server that is not a hub's edge. */
  edge: OverviewEdge | null;
  metrics: OverviewMetric[];
  verdict: Verdict;
  /**
   * The site's samples on each other edge, graded apart: a test on another edge is another path
   * (another server, another region), never pooled with this one. Most samples first.
   */
  otherEdges: OverviewEdgePool[];
  /** Why the site is not graded although it has samples, or null. */
  problem: string | null;
  /** Last heard of, its own outages told from ours, and what to look at (silent, outages, raised alerts); null when not known. */
  health: SiteHealth | null;
}

/** An edge of a hub, as the overview names it. */
interface OverviewEdge {
  id: string;
  azureRegion: string | null;
}

/** A site's pool on one other edge: its samples graded apart. */
interface OverviewEdgePool {
  edge: OverviewEdge;
  samples: number;
  profile: { id: string; azureRegion: string | null; from: string | null; label: string } | null;
  probePath: string | null;
  metrics: OverviewMetric[];
  verdict: Verdict;
  problem: string | null;
}

export interface SitesOverview {
  kind: 'sites-overview';
  schemaVersion: 1;
  since: string;
  minSamplesP90: number;
  sites: OverviewSite[];
}

/** A group without its metrics: what choosing a pool reads. */
type PoolCount = Omit<OverviewGroup, 'metrics'>;

/** The profile of a group's samples, or why this build cannot grade against it (e.g. a retired Azure region). */
function groupProfile(g: Pick<PoolCount, 'profileId' | 'profileRegion' | 'profileFrom'>): { profile: ReturnType<typeof resolveProfile> } | { problem: string } {
  try {
    return {
      profile: resolveProfile({
        id: (g.profileId ?? '') as Parameters<typeof resolveProfile>[0]['id'],
        ...(g.profileRegion === null ? {} : { azureRegion: g.profileRegion }),
        ...(g.profileFrom === null ? {} : { from: g.profileFrom as 'site' | 'edge' }),
      }),
    };
  } catch (err) {
    if (!(err instanceof ProfileError)) throw err;
    return { problem: `its samples' profile cannot be graded: ${err.message}` };
  }
}

/**
 * The target of each metric (SITE_METRIC_KEYS order) under a group's profile, which the store
 * counts misses against; null when the profile is unknown (the store then counts none).
 */
export function groupThresholds(g: Pick<PoolCount, 'profileId' | 'profileRegion' | 'profileFrom'>): number[] | null {
  if (g.profileId === null) return null;
  const p = groupProfile(g);
  return 'problem' in p ? null : SITE_METRIC_KEYS.map((k) => p.profile.targets[THRESHOLD_KEY[k.target]]);
}

/** What the store tells of a site's health; the overview adds its counts of the span. */
export type OverviewHealthFacts = Omit<SiteHealthFacts, 'samplesTotal' | 'couldNotTest' | 'interrupted'>;

export interface OverviewOptions {
  /** Key to display name (the key when absent). */
  names?: ReadonlyMap<string, string>;
  settings?: SiteSettings;
  /** Each known site's health facts (a site with none in the span is listed too), and when its flags go up. */
  health?: { facts: ReadonlyMap<string, OverviewHealthFacts>; rules: HealthRules };
}

/** The edge a group's samples ran on, or null off a hub. */
function edgeOf(g: Pick<PoolCount, 'edgeId' | 'edgeRegion'>): OverviewEdge | null {
  return g.edgeId === null ? null : { id: g.edgeId, azureRegion: g.edgeRegion };
}

/** One pool's metrics graded against its profile (none when it has no pool or this build cannot grade its profile, which is said). */
function gradePool(
  pool: OverviewGroup | null,
  settings: SiteSettings,
): { profile: OverviewSite['profile']; metrics: OverviewMetric[]; problem: string | null } {
  if (pool === null) return { profile: null, metrics: [], problem: null };
  // A profile this build no longer knows (e.g. a retired Azure region): that site is not graded, the others are.
  const p = groupProfile(pool);
  if ('problem' in p) return { profile: null, metrics: [], problem: p.problem };
  const profile = p.profile;
  const metrics: OverviewMetric[] = [];
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
      ...p90Grade(m.graded, m.p90, threshold, settings, m.missed),
    });
  });
  return { profile: { id: profile.id, azureRegion: profile.azureRegion ?? null, from: profile.from ?? null, label: profile.label }, metrics, problem: null };
}

/** Grades the store's groups (their `site` a key) into the overview, sites in key order, with their health. */
export function sitesOverview(groups: readonly OverviewGroup[], sinceMs: number, opts: OverviewOptions = {}): SitesOverview {
  const names = opts.names ?? new Map<string, string>();
  const settings = opts.settings ?? SITE_SETTINGS;
  const bySite = new Map<string, OverviewGroup[]>();
  for (const g of groups) bySite.set(g.site, [...(bySite.get(g.site) ?? []), g]);
  // Known sites without a sample in the span are listed too: a site gone silent is what to look at.
  for (const key of opts.health?.facts.keys() ?? []) if (!bySite.has(key)) bySite.set(key, []);
  const sites: OverviewSite[] = [];
  for (const site of [...bySite.keys()].sort()) {
    const gs = bySite.get(site) ?? [];
    const reports = gs.filter((g) => g.body === 'report');
    const sum = (list: readonly OverviewGroup[]): number => list.reduce((a, g) => a + g.samples, 0);
    const [pool = null, ...others] = edgePools(reports);
    const graded = gradePool(pool, settings);
    const couldNotTest = sum(gs.filter((g) => g.body === 'could-not-test'));
    const facts = opts.health?.facts.get(site);
    const count = (k: keyof OverviewSite['causes']): number => gs.reduce((a, g) => a + g[k], 0);
    const causes = {
      blocked: count('blocked'),
      blockedEveryPort: count('blockedEveryPort'),
      deviceBusy: count('deviceBusy'),
      serverSide: count('serverSide'),
      serverBusy: count('serverBusy'),
    };
    sites.push({
      site: names.get(site) ?? site,
      key: site,
      samplesTotal: sum(gs),
      samples: pool?.samples ?? 0,
      couldNotTest,
      unreadable: sum(gs.filter((g) => g.body === 'unreadable')),
      causes,
      otherPool: sum(reports) - sum(pool === null ? others : [pool, ...others]),
      profile: graded.profile,
      probePath: pool?.probePath ?? null,
      edge: pool === null ? null : edgeOf(pool),
      metrics: graded.metrics,
      // As the site report: samples that could not connect at all decide it past a tenth (./causes.ts).
      verdict: verdictWithBlocked(verdictOf(graded.metrics), pool?.samples ?? 0, {
        samples: causes.blocked,
        everyTeamsPort: causes.blockedEveryPort,
        ports: [],
      }),
      problem: graded.problem,
      otherEdges: others.map((g) => {
        const o = gradePool(g, settings);
        return {
          edge: edgeOf(g) ?? { id: '', azureRegion: null },
          samples: g.samples,
          profile: o.profile,
          probePath: g.probePath,
          metrics: o.metrics,
          verdict: verdictOf(o.metrics),
          problem: o.problem,
        };
      }),
      health:
        facts === undefined || opts.health === undefined
          ? null
          : siteHealth(
              // A could-not-test sample on the server's side is ours, as one in our downtime is.
              {
                ...facts,
                ourOutages: facts.ourOutages + causes.serverSide,
                samplesTotal: sum(gs),
                couldNotTest,
                interrupted: gs.reduce((a, g) => a + g.interrupted, 0),
              },
              opts.health.rules,
            ),
    });
  }
  return { kind: 'sites-overview', schemaVersion: 1, since: new Date(sinceMs).toISOString(), minSamplesP90: settings.minSamplesP90, sites };
}
