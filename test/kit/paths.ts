import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from any folder). */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/**
 * The built `callprobe` CLI as package.json's `bin` names it, relative to the repository root:
 * the one path every test, e2e fixture and (through bench/lib/processes.ts, which reads the same
 * field) bench runs, so moving the entry point is one edit of package.json.
 */
const cliRelPath: string = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { bin: { callprobe: string } }).bin.callprobe;

/** The built CLI, absolute. */
export const cliPath = join(repoRoot, cliRelPath);
