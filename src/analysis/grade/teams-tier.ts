/**
 * Teams Call Quality Dashboard "poor audio stream" tier (see targets.ts for the source).
 * A stream is Poor when ANY metric is above its limit; Unclassified when the metrics were
 * not available. It tells a help desk whether a complaint would show as a poor call in
 * Teams' own dashboard; it informs and never changes the verdict. The sentence is built in
 * src/analysis/present/sentences.ts.
 */
import type { TeamsPoorStream } from '../schema/report-schema.js';
import { TEAMS_POOR_AUDIO } from './targets.js';

export interface TeamsTierInput {
  /** Largest network MOS degradation over the directions (E-model estimate). */
  degradationMos: number | null;
  /** Mean round trip (CQD uses the average). */
  rttMsMean: number | null;
  /** Whole-test loss of the worse direction, percent. */
  lossPct: number | null;
  /** Whole-test mean RFC 3550 jitter of the worse direction. */
  jitterMs: number | null;
  /** getStats concealed / total samples, when reported. */
  concealedRatio: number | null;
}

/** The report's Teams tier without its sentence. */
export type TeamsTierFacts = Omit<TeamsPoorStream, 'sentence'>;

export function teamsPoorStream(input: TeamsTierInput): TeamsTierFacts {
  const L = TEAMS_POOR_AUDIO;
  const check = (metric: string, value: number | null, threshold: number, unit: string, note: string) => ({
    metric,
    value,
    threshold,
    unit,
    poor: value === null ? null : value > threshold,
    note,
  });
  const checks = [
    check('audio degradation avg', input.degradationMos, L.degradationMos, 'MOS', 'E-model estimate of the MOS lost to loss and jitter buffering'),
    check('round trip', input.rttMsMean, L.roundTripMs, 'ms', 'mean probe round trip'),
    check('packet loss rate', input.lossPct, L.lossPct, '%', 'whole-test loss of the worse direction'),
    check('jitter', input.jitterMs, L.jitterMs, 'ms', 'whole-test mean RFC 3550 jitter of the worse direction'),
    check('ratio concealed samples avg', input.concealedRatio, L.concealedRatio, 'ratio', 'from getStats; needs an audio track that is played out'),
  ];
  if (checks.some((c) => c.poor === true)) return { classification: 'poor', checks };
  // Round trip, loss and jitter are the core metrics: without one of them no verdict either way.
  if (checks.slice(1, 4).some((c) => c.value === null)) return { classification: 'unclassified', checks };
  return { classification: 'not-poor', checks };
}
