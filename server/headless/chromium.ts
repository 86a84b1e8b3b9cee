import { chromium, type Browser } from 'playwright-core';
import type { HeadlessResult as Contract } from '../../src/protocol/headless.js';
import type { Report } from '../../src/analysis/schema/report-schema.js';

type HeadlessResult = Contract<Report>;
import type { ServerConfig } from '../../src/protocol/api.js';

/** Chromium flags for a headless test on this kind of machine (see docs/DEVELOPERS.md). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
] as const;

export interface HeadlessOptions {
  pageUrl: string;
  browserPath: string;
  /** Loopback servers need --allow-loopback-in-peer-connection. */
  allowLoopback: boolean;
  /** Someone else's TURN server (loopback mode), injected without putting credentials in the URL. */
  override: Pick<ServerConfig, 'turn' | 'username' | 'credential'> | null;
  ignoreCertificateErrors: boolean;
  timeoutMs: number;
  progress(line: string): void;
}

export class HeadlessError extends Error {
  constructor(
    readonly reason: 'browser-failed' | 'page-failed' | 'timeout',
    message: string,
  ) {
    super(message);
    this.name = 'HeadlessError';
  }
}

/** Opens the test page in headless Chromium, lets it run one test, returns what it published. */
export async function runHeadless(opts: HeadlessOptions): Promise<{ result: HeadlessResult; browserVersion: string }> {
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: opts.browserPath,
      headless: true,
      args: [
        ...CHROMIUM_ARGS,
        ...(opts.allowLoopback ? ['--allow-loopback-in-peer-connection'] : []),
        ...(opts.ignoreCertificateErrors ? ['--ignore-certificate-errors'] : []),
      ],
    });
  } catch (err) {
    throw new HeadlessError('browser-failed', `could not start Chromium at ${opts.browserPath}: ${(err as Error).message}`);
  }
  try {
    const page = await browser.newPage();
    await page.exposeFunction('__callprobeProgress', (line: string) => opts.progress(line));
    if (opts.override) {
      await page.addInitScript((o) => {
        (globalThis as unknown as { __callprobeOverride: unknown }).__callprobeOverride = o;
      }, opts.override);
    }
    page.on('pageerror', (err) => opts.progress(`page error: ${err.message}`));
    try {
      await page.goto(opts.pageUrl, { waitUntil: 'domcontentloaded', timeout: 15_000 });
    } catch (err) {
      throw new HeadlessError('page-failed', `could not open ${opts.pageUrl}: ${(err as Error).message}`);
    }
    try {
      await page.waitForFunction(() => (globalThis as { __callprobeResult?: unknown }).__callprobeResult !== undefined, null, {
        timeout: opts.timeoutMs,
        polling: 250,
      });
    } catch {
      throw new HeadlessError('timeout', `no result within ${Math.round(opts.timeoutMs / 1000)} s`);
    }
    const result = await page.evaluate(() => (globalThis as unknown as { __callprobeResult: HeadlessResult }).__callprobeResult);
    return { result, browserVersion: browser.version() };
  } finally {
    await browser.close();
  }
}
