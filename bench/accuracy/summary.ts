/**
 * The accuracy bench's tracked summary: the run's headline figures and, per scenario and tool,
 * the criterion the first table of docs/benchmarks/accuracy.md shows (one row a line). The per-seed
 * figures and the proxy's packet-level truth stay in the raw results (bench/results/raw/).
 */
import type { Criterion } from './criterion.js';

const ACCURACY_TOOLS = ['rtp', 'datachannel', 'irtt'] as const;
type AccuracyTool = (typeof ACCURACY_TOOLS)[number];

/** What the summary reads of the raw results: any more fields are left out. */
export interface AccuracyRawView<Summary> {
  command: string;
  machine: Record<string, string | number>;
  summary: Summary;
  scenarios: readonly { name: string; criteria: Readonly<Record<AccuracyTool, Criterion>> }[];
}

export interface AccuracySummary<Summary> {
  command: string;
  machine: Record<string, string | number>;
  summary: Summary;
  /** One row per scenario and tool (rtp: the RTP path, datachannel: the data-channel path, irtt). */
  criteria: ({ scenario: string; tool: AccuracyTool } & Criterion)[];
}

export function accuracySummary<Summary>(raw: AccuracyRawView<Summary>): AccuracySummary<Summary> {
  return {
    command: raw.command,
    machine: raw.machine,
    summary: raw.summary,
    criteria: raw.scenarios.flatMap((s) => ACCURACY_TOOLS.map((tool) => ({ scenario: s.name, tool, ...s.criteria[tool] }))),
  };
}
