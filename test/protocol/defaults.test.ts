import { describe, expect, it } from 'vitest';
import { ALLOCATIONS_PER_TEST, BOUNDS, DEFAULTS } from '../../src/protocol/defaults.js';
import { DEFAULT_PAYLOAD_BYTES, encodeProbe } from '../../src/protocol/wire.js';
import { MAX_DURATION_S, parsePageParams } from '../../src/protocol/page-url.js';
import { ReflectorCore } from '../../server/reflector/core.js';
import { DEFAULT_QUOTAS } from '../../server/turn/index.js';
import { renderCoturnConfig } from '../../server/turn/coturn-config.js';

describe('one set of defaults', () => {
  it('the page, the CLI, the reflector and the relay read the same numbers', () => {
    // Page: no ?duration= is the default test length; the form's max is the parser's max.
    expect(parsePageParams('').durationS).toBe(DEFAULTS.testDurationS);
    expect(MAX_DURATION_S).toBe(BOUNDS.testDurationS.max);
    expect(parsePageParams(`?duration=${BOUNDS.testDurationS.max}`).durationS).toBe(BOUNDS.testDurationS.max);
    expect(() => parsePageParams(`?duration=${BOUNDS.testDurationS.max + 1}`)).toThrow(/duration/);
    expect(() => parsePageParams(`?duration=${BOUNDS.testDurationS.min - 1}`)).toThrow(/duration/);
    // Reflector: with no size given it echoes probes of the default payload size.
    const probe = encodeProbe({ seq: 1, sendMs: 0 }, new Uint8Array(DEFAULTS.payloadBytes));
    expect(new ReflectorCore().onProbe(probe, 0, () => 0).byteLength).toBe(DEFAULTS.payloadBytes);
    expect(DEFAULT_PAYLOAD_BYTES).toBe(DEFAULTS.payloadBytes);
    // Relay: the core's quotas are the defaults' quotas; coturn-config shares out the same ports and range.
    expect(DEFAULT_QUOTAS).toEqual(DEFAULTS.relayQuotas);
    const confs = renderCoturnConfig({ listeningIp: '127.0.0.1', relayIp: '127.0.0.1', realm: DEFAULTS.realm, secret: 's' });
    expect(confs.map((c) => c.port)).toEqual(DEFAULTS.turnUdpPorts);
    expect(confs[0]?.relayPortRange.min).toBe(DEFAULTS.relayPortRange.min);
    expect(confs.at(-1)?.relayPortRange.max).toBe(DEFAULTS.relayPortRange.max);
  });

  it('sizes the per-address relay quota for 20+ page tests behind one NAT', () => {
    // One page test: a port check on every offered entry (4 UDP + TCP + TLS) plus 2 peer connections (loopback mode).
    const allocationsPerTest = DEFAULTS.turnUdpPorts.length + 2 + 2;
    expect(allocationsPerTest).toBeLessThanOrEqual(DEFAULTS.relayQuotas.maxAllocationsPerUsername);
    expect(Math.floor(DEFAULTS.relayQuotas.maxAllocationsPerSourceIp / allocationsPerTest)).toBeGreaterThanOrEqual(20);
    expect(DEFAULTS.relayQuotas.maxAllocationsTotal).toBeGreaterThanOrEqual(DEFAULTS.relayQuotas.maxAllocationsPerSourceIp);
  });

  it('sizes the per-credential quota for a dual-stack test on 4 interfaces, within a quarter of one source', () => {
    const q = DEFAULTS.relayQuotas;
    const t = ALLOCATIONS_PER_TEST;
    // (6 x 2 + 3 + 1) x 4, by hand.
    expect(q.maxAllocationsPerUsername).toBe(64);
    // Every allocation such a test makes, all at once (the bench's worst: 40 made, 22 held at once, with 5 entries a family).
    expect((t.relayEntriesPerFamily * t.families + t.legs) * t.interfaces).toBeLessThanOrEqual(q.maxAllocationsPerUsername);
    expect(q.maxAllocationsPerUsername * 4).toBeLessThanOrEqual(q.maxAllocationsPerSourceIp);
    // The entries the server offers by default (UDP ports, TCP, TLS) fit the formula's count.
    expect(DEFAULTS.turnUdpPorts.length + 2).toBe(t.relayEntriesPerFamily);
  });

  it("keeps the locate's traffic, every edge at once, under its bound over its budget", () => {
    const l = DEFAULTS.locate;
    // kbit/s = bits per ms.
    expect((8 * l.maxEdges * l.bytesPerEdge) / l.budgetMs).toBeLessThanOrEqual(l.trafficKbitPerSMax);
    // Every probe can go out after a set-up of up to budget - lossTimeout - probes x interval (1.8 s), and be judged in time.
    expect(l.budgetMs - l.lossTimeoutMs - l.probes * l.intervalMs).toBeGreaterThanOrEqual(1_500);
    // A first pass that runs its whole time still leaves the probes their 20 sends and the loss timeout.
    expect(l.firstPassBudgetMs + l.lossTimeoutMs + l.probes * l.intervalMs).toBeLessThanOrEqual(l.budgetMs);
  });

  it('the schedule defaults sit within their bounds', () => {
    expect(DEFAULTS.schedule.spoolUploadsPerPass).toBeLessThan(DEFAULTS.results.postsPerMinutePerIp);
    expect(BOUNDS.scheduleEveryMs.min).toBeGreaterThanOrEqual(5_000);
  });
});
