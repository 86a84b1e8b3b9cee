#!/usr/bin/env node
/**
 * `npm run regen`: rewrites every file the code generates and the tests compare with, by running
 * the tests that compare them with CALLPROBE_REGEN=1 (test/kit/regen.ts, `checkGenerated`), then
 * lists what changed. Run it after an intended change to what they are generated from, and
 * review the diff (`git diff`) before committing it.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Each test that compares generated files, and the files it writes. */
const GENERATED = [
  {
    test: 'test/analysis/schema/schema.test.ts',
    from: 'the report schemas (src/analysis/schema/report-schema.ts, report-v2-schema.ts, report-v1-schema.ts)',
    files: ['src/analysis/schema/report.schema.json', 'src/analysis/schema/report.v2.schema.json', 'src/analysis/schema/report.v1.schema.json'],
  },
  {
    test: 'test/analysis/report/golden.test.ts',
    from: 'analyze() and aggregateP90() over the recorded inputs (test/analysis/report/golden-cases.ts)',
    files: ['test/analysis/report/golden/'],
  },
  {
    test: 'test/protocol/signal-check.test.ts',
    from: "TypeCompiler's code of the signalling schemas (src/protocol/api-signal.ts)",
    files: ['src/protocol/signal-check.ts'],
  },
  {
    test: 'test/architecture/units-table.test.ts',
    from: 'the unit graph (scripts/lint/units.js)',
    files: ['docs/ARCHITECTURE.md'],
  },
];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = spawnSync('npx', ['vitest', 'run', ...GENERATED.map((g) => g.test)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CALLPROBE_REGEN: '1' },
});
const files = GENERATED.flatMap((g) => g.files);
process.stdout.write(`\nnpm run regen rewrote:\n${GENERATED.map((g) => `  ${g.files.join(', ')}\n    from ${g.from}`).join('\n')}\n`);
const changed = spawnSync('git', ['status', '--short', '--', ...files], { cwd: root, encoding: 'utf8' });
process.stdout.write(changed.stdout.trim() === '' ? 'none of them changed.\n' : `changed (review with git diff):\n${changed.stdout}`);
process.exitCode = run.status ?? 1;
