/**
 * The region leg: when a test is graded against a row of Microsoft's Azure table ("Measuring
 * Network Performance using Azure VMs") and the hub has an edge in that row's Azure region which
 * is not the edge the test ran on, a second full test runs on that edge, graded against the same
 * row (docs/regions.md). Pure.
 */
import type { EdgeIdentity, EdgeOffer } from '../../protocol/api.js';
import type { ProfileSelection } from '../../analysis/schema/input.js';
import type { Locate } from '../../analysis/schema/locate-schema.js';
import { azureRowOf } from '../../analysis/grade/targets.js';

export type RegionLegPlan =
  /** Not graded against an Azure row, or not on a hub's edge: nothing to add. */
  | { kind: 'none' }
  /** The test ran in the row's Azure region already. */
  | { kind: 'tested-there'; azureRegion: string }
  /** The hub has no edge in the row's Azure region: the test is graded on the edge it ran on. */
  | { kind: 'no-edge'; azureRegion: string }
  /** A second test on `edge`, in the row's Azure region. */
  | { kind: 'leg'; azureRegion: string; edge: EdgeOffer };

/**
 * Whether a region leg runs, and on which edge: among the hub's ready edges in the row's Azure
 * region, the one the locate's probes found nearest (lowest p50 of those that answered), else the
 * one its first pass found nearest (lowest time to a relay candidate), else the first the hub lists.
 */
export function planRegionLeg(profile: ProfileSelection, edges: readonly EdgeOffer[], testedOn: EdgeIdentity | null, locate: Locate | null): RegionLegPlan {
  if (profile.id !== 'azure-region' || profile.azureRegion === undefined || testedOn === null) return { kind: 'none' };
  const row = azureRowOf(profile.azureRegion);
  if (row === null) return { kind: 'none' };
  const azureRegion = row.azureRegion;
  const same = (e: EdgeIdentity): boolean => e.azureRegion.toLowerCase() === azureRegion.toLowerCase();
  if (same(testedOn)) return { kind: 'tested-there', azureRegion };
  const there = edges.filter(same);
  const figures = (e: EdgeOffer): [number, number] => {
    const m = locate?.edges.find((x) => x.id === e.id);
    if (m?.state !== 'ok') return [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
    return [m.rttMsP50 ?? Number.POSITIVE_INFINITY, m.allocateMs ?? Number.POSITIVE_INFINITY];
  };
  const nearer = (a: EdgeOffer, b: EdgeOffer): boolean => {
    const [fa, fb] = [figures(a), figures(b)];
    return fa[0] < fb[0] || (fa[0] === fb[0] && fa[1] < fb[1]);
  };
  const [first, ...others] = there;
  if (first === undefined) return { kind: 'no-edge', azureRegion };
  const edge = others.reduce((best, e) => (nearer(e, best) ? e : best), first);
  return { kind: 'leg', azureRegion, edge };
}
