/**
 * vitest's global setup: once per run, in the main process. Makes the folder through which the
 * test files share one PostgreSQL cluster (test/kit/postgres.ts, runPostgres), and stops that
 * cluster at the end.
 */
import type { TestProject } from 'vitest/node';
import { POSTGRES_RUN_DIR, sharedPostgresRun } from './postgres.js';

export default function setup(project: TestProject): () => Promise<void> {
  const pg = sharedPostgresRun();
  project.provide(POSTGRES_RUN_DIR, pg.runDir);
  return pg.teardown;
}
