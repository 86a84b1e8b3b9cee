import { describe, expect, it } from 'vitest';
import { runIrttThroughProxy } from '../../../bench/impair/irtt.js';
import type { ProbeTruth } from '../../../bench/impair/truth-types.js';
import { referenceJitterMs } from './helpers.js';
import { needCommand, skipReason } from '../../kit/requires.js';

const irttInstalled = skipReason('irtt through the proxy', [needCommand('irtt', 'irtt', ['version'])]) === null;

function probes(p: ProbeTruth | null | undefined): ProbeTruth {
  if (!p) throw new Error('probe truth missing');
  return p;
}

describe.skipIf(!irttInstalled)('irtt through the proxy', () => {
  it('sees the loss the proxy applied, packet by packet, and its delay', async () => {
    const { truth, irtt } = await runIrttThroughProxy({
      seed: 'irtt-accuracy',
      durationS: 3,
      intervalMs: 10,
      lengthBytes: 160,
      jitter: { fn: referenceJitterMs, name: 'test reference RFC 3550' },
      scenario: {
        // irtt's handshake (open) has another size: impair from the first 160 B test packet.
        startAfter: { firstProbe: true },
        probe: { minBytes: 160, maxBytes: 160 },
        up: { delayMs: 20, jitter: { kind: 'uniform', amplitudeMs: 4 }, loss: { probability: 0.03 } },
        down: { delayMs: 10, loss: { probability: 0.03 } },
      },
    });
    const flow = truth.flows[0];
    if (!flow) throw new Error('no flow in the truth');
    const up = probes(flow.up.probes);
    const down = probes(flow.down.probes);

    // Probe k in arrival order up is irtt seqno k (loopback keeps the client's order).
    expect(up.counts.packetsIn).toBe(irtt.packetsSent);
    const droppedUp = up.packets.flatMap((p, seq) => (p.fate === 'dropped' ? [seq] : []));
    // Reply j down answers the j-th probe forwarded up (the server replies in arrival order).
    const forwardedUpSeqs = up.packets
      .map((p, seq) => ({ p, seq }))
      .filter(({ p }) => p.fate === 'forwarded')
      .sort((a, b) => (a.p.forwardIndex ?? 0) - (b.p.forwardIndex ?? 0))
      .map(({ seq }) => seq);
    const droppedDown = down.packets.flatMap((p, j) => (p.fate === 'dropped' ? [forwardedUpSeqs[j] ?? -1] : []));
    expect(droppedUp.length).toBeGreaterThan(0);
    expect(droppedDown.length).toBeGreaterThan(0);
    // Every loss irtt attributes to a direction is one the proxy made there, and irtt sees all of them.
    const all = [...irtt.lostUpSeqnos, ...irtt.lostDownSeqnos, ...irtt.lostSeqnos].sort((a, b) => a - b);
    expect(all).toEqual([...droppedUp, ...droppedDown].sort((a, b) => a - b));
    for (const seq of irtt.lostUpSeqnos) expect(droppedUp).toContain(seq);
    for (const seq of irtt.lostDownSeqnos) expect(droppedDown).toContain(seq);
    expect(irtt.packetsReceived).toBe(down.counts.forwarded);

    // Delay: irtt's one-way medians are the proxy's applied delays plus a sub-ms base path.
    console.info(
      `[impair] irtt: send delay median ${irtt.sendDelay.medianMs?.toFixed(3)} ms vs truth up p50 ${up.delayMs.p50?.toFixed(3)};` +
        ` receive delay median ${irtt.receiveDelay.medianMs?.toFixed(3)} vs truth down p50 ${down.delayMs.p50?.toFixed(3)};` +
        ` send |IPDV| mean ${irtt.ipdvSend.meanMs.toFixed(3)} vs truth ${up.truthJitter.meanAbsIpdvMs?.toFixed(3)};` +
        ` loss up ${irtt.upstreamLossPct.toFixed(2)} % vs ${((100 * up.counts.droppedTotal) / up.counts.packetsIn).toFixed(2)} %`,
    );
    expect(Math.abs((irtt.sendDelay.medianMs ?? NaN) - (up.delayMs.p50 ?? NaN))).toBeLessThan(1);
    expect(Math.abs((irtt.receiveDelay.medianMs ?? NaN) - (down.delayMs.p50 ?? NaN))).toBeLessThan(1);
    expect(Math.abs(irtt.ipdvSend.meanMs - (up.truthJitter.meanAbsIpdvMs ?? NaN))).toBeLessThan(0.5);
  }, 40_000);
});
