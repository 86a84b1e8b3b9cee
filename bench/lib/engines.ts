/**
 * The test page in other browser engines, driven with puppeteer-core (a devDependency; it
 * downloads no browser): Debian's Firefox ESR over WebDriver BiDi (no geckodriver) and Debian's
 * Chromium over CDP, both on the page's headless contract (`?autostart=1&save=0`,
 * `globalThis.__callprobeResult`). The page's CSP refuses the script puppeteer's waitForFunction
 * builds, so the result is polled with `evaluate`. Used by the engine tests (e2e/engines/) and the
 * engines bench (bench/engines/).
 */
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { setTimeout as pause } from 'node:timers/promises';
import type { HeadlessResult } from '../../src/protocol/headless.js';
import type { Report } from '../../src/analysis/schema/report-schema.js';
import { CHROMIUM_ARGS } from '../../client/headless/chromium.js';
import { TypedError } from '../../src/protocol/typed-error.js';

export type Engine = 'firefox' | 'chromium';

export const FIREFOX_PATH = process.env['CALLPROBE_FIREFOX'] ?? '/usr/bin/firefox-esr';
const CHROMIUM_PATH = process.env['CALLPROBE_CHROMIUM'] ?? '/usr/bin/chromium';

class EngineError extends TypedError<'timeout' | 'page-failed'> {
  override readonly name = 'EngineError';
}

/**
 * Launches an engine headless for a server on `host` (a non-loopback address: Firefox refuses a
 * relay on loopback), the page's origin counted as a secure context, so the page is cross-origin
 * isolated over plain http as it is behind TLS. Firefox: its `dom.securecontext.allowlist` takes
 * the host, and host candidates are shown as addresses (the channel test connects two peer
 * connections in the page). Chromium: `--unsafely-treat-insecure-origin-as-secure` takes whole
 * origins, so the server's HTTP ports must be given (without them the page is not isolated and is
 * paced by timers). `fakeMicrophone`: Firefox gives `getUserMedia` a fake microphone without asking, as
 * Chromium's CHROMIUM_ARGS always do, and holds the microphone granted to every origin (WebDriver
 * BiDi's permissions.setPermission has no microphone in Firefox ESR).
 */
export async function launchEngine(engine: Engine, host: string, httpPorts: readonly number[] = [], opts: { fakeMicrophone?: boolean } = {}): Promise<Browser> {
  if (engine === 'firefox') {
    return puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX_PATH,
      headless: true,
      extraPrefsFirefox: {
        'dom.securecontext.allowlist': host,
        'media.peerconnection.ice.obfuscate_host_addresses': false,
        // Chromium's --autoplay-policy=no-user-gesture-required: an autostarted test starts its audio
        // (0: allowed), where the page would otherwise wait for a click on Start.
        'media.autoplay.default': 0,
        // Chromium's --use-fake-device-for-media-stream and --use-fake-ui-for-media-stream (for
        // `?audio=fake-device`), and the microphone granted to every origin from the start.
        ...(opts.fakeMicrophone === true
          ? { 'media.navigator.streams.fake': true, 'media.navigator.permission.disabled': true, 'permissions.default.microphone': 1 }
          : {}),
      },
    });
  }
  return puppeteer.launch({
    browser: 'chrome',
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, `--unsafely-treat-insecure-origin-as-secure=${httpPorts.map((port) => `http://${host}:${String(port)}`).join(',')}`],
  });
}

/** The page's headless result, polled (waitForFunction is refused by the page's CSP). */
export async function pageResult(page: Page, timeoutMs: number): Promise<HeadlessResult<Report>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const r = await page.evaluate(() => (globalThis as { __callprobeResult?: unknown }).__callprobeResult ?? null);
    if (r !== null) return r as HeadlessResult<Report>;
    if (performance.now() > deadline) throw new EngineError('timeout', `no result from the page within ${timeoutMs} ms`);
    await pause(250);
  }
}

/** Polls `read` in the page until it gives something other than null/false (bounded). */
export async function pageState<T>(page: Page, read: () => T | null | false, what: string, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = (await page.evaluate(read)) as T | null | false;
    if (v !== null && v !== false) return v;
    if (performance.now() > deadline) throw new EngineError('timeout', `timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(100);
  }
}
