import { describe, expect, it } from 'vitest';
import { pageSearch, parsePageParams, rerunHref, sharedCodeOf, ParamError } from '../../src/protocol/page-url.js';

describe('page URL parameters', () => {
  it('defaults to a 15 s client-to-edge test', () => {
    expect(parsePageParams('')).toEqual({
      profile: { id: 'client-to-edge' },
      durationS: 15,
      autostart: false,
      mode: 'auto',
      turnPick: null,
      audio: 'webaudio',
      compare: null,
      site: null,
      ticket: null,
      save: true,
      load: false,
      arrivals: 'receive-time',
    });
  });

  it('reads arrivals=worker (the engines bench: arrivals timed as in a browser without receiveTime), and writes it back', () => {
    const p = parsePageParams('?arrivals=worker');
    expect(p.arrivals).toBe('worker');
    expect(parsePageParams(pageSearch(p))).toEqual(p);
    expect(() => parsePageParams('?arrivals=now')).toThrow(/arrivals must be receive-time or worker/);
  });

  it('reads ?load=1 (the busy-line phase) and writes it back; anything else is refused', () => {
    expect(parsePageParams('?load=1').load).toBe(true);
    expect(pageSearch(parsePageParams('?load=1'))).toBe('?load=1');
    expect(() => parsePageParams('?load=yes')).toThrow(/load must be 0 or 1/);
  });

  it('reads compare mode with its seconds per rung, and writes it back', () => {
    expect(parsePageParams('?compare=1').compare).toEqual({ secondsPerRung: 5 });
    const p = parsePageParams('?compare=1&compareSeconds=3');
    expect(p.compare).toEqual({ secondsPerRung: 3 });
    expect(parsePageParams(pageSearch(p))).toEqual(p);
    expect(() => parsePageParams('?compare=1&compareSeconds=1')).toThrow(/compareSeconds must be 2\.\.30 seconds/);
  });

  it('reads an Azure region profile and a relay choice, and writes them back', () => {
    const p = parsePageParams('?profile=azure-region&azureRegion=West%20Europe&from=edge&duration=30&turn=udp:3480&autostart=1');
    expect(p.profile).toEqual({ id: 'azure-region', azureRegion: 'West Europe', from: 'edge' });
    expect(p.turnPick).toEqual({ transport: 'udp', port: 3480 });
    expect(p.autostart).toBe(true);
    expect(parsePageParams(pageSearch(p))).toEqual({ ...p, autostart: false });
  });

  it('refuses bad values with the parameter named', () => {
    expect(() => parsePageParams('?profile=fast')).toThrow(ParamError);
    expect(() => parsePageParams('?profile=azure-region')).toThrow(/azureRegion/);
    expect(() => parsePageParams('?duration=0')).toThrow(/duration/);
    expect(() => parsePageParams('?duration=601')).toThrow(/duration/);
    expect(() => parsePageParams('?turn=quic')).toThrow(/turn/);
  });

  it('reads site, ticket and save=0, and writes them back', () => {
    const p = parsePageParams('?site=Berlin%20HQ&ticket=%20INC-42%20&save=0');
    expect(p).toMatchObject({ site: 'Berlin HQ', ticket: 'INC-42', save: false });
    expect(parsePageParams(pageSearch(p))).toEqual(p);
    expect(parsePageParams('?site=&ticket=')).toMatchObject({ site: null, ticket: null, save: true });
    expect(() => parsePageParams(`?ticket=${'x'.repeat(129)}`)).toThrow(/ticket must be at most 128/);
    expect(() => parsePageParams('?save=no')).toThrow(/save must be 0 or 1/);
  });
});

describe('the link that runs a stored test again', () => {
  it('keeps profile, region, duration, relay pick, site and ticket', () => {
    const href = rerunHref({
      profile: { id: 'azure-region', azureRegion: 'West Europe', from: 'edge' },
      durationS: 30,
      turn: 'tcp:3478',
      site: 'Berlin',
      ticket: 'INC-1',
    });
    expect(href.startsWith('/?')).toBe(true);
    expect(parsePageParams(href.slice(1))).toMatchObject({
      profile: { id: 'azure-region', azureRegion: 'West Europe', from: 'edge' },
      durationS: 30,
      turnPick: { transport: 'tcp', port: 3478 },
      site: 'Berlin',
      ticket: 'INC-1',
      save: true,
      autostart: false,
    });
  });

  it('is the plain page for a default test, and drops what this page no longer accepts', () => {
    expect(rerunHref({ profile: { id: 'client-to-edge', azureRegion: null, from: null }, durationS: 15 })).toBe('/');
    expect(rerunHref({ profile: { id: 'warp-drive' }, durationS: 9999, turn: 'quic', ticket: 'T-9' })).toBe('/?ticket=T-9');
    expect(rerunHref({ profile: { id: 'azure-region', azureRegion: null, from: null }, durationS: 20 })).toBe('/?duration=20');
  });
});

describe('the code of a shared result in the page path', () => {
  it('reads /r/<code> as typed, and nothing else', () => {
    expect(sharedCodeOf('/r/K7QF-3MZD')).toBe('K7QF-3MZD');
    expect(sharedCodeOf('/r/k7qf3mzd/')).toBe('k7qf3mzd');
    expect(sharedCodeOf('/')).toBeNull();
    expect(sharedCodeOf('/r/')).toBeNull();
    expect(sharedCodeOf('/r/a/b')).toBeNull();
    expect(sharedCodeOf('/r/%E0%A4%A')).toBeNull();
    expect(sharedCodeOf('/api/r/K7QF-3MZD')).toBeNull();
  });
});
