import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ReportSchema } from '../../../src/analysis/schema/report-schema.js';

const file = fileURLToPath(new URL('../../../src/analysis/schema/report.schema.json', import.meta.url));
const expected = `${JSON.stringify(ReportSchema, null, 2)}\n`;

describe('report.schema.json', () => {
  // Regenerate after a schema change: CALLPROBE_WRITE_SCHEMA=1 npx vitest run test/report/schema.test.ts
  if (process.env.CALLPROBE_WRITE_SCHEMA === '1') writeFileSync(file, expected);

  it('equals JSON.stringify(ReportSchema) (the committed file never drifts)', () => {
    expect(readFileSync(file, 'utf8')).toBe(expected);
  });

  it('is a closed JSON Schema with schemaVersion 1', () => {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { additionalProperties: boolean; properties: { schemaVersion: { const: number } } };
    expect(parsed.additionalProperties).toBe(false);
    expect(parsed.properties.schemaVersion.const).toBe(1);
  });
});
