import { expect, test } from './fixtures/test.js';
import { answerView } from '../src/analysis/present/answer.js';
import type { Report } from '../src/analysis/schema/report-schema.js';

/**
 * A device too busy for the test, made on purpose: once the probe stream has started, the
 * page's main thread is held busy twice for 400 ms (what a starved laptop does to it). Every
 * "device too busy" warning then has a suspect interval for the time it covers, nothing fails,
 * and the answer says the device could not keep up: a busy device is never graded as the network.
 */
const BUSY_WARNINGS = ['dropped-at-sender', 'timer-late', 'missed-ticks', 'send-buffer'];

test('a main thread held busy mid-test: its warnings mark suspect intervals, nothing fails, the answer names the device', async ({ page }) => {
  test.setTimeout(60_000);
  await page.addInitScript(() => {
    const send = RTCDataChannel.prototype.send;
    let started = false;
    const hold = (ms: number): void => {
      const end = performance.now() + ms;
      while (performance.now() < end) {
        // Busy: the page cannot run its timers, send or receive.
      }
    };
    RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: never) {
      // The first probe (binary, on the unordered probe channel) starts the clock of the busy spells.
      if (!started && this.ordered === false && typeof data !== 'string') {
        started = true;
        setTimeout(() => hold(400), 1000);
        setTimeout(() => hold(400), 2200);
      }
      return send.call(this, data);
    } as typeof RTCDataChannel.prototype.send;
  });
  // audio=none: graded on the data channel at 100/s, which the page's main thread paces (as at 1000/s edge to edge).
  // 15 s: one full window. A test planned shorter than a window is named too short first, whatever else happened.
  await page.goto('/?duration=15&autostart=1&audio=none&save=0');
  await expect(page.locator('[data-verdict]')).toBeVisible({ timeout: 45_000 });
  const result = (await page.evaluate(() => (globalThis as { __callprobeResult?: unknown }).__callprobeResult)) as { ok: boolean; report: Report };
  expect(result.ok).toBe(true);
  const r = result.report;
  const busy = r.diagnostics.warnings.filter((w) => BUSY_WARNINGS.includes(w.code));
  expect(busy.length, JSON.stringify(r.diagnostics.warnings)).toBeGreaterThan(0);
  const stalls = r.diagnostics.suspectIntervals.filter((s) => s.reason === 'sender-stall');
  expect(stalls.length, JSON.stringify(r.diagnostics.suspectIntervals)).toBeGreaterThan(0);
  expect(r.probe.path).toBe('datachannel');
  // Both spells of 400 ms are covered on the sending side, each from the first probe it held back.
  const covered = stalls.filter((s) => s.direction === 'up').reduce((a, s) => a + (s.endMs - s.startMs), 0);
  expect(covered).toBeGreaterThanOrEqual(2 * 400 - 50);
  expect(r.grades.filter((g) => g.status === 'fail')).toEqual([]);
  await expect(page.locator('[data-answer]')).toHaveText(answerView(r).sentence);
  // The cause is this device, in the words every view shares (present/cause-text.ts).
  expect(answerView(r).sentence).toMatch(/^No (answer yet|verdict): this device (could not keep up|was too busy)/);
  await page.screenshot({ path: test.info().outputPath('busy-device.png'), fullPage: false });
});
