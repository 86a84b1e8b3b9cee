import { defineConfig } from '@playwright/test';
import { E2E, serveCommand } from './e2e/fixtures/env.js';
import { CHROMIUM_ARGS } from './server/headless/chromium.js';

/**
 * End-to-end tests in Debian's Chromium against `callprobe serve` on loopback. `npm run
 * test:e2e` runs Playwright inside a network namespace that has only loopback, so no test
 * can send anywhere else.
 */
export default defineConfig({
  testDir: 'e2e',
  timeout: 90_000,
  expect: { timeout: 30_000 },
  workers: 1,
  fullyParallel: false,
  reporter: [['list']],
  use: {
    baseURL: E2E.baseUrl,
    launchOptions: {
      executablePath: process.env['CALLPROBE_CHROMIUM'] ?? '/usr/bin/chromium',
      args: [...CHROMIUM_ARGS, '--allow-loopback-in-peer-connection', '--ignore-certificate-errors'],
    },
    trace: 'off',
  },
  webServer: {
    command: serveCommand(),
    url: `${E2E.baseUrl}/healthz`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
