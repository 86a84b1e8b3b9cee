/**
 * Each unit is compiled with its own environment (`tsc -b` over the project references):
 * pure units see neither the DOM nor Node, browser units never Node, Node units never the
 * page. This checks that every unit has that tsconfig and the solution builds it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UNITS } from '../../scripts/lint/units.js';
import { repoRoot } from '../kit/paths.js';

interface TsConfig {
  compilerOptions?: { lib?: string[]; types?: string[]; composite?: boolean };
  references?: { path: string }[];
  include?: string[];
  exclude?: string[];
}

const read = (path: string): TsConfig => JSON.parse(readFileSync(join(repoRoot, path), 'utf8')) as TsConfig;

describe('unit environments', () => {
  const solution = read('tsconfig.json');

  for (const u of UNITS) {
    it(`${u.name} (${u.dir}) is a referenced project with a ${u.env} environment`, () => {
      const cfg = read(`${u.dir}/tsconfig.json`);
      const lib = (cfg.compilerOptions?.lib ?? []).map((l) => l.toLowerCase());
      const types = cfg.compilerOptions?.types ?? [];
      expect(cfg.compilerOptions?.composite).toBe(true);
      expect(solution.references?.map((r) => r.path)).toContain(u.dir);
      if (u.env === 'pure') {
        expect(lib.some((l) => l.startsWith('dom'))).toBe(false);
        expect(types).toEqual([]);
      } else if (u.env === 'browser') {
        expect(lib).toContain('dom');
        expect(types).not.toContain('node');
      } else {
        expect(types).toContain('node');
      }
      // Its references are exactly the units it may import.
      const refs = (cfg.references ?? []).map((r) => join(u.dir, r.path).replace(/\/$/, ''));
      const allowed = UNITS.filter((x) => u.imports.includes(x.name)).map((x) => x.dir);
      expect(refs.sort()).toEqual(allowed.sort());
    });
  }
});
