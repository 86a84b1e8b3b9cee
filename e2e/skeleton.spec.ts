import { selectedPath, spyOnPeerConnections } from './fixtures/pc-spy.js';
import { serveProcess } from '../test/kit/callprobe.js';
import { expect, test } from './fixtures/test.js';

test('a test started by a click runs through our relay over UDP and ends with a graded verdict', async ({ page, server: E2E }) => {
  // The page is served with a strict Content-Security-Policy and passes it.
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => {
    if (/Content Security Policy/i.test(e.message)) cspViolations.push(e.message);
  });
  await spyOnPeerConnections(page);
  const response = await page.goto('/?duration=5');
  expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
  await page.getByRole('button', { name: 'Start test' }).click();

  // While probes stream, the page's own connection is relay-only through our UDP port.
  await expect(page.getByRole('status').filter({ hasText: 'Measuring' })).toBeVisible();
  await expect.poll(async () => (await selectedPath(page)).state).toBe('succeeded');
  const path = await selectedPath(page);
  expect(path.localType).toBe('relay');
  expect(path.relayProtocol).toBe('udp');
  expect(path.url).toBe(`turn:127.0.0.1:${E2E.udpPorts[0]}?transport=udp`);

  // Probe echoes come back while the test runs.
  await expect
    .poll(async () => Number((await page.locator('[data-live="count"]').textContent())?.split('/')[1]?.trim().replace(/,/g, '') ?? 0))
    .toBeGreaterThan(0);

  // A verdict with numbers.
  const verdict = page.locator('[data-verdict]');
  await expect(verdict).toBeVisible();
  await expect(verdict).toHaveAttribute('data-verdict', /^(pass|fail|insufficient)$/);
  await expect(verdict).toContainText(/Round trip p50 \d+\.\d ms/);
  // The grades rest on the RTP stream, and the page says so in one line in Details for IT.
  const probePath = page.locator('[data-probe-path]');
  await expect(probePath).toHaveAttribute('data-probe-path', 'rtp');
  await expect(probePath).toContainText('Duplicated packets are visible only at the relay');
  const result = await page.evaluate(
    () => (window as unknown as { __callprobeResult: { ok: boolean; report?: { summary: { packetsReceived: number } } } }).__callprobeResult,
  );
  expect(result.ok).toBe(true);
  expect(result.report?.summary.packetsReceived).toBeGreaterThan(0);
  expect(cspViolations).toEqual([]);
});

test("the busy-line choice states this server's byte limit, and is not offered where the server does not run it", async ({ page }) => {
  test.setTimeout(60_000);
  const seven = await serveProcess({ httpPort: 18611, turnPorts: 3931, extra: ['--load-max-bytes', '7000000'] }, { deadlineMs: 55_000 });
  try {
    await page.goto(`http://127.0.0.1:18611/`);
    await expect(page.locator('#load-hint')).toContainText('moves at most 7 MB up and 7 MB down');
  } finally {
    await seven.stop();
  }
  const none = await serveProcess({ httpPort: 18612, turnPorts: 3932, extra: ['--no-load'] }, { deadlineMs: 55_000 });
  try {
    await page.goto(`http://127.0.0.1:18612/`);
    await expect(page.getByRole('button', { name: 'Start test' })).toBeVisible();
    // The page asked the server (its config answered) before it decided.
    await expect.poll(() => page.evaluate(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/api/config')))).toBe(true);
    await expect(page.getByText('Also test with the line busy')).toHaveCount(0);
  } finally {
    await none.stop();
  }
});
