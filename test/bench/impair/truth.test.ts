import { describe, expect, it } from 'vitest';
import { periodicPackets, simulateDirection, type SimPacket } from '../../../bench/impair/simulate.js';
import type { DirectionCounts } from '../../../bench/impair/truth-types.js';
import { referenceJitterMs, settings } from './helpers.js';

const busy = settings({
  delayMs: 30,
  jitter: { kind: 'uniform', amplitudeMs: 8 },
  jitterMayReorder: true,
  loss: { probability: 0.03 },
  gilbertElliott: { pGoodToBad: 0.01, pBadToGood: 0.3 },
  reorder: { probability: 0.02, gapPackets: 2 },
  duplicate: { probability: 0.02 },
  rateLimit: { bitsPerSecond: 400_000, queuePackets: 8 },
  probe: { minBytes: 200, maxBytes: 200 },
});

/** Probes of 200 B every 10 ms with a 60 B "SACK" after every second one. */
function mixedTraffic(n: number): SimPacket[] {
  const out: SimPacket[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ sizeBytes: 200, arrivalMs: i * 10 });
    if (i % 2 === 1) out.push({ sizeBytes: 60, arrivalMs: i * 10 + 1 });
  }
  return out;
}

function expectBalanced(c: DirectionCounts): void {
  expect(c.packetsIn).toBe(c.forwarded + c.droppedTotal + c.pendingAtStop);
  expect(c.droppedTotal).toBe(Object.values(c.dropped).reduce((s, x) => s + x, 0));
}

describe('truth accounting', () => {
  it('same seed and input give identical fates and truth; another seed differs', () => {
    const packets = mixedTraffic(3000);
    const a = simulateDirection(busy, 'seed-A', packets);
    const b = simulateDirection(busy, 'seed-A', packets);
    const c = simulateDirection(busy, 'seed-B', packets);
    expect(b.actions).toEqual(a.actions);
    expect(b.truth).toEqual(a.truth);
    expect(c.actions).not.toEqual(a.actions);
    expect(c.truth.counts).not.toEqual(a.truth.counts);
  });

  it('balances every datagram: in = forwarded + dropped + pending, also when stopped mid-flight', () => {
    const packets = mixedTraffic(3000);
    const full = simulateDirection(busy, 'balance', packets);
    expectBalanced(full.truth.counts);
    expect(full.truth.counts.pendingAtStop).toBe(0);
    const cut = simulateDirection(busy, 'balance', packets, { stopAtMs: 15_000 });
    expectBalanced(cut.truth.counts);
    expect(cut.truth.counts.pendingAtStop).toBeGreaterThan(0);
    const probes = cut.truth.probes;
    expect(probes).not.toBeNull();
    if (probes) {
      expectBalanced(probes.counts);
      expect(probes.packets.filter((p) => p.fate === 'pending').length).toBe(probes.counts.pendingAtStop);
    }
  });

  it('attributes counts to probe-class datagrams exactly', () => {
    const packets = mixedTraffic(2000);
    const result = simulateDirection(busy, 'probes', packets);
    const probes = result.truth.probes;
    if (!probes) throw new Error('probe truth missing');
    expect(probes.counts.packetsIn).toBe(2000);
    expect(probes.packets.map((p) => p.id)).toEqual(packets.flatMap((p, id) => (p.sizeBytes === 200 ? [id] : [])));
    const probeIds = new Set(probes.packets.map((p) => p.id));
    const probeSends = result.sends.filter((s) => probeIds.has(s.packetId));
    expect(probes.counts.forwarded).toBe(probeSends.filter((s) => s.copy === 'original').length);
    expect(probes.counts.duplicated).toBe(probeSends.filter((s) => s.copy === 'duplicate').length);
    const probeDrops = result.actions.filter((a) => a.kind === 'drop' && probeIds.has(a.packetId));
    expect(probes.counts.droppedTotal).toBe(probeDrops.length);
    // Delays in forwarding order = probe sends in sending order.
    expect(probes.delaysInForwardingOrderMs).toEqual(probeSends.filter((s) => s.copy === 'original').map((s) => s.atMs - s.arrivalMs));
    for (const record of probes.packets) {
      if (record.fate === 'forwarded') expect(record.appliedDelayMs).toBe(record.intendedDelayMs);
      if (record.fate === 'dropped') expect(record.dropCause).not.toBeNull();
    }
  });

  it('computes truth jitter with the injected function over forwarding-order delays', () => {
    const result = simulateDirection(busy, 'jitter', mixedTraffic(2000), {
      jitter: { fn: referenceJitterMs, name: 'test reference RFC 3550' },
    });
    const probes = result.truth.probes;
    if (!probes) throw new Error('probe truth missing');
    expect(probes.truthJitter.rfc3550JitterMs).toBe(referenceJitterMs(probes.delaysInForwardingOrderMs));
    expect(probes.truthJitter.jitterFunction).toBe('test reference RFC 3550');
    expect(probes.truthJitter.meanAbsIpdvMs).toBeGreaterThan(0);
    const none = simulateDirection(busy, 'jitter', mixedTraffic(100));
    expect(none.truth.probes?.truthJitter.rfc3550JitterMs).toBeNull();
  });

  it('learns the probe size from the first N impaired datagrams', () => {
    const learned = settings({ delayMs: 5, startAfter: { packets: 10 }, probe: { learnFromFirst: 30 } });
    const result = simulateDirection(learned, 'learn', mixedTraffic(500));
    const probes = result.truth.probes;
    expect(probes?.range).toEqual({ minBytes: 200, maxBytes: 200 });
    expect(probes?.learned).toBe(true);
    expect(probes?.learnedFrom).toBe(30);
    // Probes that passed before startAfter are classified too, once the size is known.
    expect(probes?.counts.packetsIn).toBe(500);
    expect(probes?.counts.passedBeforeStart).toBe(7);
  });
});

describe('startAfter', () => {
  const lossy = { delayMs: 20, loss: { probability: 1 } };

  it('after N datagrams: the first N pass untouched', () => {
    const result = simulateDirection(settings({ ...lossy, startAfter: { packets: 5 } }), 's', periodicPackets(20, 10, 100));
    expect(result.truth.counts).toMatchObject({ passedBeforeStart: 5, forwarded: 5, droppedTotal: 15 });
    expect(result.sends.every((s) => !s.impaired && s.atMs === s.arrivalMs)).toBe(true);
  });

  it('after a time since the flow began', () => {
    const result = simulateDirection(settings({ ...lossy, startAfter: { ms: 45 } }), 's', periodicPackets(20, 10, 100));
    expect(result.truth.counts).toMatchObject({ passedBeforeStart: 5, droppedTotal: 15 });
  });

  it('at the first probe-size datagram', () => {
    const packets: SimPacket[] = [100, 120, 100, 200, 100, 200].map((sizeBytes, i) => ({ sizeBytes, arrivalMs: i }));
    const result = simulateDirection(settings({ ...lossy, startAfter: { firstProbe: true }, probe: { minBytes: 200, maxBytes: 200 } }), 's', packets);
    expect(result.truth.counts).toMatchObject({ passedBeforeStart: 3, droppedTotal: 3 });
    expect(result.truth.probes?.counts).toMatchObject({ packetsIn: 2, droppedTotal: 2, passedBeforeStart: 0 });
  });
});
