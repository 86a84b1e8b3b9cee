/**
 * A site's samples through a hub with three edges: each report of `weekOfSamples` graded against
 * the West Europe row (from the site), run on weu-1, with a locate over weu-1 (West Europe),
 * neu-1 (North Europe) and eus-1 (East US) whose p50s cycle over known values, so every P90 is
 * known by hand: sample i gives weu-1 20 + i mod 10 ms, neu-1 30 + i mod 7 ms, eus-1 85 + i mod 5 ms.
 */
import { resolveProfile } from '../../../src/analysis/grade/targets.js';
import type { Locate } from '../../../src/analysis/schema/locate-schema.js';
import { weekOfSamples, type WeekSample, type WeekSpec } from './week.js';

const HUB_EDGES = [
  { id: 'weu-1', azureRegion: 'West Europe', p50: (i: number) => 20 + (i % 10) },
  { id: 'neu-1', azureRegion: 'North Europe', p50: (i: number) => 30 + (i % 7) },
  { id: 'eus-1', azureRegion: 'East US', p50: (i: number) => 85 + (i % 5) },
] as const;

export function weekThroughHub(spec: WeekSpec): WeekSample[] {
  const p = resolveProfile({ id: 'azure-region', azureRegion: 'West Europe' });
  return weekOfSamples(spec).map((s, i) => {
    if (s.kind !== 'report') return s;
    const locate: Locate = {
      nearest: 'weu-1',
      lossTargetPct: 10,
      budgetMs: 3000,
      edges: HUB_EDGES.map((e) => ({
        id: e.id,
        azureRegion: e.azureRegion,
        state: 'ok',
        allocateMs: 30,
        rttMsP50: e.p50(i),
        rttMsP90: e.p50(i) + 2,
        lossPct: 0,
        probesSent: 20,
      })),
    };
    const body = {
      ...s.body,
      meta: {
        ...s.body.meta,
        edge: { id: 'weu-1', azureRegion: 'West Europe' },
        profile: { id: p.id, azureRegion: p.azureRegion, from: p.from, label: p.label, source: p.source },
      },
      locate,
    };
    return { ...s, body };
  });
}
