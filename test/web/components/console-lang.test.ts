// @vitest-environment happy-dom
/**
 * The help desk console in its reader's language: chosen as the page chooses (`?lang=`, then the
 * browser's languages), its own words from its catalogue, and the result asked of the server in
 * the same language (`?lang=`), so what the server words from the report (what to tell the user,
 * the culprit, the targets' names and figures) follows it. The view is the server's own
 * (server/console/view.ts from a golden report), answered by a stubbed fetch.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { consoleResultView } from '../../../server/console/view.js';
import type { StoredAddress, StoredResult } from '../../../server/store/results/types.js';
import type { SitesRepository } from '../../../server/store/sites/types.js';
import { CONSOLE_API, type ConsoleResultView } from '../../../src/protocol/api-console.js';
import { loadMessages } from '../../../src/analysis/present/catalogue.js';
import { ConsoleView } from '../../../src/web/components/console.js';
import type { Lang } from '../../../src/protocol/lang.js';
import { waitFor } from '../../kit/wait.js';
import { all, axeProblems, golden, mount, one, words } from './dom.js';

ConsoleView.define('cp-console');

const STARTED_MS = Date.parse('2025-01-01T00:00:00.000Z');
const sites = { samples: () => Promise.resolve([]) } as unknown as SitesRepository;

function stored(kind: 'report' | 'could-not-test'): StoredResult & { addresses: StoredAddress[] } {
  const body =
    kind === 'report'
      ? golden('jitter-fail')
      : { kind: 'could-not-test', reason: 'relay-unreachable', message: 'no relay port answered', atMs: STARTED_MS, meta: {} };
  return {
    id: 'r1',
    code: 'K7QF-3MZD',
    sampleId: null,
    kind,
    storedAtMs: STARTED_MS + 60_000,
    startedAtMs: STARTED_MS,
    site: null,
    siteKey: null,
    ticket: null,
    verdict: kind === 'report' ? 'fail' : null,
    reportJson: JSON.stringify(body),
    addresses: [],
  };
}

/** Opens the one stored result in a console whose reader asks by `search` (the URL) and `languages` (the browser); returns it and the requests it made. */
async function open(kind: 'report' | 'could-not-test', lang: Lang, search: string, languages: readonly string[]): Promise<{ c: ConsoleView; asked: string[] }> {
  history.replaceState(null, '', `/console${search}`);
  vi.spyOn(navigator, 'languages', 'get').mockReturnValue(languages);
  const view: ConsoleResultView = await consoleResultView(sites, stored(kind), 'tier1', 'UTC', undefined, await loadMessages(lang));
  const asked: string[] = [];
  const answer = (body: unknown): Response => ({ status: 200, ok: true, json: () => Promise.resolve(body) }) as Response;
  vi.stubGlobal('fetch', (path: string) => {
    asked.push(path);
    const p = path.split('?')[0];
    if (p === `${CONSOLE_API}/me`) return Promise.resolve(answer({ name: 'alex', role: 'tier1' }));
    if (p === '/api/sites') return Promise.resolve(answer({ kind: 'sites-overview', schemaVersion: 1, since: '7d', minSamplesP90: 10, sites: [] }));
    if (p === `${CONSOLE_API}/results`) return Promise.resolve(answer({ results: [view], truncated: false }));
    if (p === `${CONSOLE_API}/results/${view.id}`) return Promise.resolve(answer(view));
    return Promise.reject(new Error(`unexpected request ${path}`));
  });
  const c = await mount<ConsoleView>('cp-console', {}, 'console');
  const form = await waitFor(() => c.shadowRoot?.querySelector<HTMLFormElement>('form:has(#code)'), { timeoutMs: 5000, what: 'the search form' });
  one<HTMLInputElement>(c, '#code').value = 'K7QF-3MZD';
  form.requestSubmit();
  const button = await waitFor(() => c.shadowRoot?.querySelector<HTMLButtonElement>('#found ~ .scroll button.code'), {
    timeoutMs: 5000,
    what: 'the result in the list',
  });
  button.click();
  await waitFor(() => c.shadowRoot?.querySelector('#result'), { timeoutMs: 5000, what: 'the opened result' });
  await c.updateComplete;
  return { c, asked };
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  history.replaceState(null, '', '/');
});

describe('the console in the reader’s language', () => {
  it('?lang=de over an English browser: German labels, verdict, culprit and targets, <html lang="de">, and the result asked in German', async () => {
    const { c, asked } = await open('report', 'de', '?lang=de', ['en-US']);
    expect(document.documentElement.lang).toBe('de');
    expect(words(one(c, 'h1'))).toBe('callprobe Helpdesk');
    expect(words(one(c, '#found'))).toBe('1 Ergebnis');
    expect(words(one(c, '#result'))).toBe('Ergebnis K7QF-3MZD: nicht bestanden');
    expect(all(c, 'h3').map(words)).toEqual(expect.arrayContaining(['Was Sie der Person sagen', 'Wahrscheinliche Ursache', 'Teams-Netzwerkziele (streng)']));
    expect(words(one(c, '[data-testid="culprit"]'))).not.toMatch(/\b(the|is|and)\b/);
    // words() folds every space, the no-break ones too: the cells' own text keeps them.
    const rows = all(c, 'section table tbody tr').map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));
    expect(rows).toContainEqual(['Jitter der Paketankunft (beliebige 15\u00a0s)', 'Downstream', '70,0\u00a0ms', '< 30\u00a0ms', 'nicht bestanden']);
    expect(asked.find((p) => p.startsWith(`${CONSOLE_API}/results/r1`))).toMatch(/[?&]lang=de(&|$)/);
    expect(await axeProblems()).toEqual([]);
  });

  it('a Japanese browser, no ?lang=: Japanese labels and the result asked in Japanese', async () => {
    const { c, asked } = await open('report', 'ja', '', ['ja-JP', 'en']);
    expect(document.documentElement.lang).toBe('ja');
    expect(words(one(c, 'h1'))).toBe('callprobe ヘルプデスク');
    expect(words(one(c, '#result'))).toBe('結果 K7QF-3MZD: 不合格');
    expect(all(c, 'h3').map(words)).toEqual(expect.arrayContaining(['ユーザーに伝えること', '考えられる原因']));
    expect(all(c, 'label').map(words)).toContain('結果コード');
    expect(asked.find((p) => p.startsWith(`${CONSOLE_API}/results/r1`))).toMatch(/[?&]lang=ja(&|$)/);
  });

  it('French: a could-not-test record says what failed and where to look in French, the reason code kept', async () => {
    const { c } = await open('could-not-test', 'fr', '?lang=fr', ['de']);
    expect(words(one(c, '.culprit'))).toMatch(/^Test impossible : Aucun port du relais n’a répondu/);
    expect(words(one(c, '.culprit + p'))).toMatch(/^Où chercher : le pare-feu/);
    expect(words(one(c, '#result'))).toBe('Résultat K7QF-3MZD : test impossible');
    expect(c.shadowRoot?.textContent).toContain('(raison\u00a0: relay-unreachable)');
  });
});
