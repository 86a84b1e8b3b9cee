import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from './dist/client/headless/chromium.js';
const [exe, out, w, h, query] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: exe, args: [...CHROMIUM_ARGS, '--allow-loopback-in-peer-connection'] });
const p = await b.newPage({ viewport: { width: Number(w), height: Number(h) } });
await p.goto(`http://127.0.0.1:8080/?autostart=1&save=0${query ?? ''}`);
for (let i = 0; i < 240; i++) {
  const done = await p.evaluate(() => globalThis.__callprobeResult !== undefined);
  if (done) break;
  await p.waitForTimeout(500);
}
await p.waitForTimeout(500);
await p.screenshot({ path: out, fullPage: true });
const r = await p.evaluate(() => globalThis.__callprobeResult);
console.log(r.ok ? [r.report.summary.verdict, r.report.summary.insufficientCause, r.report.load?.verdict?.kind, r.report.load?.outcome?.reason].join(' ') : r.reason);
await b.close();
