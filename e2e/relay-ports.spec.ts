import { expect, test } from '@playwright/test';
import { selectedPath, spyOnPeerConnections } from './fixtures/pc-spy.js';
import { E2E } from './fixtures/env.js';

/**
 * Chromium connects relay-only through callprobe's relay on every listener a Teams-style
 * firewall may leave open: UDP 3478-3481, TURN over TCP, TURN over TLS.
 */
const cases = [
  ...E2E.udpPorts.map((port) => ({ pick: `udp:${port}`, url: `turn:127.0.0.1:${port}?transport=udp`, relayProtocol: 'udp' })),
  { pick: `tcp:${E2E.udpPorts[0]}`, url: `turn:127.0.0.1:${E2E.udpPorts[0]}?transport=tcp`, relayProtocol: 'tcp' },
  { pick: `tls:${E2E.tlsPort}`, url: `turns:127.0.0.1:${E2E.tlsPort}?transport=tcp`, relayProtocol: 'tls' },
];

for (const c of cases) {
  test(`relay-only through ${c.pick}`, async ({ page }) => {
    await spyOnPeerConnections(page);
    await page.goto(`/?duration=2&turn=${c.pick}&autostart=1`);
    await expect(page.getByRole('status').filter({ hasText: 'Measuring' })).toBeVisible();
    await expect.poll(async () => (await selectedPath(page)).state).toBe('succeeded');
    expect(await selectedPath(page)).toMatchObject({ localType: 'relay', relayProtocol: c.relayProtocol, url: c.url });
    await expect(page.locator('[data-verdict]')).toBeVisible();
    const report = await page.evaluate(
      () => (window as unknown as { __callprobeResult: { ok: boolean; report: { path: unknown; summary: { packetsReceived: number } } } }).__callprobeResult,
    );
    expect(report.ok).toBe(true);
    expect(report.report.summary.packetsReceived).toBeGreaterThan(150);
    expect(report.report.path).toMatchObject({ transport: c.relayProtocol, candidateType: 'relay' });
  });
}
