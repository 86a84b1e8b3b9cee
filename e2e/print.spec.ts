import { analyze } from '../src/analysis/report/analyze.js';
import { shareQr } from '../src/web/components/share-qr.js';
import { reflectorInput } from '../test/analysis/report/inputs.js';
import { loadSection } from '../test/analysis/site/week.js';
import { expect, test } from './fixtures/test.js';

/**
 * A shared result on paper, in Chromium against `callprobe serve`: a long answer (a fail with
 * loss one way, advice, and a busy line that suffers both ways) stored through the API, opened at
 * /r/<code> and printed. On A4 and on Letter it takes at most two pages; in print media the code,
 * the verdict and the QR code of the page's link are shown, and the buttons are not.
 */

/** A PDF's pages: its page objects (`/Type /Page`), not its page trees (`/Type /Pages`). */
const pageCount = (pdf: Buffer): number => pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;

test('a shared result prints to at most two A4 or Letter pages with its code, its verdict and a QR code of its link', async ({ page, request, server }) => {
  const report = analyze(reflectorInput({ count: 1500, meta: { site: 'Branch-7', ticket: 'INC-4711' }, up: { lost: (i: number) => i % 8 === 0 } }));
  const verdict = { kind: 'suffers', text: 'Calls will suffer when the line is busy: downloads add 200 ms; uploads add 150 ms.', directions: ['down', 'up'] };
  const res = await request.post('/api/results', {
    data: { ...report, load: { ...loadSection({ kind: 'suffers', up: [150, 2], down: [200, 40] }), verdict } },
  });
  expect(res.status()).toBe(201);
  const { code } = (await res.json()) as { code: string };

  await page.goto(`/r/${code}`);
  await expect(page.locator('[data-verdict]')).toHaveAttribute('data-verdict', 'fail');
  const print = page.getByRole('button', { name: 'Print or save as PDF' });
  await expect(print).toBeVisible();
  // On screen the link is the address bar: the QR code is drawn for paper only.
  await expect(page.locator('[data-qr-code]')).toBeAttached();
  await expect(page.locator('[data-qr-code]')).toBeHidden();
  const qr = page.getByRole('img', { name: 'QR code: the link to this result' });

  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('heading', { name: `Shared result ${code}` })).toBeVisible();
  await expect(page.locator('[data-title]')).toHaveText('Fail');
  await expect(page.locator('[data-answer]')).toBeVisible();
  expect((await page.locator('[data-answer]').textContent())?.trim().length).toBeGreaterThan(10);
  await expect(page.locator('[data-figure]').first()).toBeVisible();
  await expect(page.locator('[data-load]')).toBeVisible();
  await expect(qr).toBeVisible();
  await expect(page.locator('[data-qr] .url')).toHaveText(`${server.baseUrl}/r/${code}`);
  // The QR code is the page's link's own (drawn again here with the same library and settings).
  expect(await qr.locator('path').getAttribute('d')).toBe((await shareQr(`${server.baseUrl}/r/${code}`)).path);
  await expect(print).toBeHidden();
  await expect(page.getByRole('link', { name: 'Run the test again' })).toBeHidden();
  await expect(page.getByRole('button', { name: 'Copy code' })).toBeHidden();
  await expect(page.getByText('Details for IT')).toBeHidden();

  for (const format of ['A4', 'Letter'] as const) {
    const pages = pageCount(await page.pdf({ format }));
    expect(pages, `${format} pages`).toBeGreaterThanOrEqual(1);
    expect(pages, `${format} pages`).toBeLessThanOrEqual(2);
  }
});
