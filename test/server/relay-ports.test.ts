/**
 * A relay port range smaller than --max-allocations: before, every Allocate past the ports got
 * 508 (no-relay-port) whatever the doors held, so no share and no reserve ever applied, and
 * callprobe_refusals_total counted nothing. Now serve lowers the total to the ports at start and
 * says so in one line, the doors' shares apply within it, and a refusal for want of a port is
 * counted at the allocation door (`scope="ports"`).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/protocol/defaults.js';
import { relayQuotas } from '../../server/serve.js';
import { randomPortAllocator } from '../../server/turn/core/index.js';
import { allocateUntilRefused, makeHarness, mulberry32 } from './turn/helpers/core-harness.js';

const quotas = {
  maxAllocationsPerUsername: DEFAULTS.relayQuotas.maxAllocationsPerUsername,
  maxAllocationsPerSourceIp: DEFAULTS.relayQuotas.maxAllocationsPerSourceIp,
  maxAllocationsTotal: 1000,
};

describe('--relay-ports smaller than --max-allocations', () => {
  it('is lowered to the ports at start, in one line; left alone when the ports suffice or the OS picks them', () => {
    const lines: string[] = [];
    const lowered = relayQuotas({ quotas, relayPortRange: { min: 40000, max: 40499 } }, (l) => lines.push(l));
    expect(lowered).toEqual({ ...quotas, maxAllocationsTotal: 500 });
    expect(lines).toEqual(['--max-allocations 1000 is more than the 500 relay ports pages allocate in (--relay-ports 40000-40499): lowered to 500']);
    const quiet: string[] = [];
    expect(relayQuotas({ quotas, relayPortRange: { min: 49152, max: 65535 } }, (l) => quiet.push(l))).toBe(quotas);
    expect(relayQuotas({ quotas, relayPortRange: { min: 0, max: 0 } }, (l) => quiet.push(l))).toBe(quotas);
    expect(quiet).toEqual([]);
  });

  it('leaves the doors working within the ports: four networks hold half, a newcomer is served, nothing is refused for want of a port', () => {
    const lowered = relayQuotas({ quotas, relayPortRange: { min: 40000, max: 40499 } }, () => undefined);
    const h = makeHarness({ quotas: lowered, portAllocator: randomPortAllocator(40000, 40499, mulberry32(3)) });
    for (let n = 1; n <= 4; n++) expect(allocateUntilRefused(h, `198.51.100.${n}`, 1000)).toEqual({ granted: 62, refusal: 486 });
    expect(allocateUntilRefused(h, '203.0.113.1', 8)).toEqual({ granted: 8, refusal: undefined });
    expect(h.metrics.doorRefusals()).toContainEqual(['relay-allocation', 'source', 4]);
    expect(h.metrics.doorRefusals()).toContainEqual(['relay-allocation', 'ports', 0]);
  });

  it('counts a refusal for want of a relay port at the allocation door', () => {
    const h = makeHarness({ portAllocator: randomPortAllocator(40000, 40004, mulberry32(5)) });
    expect(allocateUntilRefused(h, '198.51.100.9', 10)).toEqual({ granted: 5, refusal: 508 });
    expect(h.metrics.listener('udp', 3478).refusals.get('no-relay-port')).toBe(1);
    expect(h.metrics.doorRefusals()).toContainEqual(['relay-allocation', 'ports', 1]);
  });
});
