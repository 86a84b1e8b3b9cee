/**
 * The device check of `callprobe run --devices`, in Chromium's fake devices: its beeping
 * microphone is ok, and the same microphone fed a silent WAV (`--use-file-for-fake-audio-capture`,
 * through a --browser wrapper that adds the flag) is silent, said in plain words on the console
 * and kept in the stored report's `devices` section. Neither changes how the network is graded.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schemaErrors } from '../test/kit/report-validator.js';
import { runCallprobe as callprobe } from '../test/kit/callprobe.js';
import { axeViolations } from './fixtures/axe.js';
import { expect, test } from './fixtures/test.js';

interface DevicesShape {
  unattended: boolean;
  microphone: { state: string; seconds: number; loudestRmsDbfs: number | null } | null;
  speaker: { state: string; heard: string } | null;
  camera: { state: string; asked: { width: number }; delivered: { width: number; height: number; frameRate: number } | null } | null;
  echo?: { state: string; framesSent: number; framesBack: number; cuts: unknown[] } | null;
}

/** A mono 16-bit PCM WAV of `seconds` of digital silence at 48 kHz (RIFF header written by hand). */
function silentWav(seconds: number): Buffer {
  const rate = 48_000;
  const data = rate * seconds * 2;
  const b = Buffer.alloc(44 + data);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + data, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(data, 40);
  return b;
}

test.describe('callprobe run --devices', () => {
  test("Chromium's fake microphone is ok, its camera delivers a picture, the tone plays unasked: all in the report's devices section", async ({
    server: E2E,
  }) => {
    test.setTimeout(90_000);
    const r = await callprobe(['run', '--server', E2E.baseUrl, '--duration', '1', '--devices', '--no-save', '--json'], 80_000);
    expect(r.stderr).toContain('devices: microphone ok');
    const report = JSON.parse(r.stdout) as { devices?: DevicesShape; summary: { verdict: string } };
    expect(schemaErrors(report)).toEqual([]);
    expect(report.devices).toMatchObject({
      unattended: true,
      microphone: { state: 'ok' },
      speaker: { state: 'played', heard: 'not-asked' },
      camera: { state: 'ok' },
    });
    expect(report.devices?.microphone?.seconds).toBeGreaterThanOrEqual(5);
    expect(report.devices?.camera?.delivered?.width).toBeGreaterThan(0);
    expect(report.devices?.camera?.delivered?.frameRate).toBeGreaterThan(0);
    // The echo test: the fake microphone's frames went through the relay and came back (100 frames/s for 5 s). Whether
    // some came back late is a measured figure a busy machine changes (a starved page or reflector holds frames for
    // hundreds of ms), so this functional test asks only that the voice came back, whole or cut.
    const echo = report.devices?.echo;
    expect(echo?.state, `${r.stderr}\n${JSON.stringify(echo)}`).toMatch(/^(ok|cut)$/);
    expect(echo?.framesSent).toBeGreaterThan(400);
    expect(echo?.framesBack).toBeGreaterThan(0);
  });

  test('a silent microphone (a silent WAV as the fake capture) is said on the console, "Your microphone sent no sound", and stored as silent', async ({
    server: E2E,
  }) => {
    test.setTimeout(90_000);
    const dir = mkdtempSync(join(tmpdir(), 'callprobe-devices-'));
    try {
      const wav = join(dir, 'silent.wav');
      writeFileSync(wav, silentWav(2));
      const browser = join(dir, 'chromium');
      writeFileSync(browser, `#!/bin/sh\nexec "${process.env['CALLPROBE_CHROMIUM'] ?? '/usr/bin/chromium'}" --use-file-for-fake-audio-capture="${wav}" "$@"\n`);
      chmodSync(browser, 0o755);
      const r = await callprobe(['run', '--server', E2E.baseUrl, '--duration', '1', '--devices', '--browser', browser], 80_000);
      expect(r.stderr).toContain('devices: microphone silent');
      expect(r.stdout).toContain('Your microphone sent no sound.');
      // A microphone with no sound has nothing to echo: the echo test is skipped, said in its own sentence.
      expect(r.stderr).toContain('devices: echo skipped');
      expect(r.stdout).toContain('The echo test did not run');
      const code = /result: (\S+) /.exec(r.stderr)?.[1];
      expect(code, r.stderr).toBeTruthy();
      const res = await fetch(`${E2E.baseUrl}/api/r/${code ?? ''}`);
      expect(res.status).toBe(200);
      const stored = (await res.json()) as { report: { devices?: DevicesShape } };
      expect(stored.report.devices?.microphone).toMatchObject({ state: 'silent', loudestRmsDbfs: null });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the page's device step: the microphone's level and its state, the tone and \"Did you hear it?\", the camera's preview, then carried into the next test's report", async ({
    page,
  }) => {
    test.setTimeout(60_000);
    await page.goto('/?duration=1&save=0');
    await page.getByRole('button', { name: 'Check my microphone, speaker and camera' }).click();
    await page.getByRole('button', { name: /Check the microphone/ }).click();
    // The label is shown on the page (never kept in the report).
    await expect(page.locator('[data-device=microphone]')).toHaveAttribute('data-state', 'ok', { timeout: 15_000 });
    await expect(page.locator('[data-device=microphone]')).toContainText('Your microphone works');
    await page.getByRole('button', { name: 'Play a test tone' }).click();
    await page.getByRole('button', { name: 'Yes', exact: true }).click();
    await expect(page.locator('[data-device=speaker]')).toHaveText('You heard the test tone: your speaker works.');
    await page.getByRole('button', { name: 'Check the camera' }).click();
    await expect(page.locator('[data-device=camera]')).toHaveAttribute('data-state', 'ok', { timeout: 15_000 });
    // The echo test: the voice back through the relay, its timeline drawn and its recording playable on the page (the CSP lets a blob play).
    await page.getByRole('button', { name: /Start the echo test/ }).click();
    await expect(page.locator('[data-device=echo]')).toHaveAttribute('data-state', /^(ok|cut)$/, { timeout: 20_000 });
    await expect(page.getByRole('img', { name: /Where your voice was cut/ })).toBeVisible();
    const player = page.getByLabel('Your voice as it came back');
    await expect(player).toBeVisible();
    await expect.poll(() => player.evaluate((a: HTMLAudioElement) => a.error?.code ?? (a.readyState > 0 ? 'ready' : 'loading'))).toBe('ready');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Start test' }).click();
    await page.waitForFunction(() => (globalThis as { __callprobeResult?: unknown }).__callprobeResult !== undefined, null, { timeout: 40_000 });
    const result = await page.evaluate(
      () => (globalThis as unknown as { __callprobeResult: { ok: boolean; report?: { devices?: DevicesShape } } }).__callprobeResult,
    );
    expect(result.report?.devices).toMatchObject({
      unattended: false,
      microphone: { state: 'ok' },
      speaker: { state: 'played', heard: 'yes' },
      camera: { state: 'ok' },
    });
    expect(result.report?.devices?.echo?.framesBack).toBeGreaterThan(0);
    await expect(page.locator('cp-verdict-view [data-devices]')).toContainText('You heard the test tone');
    await expect(page.locator('cp-verdict-view [data-devices]')).toContainText('Your voice came back through the test server');
  });
});
