/**
 * Golden reports: the recorded inputs of golden-cases.ts, analysed, must give byte for byte
 * the JSON under golden/ (report JSON is a contract: refactoring must not change it).
 * After an intended change to the report, regenerate with `npm run regen` and review the diff.
 */
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { aggregateP90 } from '../../../src/analysis/report/aggregate.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import type { Report } from '../../../src/analysis/schema/report-schema.js';
import { repoRoot } from '../../kit/paths.js';
import { checkGenerated } from '../../kit/regen.js';
import { GOLDEN_CASES } from './golden-cases.js';
import { reflectorInput } from './inputs.js';

const dir = join(repoRoot, 'test/analysis/report/golden');

function checkGolden(name: string, value: unknown): void {
  checkGenerated(join(dir, `${name}.json`), `${JSON.stringify(value, null, 2)}\n`);
}

describe('golden reports', () => {
  it.each(GOLDEN_CASES.map((c) => [c.name, c.input] as const))('%s', (name, input) => {
    checkGolden(name, analyze(input()));
  });
});

describe('golden aggregates', () => {
  const at = (rttMs: number, minutes: number, count = 1500): Report =>
    analyze(reflectorInput({ count, rttMs: () => rttMs, meta: { startedAt: new Date(Date.UTC(2025, 0, 6) + minutes * 60_000).toISOString() } }));
  // Sixty tests, RTT 41..100 ms (a P90 is graded from 54 tests): nearest-rank P90 = rank 54 = 94 ms.
  const sixty = Array.from({ length: 60 }, (_, k) => at(k + 41, k * 10));
  const ten = sixty.slice(0, 10);
  it.each([
    ['aggregate-pass', () => sixty],
    ['aggregate-fail', () => [...sixty, ...Array.from({ length: 10 }, (_, k) => at(110, 600 + k * 10))]],
    ['aggregate-mixed', () => [...sixty, at(20, 800, 1000)]],
    ['aggregate-too-few', () => ten],
    ['aggregate-insufficient', () => [at(20, 0, 1000), at(30, 10, 1000)]],
    ['aggregate-empty', () => []],
  ] as const)('%s', (name, reports) => {
    checkGolden(name, aggregateP90(reports()));
  });
});
