import { analyze } from '../src/analysis/report/analyze.js';
import type { LoadDirectionReport } from '../src/analysis/schema/load-schema.js';
import { reflectorInput } from '../test/analysis/report/inputs.js';
import { loadSection } from '../test/analysis/site/week.js';
import { expect, test } from './fixtures/test.js';

/**
 * The busy line's card in Chromium, on a phone (390x844) and a desktop (1280x800), from a stored
 * result (/r/<code>): a line that passes idle, whose uploads queue 700 ms and whose downloads
 * raised the round trip as much (the queue on the way up). Its table fits the screen without
 * scrolling sideways, its sentence names both directions, and its colour is the fail's.
 */
test('the busy line card fits 390 and 1280 px wide and tells one story', async ({ browser, request, server }) => {
  const load = loadSection({ kind: 'suffers', up: [700, 1.9], down: [0.02, 13] });
  const down: LoadDirectionReport = { ...(load.down as LoadDirectionReport), addedDelayMsP90: 0.4, loadedRttMs: 735 };
  const report = analyze(reflectorInput({ count: 1500 }));
  const data = {
    ...report,
    load: { ...load, down, verdict: { kind: 'suffers', text: 'Calls will suffer when the line is busy: uploads add 700 ms.', directions: ['up'] } },
  };
  const res = await request.post('/api/results', { data });
  expect(res.status()).toBe(201);
  const { code } = (await res.json()) as { code: string };

  for (const viewport of [
    { width: 390, height: 844 },
    { width: 1280, height: 800 },
  ]) {
    const page = await browser.newPage({ viewport });
    try {
      await page.goto(`${server.baseUrl}/r/${code}`);
      const card = page.locator('cp-busy-line section');
      await expect(card).toHaveAttribute('data-tone', 'fail');
      await expect(page.locator('[data-title]')).toHaveText('Pass, only while the line is quiet');
      await expect(card.locator('[data-load-sentence]')).toHaveText(
        'Calls will suffer when the line is busy: uploads add 700 ms; downloads add 705 ms to the round trip.',
      );
      const table = card.locator('.scroll');
      await expect(table).toBeVisible();
      const overflow = await table.evaluate((el) => ({ table: el.scrollWidth - el.clientWidth, page: document.documentElement.scrollWidth - innerWidth }));
      expect(overflow, `${viewport.width} px`).toEqual({ table: 0, page: 0 });
      // The last column is on screen, inside the card.
      const box = await card.locator('[data-cell="filled"]').last().boundingBox();
      expect((box?.x ?? Infinity) + (box?.width ?? 0), `${viewport.width} px`).toBeLessThanOrEqual(viewport.width);
    } finally {
      await page.close();
    }
  }
});
