/**
 * The done criterion for one scenario and one tool (or probe path), median over seeds:
 *   round trip: |median(tool RTT p50 - truth)| <= 1 ms + 2 % of the median truth;
 *   loss, per direction: |median(tool lost - truth lost)| <= 2 sigma of the binomial count,
 *   sigma = sqrt(n p (1 - p)) with n the probes the proxy saw and p = truth lost / n (the
 *   median over seeds of 2 sigma). With no loss at all sigma is 0: the count must be exact.
 * Pure: rows in, verdict out.
 */
import { median } from '../lib/median.js';

/** One seed's figures for one tool: measured and true values. */
export interface CriterionSeed {
  rttMs: number | null;
  truthRttMs: number | null;
  up: { lost: number | null; truthLost: number; probes: number };
  down: { lost: number | null; truthLost: number; probes: number };
}

interface LossCriterion {
  /** Median over seeds of tool lost - truth lost. */
  medianErrorPackets: number | null;
  /** Median over seeds of 2 sigma of the binomial count. */
  twoSigmaPackets: number;
  ok: boolean | null;
}

export interface Criterion {
  seeds: number;
  rtt: { medianErrorMs: number | null; toleranceMs: number | null; ok: boolean | null };
  up: LossCriterion;
  down: LossCriterion;
  /** Every graded part within tolerance (null: nothing to grade). */
  ok: boolean | null;
}

/** 2 sigma of a binomial count: n probes, k of them lost. */
export function twoSigmaBinomial(n: number, k: number): number {
  if (n <= 0) return 0;
  const p = k / n;
  return 2 * Math.sqrt(n * p * (1 - p));
}

function loss(seeds: readonly CriterionSeed[], d: 'up' | 'down'): LossCriterion {
  const errors = seeds.flatMap((s) => (s[d].lost === null ? [] : [s[d].lost - s[d].truthLost]));
  const bound = median(seeds.map((s) => twoSigmaBinomial(s[d].probes, s[d].truthLost))) ?? 0;
  const e = median(errors);
  return { medianErrorPackets: e, twoSigmaPackets: bound, ok: e === null ? null : Math.abs(e) <= bound + 1e-9 };
}

export function criterion(seeds: readonly CriterionSeed[]): Criterion {
  const pairs = seeds.flatMap((s) => (s.rttMs === null || s.truthRttMs === null ? [] : [{ m: s.rttMs, t: s.truthRttMs }]));
  const e = median(pairs.map((p) => p.m - p.t));
  const t = median(pairs.map((p) => p.t));
  const toleranceMs = t === null ? null : 1 + 0.02 * Math.abs(t);
  const rtt = { medianErrorMs: e, toleranceMs, ok: e === null || toleranceMs === null ? null : Math.abs(e) <= toleranceMs + 1e-9 };
  const up = loss(seeds, 'up');
  const down = loss(seeds, 'down');
  const parts = [rtt.ok, up.ok, down.ok].filter((x): x is boolean => x !== null);
  return { seeds: seeds.length, rtt, up, down, ok: parts.length === 0 ? null : parts.every((x) => x) };
}
