/**
 * A scheduled sample's turn among a hub's edges (locateSet): every edge when there are few; else
 * the kept edge (the site's last nearest) and a window of the others that moves on every round;
 * without a turn, the first in the hub's order. And what it buys, from the coverage bench's
 * simulation against the same function and the locate's own nearest rule: with 20 edges, every
 * site x edge pair reaches the 54 samples a P90 needs within a week of 10-minute samples.
 */
import { describe, expect, it } from 'vitest';
import { locateSet } from '../../../src/session/plan/edges.js';
import { coverage } from '../../../bench/regions/coverage.js';
import { testPageUrl } from '../../../client/test-page.js';
import { parsePageParams, pageSearch } from '../../../src/protocol/page-url.js';
import type { RunCommandOptions } from '../../../client/options.js';

const edges = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `e${i}` }));
const ids = (xs: ReadonlyArray<{ id: string }>) => xs.map((x) => x.id);

describe('locateSet', () => {
  it('measures every edge when there are at most four, and the first four without a turn', () => {
    expect(ids(locateSet(edges(3), 4, { round: 7, keep: 'e2' }))).toEqual(['e0', 'e1', 'e2']);
    expect(ids(locateSet(edges(6), 4, null))).toEqual(['e0', 'e1', 'e2', 'e3']);
  });

  it('keeps the last nearest and moves a window of three over the others, round by round', () => {
    const turn = (round: number, keep: string | null) => ids(locateSet(edges(6), 4, { round, keep }));
    // Others: e0, e1, e2, e4, e5 (e3 kept); the window starts at 3 x round, modulo 5.
    expect(turn(0, 'e3')).toEqual(['e3', 'e0', 'e1', 'e2']);
    expect(turn(1, 'e3')).toEqual(['e3', 'e4', 'e5', 'e0']);
    expect(turn(2, 'e3')).toEqual(['e3', 'e1', 'e2', 'e4']);
    // Nothing kept (or a keep no longer listed): a window of four over all six.
    expect(turn(1, null)).toEqual(['e4', 'e5', 'e0', 'e1']);
    expect(turn(1, 'gone')).toEqual(['e4', 'e5', 'e0', 'e1']);
  });
});

describe('site x edge coverage over a week', () => {
  it('reaches 54 samples for every pair with up to 20 edges, and finds the nearest within 6 samples', () => {
    const c20 = coverage(20);
    expect(c20).toEqual({ edges: 20, minSamplesPerPair: 159, allReachedAtSample: 342, offNearestMax: 6 });
    for (let n = 2; n <= 20; n++) {
      const c = coverage(n);
      expect(c.minSamplesPerPair, `${n} edges`).toBeGreaterThanOrEqual(54);
      expect(c.allReachedAtSample, `${n} edges`).not.toBeNull();
    }
  });
});

describe("a scheduled sample's turn in its page URL", () => {
  const o: RunCommandOptions = {
    profile: 'client-to-edge',
    from: 'site',
    compare: false,
    json: true,
    browser: 'chromium',
    save: false,
    csv: false,
    load: false,
  };

  it('is written by the one writer and read back by the page; a shared link never carries it; a bad one is refused', () => {
    const url = testPageUrl(o, 'http://127.0.0.1:8080/', { round: 1007, keep: 'weu-1' });
    expect(url.searchParams.get('locateRound')).toBe('1007');
    const params = parsePageParams(url.search);
    expect(params.locate).toEqual({ round: 1007, keep: 'weu-1' });
    expect(pageSearch(params)).not.toContain('locate');
    expect(parsePageParams(testPageUrl(o, 'http://127.0.0.1:8080/').search).locate).toBeNull();
    expect(() => parsePageParams('?locateRound=-1')).toThrow(/locateRound must be a whole number/);
    expect(() => parsePageParams('?locateRound=3&locateKeep=Not%20An%20Id')).toThrow(/locateKeep must be an edge id/);
    expect(() => parsePageParams('?locateKeep=weu-1')).toThrow(/locateKeep needs locateRound/);
  });
});
