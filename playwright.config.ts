import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS } from './client/headless/chromium.js';
import { PAGE_CHROMIUM, MAX_WORKERS } from './e2e/fixtures/env.js';

/** Workers of the functional project: CALLPROBE_E2E_WORKERS, else 3 (measured on 2 cores: docs/DEVELOPERS.md). */
const workers = Number(process.env['CALLPROBE_E2E_WORKERS'] ?? 3);
if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) throw new Error(`CALLPROBE_E2E_WORKERS must be 1..${MAX_WORKERS}`);

/**
 * End-to-end tests in Debian's Chromium against `callprobe serve` on loopback. `npm run
 * test:e2e` runs Playwright inside a network namespace that has only loopback, so no test can
 * send anywhere else (scripts/netns-run.sh), one project after the other (scripts/e2e.sh):
 *
 * - functional: every test not tagged @measure, `workers` at a time, each worker with its own
 *   `callprobe serve` on its own ports (e2e/fixtures/test.ts, env.ts).
 * - measurement: the tests tagged @measure, whose figures hold only on a machine that is not
 *   busy (the accuracy runs, the RTP truth runs, 1000/s pacing, the busy line against irtt, the
 *   page's answers): one at a time, with nothing else running;
 * - measurement-pairs: the tests tagged @measure and @pair, verdicts of full tests that hold with
 *   one other test beside them and no more (the CLI's clean pass, a TCP fallback, a server killed
 *   mid-test, the regions' legs): two at a time, after the measurement project and in the same
 *   run, with nothing else running (beside the functional project's load, a starved page was
 *   judged "a device that could not keep up": docs/DEVELOPERS.md).
 */
export default defineConfig({
  testDir: 'e2e',
  timeout: 90_000,
  expect: { timeout: 30_000 },
  workers,
  reporter: [['list']],
  use: {
    launchOptions: {
      executablePath: PAGE_CHROMIUM,
      args: [...CHROMIUM_ARGS, '--allow-loopback-in-peer-connection', '--ignore-certificate-errors'],
    },
    trace: 'off',
  },
  projects: [
    // Each project its own output folder (scripts/test-all.js runs them in steps of their own).
    { name: 'functional', grepInvert: /@measure/, fullyParallel: true, outputDir: 'test-results/functional' },
    { name: 'measurement', grep: /@measure/, grepInvert: /@pair/, fullyParallel: false, workers: 1, outputDir: 'test-results/measurement' },
    // After the measurement project, in the same run (`--project=measurement-pairs` runs both).
    {
      name: 'measurement-pairs',
      grep: /@pair/,
      fullyParallel: true,
      workers: 2,
      dependencies: ['measurement'],
      outputDir: 'test-results/measurement-pairs',
    },
  ],
});
