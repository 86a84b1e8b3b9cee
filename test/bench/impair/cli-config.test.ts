import { describe, expect, it } from 'vitest';
import { isLoopback, pairListenTargets, parseHostPorts } from '../../../bench/impair/address.js';
import { ImpairConfigError } from '../../../bench/impair/errors.js';
import { hasImpairmentFlags, scenarioFromFlags } from '../../../bench/impair/scenario-flags.js';

describe('addresses', () => {
  it('knows loopback', () => {
    for (const host of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1']) expect(isLoopback(host)).toBe(true);
    for (const host of ['192.0.2.2', '10.0.0.1', '::', '0.0.0.0', 'fe80::1', 'localhost']) expect(isLoopback(host)).toBe(false);
  });

  it('parses ports, ranges and IPv6, and pairs them in order', () => {
    expect(parseHostPorts('127.0.0.1:13478-13480').map((h) => h.port)).toEqual([13478, 13479, 13480]);
    expect(parseHostPorts('[::1]:5000')).toEqual([{ host: '::1', port: 5000 }]);
    expect(parseHostPorts('localhost:7')).toEqual([{ host: '127.0.0.1', port: 7 }]);
    const pairs = pairListenTargets(['127.0.0.1:13478-13479', '127.0.0.1:2112'], ['127.0.0.1:3478-3479', '127.0.0.1:2113']);
    expect(pairs.map((p) => `${p.listen.port}->${p.target.port}`)).toEqual(['13478->3478', '13479->3479', '2112->2113']);
  });

  it('refuses non-loopback, bad and unpaired addresses with a reason', () => {
    const reason = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        if (error instanceof ImpairConfigError) return error.reason;
        throw error;
      }
      return 'no error';
    };
    expect(reason(() => pairListenTargets(['127.0.0.1:1'], ['192.0.2.2:3478']))).toBe('not-loopback');
    expect(reason(() => pairListenTargets(['0.0.0.0:1'], ['127.0.0.1:3478']))).toBe('not-loopback');
    expect(reason(() => pairListenTargets(['127.0.0.1:1-2'], ['127.0.0.1:3478']))).toBe('listen-target-mismatch');
    expect(reason(() => parseHostPorts('example.com:80'))).toBe('bad-address');
    expect(reason(() => parseHostPorts('127.0.0.1:70000'))).toBe('bad-address');
  });
});

describe('scenario from flags', () => {
  it('builds the scenario the flags describe', () => {
    const scenario = scenarioFromFlags({
      direction: 'down',
      delayMs: '40',
      jitterMs: '5',
      lossPct: '2',
      ge: '0.01,0.25',
      burstEvery: '3/100',
      reorderPct: '1',
      reorderGapPackets: '2',
      dupPct: '0.5',
      rateKbps: '512',
      queuePackets: '20',
      startAfterProbe: true,
      probeSizes: '180-200',
    });
    expect(scenario.up).toBeUndefined();
    expect(scenario.down).toEqual({
      delayMs: 40,
      jitter: { kind: 'uniform', amplitudeMs: 5 },
      loss: { probability: 0.02 },
      gilbertElliott: { pGoodToBad: 0.01, pBadToGood: 0.25 },
      bursts: [{ kind: 'every', lengthPackets: 3, everyPackets: 100 }],
      reorder: { probability: 0.01, gapPackets: 2 },
      duplicate: { probability: 0.005 },
      rateLimit: { bitsPerSecond: 512_000, queuePackets: 20 },
    });
    expect(scenario.startAfter).toEqual({ firstProbe: true });
    expect(scenario.probe).toEqual({ minBytes: 180, maxBytes: 200 });
    expect(hasImpairmentFlags({ direction: 'up' })).toBe(false);
    expect(hasImpairmentFlags({ lossPct: '1' })).toBe(true);
  });

  it('rejects contradictory or malformed flags', () => {
    expect(() => scenarioFromFlags({ lossPct: '120' })).toThrow(/loss-pct/);
    expect(() => scenarioFromFlags({ jitterMs: '2', jitterNormalMs: '2' })).toThrow(/exclude/);
    expect(() => scenarioFromFlags({ rateKbps: '100' })).toThrow(/queue/);
    expect(() => scenarioFromFlags({ startAfterMs: '10', startAfterPackets: '3' })).toThrow(/only one/);
    expect(() => scenarioFromFlags({ startAfterProbe: true })).toThrow(/firstProbe/);
    expect(() => scenarioFromFlags({ burstEvery: '3' })).toThrow(/k\/N/);
  });
});
