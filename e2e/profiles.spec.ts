import { expect, test } from './fixtures/test.js';
import { probeCount } from '../src/session/plan/rates.js';

interface Result {
  ok: boolean;
  report: {
    meta: { ratePps: number; profile: { id: string; label: string }; targets: { target: string; threshold: number; resolvable: boolean }[] };
    summary: { packetsSent: number; packetsReceived: number; ratePps: number };
    grades: { target: string; threshold: number; direction: string }[];
    diagnostics: { sender: { missedTicks: number; droppedAtSender: number }; notes: string[]; suspectIntervals: { reason: string }[] };
    probe: { path: string; reason: string };
  };
}

async function runPage(page: import('@playwright/test').Page, search: string): Promise<Result> {
  await page.goto(`/${search}&autostart=1`);
  await expect(page.locator('[data-verdict]')).toBeVisible();
  return page.evaluate(() => (window as unknown as { __callprobeResult: Result }).__callprobeResult);
}

// A starved machine misses pacer ticks: measured alone, in the serial project.
test('edge-to-edge probes at 1000/s, paced by Atomics.wait in a cross-origin-isolated page', { tag: '@measure' }, async ({ page }) => {
  const r = await runPage(page, '?profile=edge-to-edge&duration=3');
  expect(r.ok).toBe(true);
  expect(r.report.meta.ratePps).toBe(1000);
  // RTP runs at 100 frames/s: 1000/s stays on the data channel, and the report says why.
  expect(r.report.probe).toEqual({ path: 'datachannel', reason: 'this profile needs 1000 probes/s; RTP runs at 100/s, so the data channel is graded' });
  // Every scheduled probe is sent, or counted as skipped by a stalled pacer or dropped at the sender.
  const s = r.report.diagnostics.sender;
  expect(r.report.summary.packetsSent + s.missedTicks + s.droppedAtSender).toBe(probeCount(3, 1000));
  // Atomics pacing keeps up at 1000/s: on a quiet machine all but a few ticks are sent. A host that
  // takes the cores away for a moment costs ticks (seen: one 240 ms stall on a shared machine; in a
  // clean-clone CI run, alone on the machine, 565 of 3000 ticks), and the page must then say so:
  // every tick it missed lies in a sender-stall suspect interval, never graded as the network. How
  // many ticks a quiet machine keeps is the engines bench's number, not this test's: here the pacer
  // must send most of them, and account for the rest.
  // A probe the channel's full buffer refused is the same story (seen in a clean-clone CI run: 2,513
  // sent, under 50 missed ticks, the rest dropped at the sender): counted and placed as a stall.
  expect(r.report.summary.packetsSent).toBeGreaterThan(probeCount(3, 1000) * 0.5);
  if (s.missedTicks + s.droppedAtSender > 50) expect(r.report.diagnostics.suspectIntervals.some((i) => i.reason === 'sender-stall')).toBe(true);
  else expect(r.report.summary.packetsSent).toBeGreaterThan(probeCount(3, 1000) * 0.9);
  expect(r.report.summary.packetsReceived).toBeGreaterThan(r.report.summary.packetsSent - 100);
  expect(r.report.diagnostics.notes).toContain('paced by atomics');
  // At 1000/s one loss in 200 ms is 0.5 %: the edge-to-edge burst target (< 1 %) is resolvable.
  expect(r.report.meta.targets.find((t) => t.target === 'burst-loss-200ms')).toMatchObject({ threshold: 1, resolvable: true });
  expect(r.report.grades.find((g) => g.target === 'latency-rtt')?.threshold).toBe(60);
});

test('the Azure-region profile grades RTT against the table row (West Europe from a site: 135 ms)', async ({ page }) => {
  const r = await runPage(page, '?profile=azure-region&azureRegion=West%20Europe&from=site&duration=2');
  expect(r.ok).toBe(true);
  expect(r.report.meta.profile.label).toContain('West Europe');
  expect(r.report.meta.ratePps).toBe(100);
  expect(r.report.grades.find((g) => g.target === 'latency-rtt')?.threshold).toBe(135);
  expect(r.report.grades.find((g) => g.target === 'loss-15s')?.threshold).toBe(1);
});

test('a bad link is refused with the parameter named, and no test starts', async ({ page }) => {
  await page.goto('/?profile=azure-region&autostart=1');
  await expect(page.getByRole('alert')).toContainText('azureRegion');
  const result = await page.evaluate(() => (window as unknown as { __callprobeResult: { ok: boolean; reason: string } }).__callprobeResult);
  expect(result).toMatchObject({ ok: false, reason: 'bad-parameters' });
});
