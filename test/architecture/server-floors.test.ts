/**
 * server/'s inner order is enforced, not hoped for: the lint rule `callprobe/server-floors`
 * rejects an import running up its floors (SERVER_FLOORS in scripts/lint/units.js, the whole
 * matrix of floors, not one example) and a file that stands on no floor; and only the options
 * modules (SERVER_TUNABLE_READERS) read the tunables (DEFAULTS). `npm run lint` runs both over
 * the tree: no import runs up today, and no tunable is read past the options.
 */
import { posix } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { SERVER_FLOORS, SERVER_TUNABLE_READERS, floorOf } from '../../scripts/lint/units.js';
import { repoRoot } from '../kit/paths.js';

const RULE = 'callprobe/server-floors';
const eslint = new ESLint({ cwd: repoRoot });

async function ruleHits(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${repoRoot}/${filePath}` });
  return (result?.messages ?? []).map((m) => m.ruleId ?? 'parse-error');
}

/** A file standing on the floor: a fixture in its first folder, or its first file itself. */
function fileOn(floor: (typeof SERVER_FLOORS)[number]): string {
  const path = floor.paths.find((p) => p.endsWith('/')) ?? floor.paths[0] ?? '';
  return path.endsWith('/') ? `${path}floor-fixture.ts` : path;
}

function importOf(from: string, to: string): string {
  const rel = posix.relative(posix.dirname(from), to).replace(/\.ts$/, '.js');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

describe("server/'s floors (lint)", () => {
  it('rejects exactly the imports that run up the floors', async () => {
    const expected: string[] = [];
    const actual: string[] = [];
    for (const [i, from] of SERVER_FLOORS.entries()) {
      for (const [j, to] of SERVER_FLOORS.entries()) {
        const file = fileOn(from);
        const target = fileOn(to).replace('floor-fixture.ts', 'some-module.ts');
        expect(floorOf(file), file).toBe(i);
        const hits = await ruleHits(file, `import { thing } from '${importOf(file, target)}';\nexport const used = thing;\n`);
        actual.push(`${from.name} -> ${to.name}: ${hits.includes(RULE) ? 'rejected' : 'allowed'}`);
        expected.push(`${from.name} -> ${to.name}: ${j > i ? 'rejected' : 'allowed'}`);
      }
    }
    expect(actual).toEqual(expected);
    // The order itself: the shared floor at the bottom, the composition at the top.
    expect(SERVER_FLOORS.map((f) => f.name)).toEqual(['common', 'turn', 'services', 'http', 'config', 'composition']);
  });

  it('rejects the upward imports server/ had, in every form', async () => {
    for (const code of [
      "import { SIGNAL_PATH } from '../http/signal.js';\nexport const p = SIGNAL_PATH;\n",
      "import type { EdgeRole } from '../config/options.js';\nexport type R = EdgeRole;\n",
      "export { edgeBeats } from '../edge-roles.js';\n",
      "export async function f() { return import('../serve.js'); }\n",
    ]) {
      expect(await ruleHits('server/edges/beats.ts', code), code).toContain(RULE);
    }
    expect(await ruleHits('server/dataplane/index.ts', "import { planeBusy } from '../http/admission.js';\nexport const b = planeBusy;\n")).toContain(RULE);
    // Down and sideways are fine: a service reads the shared floor, the relay and another service.
    const down =
      "import { sourceKey } from '../common/source-key.js';\nimport { readGauge } from '../metrics/registry.js';\nexport const k = [sourceKey, readGauge];\n";
    expect(await ruleHits('server/edges/beats.ts', down)).not.toContain(RULE);
  });

  it('places every file of server/ on a floor: a new folder must be placed', async () => {
    expect(await ruleHits('server/new-room/thing.ts', 'export const x = 1;\n')).toContain(RULE);
    expect(await ruleHits('server/stray.ts', 'export const x = 1;\n')).toContain(RULE);
    expect(await ruleHits('server/http/thing.ts', 'export const x = 1;\n')).not.toContain(RULE);
    expect(await ruleHits('client/thing.ts', 'export const x = 1;\n')).not.toContain(RULE);
  });
});

describe("server/'s tunables (lint)", () => {
  const TUNABLES = '@typescript-eslint/no-restricted-imports';
  const spec = (file: string): string => importOf(file, 'src/protocol/defaults.ts');

  it('lets only the options modules read DEFAULTS; constants and bounds are read anywhere', async () => {
    for (const file of ['server/http/floor-fixture.ts', 'server/reflector/floor-fixture.ts', 'server/serve.ts', 'server/common/floor-fixture.ts']) {
      const read = await ruleHits(file, `import { DEFAULTS } from '${spec(file)}';\nexport const ms = DEFAULTS.maxSessionMs;\n`);
      expect(read, file).toContain(TUNABLES);
      const all = await ruleHits(file, `import * as defaults from '${spec(file)}';\nexport const ms = defaults.DEFAULTS.maxSessionMs;\n`);
      expect(all, file).toContain(TUNABLES);
      const constants = await ruleHits(
        file,
        `import { BOUNDS, CONSTANTS } from '${spec(file)}';\nexport const n = [BOUNDS.siteChars, CONSTANTS.rtp.ptimeMs];\n`,
      );
      expect(constants, file).not.toContain(TUNABLES);
    }
    for (const file of SERVER_TUNABLE_READERS) {
      const read = await ruleHits(file, `import { DEFAULTS } from '${spec(file)}';\nexport const ms = DEFAULTS.maxSessionMs;\n`);
      expect(read, file).not.toContain(TUNABLES);
    }
  });
});
