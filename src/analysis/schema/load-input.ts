/**
 * What the busy-line phase hands the analysis (beside the probe records, which run through it):
 * when each direction was loaded, how many bytes its flows moved over time, and how it stopped.
 * Times are on the client's clock (the up direction's send times).
 */
import type { ProgressPoint } from '../measure/load.js';

/** Why a direction stopped: the stop rule (goodput and probe delay stable), the time cap, the byte budget, failed flows, the test cancelled. */
export type LoadStop = 'stable' | 'time-cap' | 'budget' | 'failed' | 'cancelled';

/** Why the phase did not run, or ran without evidence that can be graded. */
export type LoadOutcomeReason =
  /** The server does not offer it (`serve --no-load`, or an older server). */
  | 'not-offered'
  /** The server refused: its limits were reached (too many tests or flows from this address, or in total). */
  | 'refused'
  /** The server stopped answering the load requests, or the probe stream, during the phase. */
  | 'server-gone'
  /** This device could not keep up: its probes were suspect (stalled, hidden page) for most of the phase. */
  | 'device-busy'
  /** The idle test could not finish (its outcome says why): no phase was run after it. */
  | 'not-run';

export interface LoadDirectionEvidence {
  startMs: number;
  endMs: number;
  /** Bytes moved so far, read every stop-rule interval (at most phaseMaxMs / stopRuleIntervalMs + 2 readings). */
  progress: ProgressPoint[];
  /** Flows opened. */
  flows: number;
  stop: LoadStop;
  /** What went wrong with flows, in words (at most a few). */
  errors: string[];
}

export interface LoadEvidence {
  /** The most bytes the phase could move per direction (shown before it started). */
  budgetBytes: number;
  /** When the phase started, ISO 8601 UTC (the page's wall clock), null when it did not run. */
  startedAt: string | null;
  startMs: number;
  endMs: number;
  up: LoadDirectionEvidence | null;
  down: LoadDirectionEvidence | null;
  /** Set when the phase did not run (then up and down are null) or its evidence is not the network's. */
  outcome: { reason: LoadOutcomeReason; detail: string } | null;
}
