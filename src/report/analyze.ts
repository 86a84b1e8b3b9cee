// Placeholder until the measurement branch lands (it replaces this file).
import type { AnalysisInput } from './input.js';
import type { Report } from './schema.js';
export function analyze(input: AnalysisInput): Report {
  const r = input.roundTrip.samples.map((s) => s.rttMs).sort((a, b) => a - b);
  const p = (q: number) => (r.length ? r[Math.min(r.length - 1, Math.ceil(q * r.length) - 1)] ?? null : null);
  const sent = input.roundTrip.sent.length;
  const lossPct = sent ? (100 * (sent - r.length)) / sent : null;
  const rtt50 = p(0.5);
  const verdict = rtt50 === null ? 'insufficient' : rtt50 < 100 && (lossPct ?? 100) < 1 ? 'pass' : 'fail';
  return {
    schemaVersion: 1,
    meta: { ...input.meta },
    summary: { rttMsP50: rtt50, rttMsP90: p(0.9), jitterMs: null, lossPct, reorderPct: null, packetsSent: sent, packetsReceived: r.length, verdict },
    grades: [{ targetId: 'rtt', statistic: 'p50 of round trip', direction: 'round-trip', value: rtt50, unit: 'ms', threshold: 100, status: verdict, sentence: `Round trip ${rtt50?.toFixed(1)} ms against < 100 ms.` }],
    explanation: ['stub'],
    diagnostics: {},
  };
}
