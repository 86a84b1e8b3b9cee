/**
 * A test's time budget (testBudgetMs, src/protocol/headless.ts), reckoned once from the page's
 * parameters: each part it adds, and `callprobe run`'s timeout (testTimeoutMs) as the budget of
 * the very page it opens, read back from that page's URL.
 */
import { describe, expect, it } from 'vitest';
import { testBudgetMs } from '../../src/protocol/headless.js';
import { defaultPageParams, parsePageParams, type PageParams } from '../../src/protocol/page-url.js';
import { CONSTANTS, DEFAULTS } from '../../src/protocol/defaults.js';
import { testPageUrl, testTimeoutMs } from '../../client/test-page.js';
import type { RunCommandOptions } from '../../client/options.js';

/** The RTP leg's waits: one more opening after the connect grace, and the reflector's word awaited on each (14 s). */
const RTP_S = ((CONSTANTS.rtp.legAttempts - 1) * CONSTANTS.rtp.connectGraceMs + CONSTANTS.rtp.legAttempts * CONSTANTS.rtp.liveWaitMs) / 1000;

const page = (set: Partial<PageParams> = {}): PageParams => ({ ...defaultPageParams(), durationS: 10, ...set });

describe('testBudgetMs', () => {
  it("is the stream, a minute to set up and grade, and the RTP leg's waits; each option adds its own part", () => {
    expect(RTP_S).toBe(14);
    const base = (10 + 60 + RTP_S) * 1000;
    expect(testBudgetMs(page())).toBe(base);
    expect(testBudgetMs(page({ durationS: 40 }))).toBe(base + 30_000);
    expect(testBudgetMs(page({ load: true })) - base).toBe(DEFAULTS.load.phaseMaxMs + 10_000);
    expect(testBudgetMs(page({ devices: true })) - base).toBe(20_000);
    expect(testBudgetMs(page({ network: true })) - base).toBe(5_000 + DEFAULTS.families.budgetMs);
    expect(testBudgetMs(page({ profile: { id: 'azure-region', azureRegion: 'West Europe', from: 'site' } })) - base).toBe((10 + 30) * 1000);
    expect(testBudgetMs(page({ compare: { secondsPerRung: 5 } })) - base).toBe(6 * (5 + 10) * 1000);
    // The video phase: connecting (15 s at most), its 6 s, the tally (3 s at most).
    expect(testBudgetMs(page({ video: true })) - base).toBe(DEFAULTS.connectTimeoutMs + CONSTANTS.video.seconds * 1000 + CONSTANTS.video.tallyWaitMs);
  });

  it("is `callprobe run`'s timeout for the page it opens, whatever the flags", () => {
    const run: RunCommandOptions = {
      server: 'http://127.0.0.1:8080',
      profile: 'client-to-edge',
      from: 'site',
      compare: false,
      json: false,
      browser: 'chromium',
      save: true,
      csv: false,
      load: false,
    };
    const cases: RunCommandOptions[] = [
      run,
      { ...run, duration: 30, load: true },
      { ...run, compare: true },
      { ...run, compare: true, compareSeconds: 8, devices: true, network: true },
      { ...run, video: true },
      { ...run, profile: 'azure-region', azureRegion: 'West Europe', duration: 20 },
    ];
    for (const o of cases) {
      const opened = parsePageParams(testPageUrl(o, 'http://127.0.0.1:8080/').searchParams);
      expect(testTimeoutMs(o)).toBe(testBudgetMs(opened));
    }
    // The default test (15 s) as run always waited for it.
    expect(testTimeoutMs(run)).toBe((DEFAULTS.testDurationS + 60 + RTP_S) * 1000);
  });
});
