/**
 * Which edges a locate measures with probes after its first pass (probePlan, probeSet): without a
 * turn, the nearest of the first pass; for a scheduled sample, the site's edge, the edge nearer on
 * its last sample, the first pass's nearest, and a window of the others that moves on every round.
 * And what it buys, from the coverage bench's simulation against the same functions and the
 * locate's own rule for a site: with 20 edges, every site x edge pair reaches the 54 samples a P90
 * needs within a week of 10-minute samples, every test on the nearest.
 */
import { describe, expect, it } from 'vitest';
import { probePlan, probeSet } from '../../../src/session/plan/edges.js';
import { coverage } from '../../../bench/regions/coverage.js';
import { testPageUrl } from '../../../client/test-page.js';
import { parsePageParams, pageSearch } from '../../../src/protocol/page-url.js';
import type { RunCommandOptions } from '../../../client/options.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `e${i}`);

describe('the edges the probes measure', () => {
  it('without a turn: the four nearest of the first pass, in the order they answered it', () => {
    const plan = probePlan(ids(12), 4, null);
    expect(plan).toEqual({ fixed: [], nearest: 4 });
    expect(probeSet(plan, ['e11', 'e3', 'e7', 'e0', 'e5'])).toEqual(['e11', 'e3', 'e7', 'e0']);
    // Fewer answered: those that did.
    expect(probeSet(plan, ['e9'])).toEqual(['e9']);
  });

  it("a scheduled sample: the site's edge, the challenger, the first pass's nearest, and a window over the others round by round", () => {
    const turn = (round: number, keep: string | null, challenger: string | null = null) => probePlan(ids(6), 4, { round, keep, challenger });
    // Others: e0, e1, e2, e4, e5 (e3 kept); two places in turn, the window starting at 2 x round, modulo 5.
    expect(turn(0, 'e3')).toEqual({ fixed: ['e3', 'e0', 'e1'], nearest: 1 });
    expect(turn(1, 'e3')).toEqual({ fixed: ['e3', 'e2', 'e4'], nearest: 1 });
    expect(turn(2, 'e3')).toEqual({ fixed: ['e3', 'e5', 'e0'], nearest: 1 });
    // The first pass's nearest outside them fills the last place.
    expect(probeSet(turn(0, 'e3'), ['e3', 'e1', 'e5', 'e2'])).toEqual(['e3', 'e0', 'e1', 'e5']);
    // With a challenger: one place in turn.
    expect(turn(1, 'e3', 'e5')).toEqual({ fixed: ['e3', 'e5', 'e1'], nearest: 1 });
    // Nothing kept (or a keep no longer listed): three places in turn over all six.
    expect(turn(1, null)).toEqual({ fixed: ['e3', 'e4', 'e5'], nearest: 1 });
    expect(turn(1, 'gone')).toEqual({ fixed: ['e3', 'e4', 'e5'], nearest: 1 });
  });
});

describe('site x edge coverage over a week', () => {
  it('reaches 54 samples for every pair with up to 20 edges, every test on the nearest', () => {
    const all = Array.from({ length: 19 }, (_, i) => coverage(i + 2));
    expect(all[18]).toEqual({ edges: 20, minSamplesPerPair: 106, allReachedAtSample: 513, offNearestMax: 0 });
    for (const c of all) {
      const n = c.edges;
      expect(c.minSamplesPerPair, `${n} edges`).toBeGreaterThanOrEqual(54);
      expect(c.allReachedAtSample, `${n} edges`).not.toBeNull();
      expect(c.offNearestMax, `${n} edges`).toBe(0);
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
    const url = testPageUrl(o, 'http://127.0.0.1:8080/', { round: 1007, keep: 'weu-1', challenger: 'neu-1' });
    expect(url.searchParams.get('locateRound')).toBe('1007');
    const params = parsePageParams(url.search);
    expect(params.locate).toEqual({ round: 1007, keep: 'weu-1', challenger: 'neu-1' });
    expect(pageSearch(params)).not.toContain('locate');
    expect(parsePageParams(testPageUrl(o, 'http://127.0.0.1:8080/').search).locate).toBeNull();
    expect(() => parsePageParams('?locateRound=-1')).toThrow(/locateRound must be a whole number/);
    expect(() => parsePageParams('?locateRound=3&locateKeep=Not%20An%20Id')).toThrow(/locateKeep must be an edge id/);
    expect(() => parsePageParams('?locateKeep=weu-1')).toThrow(/locateKeep needs locateRound/);
    expect(() => parsePageParams('?locateChallenger=weu-1')).toThrow(/locateChallenger needs locateRound/);
    expect(() => parsePageParams('?locateRound=3&locateChallenger=-x')).toThrow(/locateChallenger must be an edge id/);
  });
});
