/**
 * Where a region leg runs, as a table: only for a test graded against an Azure row and run on a
 * hub's edge; nothing when the test ran in the row's region; a plain "no edge" when the hub has
 * none there; else the edge there the locate found nearest, or the first listed.
 */
import { describe, expect, it } from 'vitest';
import type { EdgeOffer } from '../../../src/protocol/api.js';
import type { Locate } from '../../../src/analysis/schema/locate-schema.js';
import { planRegionLeg } from '../../../src/session/plan/region-leg.js';
import { serverConfig } from './plan-kit.js';

const offer = (id: string, azureRegion: string): EdgeOffer => ({
  id,
  azureRegion,
  config: serverConfig({ reflectorPath: `https://${id}.example/api/signal` }),
});
const EDGES = [offer('neu-1', 'North Europe'), offer('wus-1', 'West US'), offer('weu-1', 'West Europe'), offer('weu-2', 'West Europe')];
const NEU = { id: 'neu-1', azureRegion: 'North Europe' };
const azure = (azureRegion: string, from?: 'site' | 'edge') => ({ id: 'azure-region' as const, azureRegion, ...(from ? { from } : {}) });
const locate = (p50: Record<string, number | null>): Locate => ({
  nearest: 'neu-1',
  lossTargetPct: 10,
  budgetMs: 3000,
  edges: Object.entries(p50).map(([id, v]) => ({
    id,
    azureRegion: EDGES.find((e) => e.id === id)?.azureRegion ?? 'East US',
    state: v === null ? ('unreachable' as const) : ('ok' as const),
    allocateMs: null,
    rttMsP50: v,
    rttMsP90: v,
    lossPct: v === null ? null : 0,
    probesSent: 20,
  })),
});

describe('planRegionLeg', () => {
  it('runs nothing for another profile, an unknown row, or a test on no edge', () => {
    expect(planRegionLeg({ id: 'client-to-edge' }, EDGES, NEU, null)).toEqual({ kind: 'none' });
    expect(planRegionLeg(azure('Atlantis'), EDGES, NEU, null)).toEqual({ kind: 'none' });
    expect(planRegionLeg(azure('West Europe'), EDGES, null, null)).toEqual({ kind: 'none' });
  });

  it('runs nothing when the test ran in the row region, says so when the hub has no edge there', () => {
    expect(planRegionLeg(azure('north europe'), EDGES, NEU, null)).toEqual({ kind: 'tested-there', azureRegion: 'North Europe' });
    expect(planRegionLeg(azure('Japan East'), EDGES, NEU, null)).toEqual({ kind: 'no-edge', azureRegion: 'Japan East' });
  });

  it("runs on the edge in the row's Azure region: Hawaii US is graded against West US", () => {
    const plan = planRegionLeg(azure('Hawaii US', 'edge'), EDGES, NEU, null);
    expect(plan.kind === 'leg' && [plan.azureRegion, plan.edge.id]).toEqual(['West US', 'wus-1']);
  });

  it('picks, of two edges in the region, the one the locate found nearer (its probes, else its first pass); unmeasured or silent ones after, in the hub order', () => {
    const pick = (l: Locate | null) => {
      const plan = planRegionLeg(azure('West Europe'), EDGES, NEU, l);
      return plan.kind === 'leg' ? plan.edge.id : plan.kind;
    };
    expect(pick(null)).toBe('weu-1');
    expect(pick(locate({ 'neu-1': 10, 'weu-1': 30, 'weu-2': 20 }))).toBe('weu-2');
    expect(pick(locate({ 'neu-1': 10, 'weu-1': null, 'weu-2': 40 }))).toBe('weu-2');
    expect(pick(locate({ 'neu-1': 10 }))).toBe('weu-1');
    // Both reached by the first pass alone: the one whose relay candidate came first.
    const firstPass = (allocateMs: Record<string, number>): Locate => ({
      ...locate({}),
      edges: Object.entries(allocateMs).map(([id, a]) => ({
        ...(locate({ [id]: null }).edges[0] as Locate['edges'][number]),
        state: 'ok',
        allocateMs: a,
        firstPassOnly: true,
      })),
    });
    expect(pick(firstPass({ 'weu-1': 90, 'weu-2': 60 }))).toBe('weu-2');
  });
});
