/**
 * Where a test runs on a hub, as tables: on the server itself without edges (an all-in-one
 * server's test, unchanged), on the one edge without a locate, on the nearest after a locate that
 * reaches every listed edge (up to 64); an edge that could not serve the test is unreachable and the
 * nearest named again; what moves the test on. And the plan of a test on an edge: its meta names
 * the edge, its phases the locate.
 */
import { describe, expect, it } from 'vitest';
import type { EdgeOffer } from '../../../src/protocol/api.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { locateOf, movesOn, planEdges, withUnreachable } from '../../../src/session/plan/edges.js';
import { planTest } from '../../../src/session/plan/test-plan.js';
import { ALL_CAPS, FACTS, runOptions, serverConfig } from './plan-kit.js';

const offer = (id: string, azureRegion = 'West Europe'): EdgeOffer => ({
  id,
  azureRegion,
  config: serverConfig({ reflectorPath: `https://${id}.example/api/signal` }),
});
const hub = (edges: EdgeOffer[] | undefined) => ({ kind: 'server' as const, server: serverConfig(edges === undefined ? {} : { edges }) });

describe('planEdges', () => {
  it('tests on the server itself without edges, on the one edge without a locate, else locates', () => {
    expect(planEdges(hub(undefined), true)).toEqual({ kind: 'server' });
    expect(planEdges(hub([]), true)).toEqual({ kind: 'server' });
    expect(planEdges({ kind: 'override', relay: { turn: [], username: 'u', credential: 'c' } }, true)).toEqual({ kind: 'server' });
    expect(planEdges(hub([offer('a')]), true)).toEqual({ kind: 'edges', edges: [offer('a')], locate: false });
    expect(planEdges(hub([offer('a'), offer('b')]), true)).toEqual({ kind: 'edges', edges: [offer('a'), offer('b')], locate: true });
    // A client that cannot measure (a Node client): the first listed, no locate.
    expect(planEdges(hub([offer('a'), offer('b')]), false)).toEqual({ kind: 'edges', edges: [offer('a')], locate: false });
    // Every edge listed, up to the first pass's 64 (the report's locate.edges holds 64), in the hub's order.
    const many = Array.from({ length: DEFAULTS.locate.firstPassMaxEdges + 6 }, (_, i) => offer(`e${i}`));
    const plan = planEdges(hub(many), true);
    expect(DEFAULTS.locate.firstPassMaxEdges).toBe(64);
    expect(plan.kind === 'edges' && plan.edges.map((e) => e.id)).toEqual(many.slice(0, 64).map((e) => e.id));
  });

  it('names the next nearest once the nearest could not serve the test', () => {
    const l = locateOf(
      [
        { id: 'near', azureRegion: 'West Europe', state: 'ok', allocateMs: 10, rttMsP50: 5, rttMsP90: 6, lossPct: 0, probesSent: 20 },
        { id: 'mid', azureRegion: 'North Europe', state: 'ok', allocateMs: 60, rttMsP50: 30, rttMsP90: 31, lossPct: 0, probesSent: 20 },
      ],
      3000,
    );
    expect(l).toMatchObject({ nearest: 'near', lossTargetPct: 10, budgetMs: 3000 });
    const after = withUnreachable(l, 'near');
    expect(after.nearest).toBe('mid');
    expect(after.edges.map((e) => [e.id, e.state, e.rttMsP50])).toEqual([
      ['near', 'unreachable', 5],
      ['mid', 'ok', 30],
    ]);
  });

  it('moves on when the edge did not serve the test, not when the browser or the user ended it', () => {
    for (const r of [
      'signaling-failed',
      'reflector-error',
      'could-not-connect',
      'relay-refused',
      'ice-failed',
      'version-mismatch',
      'server-busy',
      'config-unavailable',
    ] as const)
      expect(movesOn(r), r).toBe(true);
    for (const r of ['cancelled', 'browser-unsupported', 'channel-not-lossy', null] as const) expect(movesOn(r), String(r)).toBe(false);
  });

  it('plans a test on an edge: its meta names the edge, its phases the locate', () => {
    const locate = locateOf([], 3000);
    const p = planTest(runOptions(), { kind: 'server', server: offer('weu-1').config }, ALL_CAPS, {
      ...FACTS,
      edge: { edge: { id: 'weu-1', azureRegion: 'West Europe' }, locate },
    });
    expect(p.meta.edge).toEqual({ id: 'weu-1', azureRegion: 'West Europe' });
    expect(p.phases).toEqual(['config', 'locate', 'connect', 'stream', 'analyze']);
    expect(p.locate).toBe(locate);
    expect(planTest(runOptions(), hub(undefined), ALL_CAPS, FACTS)).toMatchObject({ phases: ['config', 'connect', 'stream', 'analyze'], locate: null });
  });
});
