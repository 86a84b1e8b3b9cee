import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/test.js';

/**
 * While a test runs, the page says what the probes so far say: first that an answer comes 3 s
 * after the measuring starts, then the provisional answer (settled, likely, so far, and what is not known yet) in
 * plain words, the numbers in an expert layer, then the verdict; the report keeps what was
 * shown. At a desktop and a phone size, with screenshots mid-test and at the end.
 */

interface ProvisionalAnswer {
  atMs: number;
  claims: { metric: string; direction: string; kind: string; evidence: string; held: boolean | null }[];
}

const width = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

/**
 * Records in the page, every 50 ms, each distinct state of the provisional panel (its
 * data-provisional value and text, looking through shadow roots) in `__provisionalSeen`.
 */
function recordProvisionalStates(page: Page): Promise<void> {
  return page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __provisionalSeen: string[] }).__provisionalSeen = seen;
    const find = (root: Document | ShadowRoot): Element | null => {
      const here = root.querySelector('[data-provisional]');
      if (here) return here;
      for (const el of root.querySelectorAll('*')) {
        const inner = el.shadowRoot ? find(el.shadowRoot) : null;
        if (inner) return inner;
      }
      return null;
    };
    setInterval(() => {
      const el = find(document);
      if (!el) return;
      const state = `${el.getAttribute('data-provisional') ?? ''}: ${(el.textContent ?? '').replace(/\s+/g, ' ').trim()}`;
      if (seen.at(-1) !== state) seen.push(state);
    }, 50);
  });
}

for (const size of [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
]) {
  test(`the page shows the provisional answer in place of moving numbers, then the verdict (${size.width}x${size.height})`, async ({ page }) => {
    test.setTimeout(75_000);
    await page.setViewportSize(size);
    await page.goto('/?save=0');
    await recordProvisionalStates(page);
    await page.getByRole('button', { name: 'Start test' }).click();

    // Plain words on the status line; the technical line sits in the expert layer.
    const status = page.getByRole('status').filter({ hasText: 'Measuring' });
    await expect(status).toContainText("sending packets like a call's audio through the relay and back for 15 s");
    await expect(status).not.toContainText('probes/s');
    // Before the first answer (3 s after the probes start) the panel says when it comes. That state lasts a few s at most, so
    // the page records what it showed (a busy machine may let a poll from here come too late).
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { __provisionalSeen: string[] }).__provisionalSeen))
      .toContainEqual(expect.stringMatching(/^none: .*A first answer comes 3 seconds after the measuring start(s|ed)\./));

    const answer = page.locator('[data-provisional]:not([data-provisional="none"])');
    await expect(answer).toBeVisible({ timeout: 20_000 });
    await expect(answer).toContainText(/Provisional answer, \d+(\.5)? s of 15 s measured/);
    await expect(answer).toContainText('Connected through the relay the way calls prefer (port');
    await expect(answer).toContainText('Round trip so far:');
    await expect(answer).toContainText('Not yet known: the worst 15-second window. A pass counts only once the whole window is measured.');
    await expect(answer).toContainText('Provisional means: what the probes so far say.');
    await expect(page.locator('details.expert')).toContainText('RTP probes/s');
    expect(await width(page), 'no horizontal scroll mid-test').toBeLessThanOrEqual(size.width);
    await page.screenshot({ path: test.info().outputPath(`provisional-${size.width}-mid.png`) });

    const verdict = page.locator('[data-verdict]');
    await expect(verdict).toBeVisible({ timeout: 45_000 });
    // The provisional answer gives way to the verdict.
    await expect(answer).toHaveCount(0);
    expect(await width(page), 'no horizontal scroll at the end').toBeLessThanOrEqual(size.width);
    await page.screenshot({ path: test.info().outputPath(`provisional-${size.width}-end.png`), fullPage: true });

    const history = await page.evaluate(
      () => (window as unknown as { __callprobeResult: { report?: { provisional?: ProvisionalAnswer[] } } }).__callprobeResult.report?.provisional ?? [],
    );
    expect(history.length).toBeGreaterThan(0);
    // Timed from the start of the probes: the first is due 3 s after it.
    expect(history[0]?.atMs).toBeGreaterThanOrEqual(3000);
    // Each answer has the round trip, then per direction loss, burst loss and jitter.
    expect(history[0]?.claims.map((c) => `${c.metric} ${c.direction}`)).toEqual([
      'latency-rtt round-trip',
      'loss-15s up',
      'burst-loss-200ms up',
      'jitter-15s up',
      'loss-15s down',
      'burst-loss-200ms down',
      'jitter-15s down',
    ]);
    for (const c of history.flatMap((a) => a.claims)) expect(c.held === null, `${c.kind} ${c.metric}`).toBe(c.kind === 'so-far');
  });
}
