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
import { CONSOLE_API, type ConsoleResultView, type ConsoleRole } from '../../../src/protocol/api-console.js';
import { ConsoleView } from '../../../src/web/components/console.js';
import { waitFor } from '../../kit/wait.js';
import type { Report } from '../../../src/analysis/schema/report-schema.js';
import { all, axeProblems, golden, mount, one, words } from './dom.js';

ConsoleView.define('cp-console');

const ADDRESS = '203.0.113.7';
const TICKET = `INC-4711 caller at ${ADDRESS}`;
const STARTED_MS = Date.parse('2025-01-01T00:00:00.000Z');

function stored(report = golden('jitter-fail')): StoredResult & { addresses: StoredAddress[] } {
  report.meta.ticket = TICKET;
  return {
    id: 'r1',
    code: 'K7QF-3MZD',
    sampleId: null,
    kind: 'report',
    storedAtMs: STARTED_MS + 60_000,
    startedAtMs: STARTED_MS,
    site: 'HQ',
    siteKey: 'hq',
    ticket: TICKET,
    verdict: 'fail',
    reportJson: JSON.stringify(report),
    addresses: [{ address: ADDRESS, truncated: '203.0.113.0/24', storedAtMs: STARTED_MS + 60_000 }],
  };
}

/** The site has no earlier samples: its baseline is empty. */
const sites = { samples: () => Promise.resolve([]) } as unknown as SitesRepository;

/** The console's requests, answered for `role` from one stored result; anything else is a test failure. */
function stubApi(role: ConsoleRole, view: ConsoleResultView): void {
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
              ticket: view.ticket,
              verdict: view.verdict,
            },
          ],
          truncated: false,
        }),
      );
    if (p === `${CONSOLE_API}/results/${view.id}`) return Promise.resolve(answer(200, view));
    return Promise.reject(new Error(`unexpected request ${path}`));
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

/** Logs in as `role` (the session is there), searches by code and opens the one result found. */
async function openResult(role: ConsoleRole, report?: Report): Promise<ConsoleView> {
  const view = await consoleResultView(sites, stored(report), role, 'UTC');
  stubApi(role, view);
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
