/**
 * The nearest edge and the test's order, as a table: the lowest p50 under the loss target, ties
 * by loss then id; an edge over the target or unreachable is never the nearest; the order tries
 * every edge that answered before any that did not.
 */
import { describe, expect, it } from 'vitest';
import { LOCATE_LOSS_TARGET_PCT, nearestEdge, testOrder, type LocatedFigures } from '../../../src/analysis/grade/locate.js';

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
