import { describe, expect, it } from 'vitest';
import { splitPath } from '../../../src/analysis/grade/split-path.js';

describe('splitPath', () => {
  it('is the same path when the relay saw the allocation come from the HTTP client address', () => {
    expect(splitPath('198.51.100.7', ['198.51.100.7'])).toBe('same');
    // An IPv4-mapped HTTP address (a dual-stack listener) is the IPv4 address.
    expect(splitPath('::ffff:198.51.100.7', ['198.51.100.7'])).toBe('same');
    // One interface's allocation matching is enough: a laptop also gathers on its others.
    expect(splitPath('198.51.100.7', ['203.0.113.9', '198.51.100.7'])).toBe('same');
  });

  it('is a split path when every media address of the family differs', () => {
    expect(splitPath('198.51.100.7', ['203.0.113.9'])).toBe('split');
    expect(splitPath('2001:db8:1:2::10', ['2001:db8:9:9::10'])).toBe('split');
  });

  it('compares IPv6 by /64: temporary addresses of one host are the same path', () => {
    expect(splitPath('2001:db8:1:2:aaaa::1', ['2001:db8:1:2:bbbb::2'])).toBe('same');
  });

  it('does not compare across families, hidden addresses, or nothing', () => {
    expect(splitPath('2001:db8::1', ['198.51.100.7'])).toBe('not-compared');
    expect(splitPath('198.51.100.7', ['0.0.0.0'])).toBe('not-compared');
    expect(splitPath(null, ['198.51.100.7'])).toBe('not-compared');
    expect(splitPath('198.51.100.7', [])).toBe('not-compared');
    expect(splitPath('not an address', ['198.51.100.7'])).toBe('not-compared');
  });
});
