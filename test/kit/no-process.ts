/**
 * Setup file of the inner loop's projects (unit, mocking, components: vitest.config.ts): they
 * start no process. Every way to start one (node:child_process) throws instead, naming the file,
 * so a test file that spawns a tool, the built CLI, PostgreSQL or a browser fails at once in the
 * inner loop and goes in the `integration` project. Run before each file; installing twice is
 * harmless (a worker of `unit` runs many files in one module graph). The replacements ask the
 * running file's project (`provide`d as NO_PROCESS) on each call, so a worker that later runs an
 * `integration` file starts its processes as usual.
 */
import cp from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import { expect, inject } from 'vitest';
import { TestKitError } from './errors.js';

const NO_PROCESS = 'noProcess';

declare module 'vitest' {
  export interface ProvidedContext {
    /** True in the projects that may start no process. */
    [NO_PROCESS]: boolean;
  }
}

const STARTERS = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;
const INSTALLED = Symbol.for('callprobe.test.no-process');

const mutable = cp as unknown as Record<(typeof STARTERS)[number], (...args: unknown[]) => unknown> & { [INSTALLED]?: true };
if (mutable[INSTALLED] !== true) {
  for (const name of STARTERS) {
    const original = mutable[name];
    mutable[name] = (...args: unknown[]): unknown => {
      if (inject(NO_PROCESS) !== true) return original(...args);
      throw new TestKitError(
        'process-in-unit',
        `${expect.getState().testPath ?? 'a test file'} started a process (${name} ${String(args[0])}): a file that starts processes belongs in the integration project (vitest.config.ts)`,
      );
    };
  }
  mutable[INSTALLED] = true;
  // Named imports of node:child_process (`import { spawn } from ...`) see the replacements too.
  syncBuiltinESMExports();
}
