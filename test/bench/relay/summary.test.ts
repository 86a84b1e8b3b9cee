/** The relay bench's summary: per contestant the range of CPU per packet over the rounds and the worst loss. */
import { describe, expect, it } from 'vitest';
import { relaySummary } from '../../../bench/relay/summary.js';

describe('relaySummary', () => {
  it('keeps the medians as they are, drops the rounds, and gives each contestant its range and worst loss', () => {
    const raw = {
      cpuUsPerPacketMedian: { coturn: 5, ours: 9 },
      runs: [
        { round: 0, contestant: 'coturn', cpuUsPerPacket: 5.5, lostPct: 0, relayedPackets: 80_000 },
        { round: 0, contestant: 'ours', cpuUsPerPacket: 9, lostPct: 0.5, relayedPackets: 79_600 },
        { round: 1, contestant: 'ours', cpuUsPerPacket: 8.5, lostPct: 0, relayedPackets: 80_000 },
        { round: 1, contestant: 'coturn', cpuUsPerPacket: 4.5, lostPct: 0, relayedPackets: 80_000 },
        { round: 2, contestant: 'ours', cpuUsPerPacket: 10, lostPct: 0.25, relayedPackets: 79_800 },
      ],
    };
    expect(relaySummary(raw)).toEqual({
      cpuUsPerPacketMedian: { coturn: 5, ours: 9 },
      contestants: [
        { contestant: 'coturn', rounds: 2, cpuUsPerPacketMin: 4.5, cpuUsPerPacketMax: 5.5, lostPctMax: 0 },
        { contestant: 'ours', rounds: 3, cpuUsPerPacketMin: 8.5, cpuUsPerPacketMax: 10, lostPctMax: 0.5 },
      ],
    });
  });
});
