import type { Report } from '../../src/analysis/schema/report-schema.js';

const fmt = (v: number | null, unit: string, digits: number): string => (v === null ? '–' : `${v.toFixed(digits)} ${unit}`);

/** The short human summary `callprobe run` prints without --json. */
export function formatSummary(r: Report): string {
  const s = r.summary;
  const lines = [
    `Verdict: ${s.verdict.toUpperCase()}`,
    ...r.explanation.map((e) => `  ${e}`),
    '',
    `  ${r.meta.profile.label}; ${r.meta.mode} mode via ${r.meta.path.transport}/${r.meta.path.port ?? '?'}; ${r.meta.durationS} s at ${s.ratePps} probes/s`,
    `  round trip p50 ${fmt(s.rttMsP50, 'ms', 1)}, p90 ${fmt(s.rttMsP90, 'ms', 1)}; jitter ${fmt(s.jitterMs, 'ms', 1)}; loss ${fmt(s.lossPct, '%', 2)}; reorder ${fmt(s.reorderPct, '%', 3)}; ${s.packetsReceived}/${s.packetsSent} probes`,
    ...(s.upstream && s.downstream
      ? [`  upstream loss ${fmt(s.upstream.lossPct, '%', 2)}, jitter ${fmt(s.upstream.jitterMs, 'ms', 1)}; downstream loss ${fmt(s.downstream.lossPct, '%', 2)}, jitter ${fmt(s.downstream.jitterMs, 'ms', 1)}`]
      : []),
    '',
    ...r.grades.map((g) => `  ${g.status.toUpperCase().padEnd(12)} ${g.sentence}`),
    '',
  ];
  return lines.join('\n');
}
