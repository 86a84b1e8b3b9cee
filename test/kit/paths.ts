import { fileURLToPath } from 'node:url';

/** The repository root (tests run from any folder). */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
