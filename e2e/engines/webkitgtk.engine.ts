/**
 * A browser that cannot run the test is told so: Debian's WebKitGTK (MiniBrowser, even with
 * --enable-webrtc=true) has no RTCPeerConnection. The page ends at once with the could-not-test
 * reason `browser-unsupported` and a sentence naming what is missing (never internal-error),
 * saves it with a result code, and the help desk's console and the operator's CSV export show it
 * as such. Run with `npm run test:webkit` (inside scripts/netns-run.sh, on loopback); `npm test`
 * runs it, and a machine without WebKitGTK skips it, saying why (in CI it fails instead).
 */
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, startServe, type Served } from '../../bench/lib/processes.js';
import { MINIBROWSER_PATH, startWebKit } from './webkitgtk.js';
import { needCommand, skipReason } from '../../test/kit/requires.js';

const why = skipReason('the WebKitGTK engine test', [
  needCommand('xvfb', 'Xvfb', ['-help']),
  needCommand('webkit2gtk-driver', 'WebKitWebDriver', ['--help']),
  { tool: 'webkit2gtk-driver (its MiniBrowser)', missing: existsSync(MINIBROWSER_PATH) ? null : `${MINIBROWSER_PATH} is not there` },
]);
test.skip(why !== null, `needs Xvfb and WebKitGTK's WebDriver: ${why ?? ''}`);

const PORTS = { http: 18941, relay: 4941, driver: 18942 };
const TOKEN = 'webkit-e2e-operator-token-0123456789';
const TIER1 = { name: 'ana', password: 'ana-tier-one-pw' };

let dir = '';
let server: Served | null = null;

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'callprobe-webkit-'));
  const passwordHash = execFileSync(process.execPath, [CLI, 'hash-password'], { input: `${TIER1.password}\n`, timeout: 30_000, encoding: 'utf8' }).trim();
  writeFileSync(join(dir, 'users.json'), JSON.stringify([{ name: TIER1.name, role: 'tier1', passwordHash }]));
  server = await startServe(
    ['--turn-ports', String(PORTS.relay), '--db', join(dir, 'results.db'), '--admin-token', TOKEN, '--users', join(dir, 'users.json')],
    PORTS.http,
  );
});

test.afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface PageSide {
  result: { ok: boolean; reason?: string; message?: string } | null;
  save: { kind: string; code?: string } | null;
  text: string;
  userAgent: string;
  hasPeerConnection: boolean;
}

test('WebKitGTK without WebRTC: browser-unsupported in words, saved with a code, and so in the console and the export', async () => {
  test.setTimeout(90_000);
  if (!server) throw new Error('no server');
  const base = server.url;
  const webkit = await startWebKit(PORTS.driver);
  let side: PageSide;
  try {
    await webkit.session.navigate(`${base}/?autostart=1`);
    const read = (): Promise<PageSide> =>
      webkit.session.execute<PageSide>(`
        const app = document.querySelector('cp-app');
        const find = (root, sel) => root.querySelector(sel) || [...root.querySelectorAll('*')].map((e) => e.shadowRoot && find(e.shadowRoot, sel)).find(Boolean) || null;
        const alert = find(document, '[role=alert]');
        return {
          result: globalThis.__callprobeResult ?? null,
          save: app && app.state && app.state.save ? app.state.save : null,
          text: alert ? alert.textContent : '',
          userAgent: navigator.userAgent,
          hasPeerConnection: typeof RTCPeerConnection !== 'undefined',
        };`);
    // The page ends the test, then saves its record: wait until the save is done (or failed).
    await expect
      .poll(async () => (await read()).save?.kind ?? 'none', { timeout: 30_000, message: 'the page to save its could-not-test record' })
      .toMatch(/^(saved|failed)$/);
    side = await read();
    await webkit.session.close();
  } finally {
    await webkit.stop();
  }
  expect(side.hasPeerConnection).toBe(false);
  expect(side.userAgent).toMatch(/AppleWebKit\/[\d.]+/);
  expect(side.result).toEqual({
    ok: false,
    reason: 'browser-unsupported',
    message:
      'This browser cannot run the test: it lacks RTCPeerConnection (WebRTC, which carries the probes), RTCDataChannel (WebRTC data channels, which carry the probes where the audio stream cannot). Use a current version of Chrome, Edge, Firefox or Safari.',
  });
  // Its heading names the browser, not the network; what it lacks in the detail.
  expect(side.text).toMatch(
    /^This browser cannot run the test\s*This browser lacks something the test needs, so nothing was measured: this says nothing about the network\./,
  );
  expect(side.text).toContain('Detail: This browser cannot run the test: it lacks RTCPeerConnection');
  // The reason as a code a help desk can look up, not in the sentence.
  expect(side.text).toContain('(reason code: browser-unsupported)');
  expect(side.save?.kind).toBe('saved');
  const code = side.save?.code ?? '';
  expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);

  // The operator's export: one row, the reason as a code.
  const csv = await (await fetch(`${base}/api/results?format=csv`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  const [header, ...rows] = csv.trim().split('\n');
  const columns = (header ?? '').split(',');
  const row = rows.map((r) => r.split(',')).find((cells) => cells[columns.indexOf('code')] === code);
  expect(row?.[columns.indexOf('reason')]).toBe('browser-unsupported');

  // The help desk console (tier 1): the stored result by its code, as a could-not-test with its reason and words.
  const login = await fetch(`${base}/api/console/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(TIER1) });
  expect(login.status).toBe(200);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const found = (await (await fetch(`${base}/api/console/results?code=${code}`, { headers: { cookie } })).json()) as {
    results: { id: string; kind: string }[];
  };
  expect(found.results.map((r) => r.kind)).toEqual(['could-not-test']);
  const one = (await (await fetch(`${base}/api/console/results/${found.results[0]?.id ?? ''}`, { headers: { cookie } })).json()) as {
    couldNotTest: { reason: string; message: string } | null;
  };
  expect(one.couldNotTest?.reason).toBe('browser-unsupported');
  expect(one.couldNotTest?.message).toMatch(/^This browser cannot run the test: it lacks RTCPeerConnection/);
});
