import { accessSync, constants as fsConstants } from 'node:fs';
import { constants } from 'node:os';
import { chromium, type Browser } from 'playwright-core';
import type { HeadlessResult as Contract } from '../../src/protocol/headless.js';
import type { Report } from '../../src/analysis/schema/report-schema.js';

type HeadlessResult = Contract<Report>;
import type { ServerConfig } from '../../src/protocol/api.js';
import { TypedError } from '../../src/protocol/typed-error.js';

/** Where Chromium's background services (sign-in, updates, autofill) go. */
const GOOGLE_SERVICE_HOSTS = ['*.google.com', '*.googleapis.com', '*.gstatic.com', '*.gvt1.com'] as const;

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
  // Its own services' names resolve to nothing: with the flags above Chromium still looked up
  // accounts.google.com and update.googleapis.com within 15 s of opening a blank page (by hand,
  // in a namespace whose only way out was a dead end). A test needs none of them.
  `--host-resolver-rules=${GOOGLE_SERVICE_HOSTS.map((h) => `MAP ${h} ~NOTFOUND`).join(', ')}`,
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
  /** Also read the evidence the report was graded from (`window.__callprobeEvidence`). */
  keepEvidence?: boolean;
}

export class HeadlessError extends TypedError<'browser-failed' | 'page-failed' | 'timeout'> {
  override readonly name = 'HeadlessError';
}

/** How Chromium is started: the part of HeadlessOptions one browser serves for many tests. */
export type LaunchOptions = Pick<HeadlessOptions, 'browserPath' | 'allowLoopback' | 'ignoreCertificateErrors'>;

/** Starts headless Chromium; throws HeadlessError('browser-failed'). */
export async function launchChromium(opts: LaunchOptions): Promise<Browser> {
  // Asked first: Playwright makes its profile and artifacts folders before it starts the
  // browser, and leaves both in the temporary directory when there is none to start.
  try {
    accessSync(opts.browserPath, fsConstants.X_OK);
  } catch (err) {
    throw new HeadlessError('browser-failed', `no Chromium to start at ${opts.browserPath}: ${(err as Error).message}`);
  }
  try {
    return await chromium.launch({
      executablePath: opts.browserPath,
      headless: true,
      // Signals are the CLI's own: the scheduler and a single test (runHeadless) close Chromium
      // on SIGTERM and SIGINT. Playwright's own handlers killed Chromium first, which left its
      // socket's folder in the temporary directory each time (and a single test then went on
      // to report "no result within 75 s").
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      args: [
        ...CHROMIUM_ARGS,
        ...(opts.allowLoopback ? ['--allow-loopback-in-peer-connection'] : []),
        ...(opts.ignoreCertificateErrors ? ['--ignore-certificate-errors'] : []),
      ],
    });
  } catch (err) {
    throw new HeadlessError('browser-failed', `could not start Chromium at ${opts.browserPath}: ${(err as Error).message}`);
  }
}

/** Opens the test page in headless Chromium, lets it run one test, returns what it published. */
/** What one test in the page gave: its result, the browser's version, and the evidence when asked for (null when none was kept). */
export interface HeadlessRun {
  result: HeadlessResult;
  browserVersion: string;
  evidence: unknown;
}

export async function runHeadless(opts: HeadlessOptions): Promise<HeadlessRun> {
  const browser = await launchChromium(opts);
  // Stopped (Ctrl-C, SIGTERM): the test is abandoned, but Chromium is closed first, so that it
  // and Playwright take their folders out of the temporary directory; then the process ends as
  // the signal would have ended it.
  const onSignal = (signal: 'SIGINT' | 'SIGTERM'): void => {
    void browser.close().finally(() => process.exit(128 + constants.signals[signal]));
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  process.once('SIGINT', onInt);
  process.once('SIGTERM', onTerm);
  try {
    return await runTestPage(browser, opts);
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    await browser.close();
  }
}

/**
 * One test in a running Chromium, in a browser context of its own (closed afterwards), so a
 * long-lived browser carries nothing from one test to the next. A browser that dies mid-test
 * ends it with HeadlessError('browser-failed').
 */
/** What untilDisconnected needs of a browser: Playwright's Browser has it. */
export interface Disconnectable {
  isConnected(): boolean;
  once(event: 'disconnected', listener: () => void): unknown;
  off(event: 'disconnected', listener: () => void): unknown;
}

/**
 * One Playwright call that also ends when Chromium goes away. A call pending when Chromium is
 * killed can stay pending for ever (seen with `newPage` right after a launch): with nothing else
 * to wait for, Node then exits with "unsettled top-level await" instead of storing the sample as
 * could-not-test.
 */
export function untilDisconnected<T>(browser: Disconnectable, step: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const gone = (): void => reject(new HeadlessError('browser-failed', 'Chromium went away mid-test'));
    step.then(
      (value) => {
        browser.off('disconnected', gone);
        resolve(value);
      },
      (err: unknown) => {
        browser.off('disconnected', gone);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
    if (browser.isConnected()) browser.once('disconnected', gone);
    else gone();
  });
}

export async function runTestPage(browser: Browser, opts: HeadlessOptions): Promise<HeadlessRun> {
  const step = <T>(p: Promise<T>): Promise<T> => untilDisconnected(browser, p);
  let context;
  try {
    context = await step(browser.newContext());
  } catch (err) {
    throw new HeadlessError('browser-failed', `Chromium did not open a page: ${(err as Error).message}`);
  }
  const died = (): boolean => !browser.isConnected();
  try {
    const page = await step(context.newPage());
    await step(page.exposeFunction('__callprobeProgress', (line: string) => opts.progress(line)));
    if (opts.override) {
      await step(
        page.addInitScript((o) => {
          (globalThis as unknown as { __callprobeOverride: unknown }).__callprobeOverride = o;
        }, opts.override),
      );
    }
    page.on('pageerror', (err) => opts.progress(`page error: ${err.message}`));
    try {
      await step(page.goto(opts.pageUrl, { waitUntil: 'domcontentloaded', timeout: 15_000 }));
    } catch (err) {
      if (died()) throw new HeadlessError('browser-failed', `Chromium went away: ${(err as Error).message}`);
      throw new HeadlessError('page-failed', `could not open ${opts.pageUrl}: ${(err as Error).message}`);
    }
    try {
      await step(
        page.waitForFunction(() => (globalThis as { __callprobeResult?: unknown }).__callprobeResult !== undefined, null, {
          timeout: opts.timeoutMs,
          polling: 250,
        }),
      );
    } catch (err) {
      if (died()) throw new HeadlessError('browser-failed', `Chromium went away mid-test: ${(err as Error).message}`);
      throw new HeadlessError('timeout', `no result within ${Math.round(opts.timeoutMs / 1000)} s`);
    }
    const result = await step(page.evaluate(() => (globalThis as unknown as { __callprobeResult: HeadlessResult }).__callprobeResult));
    const evidence =
      opts.keepEvidence === true ? await step(page.evaluate(() => (globalThis as { __callprobeEvidence?: unknown }).__callprobeEvidence ?? null)) : null;
    return { result, browserVersion: browser.version(), evidence };
  } catch (err) {
    if (err instanceof HeadlessError) throw err;
    throw new HeadlessError('browser-failed', `Chromium failed during the test: ${(err as Error).message}`);
  } finally {
    if (browser.isConnected()) await step(context.close()).catch((err: Error) => opts.progress(`could not close the test's browser context: ${err.message}`));
  }
}
