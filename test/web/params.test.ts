import { describe, expect, it } from 'vitest';
import { parseParams, toSearch, ParamError } from '../../src/web/params.js';

describe('page URL parameters', () => {
  it('defaults to a 15 s client-to-edge test', () => {
    expect(parseParams('')).toEqual({
      profile: { id: 'client-to-edge' },
      durationS: 15,
      autostart: false,
      mode: 'auto',
      turnPick: null,
      audio: 'webaudio',
      compare: null,
    });
  });

  it('reads compare mode with its seconds per rung, and writes it back', () => {
    expect(parseParams('?compare=1').compare).toEqual({ secondsPerRung: 5 });
    const p = parseParams('?compare=1&compareSeconds=3');
    expect(p.compare).toEqual({ secondsPerRung: 3 });
    expect(parseParams(toSearch(p))).toEqual(p);
    expect(() => parseParams('?compare=1&compareSeconds=1')).toThrow(/compareSeconds must be 2\.\.30 seconds/);
  });

  it('reads an Azure region profile and a relay choice, and writes them back', () => {
    const p = parseParams('?profile=azure-region&azureRegion=West%20Europe&from=edge&duration=30&turn=udp:3480&autostart=1');
    expect(p.profile).toEqual({ id: 'azure-region', azureRegion: 'West Europe', from: 'edge' });
    expect(p.turnPick).toEqual({ transport: 'udp', port: 3480 });
    expect(p.autostart).toBe(true);
    expect(parseParams(toSearch(p))).toEqual({ ...p, autostart: false });
  });

  it('refuses bad values with the parameter named', () => {
    expect(() => parseParams('?profile=fast')).toThrow(ParamError);
    expect(() => parseParams('?profile=azure-region')).toThrow(/azureRegion/);
    expect(() => parseParams('?duration=0')).toThrow(/duration/);
    expect(() => parseParams('?duration=601')).toThrow(/duration/);
    expect(() => parseParams('?turn=quic')).toThrow(/turn/);
  });
});
