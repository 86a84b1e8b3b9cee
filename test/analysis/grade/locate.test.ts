/**
 * The nearest edge and the test's order, as a table: the lowest p50 under the loss target, ties
 * by loss then id; an edge over the target or unreachable is never the nearest; the order tries
 * every edge that answered the probes before those the first pass alone reached (by its time),
 * and those before any that did not answer. Two edges within 20 % or 5 ms tie; a scheduled site
 * keeps its edge until another is nearer by both on two samples in a row; a test's round trip over
 * twice the locate's p90 and 30 ms more is a path that changed.
 */
import { describe, expect, it } from 'vitest';
import {
  clearlyNearer,
  LOCATE_LOSS_TARGET_PCT,
  nearestEdge,
  pathChanged,
  siteEdge,
  testOrder,
  tieOf,
  type LocatedFigures,
} from '../../../src/analysis/grade/locate.js';

const e = (id: string, rttMsP50: number | null, lossPct: number | null, state: LocatedFigures['state'] = 'ok'): LocatedFigures => ({
  id,
  state,
  rttMsP50,
  lossPct,
});

describe('the nearest edge', () => {
  it("is Microsoft's client-to-edge burst-loss target that bounds the loss", () => {
    expect(LOCATE_LOSS_TARGET_PCT).toBe(10);
  });

  const cases: [string, LocatedFigures[], string | null, string[]][] = [
    ['the lowest p50', [e('far', 80, 0), e('near', 5, 0), e('mid', 30, 0)], 'near', ['near', 'mid', 'far']],
    ['over the loss target it is skipped (strictly under: 10 % is over)', [e('near', 5, 10), e('mid', 30, 5)], 'mid', ['mid', 'near']],
    ['a tie in p50 goes to the lower loss, then the id', [e('b', 30, 5), e('a', 30, 5), e('c', 30, 0)], 'c', ['c', 'a', 'b']],
    ['unreachable is never the nearest, and tried last', [e('dead', null, null, 'unreachable'), e('far', 80, 0)], 'far', ['far', 'dead']],
    ['over the target, by loss then p50, before the unreachable', [e('x', 20, 50), e('y', 90, 15), e('z', null, null, 'unreachable')], null, ['y', 'x', 'z']],
    ['none answered: none is the nearest, listed order kept', [e('a', null, null, 'unreachable'), e('b', null, null, 'unreachable')], null, ['a', 'b']],
  ];
  for (const [what, edges, nearest, order] of cases) {
    it(what, () => {
      expect(nearestEdge(edges)).toBe(nearest);
      expect(testOrder(edges)).toEqual(order);
    });
  }
});

describe('the first pass in the order', () => {
  it('tries the edges the first pass alone reached after every edge the probes measured, by their time to a relay candidate', () => {
    const firstOnly = (id: string, allocateMs: number): LocatedFigures => ({ id, state: 'ok', rttMsP50: null, lossPct: null, allocateMs });
    const edges = [firstOnly('slow', 240), e('dead', null, null, 'unreachable'), firstOnly('quick', 90), e('lossy', 20, 40), e('near', 8, 0)];
    expect(nearestEdge(edges)).toBe('near');
    expect(testOrder(edges)).toEqual(['near', 'lossy', 'quick', 'slow', 'dead']);
    // None answered the probes: those that answered the first pass first, by its time, then the rest as listed.
    const silent = (id: string, allocateMs: number | null): LocatedFigures => ({ id, state: 'unreachable', rttMsP50: null, lossPct: null, allocateMs });
    expect(testOrder([silent('a', null), silent('b', 300), silent('c', null), silent('d', 120)])).toEqual(['d', 'b', 'a', 'c']);
    // None answered the probes, on a page too busy to probe: the first pass's ranking over every edge it reached, probed or not.
    expect(testOrder([silent('near', 678), silent('mid', 698), firstOnly('far', 782), firstOnly('bra', 835), silent('dead', null)])).toEqual([
      'near',
      'mid',
      'far',
      'bra',
      'dead',
    ]);
    // One edge answered the probes: an edge the probes found silent stays behind those the first pass alone reached.
    expect(testOrder([silent('near', 678), e('mid', 30, 0), firstOnly('far', 782)])).toEqual(['mid', 'far', 'near']);
  });
});

describe('a tie, and a site that keeps its edge', () => {
  it('is nearer only by 20 % and 5 ms at once', () => {
    // 10 against 11 ms: 1 ms apart. 30 against 34: 4 ms. 100 against 110: 9 % nearer. 8 against 13: 5 ms and 38 %.
    expect([clearlyNearer(10, 11), clearlyNearer(30, 34), clearlyNearer(100, 110), clearlyNearer(8, 13), clearlyNearer(80, 100)]).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
  });

  it('names the second nearest as a tie when the nearest is not clearly nearer', () => {
    expect(tieOf([e('b', 11, 0), e('a', 10, 0), e('c', 40, 0)])).toBe('b');
    expect(tieOf([e('b', 16, 0), e('a', 10, 0)])).toBeNull();
    // Over the loss target: not a candidate, so no tie with it.
    expect(tieOf([e('b', 11, 20), e('a', 10, 0)])).toBeNull();
    expect(tieOf([e('a', 10, 0)])).toBeNull();
  });

  const measured = [e('weu', 22, 0), e('neu', 12, 0), e('eus', 90, 0)];
  const cases: [string, LocatedFigures[], string | null, string | null, ReturnType<typeof siteEdge>][] = [
    ["a site's first sample: the nearest", measured, null, null, { runOn: 'neu', challenger: null, moved: false }],
    ['kept while the nearest is within the margin', [e('weu', 11, 0), e('neu', 10, 0)], 'weu', null, { runOn: 'weu', challenger: null, moved: false }],
    ['clearly nearer once: kept, the nearer edge the challenger', measured, 'weu', null, { runOn: 'weu', challenger: 'neu', moved: false }],
    ['clearly nearer twice in a row: moved', measured, 'weu', 'neu', { runOn: 'neu', challenger: null, moved: true }],
    ['the challenger was another edge: kept, the new one the challenger', measured, 'weu', 'eus', { runOn: 'weu', challenger: 'neu', moved: false }],
    ['the kept edge is the nearest: kept, no challenger', measured, 'neu', 'weu', { runOn: 'neu', challenger: null, moved: false }],
    [
      'the kept edge did not answer: moved at once',
      [e('weu', null, null, 'unreachable'), e('neu', 12, 0)],
      'weu',
      null,
      { runOn: 'neu', challenger: null, moved: true },
    ],
    ['the kept edge lost too much: moved at once', [e('weu', 11, 30), e('neu', 12, 0)], 'weu', null, { runOn: 'neu', challenger: null, moved: true }],
    ['the kept edge no longer listed: moved at once', measured, 'gone', null, { runOn: 'neu', challenger: null, moved: true }],
  ];
  for (const [what, edges, kept, challenger, choice] of cases) it(what, () => expect(siteEdge(edges, kept, challenger)).toEqual(choice));
});

describe('a path that changed during the test', () => {
  it('is a round-trip median over twice the locate p90 and 30 ms more', () => {
    // The locate's 22.5 ms p90: the line is 75 ms.
    expect(pathChanged(92.5, 22.5)).toBe(true);
    expect(pathChanged(75, 22.5)).toBe(false);
    // Over, not at: 2 x 5 + 30 = 40.
    expect(pathChanged(40.1, 5)).toBe(true);
    expect(pathChanged(40, 5)).toBe(false);
  });
});
