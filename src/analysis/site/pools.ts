/**
 * One pooling rule for a site's samples, read by the site report (./site.ts), the all-sites
 * overview (./overview.ts, over the store's counts) and so the console's site views and the CSV:
 * a site's samples are pooled per edge of a hub they ran on (a single server has one, the null
 * edge), never across edges (another edge is another path: another server, another region).
 * Each edge's pool is the profile most of its samples used, then the probe path most of those
 * used (ties: the smaller key); the edges are ordered by samples, most first (ties: the smaller
 * id), and the first is the site's own pool, the others listed apart. Pure.
 */

/** The key of a profile: its id, its Azure region (any case) and, for the azure-region profile, its column (site or edge). */
export function profileKey(p: { id: string; azureRegion?: string | null; from?: string | null }): string {
  return `${p.id}|${(p.azureRegion ?? '').toLowerCase()}|${p.id === 'azure-region' ? (p.from ?? 'site') : ''}`;
}

/** What choosing a pool reads of a group of a site's reports: its profile, probe path and edge, and how many samples it holds. */
export interface PoolCount {
  profileId: string | null;
  profileRegion: string | null;
  profileFrom: string | null;
  probePath: string | null;
  edgeId: string | null;
  samples: number;
}

function keyOf(g: PoolCount): string {
  return profileKey({ id: g.profileId ?? '', azureRegion: g.profileRegion, from: g.profileFrom });
}

/**
 * A site's pools, one per edge its reports ran on (a hub's edges; a single server has one, the
 * null edge), most samples first (ties: the smaller edge id): each edge's pool is pickPool of its
 * reports. The first is the site's own pool.
 */
export function edgePools<G extends PoolCount>(reports: readonly G[]): G[] {
  const byEdge = new Map<string, G[]>();
  for (const g of reports) byEdge.set(g.edgeId ?? '', [...(byEdge.get(g.edgeId ?? '') ?? []), g]);
  const total = (gs: readonly G[]): number => gs.reduce((a, g) => a + g.samples, 0);
  return [...byEdge.entries()]
    .sort((a, b) => total(b[1]) - total(a[1]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, gs]) => pickPool(gs))
    .filter((g): g is G => g !== null);
}

/** A site's pool among its report groups: the profile most samples used, then its most used probe path (ties: the smaller key). */
function pickPool<G extends PoolCount>(reports: readonly G[]): G | null {
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
