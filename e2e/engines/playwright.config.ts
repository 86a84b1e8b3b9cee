import { defineConfig } from '@playwright/test';

/**
 * The page in engines other than Playwright's Chromium, each driven by its own client
 * (puppeteer-core for Firefox over WebDriver BiDi, WebKitWebDriver for WebKitGTK): `npm run
 * test:firefox`, `npm run test:webkit`. Inside scripts/netns-run.sh: the Firefox set makes a
 * veth pair in that namespace (Firefox refuses a relay on loopback). No web server of
 * Playwright's own: each case starts `callprobe serve` as it needs it.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '*.engine.ts',
  timeout: 90_000,
  workers: 1,
  fullyParallel: false,
  reporter: [['list']],
  // One folder per engine: a run of one (npm test runs them one after the other) never clears the other's artifacts.
  projects: [
    { name: 'firefox', testMatch: 'firefox.engine.ts', outputDir: '../../test-results/engines-firefox' },
    { name: 'webkitgtk', testMatch: 'webkitgtk.engine.ts', outputDir: '../../test-results/engines-webkitgtk' },
  ],
});
