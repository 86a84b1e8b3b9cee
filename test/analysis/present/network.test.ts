import { describe, expect, it } from 'vitest';
import { networkLines } from '../../../src/analysis/present/network.js';

describe('networkLines', () => {
  it('says a split path in plain words, with what it means for calls', () => {
    const [type, split] = networkLines({ connectionType: null, effectiveType: '4g', splitPath: 'split' });
    expect(type).toBe(
      "This browser does not tell which kind of connection it is on. It rates the connection as 4g-class (its own rough estimate, not this test's measurement).",
    );
    expect(split).toMatch(/^Your web traffic and your call traffic left from different addresses: a VPN, a proxy or a second connection/);
    expect(split).toContain('a VPN that carries calls adds a detour');
  });

  it('names the connection where the browser tells it', () => {
    expect(networkLines({ connectionType: 'wifi', effectiveType: null, splitPath: 'same' })).toEqual([
      'The browser says it is on Wi-Fi.',
      'Your web traffic and your call traffic left from the same address: no split path.',
    ]);
  });
});
