// @vitest-environment happy-dom
/**
 * The help desk console's result as tier 1 sees it (<cp-console>, ConsoleView): the view is the
 * server's own (server/console/view.ts consoleResultView, from a golden report stored with the
 * caller's address), answered by a stubbed fetch to the console's requests. A tier 1 agent reads
 * the verdict, what to tell the user and the failed targets, and no IP address anywhere: not in
 * the ticket the caller typed, not as network details. Tier 2, from the same stored result, sees
 * the address: the check is of the redaction, not of an address that was never there.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { consoleResultView } from '../../../server/console/view.js';
import type { StoredAddress, StoredResult } from '../../../server/store/results/types.js';
import type { SitesRepository } from '../../../server/store/sites/types.js';
import { CONSOLE_API, type ConsoleChain, type ConsoleResultView, type ConsoleRole } from '../../../src/protocol/api-console.js';
import { consoleChain } from '../../../server/console/view.js';
import { ConsoleView } from '../../../src/web/components/console.js';
import { waitFor } from '../../kit/wait.js';
import type { Report } from '../../../src/analysis/schema/report-schema.js';
import { all, axeProblems, golden, mount, one, words } from './dom.js';

ConsoleView.define('cp-console');

const ADDRESS = '203.0.113.7';
const TICKET = `INC-4711 caller at ${ADDRESS}`;
const STARTED_MS = Date.parse('2025-01-01T00:00:00.000Z');

function stored(report = golden('jitter-fail'), site: string | null = 'HQ'): StoredResult & { addresses: StoredAddress[] } {
  report.meta.ticket = TICKET;
  return {
    id: 'r1',
    code: 'K7QF-3MZD',
    sampleId: null,
    kind: 'report',
    storedAtMs: STARTED_MS + 60_000,
    startedAtMs: STARTED_MS,
    site,
    siteKey: site === null ? null : site.toLowerCase(),
    ticket: TICKET,
    verdict: 'fail',
    reportJson: JSON.stringify(report),
    addresses: [{ address: ADDRESS, truncated: '203.0.113.0/24', storedAtMs: STARTED_MS + 60_000 }],
  };
}

/** The site has no earlier samples: its baseline is empty. */
const sites = { samples: () => Promise.resolve([]) } as unknown as SitesRepository;

/** The console's requests, answered for `role` from one stored result; anything else is a test failure. */
function stubApi(role: ConsoleRole, view: ConsoleResultView, byCode: Readonly<Record<string, ConsoleResultView>> = {}): void {
  const answer = (status: number, body: unknown): Response => ({ status, ok: status < 400, json: () => Promise.resolve(body) }) as Response;
  vi.stubGlobal('fetch', (path: string) => {
    const p = path.split('?')[0];
    if (p === `${CONSOLE_API}/me`) return Promise.resolve(answer(200, { name: 'alex', role }));
    if (p === '/api/sites') return Promise.resolve(answer(200, { kind: 'sites-overview', schemaVersion: 1, since: '7d', minSamplesP90: 10, sites: [] }));
    if (p === `${CONSOLE_API}/results`)
      return Promise.resolve(
        answer(200, {
          results: [
            {
              id: view.id,
              code: view.code,
              kind: view.kind,
              startedAt: view.startedAt,
              startedAtLocal: view.startedAtLocal,
              site: view.site,
              siteUnverified: view.siteUnverified,
              ticket: view.ticket,
              verdict: view.verdict,
            },
          ],
          truncated: false,
        }),
      );
    if (p === `${CONSOLE_API}/results/${view.id}`) return Promise.resolve(answer(200, view));
    const other = p?.startsWith(`${CONSOLE_API}/results/`) ? byCode[decodeURIComponent(p.slice(CONSOLE_API.length + 9))] : undefined;
    if (other !== undefined) return Promise.resolve(answer(200, other));
    return Promise.reject(new Error(`unexpected request ${path}`));
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the console, tier 2: the export button', () => {
  it('exports CSV with the separator chosen, or NDJSON, as a file, and says how many results; tier 1 has no such button', async () => {
    const asked: string[] = [];
    const csv = 'code;verdict\nK7QF-3MZD;fail\nAB12-CD34;pass\n';
    const reply = (status: number, body: unknown, text = '', headers: Record<string, string> = {}): Response =>
      ({ status, ok: status < 400, json: () => Promise.resolve(body), text: () => Promise.resolve(text), headers: new Headers(headers) }) as Response;
    vi.stubGlobal('fetch', (path: string) => {
      const p = path.split('?')[0];
      if (p === `${CONSOLE_API}/me`) return Promise.resolve(reply(200, { name: 'bo', role: 'tier2' }));
      if (p === '/api/sites') return Promise.resolve(reply(200, { kind: 'sites-overview', schemaVersion: 1, since: '7d', minSamplesP90: 10, sites: [] }));
      if (p === '/api/results') {
        asked.push(path);
        return Promise.resolve(reply(200, null, csv, { 'x-callprobe-truncated': '2026-01-16T00:00:00.000Z' }));
      }
      return Promise.reject(new Error(`unexpected request ${path}`));
    });
    const clicked: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });
    try {
      const c = await mount<ConsoleView>('cp-console', {}, 'console');
      const form = await waitFor(() => c.shadowRoot?.querySelector<HTMLFormElement>('form[data-testid="export"]'), {
        timeoutMs: 5000,
        what: 'the export form',
      });
      // An English console presets the comma and the decimal point, and a UTF-8 mark.
      expect(one<HTMLSelectElement>(c, 'select[name="convention"]').value).toBe('comma-point');
      expect(one<HTMLInputElement>(c, 'input[name="bom"]').checked).toBe(true);
      one<HTMLSelectElement>(c, 'select[name="convention"]').value = 'semicolon-comma';
      one<HTMLInputElement>(c, 'input[name="since"]').value = '2026-01-15';
      form.requestSubmit();
      await waitFor(() => (/exported/.test(words(one(c, '[data-testid="export-status"]'))) ? true : null), { timeoutMs: 5000, what: 'the export' });
      expect(asked).toEqual(['/api/results?format=csv&bom=1&since=2026-01-15&sep=semicolon&decimal=comma']);
      expect(clicked).toEqual([expect.stringMatching(/^callprobe-results-\d{4}-\d{2}-\d{2}\.csv$/)]);
      expect(words(one(c, '[data-testid="export-status"]'))).toMatch(
        /^2 results exported to callprobe-results-.*\.csv; more matched: export again from 2026-01-16T00:00:00\.000Z for the rest\.$/,
      );
      // NDJSON: no separator.
      const format = one<HTMLSelectElement>(c, 'select[name="format"]');
      format.value = 'ndjson';
      format.dispatchEvent(new Event('change'));
      await c.updateComplete;
      expect(one<HTMLSelectElement>(c, 'select[name="convention"]').disabled).toBe(true);
      expect(one<HTMLInputElement>(c, 'input[name="bom"]').disabled).toBe(true);
      form.requestSubmit();
      await waitFor(() => (asked.length === 2 ? true : null), { timeoutMs: 5000, what: 'the second export' });
      expect(asked[1]).toBe('/api/results?format=ndjson&since=2026-01-15');
      expect(await axeProblems()).toEqual([]);
    } finally {
      click.mockRestore();
    }
  });

  it('a German console presets the semicolon, the decimal comma and the UTF-8 mark, as a German spreadsheet reads them', async () => {
    const asked: string[] = [];
    const reply = (status: number, body: unknown, text = ''): Response =>
      ({ status, ok: status < 400, json: () => Promise.resolve(body), text: () => Promise.resolve(text), headers: new Headers() }) as Response;
    history.replaceState(null, '', '/console?lang=de');
    vi.stubGlobal('fetch', (path: string) => {
      const p = path.split('?')[0];
      if (p === `${CONSOLE_API}/me`) return Promise.resolve(reply(200, { name: 'bo', role: 'tier2' }));
      if (p === '/api/sites') return Promise.resolve(reply(200, { kind: 'sites-overview', schemaVersion: 1, since: '7d', minSamplesP90: 10, sites: [] }));
      if (p === '/api/results') {
        asked.push(path);
        return Promise.resolve(reply(200, null, 'code;verdict\nK7QF-3MZD;fail\n'));
      }
      return Promise.reject(new Error(`unexpected request ${path}`));
    });
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    try {
      const c = await mount<ConsoleView>('cp-console', {}, 'console');
      const form = await waitFor(() => c.shadowRoot?.querySelector<HTMLFormElement>('form[data-testid="export"]'), {
        timeoutMs: 5000,
        what: 'the export form',
      });
      await waitFor(() => (document.documentElement.lang === 'de' ? true : null), { timeoutMs: 5000, what: 'the German words' });
      await c.updateComplete;
      expect(one<HTMLSelectElement>(c, 'select[name="convention"]').value).toBe('semicolon-comma');
      form.requestSubmit();
      await waitFor(() => (asked.length === 1 ? true : null), { timeoutMs: 5000, what: 'the export' });
      expect(asked[0]).toBe('/api/results?format=csv&bom=1&sep=semicolon&decimal=comma');
    } finally {
      click.mockRestore();
      history.replaceState(null, '', '/console');
    }
  });

  it('tier 1 sees no export', async () => {
    const c = await openResult('tier1');
    expect(all(c, 'form[data-testid="export"]')).toEqual([]);
  });
});

/** Logs in as `role` (the session is there), searches by code and opens the one result found. */
async function openResult(
  role: ConsoleRole,
  report?: Report,
  site?: string | null,
  chain?: { view: ConsoleChain; others: Record<string, ConsoleResultView> },
): Promise<ConsoleView> {
  const view = await consoleResultView(sites, stored(report, site), role, 'UTC', chain?.view);
  stubApi(role, view, chain?.others);
  const c = await mount<ConsoleView>('cp-console', {}, 'console');
  const form = await waitFor(() => c.shadowRoot?.querySelector<HTMLFormElement>('form:has(#code)'), { timeoutMs: 5000, what: 'the search form' });
  one<HTMLInputElement>(c, '#code').value = 'K7QF-3MZD';
  form.requestSubmit();
  const open = await waitFor(() => c.shadowRoot?.querySelector<HTMLButtonElement>('button[aria-label="Open result K7QF-3MZD"]'), {
    timeoutMs: 5000,
    what: 'the result in the list',
  });
  open.click();
  await waitFor(() => c.shadowRoot?.querySelector('#result'), { timeoutMs: 5000, what: 'the opened result' });
  await c.updateComplete;
  return c;
}

const IPV4 = /\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/;

describe("the console: one browser's tests side by side", () => {
  it("links the earlier test and lists the later ones, each said as the browser's claim, and opens the other by its code", async () => {
    const earlierMs = STARTED_MS - 3_600_000;
    const link = (id: string, code: string, startedAtMs: number, verdict: string | null, otherNetwork: boolean | null = false) => ({
      id,
      code,
      startedAtMs,
      verdict,
      otherNetwork,
    });
    const earlier = await consoleResultView(
      sites,
      { ...stored(golden('clean-15s')), id: 'r0', code: 'AB12-CD34', startedAtMs: earlierMs, verdict: 'pass' },
      'tier1',
      'UTC',
      // Newest first, with how many more; a claim from another network than this test's is marked.
      consoleChain(
        {
          earlier: null,
          later: [link('r1', 'K7QF-3MZD', STARTED_MS, 'fail'), link('r2', 'ZZ34-5678', STARTED_MS - 60_000, 'pass', true)],
          laterTotal: 22,
        },
        'UTC',
      ),
    );
    const c = await openResult('tier1', undefined, undefined, {
      view: consoleChain({ earlier: link('r0', 'AB12-CD34', earlierMs, 'pass'), later: [] }, 'UTC'),
      others: { 'AB12-CD34': earlier },
    });
    expect(words(one(c, '[data-chain="earlier"]'))).toBe("Earlier test from the same browser (the browser's claim): AB12-CD34 (2024-12-31 23:00 (UTC), pass)");
    expect(all(c, '[data-chain="later"]')).toEqual([]);
    expect(await axeProblems()).toEqual([]);
    one<HTMLButtonElement>(c, '[data-chain="earlier"] button').click();
    await waitFor(() => (c.shadowRoot?.querySelector('#result .code')?.textContent === 'AB12-CD34' ? true : null), {
      timeoutMs: 5000,
      what: 'the earlier result opened',
    });
    await c.updateComplete;
    expect(words(one(c, '[data-chain="later"]'))).toBe("Tested again from the same browser (the browser's claim), newest first:");
    expect(all(c, '[data-chain-code]').map((li) => words(li))).toEqual([
      'K7QF-3MZD (2025-01-01 00:00 (UTC), fail)',
      "ZZ34-5678 (2024-12-31 23:59 (UTC), pass) claimed from another network than the earlier test's",
    ]);
    expect(words(one(c, '[data-chain="more"]'))).toBe('and 20 more, older');
    expect(all(c, '[data-chain="earlier"]')).toEqual([]);
  });

  it('says nothing of a chain when the browser claimed none', async () => {
    const c = await openResult('tier1');
    expect(all(c, '[data-testid="chain"]')).toEqual([]);
  });
});

describe('the console, tier 1', () => {
  it('shows the verdict, what to tell the user and the failed targets', async () => {
    const c = await openResult('tier1');
    expect(words(one(c, '.who'))).toBe('Logged in as alex (tier 1) Log out');
    expect(words(one(c, '#result'))).toBe('Result K7QF-3MZD: fail');
    expect(words(one(c, '.tell'))).toMatch(/^Calls will likely sound choppy: the timing of packets varies too much\./);
    const failed = all(c, 'section td.fail').map((td) => words(td.closest('tr')));
    expect(failed).toEqual(['Packet inter-arrival jitter (any 15 s) down 70.0 ms < 30 ms fail', 'Packet reorder down 49.95% < 0.05% fail']);
    expect(words(one(c, '[data-testid="baseline"]'))).toMatch(/^No baseline: the site has no sample/);
    expect(await axeProblems()).toEqual([]);
  });

  it('a busy device over a TCP fallback: the blocked ports and the action come first in what to tell the user', async () => {
    const busy = golden('troubled-sender');
    const fallback = golden('fallback-tcp');
    const c = await openResult('tier1', { ...busy, connectivity: fallback.connectivity, path: fallback.path, hints: fallback.hints });
    const tell = all(c, '.tell p').map((p) => words(p));
    expect(tell[0]).toMatch(/^No verdict: this device was too busy to measure the network/);
    expect(tell[1]).toBe(
      'UDP 3478-3481 to the relay did not answer, so this test ran over TCP 3478, a fallback path: calls get through there, but they lag and stutter when the network is busy. Ask your network team to allow UDP 3478-3481 outbound to the relay, and give them the result code.',
    );
    expect(await axeProblems()).toEqual([]);
  });

  it('lists a site a link named without the token, marked not verified', async () => {
    const report = golden('jitter-fail');
    report.meta = { ...report.meta, site: null, siteUnverified: 'Paris office' } as typeof report.meta;
    const c = await openResult('tier1', report, null);
    const cells = all(c, 'tbody tr td').map((td) => words(td));
    expect(cells).toContain('Paris office (not verified: named by the link)');
  });

  it('shows no IP address: the ticket scrubbed, no network details', async () => {
    const c = await openResult('tier1');
    const text = words(c);
    expect(text).toContain('INC-4711 caller at');
    expect(text).not.toMatch(IPV4);
    expect(text).not.toContain('203.0.113');
    expect(all(c, '[data-testid="network"]')).toEqual([]);
    expect(text).not.toContain('Network details');
  });

  it('tier 2 sees the same stored result with its address and network details', async () => {
    const c = await openResult('tier2');
    expect(words(one(c, '[data-testid="network"]'))).toMatch(/^Client address 203\.0\.113\.7 \(203\.0\.113\.0\/24\)/);
    expect(words(c)).toContain(TICKET);
    expect(await axeProblems()).toEqual([]);
  });
});
