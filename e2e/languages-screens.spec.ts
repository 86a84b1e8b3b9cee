import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { Report } from '../src/analysis/schema/report-schema.js';
import { analyze } from '../src/analysis/report/analyze.js';
import { BLOAT_GRADE_SOURCE } from '../src/analysis/grade/load.js';
import { de as answerDe } from '../src/analysis/present/messages/de.js';
import { ja as answerJa } from '../src/analysis/present/messages/ja.js';
import { de as pageDe } from '../src/web/messages/de.js';
import { ja as pageJa } from '../src/web/messages/ja.js';
import { de as consoleDe } from '../src/web/console-messages/de.js';
import { ja as consoleJa } from '../src/web/console-messages/ja.js';
import { de as siteDe } from '../src/web/console-site-messages/de.js';
import { ja as siteJa } from '../src/web/console-site-messages/ja.js';
import { de as signInDe } from '../src/web/console-sign-in-messages/de.js';
import { ja as signInJa } from '../src/web/console-sign-in-messages/ja.js';
import { runCallprobe, serveProcess, type ServeProcess } from '../test/kit/callprobe.js';
import { reflectorInput } from '../test/analysis/report/inputs.js';
import { loadSection } from '../test/analysis/site/week.js';
import { siteReportPath } from '../src/protocol/api.js';
import { workerPort, workerPorts } from './fixtures/env.js';
import { expect, test } from './fixtures/test.js';

/**
 * Every screen in the reader's language: in German and in Japanese, Details for IT of stored
 * results on `/r/<code>` (all its folds opened) and the help desk console's screens (the site
 * list, a search's list, a result, a site's report) show no text that is not that language's:
 * each visible text node (in the document and every open shadow root) is a string of that
 * language's catalogues (a template's {placeholders} filled with text that itself passes), a
 * name (a site, a code, a ticket, a product, a protocol, a unit) or a number or a date;
 * storedEnglish lists what docs/translating.md keeps English on purpose. The server is this spec's own
 * `callprobe serve --users`, with results stored through its API.
 */
const TOKEN = 'languages-operator-token-0123456789';
const USER = { name: 'kai', password: 'kai-tier-two-pw' } as const;
const SITE = 'Depot-3';
const TICKET = 'INC-4711';

type Lang = 'de' | 'ja';
type Catalogue = Readonly<Record<string, string>>;
const CATALOGUES: Record<Lang, { console: Catalogue; all: readonly Catalogue[] }> = {
  de: { console: consoleDe, all: [answerDe, pageDe, consoleDe, siteDe, signInDe] },
  ja: { console: consoleJa, all: [answerJa, pageJa, consoleJa, siteJa, signInJa] },
};

/**
 * Kept English on purpose (docs/translating.md, "What is still English"): the sentences a stored
 * report keeps with no code or figures to word them from, each field with its reason.
 */
function storedEnglish(r: Report): string[] {
  return [
    // A warning or a hint keeps its code and its English sentence, not the figures the sentence names.
    ...r.hints.map((h) => h.sentence),
    ...r.diagnostics.warnings.map((w) => w.message),
    // What the collectors noticed: free sentences, no code.
    ...r.diagnostics.notes,
    // The second opinion's caveats are stored as sentences only (their kinds are not kept).
    ...r.secondOpinion.notes,
    // Each target's resolution note (after its translated name): its packet count and clock step are not kept.
    ...r.meta.targets.map((t) => t.note),
    // The NAT's reason (tier 2's network details): the report keeps the mapping and what was observed, not which reason applied.
    ...(r.nat === null ? [] : [r.nat.reason]),
  ];
}

const norm = (s: string): string => s.replace(/\s+/gu, ' ').trim();

/**
 * What stays English on purpose, as shown: the stored reports' sentences above, a site report's
 * explanation (the server words it in English: its facts are not kept per sentence), and the
 * cited source of the busy line's grades (a document's title, as its publisher names it).
 */
const allowed = new Set<string>([norm(BLOAT_GRADE_SOURCE)]);

/** Names, never translated: products, protocols, units, this spec's site, ticket and user, result codes, times in ISO form. */
const NAMES = new RegExp(
  `(?<!\\p{L})(?:${[
    // A result code, a time in ISO form, a link.
    '[0-9A-Z]{4}-[0-9A-Z]{4}',
    '\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z',
    'https?://\\S+',
    'callprobe',
    'Microsoft Teams',
    'Teams',
    'Azure',
    'Microsoft',
    'Chromium',
    'WebRTC',
    'UDP',
    'TCP',
    'TLS',
    'ICE',
    'TURN',
    'STUN',
    'RTP',
    'VPN',
    'SQM',
    'MOS',
    'NAT',
    'CQD',
    'IPv4',
    'IPv6',
    'Wi-Fi',
    SITE,
    TICKET,
    USER.name,
    '[Pp](?:50|90|95|99)',
    'UTC',
    'DSLReports',
    // The Azure-region golden's regions (Azure's and the customer's own names).
    'West US',
    'Hawaii US',
    'Mbit/s',
    'kbit/s',
    'ms',
    // ICE's candidate types (RFC 8445 §5.1.1), as the path names them.
    'host',
    'srflx',
    'prflx',
    'relay',
    // A grade (A+ to F).
    '[A-F][+-]?',
  ].join('|')})(?!\\p{L})`,
  'gu',
);

/** Lines the page joins from whole messages: "name: text", a list ("a · b", "a; b", "a。b"), "text (aside)"; as a template's parts. */
const JOINS: ReadonlyArray<readonly string[]> = [
  ['', ': ', ''],
  ['', ' · ', ''],
  ['', '; ', ''],
  ['', '。', ''],
  ['', '、', ''],
  ['', ' (', ')'],
];
const hasWords = (s: string): boolean => /\p{L}/u.test(s);

/** The words of `lang`'s dates and times and lists as Intl writes them (months, weekdays, "um", 年月日, "und"), longest first. */
function dateWords(lang: Lang): string[] {
  const words = new Set<string>();
  for (let i = 0; i < 12; i++) {
    // Each month, and each day of the week (2026-01-05 is a Monday).
    const d = new Date(i < 7 ? Date.UTC(2026, 0, 5 + i, 9, 30) : Date.UTC(2026, i, 1, 9, 30));
    for (const opts of [{ dateStyle: 'full', timeStyle: 'short' }, { month: 'short' }, { weekday: 'short' }] as const) {
      for (const part of new Intl.DateTimeFormat(lang, { ...opts, timeZone: 'UTC' }).formatToParts(d)) {
        for (const w of part.value.split(/[\s\d,.:]+/u)) if (hasWords(w)) words.add(w);
      }
    }
  }
  // And the words Intl joins a list with ("und", "oder").
  for (const type of ['conjunction', 'disjunction'] as const) {
    for (const part of new Intl.ListFormat(lang, { type }).formatToParts(['1', '2', '3']))
      if (part.type === 'literal' && hasWords(part.value)) words.add(part.value.trim());
  }
  return [...words].sort((a, b) => b.length - a.length);
}

/** A language's matcher: its catalogues' strings, their parts between placeholders, and their templates as patterns. */
function matcherOf(lang: Lang): (text: string) => boolean {
  const exact = new Set<string>();
  const patterns = new Map<string, readonly string[]>(JOINS.map((j) => [j.join('{}'), j]));
  const dates = dateWords(lang);
  for (const cat of CATALOGUES[lang].all) {
    for (const raw of Object.values(cat)) {
      const parts = norm(raw).split(/\{[A-Za-z0-9]+\}/);
      exact.add(norm(raw));
      // A message spliced around an element (a link, a bold figure) shows each run of it between two values as a text node of its own.
      for (let i = 0; i < parts.length; i++) {
        for (let j = i; j < parts.length; j++) {
          const run = parts.slice(i, j + 1);
          const literal = run.join('').trim();
          if (literal === '') continue;
          if (run.length === 1) exact.add(literal);
          const ends = run.map((p, k) => (k === 0 ? p.trimStart() : k === run.length - 1 ? p.trimEnd() : p));
          if (run.length > 1) patterns.set(ends.join('{}'), ends);
        }
      }
    }
  }
  const memo = new Map<string, boolean>();
  /** Whether `t` is the template of `parts` with each placeholder filled by a text that passes, trying every way to split it. */
  const fits = (parts: readonly string[], t: string, depth: number): boolean => {
    const first = parts[0] ?? '';
    const last = parts[parts.length - 1] ?? '';
    if (!t.startsWith(first) || !t.endsWith(last) || parts.some((p) => !t.includes(p))) return false;
    const end = t.length - last.length;
    const from = (k: number, pos: number): boolean => {
      if (k === parts.length - 1) return end > pos && ok(t.slice(pos, end), depth);
      const lit = parts[k] ?? '';
      for (let i = t.indexOf(lit, pos + 1); i !== -1 && i < end; i = t.indexOf(lit, i + 1)) {
        if (ok(t.slice(pos, i), depth) && from(k + 1, i + lit.length)) return true;
      }
      return false;
    };
    return from(1, first.length);
  };
  const ok = (text: string, depth: number): boolean => {
    const t = norm(text);
    const known = memo.get(`${depth} ${t}`);
    if (known !== undefined) return known;
    const bare = dates.reduce((x, w) => x.split(w).join(' '), t.replace(NAMES, ' '));
    // A message shown capitalised at the start of its line passes as the message.
    const lower = t.charAt(0).toLowerCase() + t.slice(1);
    let pass = !hasWords(bare) || exact.has(t) || exact.has(lower) || allowed.has(t);
    // Sentences of several messages in one paragraph pass when each does.
    const sentences = t.split(/(?<=[.。])\s+/u);
    if (!pass && depth < 6 && sentences.length > 1) pass = sentences.every((x) => ok(x, depth + 1));
    if (!pass && depth < 6) pass = [...patterns.values()].some((parts) => fits(parts, t, depth + 1));
    memo.set(`${depth} ${t}`, pass);
    return pass;
  };
  return (text) => ok(text, 0);
}

/** Every visible text of the page (the document and each open shadow root), each fold opened first. */
async function visibleTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const texts: string[] = [];
    const roots: Array<Document | ShadowRoot> = [document];
    for (let i = 0; i < roots.length; i++) {
      const root = roots[i] as Document | ShadowRoot;
      for (const el of root.querySelectorAll('*')) {
        if (el instanceof HTMLDetailsElement) el.open = true;
        if (el.shadowRoot !== null) roots.push(el.shadowRoot);
      }
    }
    for (const root of roots) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) {
        const parent = n.parentElement;
        const text = n.textContent?.trim() ?? '';
        if (text === '' || parent === null || ['STYLE', 'SCRIPT', 'TEMPLATE', 'NOSCRIPT', 'TITLE'].includes(parent.tagName)) continue;
        if (parent.checkVisibility({ visibilityProperty: true })) texts.push(text);
      }
    }
    return texts;
  });
}

/** The texts of the page that are not the language's, each once. */
async function foreign(page: Page, isOurs: (text: string) => boolean): Promise<string[]> {
  return [...new Set((await visibleTexts(page)).filter((t) => !isOurs(t)).map(norm))];
}

const golden = (name: string): Report => JSON.parse(readFileSync(`test/analysis/report/golden/${name}.json`, 'utf8')) as Report;

let dir = '';
let server: ServeProcess | null = null;
let base = '';
/** The stored results' codes: each a screen of Details for IT. */
const codes: string[] = [];

let failCode = '';

test.beforeAll(async ({ request }, workerInfo) => {
  const httpPort = workerPort(19010, workerInfo.parallelIndex);
  const turnPorts = workerPorts(3840, workerInfo.parallelIndex, 4);
  base = `http://127.0.0.1:${httpPort}`;
  dir = mkdtempSync(join(tmpdir(), 'callprobe-languages-e2e-'));
  const hashed = await runCallprobe(['hash-password'], 30_000, { input: `${USER.password}\n` });
  expect(hashed.code, hashed.stderr).toBe(0);
  writeFileSync(join(dir, 'users.json'), JSON.stringify([{ name: USER.name, role: 'tier2', passwordHash: hashed.stdout.trim() }]));
  server = await serveProcess(
    {
      httpPort,
      turnPorts: `${turnPorts[0]}-${turnPorts[3]}`,
      adminToken: TOKEN,
      db: join(dir, 'callprobe.db'),
      extra: ['--users', join(dir, 'users.json'), '--trust-proxy', '127.0.0.1'],
    },
    { deadlineMs: 170_000 },
  );
  const post = async (report: Report, minutesAgo: number): Promise<string> => {
    const body = { ...report, meta: { ...report.meta, site: SITE, ticket: TICKET, startedAt: new Date(Date.now() - minutesAgo * 60_000).toISOString() } };
    const res = await request.post(`${base}/api/results`, { data: body, headers: { authorization: `Bearer ${TOKEN}`, 'x-forwarded-for': '203.0.113.50' } });
    expect(res.status(), await res.text()).toBe(201);
    for (const t of storedEnglish(body)) allowed.add(norm(t));
    return ((await res.json()) as { code: string }).code;
  };
  // A loss that fails, an Azure region's test, blocked ports, a fallback to TCP, and a clean test that loaded the line.
  for (const [i, name] of ['loss-heavy', 'azure-edge', 'blocked-default-ports', 'fallback-tcp'].entries()) codes.push(await post(golden(name), 60 + i));
  failCode = codes[0] ?? '';
  const loaded = analyze(reflectorInput({ count: 1500, rttMs: () => 30 }));
  codes.push(await post({ ...loaded, load: loadSection({ kind: 'suffers', up: [150, 2], down: [10, 40] }) }, 30));
});

test.afterAll(async () => {
  await server?.stop(5_000);
  rmSync(dir, { recursive: true, force: true });
});

const fill = (template: string, values: Readonly<Record<string, string>>): string => template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? `{${k}}`);

for (const lang of ['de', 'ja'] as const) {
  test(`${lang}: Details for IT on /r/<code> and the console's screens show only ${lang}'s words, names and numbers`, async ({ page }) => {
    const isOurs = matcherOf(lang);
    const found: Record<string, string[]> = {};

    for (const code of codes) {
      await page.goto(`${base}/r/${code}?lang=${lang}`);
      await expect(page.locator('details.for-it')).toBeAttached();
      found[`/r/${code}`] = await foreign(page, isOurs);
    }

    const c = CATALOGUES[lang].console;
    await page.goto(`${base}/console?lang=${lang}`);
    await page.getByLabel(c['login.name'] ?? '').fill(USER.name);
    await page.getByLabel(c['login.password'] ?? '').fill(USER.password);
    await page.getByRole('button', { name: c['login.submit'] ?? '' }).click();
    const openSite = page.getByRole('button', { name: fill(c['sites.open'] ?? '', { site: SITE }) });
    await expect(openSite.first()).toBeVisible();
    found['console: sites'] = await foreign(page, isOurs);

    await page.getByLabel(c['find.ticket'] ?? '').fill(TICKET);
    await page.getByRole('button', { name: c['find.submit'] ?? '', exact: true }).click();
    const openResult = page.getByRole('button', { name: fill(c['found.open'] ?? '', { code: failCode }) });
    await expect(openResult).toBeVisible();
    found['console: search'] = await foreign(page, isOurs);

    await openResult.click();
    await expect(page.getByRole('heading', { name: c['result.tell'] ?? '' })).toBeVisible();
    found['console: result'] = await foreign(page, isOurs);

    const siteReport = page.waitForResponse((res) => new URL(res.url()).pathname === siteReportPath(SITE));
    await openSite.first().click();
    // A site report's explanation and its profile's label: the server's English (docs/translating.md).
    const report = (await (await siteReport).json()) as { explanation: string[]; profile: { label: string } | null };
    for (const line of [...report.explanation, report.profile?.label ?? '']) allowed.add(norm(line));
    await expect(page.getByTestId('site-report')).toBeVisible();
    found['console: site report'] = await foreign(page, isOurs);

    const all = Object.entries(found).flatMap(([screen, texts]) => texts.map((t) => `${screen}: ${t}`));
    expect(all, `${all.length} texts not in ${lang}:\n${all.join('\n')}`).toEqual([]);
  });
}
