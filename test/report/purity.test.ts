import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The pure folders: they run in the page and on the server, with no I/O. */
const FOLDERS = ['measure', 'grade', 'report'];
const SCHEMA_MODULES = new Set(['report/schema.ts', 'report/aggregateSchema.ts']);

function sources(): Array<{ path: string; text: string }> {
  return FOLDERS.flatMap((folder) => {
    const dir = fileURLToPath(new URL(`../../src/${folder}/`, import.meta.url));
    return readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => ({ path: `${folder}/${f}`, text: readFileSync(`${dir}${f}`, 'utf8') }));
  });
}

describe('pure code guardrails', () => {
  const files = sources();

  it('finds the sources', () => {
    expect(files.map((f) => f.path)).toContain('report/analyze.ts');
  });

  it('never imports the runtime schema or TypeBox outside the schema modules', () => {
    for (const f of files.filter((x) => !SCHEMA_MODULES.has(x.path))) {
      // Every import of a schema module must be `import type`.
      const runtime = [...f.text.matchAll(/^import\s+(?!type\b)[^;]*from\s+'([^']+)'/gms)].map((m) => m[1] ?? '');
      expect(runtime.filter((m) => /schema\.js$|@sinclair\/typebox/.test(m)), f.path).toEqual([]);
    }
  });

  it('uses no clock, timer, DOM or Node global', () => {
    const banned = /\b(Date\.now|performance\.now|setTimeout|setInterval|Math\.random|(window|document|process|globalThis)\.[A-Za-z_]|require\(|from 'node:)/;
    for (const f of files) {
      const code = f.text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      expect(code.match(banned)?.[0] ?? null, f.path).toBeNull();
    }
  });
});
