import { describe, expect, it } from 'vitest';
import { LookupBudget, lookupNetwork } from '../../../server/http/lookup-budget.js';

describe('lookupNetwork', () => {
  it('is the IPv4 /24 or the IPv6 /48 (a site), IPv4-mapped unwrapped', () => {
    expect(lookupNetwork('203.0.113.77')).toBe('203.0.113.0/24');
    expect(lookupNetwork('::ffff:203.0.113.9')).toBe('203.0.113.0/24');
    expect(lookupNetwork('2001:db8:77:1::23')).toBe('2001:db8:77::/48');
    expect(lookupNetwork('2001:db8:77:ffff:1:2:3:4')).toBe('2001:db8:77::/48');
    expect(lookupNetwork(undefined)).toBe('unknown');
  });
});

describe('LookupBudget', () => {
  it('gives each network one free failed guess after the budget, and nobody a free pass past the cap of failing networks', () => {
    const now = 0;
    const b = new LookupBudget(2, 3, () => now);
    b.failed('a');
    b.failed('a');
    expect(b.open('a')).toBe(false);
    // b and c have not failed: answered.
    expect(b.open('b')).toBe(true);
    b.failed('b');
    expect(b.open('b')).toBe(false);
    expect(b.open('c')).toBe(true);
    b.failed('c');
    expect(b.open('d')).toBe(true);
    // The fourth failing network passes the cap of 3: no free pass for anyone this minute.
    b.failed('d');
    expect(b.open('e')).toBe(false);
    expect(b.refused).toBe(3);
  });

  it('opens again when the minute ends', () => {
    let now = 0;
    const b = new LookupBudget(1, 10, () => now);
    b.failed('a');
    expect(b.open('a')).toBe(false);
    expect(b.retryAfterS()).toBe(60);
    now = 60_000;
    expect(b.open('a')).toBe(true);
  });
});
