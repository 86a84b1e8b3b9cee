import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ReportSchema, SCHEMA_VERSION } from '../../../src/analysis/schema/report-schema.js';
import { ReportV1Schema } from '../../../src/analysis/schema/report-v1-schema.js';
import { ReportV2Schema } from '../../../src/analysis/schema/report-v2-schema.js';
import { checkGenerated } from '../../kit/regen.js';

const files = [
  { name: 'report.schema.json', schema: ReportSchema, version: SCHEMA_VERSION },
  { name: 'report.v2.schema.json', schema: ReportV2Schema, version: 2 },
  { name: 'report.v1.schema.json', schema: ReportV1Schema, version: 1 },
];

for (const f of files) {
  const file = fileURLToPath(new URL(`../../../src/analysis/schema/${f.name}`, import.meta.url));
  const expected = `${JSON.stringify(f.schema, null, 2)}\n`;

  describe(f.name, () => {
    it('equals JSON.stringify of its TypeBox schema (the committed file never drifts; `npm run regen` writes it)', () => {
      checkGenerated(file, expected);
    });

    it(`is a closed JSON Schema with schemaVersion ${String(f.version)} in both places`, () => {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as {
        additionalProperties: boolean;
        properties: { schemaVersion: { const: number }; meta: { properties: { schemaVersion: { const: number } } } };
      };
      expect(parsed.additionalProperties).toBe(false);
      expect(parsed.properties.schemaVersion.const).toBe(f.version);
      expect(parsed.properties.meta.properties.schemaVersion.const).toBe(f.version);
    });
  });
}

describe('report-v1-schema.ts', () => {
  it('is frozen on its own: it imports nothing but TypeBox, so no later version can change it', () => {
    const source = readFileSync(fileURLToPath(new URL('../../../src/analysis/schema/report-v1-schema.ts', import.meta.url)), 'utf8');
    const imports = [...source.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gms)].map((m) => m[1]);
    expect(imports).toEqual(['@sinclair/typebox']);
  });
});

describe('schema versions', () => {
  it('writes version 3', () => {
    expect(SCHEMA_VERSION).toBe(3);
  });
});
