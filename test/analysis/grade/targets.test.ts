import { describe, expect, it } from 'vitest';
import { AZURE_REGIONS, CLIENT_TO_EDGE, EDGE_TO_EDGE, ProfileError, resolveProfile, TEAMS_POOR_AUDIO } from '../../../src/analysis/grade/targets.js';

// Microsoft's tables, typed out again here as the oracle.
const TABLE = `
Central US|Central US|99|139
East US|East US|86|126
North Central US|North Central US|97|137
South Central US|South Central US|94|134
West US|West US|94|134
Hawaii US|West US|116|156
Canada Central|Canada Central|138|178
Canada East|Canada East|131|171
North Europe|North Europe|99|139
West Europe|West Europe|95|135
East Asia|East Asia|118|158
Southeast Asia|Southeast Asia|97|137
Japan East|Japan East|111|151
Japan West|Japan West|118|158
Brazil South|Brazil South|70|110
Australia East|Australia East|124|164
Australia Southeast|Australia Southeast|124|164
Central India|Central India|103|143
South India|South India|103|143
West India|West India|103|143
China East|China East|120|160
China North|China North|120|160`
  .trim()
  .split('\n')
  .map((line) => {
    const [customer = '', azure = '', edge = '', site = ''] = line.split('|');
    return { customer, azure, edge: Number(edge), site: Number(site) };
  });

describe('targets as data', () => {
  it('holds the client-to-edge and edge-to-edge tables', () => {
    expect(CLIENT_TO_EDGE).toEqual({ oneWayLatencyMs: 50, rttMs: 100, burstLossPct: 10, lossPct: 1, jitterMs: 30, reorderPct: 0.05 });
    expect(EDGE_TO_EDGE).toEqual({ oneWayLatencyMs: 30, rttMs: 60, burstLossPct: 1, lossPct: 0.1, jitterMs: 15, reorderPct: 0.01 });
    expect(resolveProfile({ id: 'client-to-edge' }).targets).toEqual(CLIENT_TO_EDGE);
    expect(resolveProfile({ id: 'edge-to-edge' }).targets).toEqual(EDGE_TO_EDGE);
  });

  it('holds all 22 Azure rows', () => {
    expect(AZURE_REGIONS).toHaveLength(22);
    expect(AZURE_REGIONS.map((r) => [r.customerRegion, r.azureRegion, r.edgeRttMs, r.siteRttMs])).toEqual(
      TABLE.map((r) => [r.customer, r.azure, r.edge, r.site]),
    );
  });

  it.each(TABLE)('grades $customer from the site and from the edge', (row) => {
    const site = resolveProfile({ id: 'azure-region', azureRegion: row.customer, from: 'site' });
    expect(site.targets).toEqual({ ...CLIENT_TO_EDGE, rttMs: row.site, oneWayLatencyMs: row.site / 2 });
    expect(site.label).toContain(row.azure);
    const edge = resolveProfile({ id: 'azure-region', azureRegion: row.customer, from: 'edge' });
    expect(edge.targets).toEqual({ ...EDGE_TO_EDGE, rttMs: row.edge, oneWayLatencyMs: row.edge / 2 });
  });

  it('defaults to the site column and matches names case-insensitively', () => {
    const p = resolveProfile({ id: 'azure-region', azureRegion: '  west europe ' });
    expect(p.from).toBe('site');
    expect(p.azureRegion).toBe('West Europe');
    expect(p.targets.rttMs).toBe(135);
  });

  it('refuses an unknown or missing region with a typed reason', () => {
    expect(() => resolveProfile({ id: 'azure-region', azureRegion: 'Atlantis' })).toThrow(ProfileError);
    try {
      resolveProfile({ id: 'azure-region' });
      expect.unreachable('a region is required');
    } catch (e) {
      expect((e as ProfileError).reason).toBe('missing-azure-region');
    }
  });

  it('holds the Teams CQD poor-audio tier', () => {
    expect(TEAMS_POOR_AUDIO).toEqual({ degradationMos: 1, roundTripMs: 500, lossPct: 10, jitterMs: 30, concealedRatio: 0.07 });
  });
});
