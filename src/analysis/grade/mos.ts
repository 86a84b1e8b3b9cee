/**
 * Conversational quality estimate (ITU-T G.107 E-model) from the measured path. It informs
 * and never changes the verdict. Stated assumptions travel with the number; the sentence
 * is built in src/analysis/present/sentences.ts.
 */
import type { DirectionAnalysis } from '../measure/direction.js';
import { eModel, G711_PLC } from '../measure/emodel.js';
import type { DirectionName, MosDirection, MosReport } from '../schema/report-schema.js';

/** Jitter-buffer allowance: JITTER_BUFFER_FACTOR x mean RFC 3550 jitter, at least the minimum. */
export const JITTER_BUFFER_FACTOR = 2;
export const JITTER_BUFFER_MIN_MS = 20;

const MOS_ASSUMPTIONS: readonly string[] = Object.freeze([
  'ITU-T G.107 (06/2015) E-model with every parameter at its Table 3 default except the ones below.',
  'Codec: Opus has no G.113 constants, so G.711 with packet-loss concealment stands in (Ie = 0, Bpl = 25.1, G.113 Appendix I).',
  `Mouth-to-ear delay Ta = median round trip / 2 + a jitter-buffer allowance of max(${String(JITTER_BUFFER_MIN_MS)} ms, ${String(JITTER_BUFFER_FACTOR)} x mean jitter); echo path T = Ta, Tr = 2 x Ta; no codec or packetization delay added.`,
  "Packet loss Ppl = the direction's loss over the whole test (late probes included); BurstR = 1/(p+q) from the 2-state Markov model of its loss pattern.",
  'The estimate covers this path only (you to the relay): the far end of a real call adds its own delay and loss.',
  'Degradation = MOS with Ta = RTT/2 and no loss, minus the MOS above: what loss and jitter buffering cost.',
]);

/**
 * At or above this MOS the estimate reads as good news (R 70, where ITU-T G.109 starts "some
 * users dissatisfied", maps to MOS 3.6 by ITU-T G.107 Annex B): beside a failed verdict it
 * must say why it does not contradict it.
 */
export const REASSURING_MOS = 3.6;

/** ITU-T G.109 user-satisfaction categories of R. */
export function satisfaction(R: number): string {
  if (R >= 90) return 'very satisfied';
  if (R >= 80) return 'satisfied';
  if (R >= 70) return 'some users dissatisfied';
  if (R >= 60) return 'many users dissatisfied';
  if (R >= 50) return 'nearly all users dissatisfied';
  return 'not recommended';
}

/** The report's MOS section without its sentence. */
export type MosFacts = Omit<MosReport, 'sentence'>;

export function estimateMos(rttP50Ms: number | null, directions: ReadonlyArray<{ name: DirectionName; analysis: DirectionAnalysis }>): MosFacts {
  const perDirection: MosDirection[] = [];
  if (rttP50Ms !== null) {
    for (const d of directions) {
      const lossPct = d.analysis.loss.lossPct;
      if (lossPct === null) continue;
      const jitter = d.analysis.reportedJitter.meanMs ?? 0;
      const jitterBufferMs = Math.max(JITTER_BUFFER_MIN_MS, JITTER_BUFFER_FACTOR * jitter);
      const oneWay = rttP50Ms / 2;
      const taMs = oneWay + jitterBufferMs;
      const burstRatio = d.analysis.loss.markov.burstRatio;
      const r = eModel({ ...G711_PLC, Ppl: lossPct, BurstR: burstRatio, Ta: taMs, T: taMs, Tr: 2 * taMs });
      const best = eModel({ ...G711_PLC, Ta: oneWay, T: oneWay, Tr: 2 * oneWay });
      perDirection.push({
        direction: d.name,
        rFactor: r.R,
        mos: r.mos,
        taMs,
        jitterBufferMs,
        pplPct: lossPct,
        burstRatio,
        ieEff: r.IeEff,
        id: r.Id,
        degradation: Math.max(0, best.mos - r.mos),
      });
    }
  }
  if (perDirection.length === 0) {
    return {
      value: null,
      rFactor: null,
      perDirection,
      assumptions: [...MOS_ASSUMPTIONS],
    };
  }
  const worst = perDirection.reduce((a, b) => (b.rFactor < a.rFactor ? b : a));
  return {
    value: worst.mos,
    rFactor: worst.rFactor,
    perDirection,
    assumptions: [...MOS_ASSUMPTIONS],
  };
}
