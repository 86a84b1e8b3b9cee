/**
 * Whose side a test on a hub's edges points to when it reached none of them, by what the hub says
 * of them a moment later: none offered any more is ours; every one offered with its relay's own
 * check as evidence is the network's; anything between is either, the edges named.
 */
import { describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../../src/protocol/api.js';
import { edgeRelayFacts, edgesNow, noEdgeSide, noEdgeWords } from '../../../src/session/plan/edge-side.js';

const offer = (id: string, evidence: 'relay-check' | 'recent-test' | null): NonNullable<ServerConfig['edges']>[number] =>
  ({ id, azureRegion: 'West Europe', config: { relayEvidence: evidence === null ? null : { kind: evidence, atMs: 1 } } }) as NonNullable<
    ServerConfig['edges']
  >[number];

describe("a hub's edges none of which answered", () => {
  it('is our side when the hub offers none of them any more, the edges named', () => {
    const now = edgesNow({ edges: [offer('neu-1', 'relay-check')] }, ['weu-1', 'wus-1']);
    expect(noEdgeSide(now)).toBe('server');
    expect(noEdgeWords(now, 'server')).toContain('(weu-1, wus-1), and the hub no longer offers them');
    expect(noEdgeSide(edgesNow({}, ['weu-1']))).toBe('server');
  });

  it("is the network's when the hub offers every one and each relay passed its own check moments ago", () => {
    const now = edgesNow({ edges: [offer('weu-1', 'relay-check'), offer('wus-1', 'relay-check')] }, ['weu-1', 'wus-1']);
    expect(noEdgeSide(now)).toBe('network');
    expect(noEdgeWords(now, 'network')).toContain('this network blocks UDP to them');
  });

  it('is either when some are offered without evidence, or some are gone; the gone ones named', () => {
    const some = edgesNow({ edges: [offer('weu-1', 'relay-check')] }, ['weu-1', 'wus-1']);
    expect(noEdgeSide(some)).toBe('network-or-server');
    expect(noEdgeWords(some, 'network-or-server')).toContain('the hub no longer offers wus-1');
    expect(noEdgeSide(edgesNow({ edges: [offer('weu-1', null)] }, ['weu-1']))).toBe('network-or-server');
  });

  it('tells a test on one edge ours when the hub no longer offers it, else hands on its evidence', () => {
    expect(edgeRelayFacts({ edges: [] }, 'weu-1')).toEqual({ ours: true, evidence: null });
    expect(edgeRelayFacts({ edges: [offer('weu-1', 'relay-check')] }, 'weu-1')).toEqual({ ours: false, evidence: { kind: 'relay-check', atMs: 1 } });
    // The hub did not answer: nothing is known, nothing is claimed.
    expect(edgeRelayFacts(null, 'weu-1')).toEqual({ ours: false, evidence: null });
  });
});
