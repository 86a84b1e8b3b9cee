/**
 * The console's login throttle on its own, with a settable clock: free failures, then waits
 * that double (hand-computed below), nothing held against other sources, a right password
 * clearing the pair, forgetting, the bound on what it holds, and one refusal log line per
 * source per interval.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LoginThrottle, type LoginThrottleSettings } from '../../../server/console/login-throttle.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { testClock } from '../store/store-kit.js';

const S: LoginThrottleSettings = {
  freeFailures: 3,
  backoffBaseMs: 1_000,
  backoffMaxMs: 10_000,
  forgetMs: 3_600_000,
  maxPairs: 100,
  logIntervalMs: 60_000,
  knownNetworksPerUser: 2,
  knownNetworkMs: 86_400_000,
};

describe('LoginThrottle', () => {
  it('lets a pair fail freely, then makes it wait 1, 2, 4, 8, 10 (the cap), 10 s after each failure', () => {
    const clock = testClock(0);
    const t = new LoginThrottle(S, clock.nowMs);
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      expect(t.check('bo', '203.0.113.9')).toEqual({ allowed: true });
      const w = t.failed('bo', '203.0.113.9', '203.0.113.9');
      waits.push(w);
      if (w > 0) {
        // Inside the wait: refused, told how long is left, and asking again does not lengthen it.
        clock.advance(w - 1);
        expect(t.check('bo', '203.0.113.9')).toEqual({ allowed: false, retryAfterMs: 1 });
        expect(t.check('bo', '203.0.113.9')).toEqual({ allowed: false, retryAfterMs: 1 });
        clock.advance(1);
      }
    }
    expect(waits).toEqual([0, 0, 0, 1_000, 2_000, 4_000, 8_000, 10_000]);
  });

  it('the defaults: 5 free, 1 s doubling to 15 min', () => {
    const clock = testClock(0);
    const t = new LoginThrottle(DEFAULTS.console.loginThrottle, clock.nowMs);
    const waits = Array.from({ length: 17 }, () => {
      const w = t.failed('bo', '203.0.113.9', '203.0.113.9');
      clock.advance(w);
      return w / 1000;
    });
    expect(waits).toEqual([0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
  });

  it('never holds a caller back for what another source did (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('198.51.100.1', '2001:db8:1::', '203.0.113.5'), fc.nat(20_000)), { maxLength: 200 }),
        (steps) => {
          const clock = testClock(0);
          const t = new LoginThrottle(S, clock.nowMs);
          for (const [account, source, dtMs] of steps) {
            clock.advance(dtMs);
            if (t.check(account, source).allowed) t.failed(account, source, source);
          }
          // A source that never failed is never held back, for any account.
          for (const account of ['a', 'b', 'c']) expect(t.check(account, '192.0.2.1')).toEqual({ allowed: true });
        },
      ),
      { seed: 18, numRuns: 200 },
    );
  });

  it('clears a pair on the right password, and forgets one quiet for forgetMs', () => {
    const clock = testClock(0);
    const t = new LoginThrottle(S, clock.nowMs);
    for (let i = 0; i < 5; i++) clock.advance(t.failed('bo', 'x', 'x'));
    t.succeeded('bo', 'x', 'x');
    expect(t.failed('bo', 'x', 'x')).toBe(0);
    for (let i = 0; i < 5; i++) clock.advance(t.failed('ana', 'x', 'x'));
    clock.advance(S.forgetMs);
    expect(t.failed('ana', 'x', 'x')).toBe(0);
  });

  it('holds at most maxPairs pairs and as many sources, however many spray', () => {
    const clock = testClock(0);
    const t = new LoginThrottle(S, clock.nowMs);
    for (let i = 0; i < 1_000; i++) {
      t.failed(`user${i % 7}`, `2001:db8:${i.toString(16)}::`, `2001:db8:${i.toString(16)}::`);
      t.logRefusal(`2001:db8:${i.toString(16)}::`);
    }
    expect(t.size).toEqual({ pairs: S.maxPairs, sources: S.maxPairs, failingNetworks: S.maxPairs });
  });

  it('knows the networks an account logged in from: the latest few, for knownNetworkMs', () => {
    const clock = testClock(0);
    const t = new LoginThrottle(S, clock.nowMs);
    expect(t.knows('bo', '198.51.100.7')).toBe(false);
    t.failed('bo', '2001:db8:66:1::', '2001:db8:66::');
    expect(t.knows('bo', '2001:db8:66::')).toBe(false);
    t.succeeded('bo', '198.51.100.7', '198.51.100.7');
    expect([t.knows('bo', '198.51.100.7'), t.knows('ana', '198.51.100.7')]).toEqual([true, false]);
    t.succeeded('bo', '2001:db8:7:1::', '2001:db8:7::');
    t.succeeded('bo', '203.0.113.9', '203.0.113.9');
    // Two kept: the oldest is forgotten.
    expect(['198.51.100.7', '2001:db8:7::', '203.0.113.9'].map((n) => t.knows('bo', n))).toEqual([false, true, true]);
    clock.advance(S.knownNetworkMs);
    expect(t.knows('bo', '203.0.113.9')).toBe(false);
  });

  it('tells a source with a recent wrong password (any account) from one with none, and forgets after forgetMs', () => {
    const clock = testClock(0);
    const t = new LoginThrottle(S, clock.nowMs);
    expect(t.recentlyFailed('203.0.113.9')).toBe(false);
    t.failed('ana', '203.0.113.9', '203.0.113.9');
    expect(t.recentlyFailed('203.0.113.9')).toBe(true);
    expect(t.recentlyFailed('203.0.113.10')).toBe(false);
    t.succeeded('ana', '203.0.113.9', '203.0.113.9');
    expect(t.recentlyFailed('203.0.113.9')).toBe(true);
    clock.advance(S.forgetMs);
    expect(t.recentlyFailed('203.0.113.9')).toBe(false);
  });

  it('logs a refusal once per source per interval, with how many went unlogged', () => {
    const clock = testClock(0);
    const t = new LoginThrottle(S, clock.nowMs);
    expect(t.logRefusal('203.0.113.9')).toEqual({ suppressed: 0 });
    for (let i = 0; i < 40; i++) {
      expect(t.logRefusal('203.0.113.9')).toBeNull();
      clock.advance(1_000);
    }
    // Another source has its own line.
    expect(t.logRefusal('2001:db8:1::')).toEqual({ suppressed: 0 });
    clock.advance(S.logIntervalMs - 40_000);
    expect(t.logRefusal('203.0.113.9')).toEqual({ suppressed: 40 });
  });
});
