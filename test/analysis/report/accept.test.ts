import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/analysis/report/analyze.js';
import { acceptReport, ReportShapeError } from '../../../src/analysis/report/accept.js';
import { repoRoot } from '../../kit/paths.js';
import { reflectorInput } from './inputs.js';

const v1 = (): unknown => JSON.parse(readFileSync(join(repoRoot, 'test/analysis/report/golden-v1/clean-15s.json'), 'utf8'));

function reasonOf(value: unknown): string {
  try {
    acceptReport(value);
    return 'accepted';
  } catch (err) {
    if (err instanceof ReportShapeError) return `${err.reason}: ${err.message}`;
    throw err;
  }
}

describe('acceptReport', () => {
  it('accepts a current report as it is and upgrades a schema-1 report', () => {
    const r = analyze(reflectorInput({ count: 1500 }));
    expect(acceptReport(JSON.parse(JSON.stringify(r)))).toEqual(r);
    const up = acceptReport(v1());
    expect(up.schemaVersion).toBe(3);
    expect(up.path.transport).toBe('udp');
    expect(up.connectivity).toHaveLength(6);
  });

  it('refuses what is not a report, naming why', () => {
    expect(reasonOf(null)).toBe('not-an-object: a report is a JSON object');
    expect(reasonOf([])).toBe('not-an-object: a report is a JSON object');
    expect(reasonOf({ schemaVersion: 7 })).toBe('unknown-version: schemaVersion 7 is not one of 3, 2, 1');
    expect(reasonOf({})).toMatch(/^unknown-version: schemaVersion "?missing/);
    const broken = { ...(v1() as Record<string, unknown>), summary: { verdict: 'great' } };
    expect(reasonOf(broken)).toMatch(/^schema: \/summary/);
  });
});
