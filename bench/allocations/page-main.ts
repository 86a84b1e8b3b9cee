/**
 * One page test in one fresh browser, run by the allocations bench (and its e2e test) inside the
 * client's namespace: `node dist/bench/allocations/page-main.js '<PageRun JSON>'`. Launches the
 * engine headless (bench/lib/engines.ts), grants the page's origin the microphone first when
 * asked (a browser lists every network interface to a page only with that permission), opens
 * the test page and prints one line, `RESULT <PageOutcome JSON>`, then closes the browser.
 */
import type { Browser } from 'puppeteer-core';
import { launchEngine, pageResult } from '../lib/engines.js';
import { answerView } from '../../src/analysis/present/answer.js';
import { RESULT_PREFIX, type PageOutcome, type PageRun } from './page-run.js';

const origin = (r: PageRun): string => `http://${r.host.includes(':') ? `[${r.host}]` : r.host}:${String(r.httpPort)}`;

async function grant(browser: Browser, r: PageRun): Promise<{ granted: boolean; grantError: string | null }> {
  if (!r.microphone) return { granted: false, grantError: null };
  // Firefox: granted by its preferences at launch (launchEngine's fakeMicrophone).
  if (r.engine === 'firefox') return { granted: true, grantError: null };
  try {
    await browser.defaultBrowserContext().setPermission(origin(r), { permission: { name: 'microphone' }, state: 'granted' });
    return { granted: true, grantError: null };
  } catch (err) {
    return { granted: false, grantError: (err as Error).message.split('\n')[0] ?? 'unknown' };
  }
}

async function runPage(r: PageRun): Promise<PageOutcome> {
  const browser = await launchEngine(r.engine, r.host, [r.httpPort], { fakeMicrophone: r.microphone });
  try {
    const granted = await grant(browser, r);
    const page = await browser.newPage();
    const audio = r.microphone ? '&audio=fake-device' : '';
    await page.goto(`${origin(r)}/?autostart=1&save=0&duration=${String(r.durationS)}${audio}`);
    const result = await pageResult(page, r.timeoutMs);
    await page.close();
    const none = { path: null, pathReason: null, verdict: null, cause: null, answer: null, rungs: [], browser: null };
    if (!result.ok) return { ok: false, reason: result.reason, message: result.message, ...none, ...granted };
    const report = result.report;
    return {
      ok: true,
      reason: null,
      message: null,
      path: report.probe.path,
      pathReason: report.probe.reason,
      verdict: report.summary.verdict,
      cause: report.summary.insufficientCause,
      answer: answerView(report).sentence,
      rungs: report.connectivity
        .filter((c) => c.url !== null)
        .map((c) => `${c.transport}/${String(c.port)}/${c.family}: ${c.reachable ? 'ok' : String(c.error)}`),
      browser: report.meta.browser,
      ...granted,
    };
  } finally {
    await browser.close();
  }
}

const arg = process.argv[2];
if (arg === undefined) {
  console.error("usage: page-main.js '<PageRun JSON>'");
  process.exitCode = 3;
} else {
  runPage(JSON.parse(arg) as PageRun).then(
    (o) => console.log(`${RESULT_PREFIX}${JSON.stringify(o)}`),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
