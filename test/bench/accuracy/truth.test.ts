import { describe, expect, it } from 'vitest';
import { sameWorstBurst, truthRecords, windowHoldsTruthLoss } from '../../../bench/accuracy/truth.js';
import { analyzeDirection } from '../../../src/analysis/measure/direction.js';
import type { ProbeRecord } from '../../../bench/impair/truth-types.js';
import { CALLPROBE_PROBE_SIZES, DATA_CHANNEL_WIRE_OVERHEAD_BYTES } from '../../../bench/accuracy/harness.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { CONTROL_MIN_BYTES } from '../../../src/protocol/wire.js';

/** A probe record as the proxy writes it: arrival every 10 ms, then its fate. */
function probe(id: number, fate: ProbeRecord['fate'], appliedDelayMs: number | null, forwardIndex: number | null): ProbeRecord {
  return {
    id,
    arrivalMs: 1000 + 10 * id,
    sizeBytes: 245,
    impaired: true,
    fate,
    dropCause: fate === 'dropped' ? 'random' : null,
    heldBack: false,
    intendedDelayMs: appliedDelayMs,
    appliedDelayMs,
    forwardIndex,
    duplicateAppliedDelayMs: null,
  } as ProbeRecord;
}

describe('accuracy truth from the proxy records', () => {
  // 0 forwarded (5 ms), 1 dropped, 2 held back (forwarded after 3), 3 forwarded, 4 pending at stop.
  const packets = [
    probe(0, 'forwarded', 5, 0),
    probe(1, 'dropped', null, null),
    probe(2, 'forwarded', 30, 2),
    probe(3, 'forwarded', 5, 1),
    probe(4, 'pending', null, null),
  ];

  it('numbers probes by arrival at the proxy and lists forwarded ones in forwarding order', () => {
    const r = truthRecords(packets, 10);
    expect(r.sent.map((s) => [s.seq, s.sendMs])).toEqual([
      [0, 1000],
      [1, 1010],
      [2, 1020],
      [3, 1030],
    ]);
    expect(r.arrivals.map((a) => [a.seq, a.recvMs])).toEqual([
      [0, 1005],
      [3, 1035],
      [2, 1050],
    ]);
  });

  it('gives the product functions exactly what the proxy did: one loss, one reordered probe', () => {
    const a = analyzeDirection(truthRecords(packets, 10), Number.MAX_SAFE_INTEGER, { burstMs: 200, sustainedMs: 15_000 });
    expect(a.loss.lost).toBe(1);
    expect(a.reorder.reordered).toBe(1);
  });

  it('says whether a window on the tool clock holds a dropped probe', () => {
    expect(windowHoldsTruthLoss(0, [150])).toBe(true);
    expect(windowHoldsTruthLoss(0, [203])).toBe(true); // within the 5 ms slop
    expect(windowHoldsTruthLoss(0, [210])).toBe(false);
    expect(windowHoldsTruthLoss(300, [150, 210])).toBe(false);
    expect(windowHoldsTruthLoss(Number.NaN, [0])).toBe(false);
  });

  it('finds the same burst within one probe of resolution, over dropped probes', () => {
    const truth = { valuePct: 100 * (4 / 20), startMs: 1000, lost: 4, packets: 20 };
    expect(sameWorstBurst({ valuePct: 100 * (3 / 14), startMs: 1003, lost: 3, packets: 14 }, truth, [1050, 1150])).toBe(true);
    expect(sameWorstBurst({ valuePct: 100 * (4 / 19), startMs: 1003, lost: 4, packets: 19 }, truth, [1050, 1150])).toBe(true);
    expect(sameWorstBurst({ valuePct: 100 * (1 / 20), startMs: 1003, lost: 1, packets: 20 }, truth, [1050, 1150])).toBe(false);
    expect(sameWorstBurst({ valuePct: 100 * (4 / 20), startMs: 5000, lost: 4, packets: 20 }, truth, [1050, 1150])).toBe(false);
    expect(sameWorstBurst({ valuePct: 0, startMs: 0, lost: 0, packets: 20 }, { ...truth, valuePct: 0, lost: 0 }, [])).toBe(true);
    expect(sameWorstBurst(null, truth, [1050])).toBe(false);
  });
});

describe('the probe size class', () => {
  it('holds the default probe with or without a bundled SACK, and no control message', () => {
    const probeWire = DEFAULTS.payloadBytes + DATA_CHANNEL_WIRE_OVERHEAD_BYTES;
    expect(probeWire).toBe(229);
    expect(probeWire).toBeGreaterThanOrEqual(CALLPROBE_PROBE_SIZES.minBytes);
    expect(probeWire + 16).toBeLessThanOrEqual(CALLPROBE_PROBE_SIZES.maxBytes);
    // The smallest control datagram: one padded message, nothing bundled.
    expect(CONTROL_MIN_BYTES + DATA_CHANNEL_WIRE_OVERHEAD_BYTES).toBeGreaterThan(CALLPROBE_PROBE_SIZES.maxBytes);
  });
});
