/**
 * upgradeReport, schema 2 -> 3: reports written by the code before schema 3 (test/analysis/report/
 * golden-v2/, copied from the goldens of that time) read as the current shape with every graded
 * figure, sentence and verdict kept, no attribution, and the cause of a missing verdict derived
 * from their grades and suspect intervals: the same cause today's analysis of the same input names.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/analysis/report/analyze.js';
import { upgradeReport } from '../../../src/analysis/report/migrate.js';
import { ReportSchema } from '../../../src/analysis/schema/report-schema.js';
import { ReportV2Schema, type ReportV2 } from '../../../src/analysis/schema/report-v2-schema.js';
import { repoRoot } from '../../kit/paths.js';
import { GOLDEN_CASES } from './golden-cases.js';

const dir = join(repoRoot, 'test/analysis/report/golden-v2');

/** The summary's fields schema 2 lacks: upgradeV2 gives each its value for a schema-2 report. */
const SUMMARY_SINCE_V2 = ['insufficientCause'] as const;

/** What a failure says: where an older report gets a field new in the report. */
const UPGRADE_V2 =
  'a field new in the report needs its value for older reports in upgradeV2 (src/analysis/report/migrate.ts); a new summary field also joins SUMMARY_SINCE_V2 here';
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''));

describe('upgradeReport from schema 2', () => {
  it('has schema-2 reports to upgrade', () => {
    expect(names.length).toBeGreaterThanOrEqual(6);
  });

  it.each(names)('%s: keeps every grade and the verdict, adds no attribution, and names the cause today names', (name) => {
    const v2 = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as ReportV2;
    expect(Value.Check(ReportV2Schema, v2)).toBe(true);
    const up = upgradeReport(v2);
    expect(
      [...Value.Errors(ReportSchema, up)].map((e) => `${e.path} ${e.message}`),
      UPGRADE_V2,
    ).toEqual([]);
    expect(up.schemaVersion).toBe(3);
    expect(up.meta.schemaVersion).toBe(3);
    expect(up.attribution).toBeNull();
    expect(up.grades).toEqual(v2.grades);
    expect(up.explanation).toEqual(v2.explanation);
    const since: readonly string[] = SUMMARY_SINCE_V2;
    const summary = Object.fromEntries(Object.entries(up.summary).filter(([field]) => !since.includes(field)));
    expect(summary, UPGRADE_V2).toEqual(v2.summary);
    const c = GOLDEN_CASES.find((x) => x.name === name);
    if (c === undefined) throw new Error(`no golden case ${name}`);
    expect(up.summary.insufficientCause).toBe(analyze(c.input()).summary.insufficientCause);
  });
});
