import { describe, expect, it } from 'vitest';
import { crossCheckIntervalMs, lossTimeoutMs, probeCount, probeRatePps } from '../../../src/session/plan/rates.js';
import { pickTurnEntry } from '../../../src/session/relay-choice.js';
import type { TurnServerEntry } from '../../../src/protocol/api.js';

const entries: TurnServerEntry[] = [
  { url: 'turn:h:3478?transport=tcp', transport: 'tcp', port: 3478 },
  { url: 'turn:h:3478?transport=udp', transport: 'udp', port: 3478 },
  { url: 'turn:h:3479?transport=udp', transport: 'udp', port: 3479 },
];

describe('test plan', () => {
  it('uses a rate at which the burst target is resolvable', () => {
    expect(probeRatePps({ id: 'client-to-edge' })).toBe(100);
    expect(probeRatePps({ id: 'edge-to-edge' })).toBe(1000);
    expect(probeRatePps({ id: 'azure-region', azureRegion: 'West Europe', from: 'edge' })).toBe(1000);
    expect(probeRatePps({ id: 'azure-region', azureRegion: 'West Europe', from: 'site' })).toBe(100);
  });

  it('prefers UDP, honours an explicit choice, and says when nothing matches', () => {
    expect(pickTurnEntry(entries, null)?.url).toBe('turn:h:3478?transport=udp');
    expect(pickTurnEntry(entries, { transport: 'udp', port: 3479 })?.port).toBe(3479);
    expect(pickTurnEntry(entries, { transport: 'tcp', port: null })?.transport).toBe('tcp');
    expect(pickTurnEntry(entries, { transport: 'tls', port: null })).toBeNull();
  });

  it('waits max(1 s, 4 x RTT p99) for late packets', () => {
    expect(lossTimeoutMs([])).toBe(1000);
    expect(lossTimeoutMs([1, 2, 3])).toBe(1000);
    const rtts = Array.from({ length: 100 }, (_, i) => 10 * (i + 1)); // 10..1000 ms, p99 (nearest rank) = 990
    expect(lossTimeoutMs(rtts)).toBe(3960);
    expect(lossTimeoutMs([...Array.from({ length: 99 }, () => 20), 900])).toBe(1000); // one outlier is the p100, not the p99
  });

  it('sends 100 ms of probes more than duration x rate (two at least), so a 15 s test spans a full 15 s window even when its first probes leave 90 ms late', () => {
    expect(probeCount(15, 100)).toBe(1510);
    expect((probeCount(15, 100) - 1) * 10).toBe(15_090);
    expect(probeCount(15, 1000)).toBe(15_100);
    expect(probeCount(15, 50)).toBe(755);
    expect(probeCount(3, 10)).toBe(32);
  });

  it('spreads the 5/s cross-check beside RTP probes so its last probe (which ends the RTP stream) leaves at duration + 100 ms, not 200 ms', () => {
    const count = probeCount(15, 5);
    expect(count).toBe(77);
    expect(crossCheckIntervalMs(15, count)).toBeCloseTo(15_100 / 76, 9);
    expect((count - 1) * crossCheckIntervalMs(15, count)).toBeCloseTo(15_100, 9);
  });
});
