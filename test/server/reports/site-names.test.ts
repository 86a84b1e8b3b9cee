import { describe, expect, it } from 'vitest';
import { BadSiteName, closestSites, editDistance, knownSite, UnknownSite } from '../../../server/reports/site-names.js';
import type { KnownSite } from '../../../server/store/sites/types.js';

const known = (display: string): KnownSite => ({
  key: display.toLowerCase(),
  display,
  firstStartedAtMs: 0,
  lastStartedAtMs: 0,
  lastReportAtMs: null,
  lastStoredAtMs: 0,
  lastReportStoredAtMs: null,
});
const SITES = ['Paris office', 'Paris Nord', 'Lyon', 'Lille warehouse'].map(known);

describe('a site asked for by name', () => {
  it('counts typos as edits, a swap of two neighbours as one', () => {
    expect(editDistance('paris', 'paris')).toBe(0);
    expect(editDistance('pairs', 'paris')).toBe(1);
    expect(editDistance('lyon', 'lion')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('finds the known site by any spelling', () => {
    expect(knownSite('  PARIS   office ', SITES).display).toBe('Paris office');
  });

  it('answers a typo or a shortened name with the names it most likely meant, best first', () => {
    expect(closestSites('paris', SITES)).toEqual(['Paris Nord', 'Paris office']);
    expect(closestSites('paris ofice', SITES)).toEqual(['Paris office']);
    expect(closestSites('lyom', SITES)).toEqual(['Lyon']);
    expect(closestSites('pariss', SITES)).toEqual(['Paris Nord', 'Paris office']);
    expect(closestSites('marseille', SITES)).toEqual([]);
    expect(() => knownSite('Pairs office', SITES)).toThrow(new UnknownSite('Pairs office', ['Paris office'], 4));
    expect(new UnknownSite('x', ['Paris office'], 4).message).toBe('no such site; did you mean Paris office?');
    expect(new UnknownSite('paris', ['Paris Nord', 'Paris office'], 4).message).toBe('no such site; did you mean Paris Nord or Paris office?');
    expect(new UnknownSite('Marseille', [], 4).message).toBe('no such site: "Marseille" (4 known sites: callprobe report --all lists them)');
  });

  it('refuses a name that cannot be one', () => {
    expect(() => knownSite('=1+1', SITES)).toThrow(BadSiteName);
    expect(() => knownSite(' ', SITES)).toThrow(/at least one letter/);
  });
});
