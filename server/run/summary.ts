import type { Report } from '../../src/report/schema.js';

const fmt = (v: number | null, unit: string, digits: number): string => (v === null ? '–' : `${v.toFixed(digits)} ${unit}`);

/** The short human summary `callprobe run` prints without --json. */
export function formatSummary(r: Report): string {
  const s = r.summary;
  const lines = [
    `Verdict: ${s.verdict.toUpperCase()}`,
    ...r.explanation.map((e) => `  ${e}`),
    '',
    `  round trip p50 ${fmt(s.rttMsP50, 'ms', 1)}, p90 ${fmt(s.rttMsP90, 'ms', 1)}; jitter ${fmt(s.jitterMs, 'ms', 1)}; loss ${fmt(s.lossPct, '%', 2)}; reorder ${fmt(s.reorderPct, '%', 3)}; ${s.packetsReceived}/${s.packetsSent} probes`,
    '',
    ...r.grades.map((g) => `  ${g.status.padEnd(12)} ${g.sentence}`),
    '',
  ];
  return lines.join('\n');
}
