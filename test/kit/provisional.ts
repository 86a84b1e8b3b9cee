/**
 * The longest provisional history a report can carry: PROVISIONAL_MAX_ANSWERS answers, each with
 * the most claims a test makes (one round-trip claim and three per one-way direction:
 * src/analysis/grade/provisional.ts), every evidence at CLAIM_EVIDENCE_MAX_CHARS. For the tests
 * that check a report still fits the upload bounds and the body limit with it.
 */
import { CLAIM_EVIDENCE_MAX_CHARS, PROVISIONAL_MAX_ANSWERS } from '../../src/analysis/schema/provisional-limits.js';

export function longestProvisionalHistory(): unknown[] {
  const claim = (metric: string, direction: string) => ({
    metric,
    direction,
    kind: 'likely-fail',
    evidence: 'x'.repeat(CLAIM_EVIDENCE_MAX_CHARS),
    held: false,
  });
  return Array.from({ length: PROVISIONAL_MAX_ANSWERS }, (_, i) => ({
    atMs: 3000 + i * 1000,
    claims: [
      claim('latency-rtt', 'round-trip'),
      ...['up', 'down'].flatMap((d) => [claim('loss-15s', d), claim('burst-loss-200ms', d), claim('jitter-15s', d)]),
    ],
  }));
}
