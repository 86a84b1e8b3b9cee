import { selectedPath, spyOnPeerConnections } from './fixtures/pc-spy.js';
import type { E2EServerPlan } from './fixtures/env.js';
import { expect, test } from './fixtures/test.js';

/**
 * Chromium connects relay-only through callprobe's relay on every listener a Teams-style
 * firewall may leave open: the four UDP ports (3478-3481 on the first worker), TURN over TCP,
 * TURN over TLS.
 */
const cases: { name: string; pick(s: E2EServerPlan): { pick: string; url: string }; relayProtocol: string }[] = [
  ...[0, 1, 2, 3].map((i) => ({
    name: `UDP port ${i + 1} of 4`,
    pick: (s: E2EServerPlan) => ({ pick: `udp:${s.udpPorts[i]}`, url: `turn:127.0.0.1:${s.udpPorts[i]}?transport=udp` }),
    relayProtocol: 'udp',
  })),
  { name: 'TCP', pick: (s) => ({ pick: `tcp:${s.udpPorts[0]}`, url: `turn:127.0.0.1:${s.udpPorts[0]}?transport=tcp` }), relayProtocol: 'tcp' },
  { name: 'TLS', pick: (s) => ({ pick: `tls:${s.tlsPort}`, url: `turns:127.0.0.1:${s.tlsPort}?transport=tcp` }), relayProtocol: 'tls' },
];

for (const k of cases) {
  test(`relay-only through ${k.name}`, async ({ page, server }) => {
    const c = { ...k.pick(server), relayProtocol: k.relayProtocol };
    await spyOnPeerConnections(page);
    await page.goto(`/?duration=2&turn=${c.pick}&autostart=1`);
    await expect(page.getByRole('status').filter({ hasText: 'Measuring' })).toBeVisible();
    await expect.poll(async () => (await selectedPath(page)).state).toBe('succeeded');
    expect(await selectedPath(page)).toMatchObject({ localType: 'relay', relayProtocol: c.relayProtocol, url: c.url });
    await expect(page.locator('[data-verdict]')).toBeVisible();
    const report = await page.evaluate(
      () =>
        (window as unknown as { __callprobeResult: { ok: boolean; report: { path: unknown; summary: { packetsSent: number; packetsReceived: number } } } })
          .__callprobeResult,
    );
    expect(report.ok).toBe(true);
    // Probes crossed this relay port both ways. How many a 2 s test sends, and how many come back
    // before the loss timeout, depend on how busy the machine is (a starved page skips ticks and holds
    // echoes, and says so); counts against the truth are the measurement project's.
    expect(report.report.summary.packetsSent).toBeGreaterThan(50);
    expect(report.report.summary.packetsReceived).toBeGreaterThan(50);
    expect(report.report.path).toMatchObject({ transport: c.relayProtocol, candidateType: 'relay' });
  });
}
