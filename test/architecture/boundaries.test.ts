/**
 * The unit graph is enforced, not hoped for: the lint config rejects every import that
 * scripts/lint/units.js does not allow (the whole matrix, not one example), the packages a
 * unit may not use, and clocks, timers and randomness in the pure units.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { UNITS, mayImport } from '../../scripts/lint/units.js';
import { repoRoot } from '../kit/paths.js';

const eslint = new ESLint({ cwd: repoRoot });

async function ruleHits(unitDir: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${repoRoot}/${unitDir}/boundary-fixture.ts` });
  return (result?.messages ?? []).map((m) => m.ruleId ?? 'parse-error');
}

function relativeTo(fromDir: string, toDir: string): string {
  const from = fromDir.split('/');
  const to = toDir.split('/');
  let common = 0;
  while (common < from.length && from[common] === to[common]) common++;
  const up = from.slice(common).map(() => '..');
  const rel = [...up, ...to.slice(common)].join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

describe('unit boundaries (lint)', () => {
  it('rejects exactly the imports outside the allowed unit graph', async () => {
    const expected: string[] = [];
    const actual: string[] = [];
    for (const from of UNITS) {
      for (const to of UNITS) {
        const spec = `${relativeTo(from.dir, to.dir)}/some-module.js`;
        const hits = await ruleHits(from.dir, `import { thing } from '${spec}';\nexport const used = thing;\n`);
        const rejected = hits.includes('callprobe/unit-imports');
        actual.push(`${from.name} -> ${to.name}: ${rejected ? 'rejected' : 'allowed'}`);
        expected.push(`${from.name} -> ${to.name}: ${mayImport(from, to) ? 'allowed' : 'rejected'}`);
      }
    }
    expect(actual).toEqual(expected);
    // The graph itself: nothing below imports upward.
    expect(expected).toContain('analysis -> session: rejected');
    expect(expected).toContain('session -> web: rejected');
    expect(expected).toContain('turn -> server: rejected');
    expect(expected).toContain('server -> web: rejected');
    // Two programs: the server and the client never import each other; only the command line sees both.
    expect(expected).toContain('server -> client: rejected');
    expect(expected).toContain('client -> server: rejected');
    expect(expected).toContain('cli -> server: allowed');
    expect(expected).toContain('cli -> client: allowed');
  });

  it('rejects dynamic imports, re-exports and type imports across the graph too', async () => {
    for (const code of [
      "export { x } from '../web/app.js';\n",
      "export * from '../web/app.js';\n",
      "export async function f() { return import('../web/app.js'); }\n",
      "import type { X } from '../web/app.js';\nexport type Y = X;\n",
    ]) {
      expect(await ruleHits('src/session', code), code).toContain('callprobe/unit-imports');
    }
  });

  it('keeps tests and benches out of every unit', async () => {
    for (const u of UNITS) {
      const hits = await ruleHits(u.dir, `import { k } from '${relativeTo(u.dir, 'test/kit')}/wait.js';\nexport const used = k;\n`);
      expect(hits, u.name).toContain('callprobe/unit-imports');
    }
  });

  it('lets only Node units use Node built-ins, and only the page use lit and Chart.js', async () => {
    for (const u of UNITS) {
      const nodeHits = await ruleHits(u.dir, "import { readFileSync } from 'node:fs';\nexport const used = readFileSync;\n");
      expect(nodeHits.includes('callprobe/unit-imports'), `${u.name} node:fs`).toBe(u.env !== 'node');
      const litHits = await ruleHits(u.dir, "import { html } from 'lit';\nexport const used = html;\n");
      expect(litHits.includes('callprobe/unit-imports'), `${u.name} lit`).toBe(u.name !== 'web');
    }
  });

  it('bans clocks, timers and randomness in the pure units only', async () => {
    const code =
      'export const a = Date.now();\nexport const b = performance.now();\nexport const c = Math.random();\nexport const d = new Date();\nsetTimeout(() => a, 1);\n';
    for (const u of UNITS) {
      const hits = await ruleHits(u.dir, code);
      const banned = hits.filter((h) => h.startsWith('no-restricted-'));
      expect(banned.length, u.name).toBe(u.env === 'pure' ? 5 : 0);
    }
  });

  it('keeps TypeBox out of the page: the schema is imported for its types only', async () => {
    const hits = await ruleHits('src/web', "import { ReportSchema } from '../analysis/schema/report-schema.js';\nexport const s = ReportSchema;\n");
    expect(hits).toContain('@typescript-eslint/no-restricted-imports');
    const typeOnly = await ruleHits('src/web', "import type { Report } from '../analysis/schema/report-schema.js';\nexport type R = Report;\n");
    expect(typeOnly).toEqual([]);
  });
});
