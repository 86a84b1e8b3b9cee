/**
 * The catalogues: every language has every key of English, no other, with the same placeholders;
 * numbers keep format.ts's precision with each language's marks; the answer of a golden report
 * in German and Japanese is whole sentences of that language, with no English left in it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { placeholdersOf, type Source } from '../../../src/analysis/present/i18n.js';
import { EN, loadMessages } from '../../../src/analysis/present/catalogue.js';
import { en as answerEn } from '../../../src/analysis/present/messages/en.js';
import { de as answerDe } from '../../../src/analysis/present/messages/de.js';
import { fr as answerFr } from '../../../src/analysis/present/messages/fr.js';
import { es as answerEs } from '../../../src/analysis/present/messages/es.js';
import { ja as answerJa } from '../../../src/analysis/present/messages/ja.js';
import { zhHans as answerZh } from '../../../src/analysis/present/messages/zh-Hans.js';
import { en as pageEn } from '../../../src/web/messages/en.js';
import { de as pageDe } from '../../../src/web/messages/de.js';
import { fr as pageFr } from '../../../src/web/messages/fr.js';
import { es as pageEs } from '../../../src/web/messages/es.js';
import { ja as pageJa } from '../../../src/web/messages/ja.js';
import { zhHans as pageZh } from '../../../src/web/messages/zh-Hans.js';
import { en as consoleEn } from '../../../src/web/console-messages/en.js';
import { de as consoleDe } from '../../../src/web/console-messages/de.js';
import { fr as consoleFr } from '../../../src/web/console-messages/fr.js';
import { es as consoleEs } from '../../../src/web/console-messages/es.js';
import { ja as consoleJa } from '../../../src/web/console-messages/ja.js';
import { zhHans as consoleZh } from '../../../src/web/console-messages/zh-Hans.js';
import { en as siteEn } from '../../../src/web/console-site-messages/en.js';
import { de as siteDe } from '../../../src/web/console-site-messages/de.js';
import { fr as siteFr } from '../../../src/web/console-site-messages/fr.js';
import { es as siteEs } from '../../../src/web/console-site-messages/es.js';
import { ja as siteJa } from '../../../src/web/console-site-messages/ja.js';
import { zhHans as siteZh } from '../../../src/web/console-site-messages/zh-Hans.js';
import { en as signInEn } from '../../../src/web/console-sign-in-messages/en.js';
import { de as signInDe } from '../../../src/web/console-sign-in-messages/de.js';
import { fr as signInFr } from '../../../src/web/console-sign-in-messages/fr.js';
import { es as signInEs } from '../../../src/web/console-sign-in-messages/es.js';
import { ja as signInJa } from '../../../src/web/console-sign-in-messages/ja.js';
import { zhHans as signInZh } from '../../../src/web/console-sign-in-messages/zh-Hans.js';
import { TARGET_LABELS } from '../../../src/analysis/grade/targets.js';
import { couldNotTestSide, failureWords, sideWords } from '../../../src/analysis/present/could-not-test-text.js';
import { FINISH_REASONS, SIDES } from '../../../src/protocol/could-not-finish.js';
import { answerView, verdictWords } from '../../../src/analysis/present/answer.js';
import { keyFigures, plainText } from '../../../src/analysis/present/view.js';
import { acceptLanguageTags, langOfRequest, LANGS, pageLang, pickLang } from '../../../src/protocol/lang.js';
import type { Report } from '../../../src/analysis/schema/report-schema.js';
import { explain } from '../../../src/analysis/present/explain.js';
import { insufficientCauseText } from '../../../src/analysis/present/cause-text.js';
import { untranslated } from '../../../src/analysis/present/untranslated.js';
import { CATALOGUE_DIRS, untranslatedMessages } from '../../../scripts/untranslated.js';
import { withoutUntranslated } from '../../kit/untranslated.js';

/** The single-test golden reports (the aggregates have another shape). */
const GOLDEN_REPORTS = readdirSync('test/analysis/report/golden')
  .filter((f) => f.endsWith('.json') && !f.startsWith('aggregate-'))
  .map((f) => f.slice(0, -'.json'.length));
const golden = (name: string): Report => JSON.parse(readFileSync(join('test/analysis/report/golden', `${name}.json`), 'utf8')) as Report;

const CATALOGUES: ReadonlyArray<{ name: string; en: Source | Readonly<Record<string, string>>; others: Record<string, Readonly<Record<string, string>>> }> = [
  { name: 'the answer layer', en: answerEn, others: { de: answerDe, fr: answerFr, es: answerEs, ja: answerJa, 'zh-Hans': answerZh } },
  { name: 'the page', en: pageEn, others: { de: pageDe, fr: pageFr, es: pageEs, ja: pageJa, 'zh-Hans': pageZh } },
  { name: 'the help desk console', en: consoleEn, others: { de: consoleDe, fr: consoleFr, es: consoleEs, ja: consoleJa, 'zh-Hans': consoleZh } },
  { name: "the console's site report", en: siteEn, others: { de: siteDe, fr: siteFr, es: siteEs, ja: siteJa, 'zh-Hans': siteZh } },
  { name: "the console's company sign-in", en: signInEn, others: { de: signInDe, fr: signInFr, es: signInEs, ja: signInJa, 'zh-Hans': signInZh } },
];

describe('every catalogue', () => {
  for (const c of CATALOGUES) {
    it(`${c.name}: each language has every English key, no other, with the same placeholders`, () => {
      expect(Object.keys(c.others).sort()).toEqual(LANGS.filter((l) => l !== 'en').sort());
      for (const [lang, cat] of Object.entries(c.others)) {
        expect(Object.keys(cat).sort(), lang).toEqual(Object.keys(c.en).sort());
        for (const [key, text] of Object.entries(c.en)) {
          expect(placeholdersOf(cat[key] ?? '').sort(), `${lang} ${key}`).toEqual(placeholdersOf(text).sort());
          expect(cat[key]?.trim(), `${lang} ${key} is empty`).not.toBe('');
        }
      }
    });
  }

  it("the targets' names are the grades' labels, word for word in English (the console's tables and the answer layer's)", () => {
    for (const [target, label] of Object.entries(TARGET_LABELS)) {
      expect(siteEn[`target.${target}` as keyof typeof siteEn], target).toBe(label);
      expect(answerEn[`targetLabel.${target}` as keyof typeof answerEn], target).toBe(label);
    }
  });

  it("Details for IT's words cover every code a report holds: each target's statistic, each reason, each direction, in English the report's own words", () => {
    const targets = Object.keys(TARGET_LABELS);
    const reasons = ['no-data', 'too-few-packets', 'window-not-filled', 'suspect-windows', 'not-resolvable', 'reliable-channel', 'device-busy', 'server-busy'];
    const keys = [
      ...targets.map((t) => `it.stat.${t}`),
      ...reasons.flatMap((r) => [`it.reason.${r}`, `because.${r}`]),
      ...['up', 'down', 'loop', 'round-trip'].flatMap((d) => [`it.dir.${d}`, `it.who.${d}`]),
    ];
    for (const key of keys) expect(answerEn[key as keyof typeof answerEn], key).toBeTypeOf('string');
    // The English of each code is what the report stores for it (a grade's statistic, its reason with spaces).
    for (const name of ['clean-15s', 'jitter-fail', 'rtt-too-few', 'reorder-one-short', 'device-busy']) {
      for (const g of golden(name).grades) {
        expect(answerEn[`it.stat.${g.target}`], `${name} ${g.target}`).toBe(g.statistic);
        if (g.reason !== null) expect(answerEn[`it.reason.${g.reason}`]).toBe(g.reason.replace(/-/g, ' '));
      }
    }
  });

  it('the explanation worded through the catalogue in English is the one each golden report stores, byte for byte', () => {
    for (const name of GOLDEN_REPORTS) {
      const r = golden(name);
      const input = {
        verdict: r.summary.verdict,
        profileLabel: r.meta.profile.label,
        grades: r.grades,
        mos: r.mos,
        teams: r.teamsPoorStream,
        diagnostics: r.diagnostics,
        outcome: r.outcome,
        hints: r.hints,
        connectivity: r.connectivity,
        userAgent: r.meta.browser,
        caution: r.summary.caution ?? null,
        path: r.path,
        causeText: insufficientCauseText(r),
      };
      expect(explain(input, EN), name).toEqual(r.explanation);
    }
  });

  it("the page's could-not-run words are the analysis's, word for word in English", () => {
    const reasons = Object.keys(pageEn)
      .filter((k) => k.startsWith('fail.') && k !== 'fail.title' && k !== 'fail.titleBrowser' && k !== 'fail.other')
      .map((k) => k.slice('fail.'.length));
    // Every reason of the one list (src/protocol/could-not-finish.ts) has its words on the page, none more.
    expect([...reasons].sort()).toEqual([...FINISH_REASONS].sort());
    for (const reason of reasons) expect(pageEn[`fail.${reason}` as keyof typeof pageEn], reason).toBe(failureWords(reason));
    expect(pageEn['fail.other'].replace('{reason}', 'x')).toBe(failureWords('x'));
    // A stored record of the former spelling reads as its successor.
    expect(failureWords('relay-unreachable')).toBe(pageEn['fail.could-not-connect']);
    for (const side of SIDES) expect(pageEn[`where.${side}`]).toBe(sideWords(side));
    for (const [reason, side] of [
      ['relay-unreachable', 'network-or-server'],
      ['could-not-connect', 'network-or-server'],
      ['connection-lost', 'network-or-server'],
      ['relay-refused', 'server'],
      ['browser-unsupported', 'browser'],
      ['bad-parameters', 'link'],
      ['x', 'unknown'],
    ] as const)
      expect(couldNotTestSide(reason)).toBe(side);
    // The side stored with a record (the evidence decided it) wins over the reason's own.
    expect(couldNotTestSide('could-not-connect', 'network')).toBe('network');
    expect(couldNotTestSide('could-not-connect', 'martian')).toBe('network-or-server');
  });
});

describe('untranslated messages', () => {
  it('are marked in the catalogues this test reads, and each is its English message word for word', () => {
    expect([...CATALOGUE_DIRS].sort()).toEqual(
      [
        'src/analysis/present/messages',
        'src/web/messages',
        'src/web/console-messages',
        'src/web/console-site-messages',
        'src/web/console-sign-in-messages',
      ].sort(),
    );
    const english: Record<string, Readonly<Record<string, string>>> = {
      'src/analysis/present/messages': answerEn,
      'src/web/messages': pageEn,
      'src/web/console-messages': consoleEn,
      'src/web/console-site-messages': siteEn,
      'src/web/console-sign-in-messages': signInEn,
    };
    for (const m of untranslatedMessages()) {
      const dir = m.file.slice(0, m.file.lastIndexOf('/'));
      expect(m.english, `${m.file} ${m.key}: an untranslated message is the English text as is`).toBe(english[dir]?.[m.key]);
    }
  });

  it('cost nothing: the mark is the English text itself', () => {
    expect(untranslated('Probes lost: {count}')).toBe('Probes lost: {count}');
  });

  it('are accepted where English is rejected, their placeholders filled', () => {
    const marked = [{ lang: 'ja', english: 'The relay lost {count} probes upstream.' }];
    const text = '通話は問題なく使えるはずです。\nThe relay lost 12 probes upstream.';
    expect(withoutUntranslated(text, 'ja', marked).match(/[A-Za-z]{3,}/g)).toBeNull();
    expect(withoutUntranslated(text, 'de', marked)).toBe(text);
    expect(withoutUntranslated('The relay lost 12 probes downstream.', 'ja', marked)).toBe('The relay lost 12 probes downstream.');
  });
});

describe('numbers in a language', () => {
  it('keep format.ts’s precision, with that language’s decimal mark, group mark and units', async () => {
    const de = await loadMessages('de');
    const fr = await loadMessages('fr');
    const ja = await loadMessages('ja');
    expect(EN.fmt.figurePct(0.004)).toBe('0.004%');
    expect(de.fmt.figurePct(0.004)).toBe('0,004\u00a0%');
    expect(de.fmt.figureMs(1234.56)).toBe('1.234,6\u00a0ms');
    expect(fr.fmt.figureMs(1234.56)).toBe('1\u202f234,6\u00a0ms');
    expect(ja.fmt.figureMs(99.96, 100)).toBe('99.96 ms');
    expect(de.fmt.seconds(74_000)).toBe('74\u00a0s');
    expect(de.fmt.figure(null, 'ms')).toBe('–');
    expect(de.fmt.portSpan([3478, 3479, 3480, 3481, 5349])).toBe('3478-3481 und 5349');
    expect(ja.fmt.andList(['UDP 3478', 'TCP 443'])).toBe('UDP 3478、TCP 443');
  });
});

describe('the answer in another language', () => {
  it('German: the headline, the findings and the advice are German sentences, its figures German numbers', async () => {
    const de = await loadMessages('de');
    const r = golden('loss-heavy');
    const a = answerView(r, de);
    expect(a.sentence).toBe('Anrufe werden wahrscheinlich abreißen: Ihre Verbindung verliert Pakete in beide Richtungen.');
    expect(a.advice[0]).toMatchObject({
      id: 'wifi-or-cable',
      because: 'die schlechtesten 15 s verloren 12,53\u00a0% im Upstream und 2,00\u00a0% im Downstream',
    });
    expect(verdictWords(r, de)).toBe('NICHT BESTANDEN');
    // The English of the same report, unchanged.
    expect(answerView(r).advice[0]?.because).toBe('the worst 15 s lost 12.53% upstream and 2.00% downstream');
    expect(plainText(keyFigures(r, de)[0]?.parts ?? [])).toMatch(/^Round-Trip-Zeit p50 [\d,.]+\u00a0ms, p90 [\d,.]+\u00a0ms$/);
  });

  it('Japanese: no English word is left in the answer of a clean test or of a failed one', async () => {
    const ja = await loadMessages('ja');
    for (const name of ['clean-15s', 'loss-heavy', 'jitter-fail', 'fallback-tcp']) {
      const a = answerView(golden(name), ja);
      const text = withoutUntranslated(
        [a.sentence, a.caution ?? '', ...a.findings.map((f) => f.sentence), ...a.advice.flatMap((x) => [x.text, x.because])].join('\n'),
        'ja',
      );
      // Technical names stay as they are (UDP, TCP, TLS, VPN, Wi-Fi, SQM, IT, ms, p50); no other Latin word.
      const words = text.match(/[A-Za-z]{3,}/g) ?? [];
      expect(
        words.filter((w) => !/^(UDP|TCP|TLS|VPN|Teams|SQM|Wi|Fi)$/.test(w)),
        name,
      ).toEqual([]);
    }
  });
});

describe('choosing a language', () => {
  it('picks the first shipped language a reader asks for; Chinese only when Simplified', () => {
    expect(pickLang(['it', 'de-AT', 'en'])).toBe('de');
    expect(pickLang(['zh-TW', 'zh-Hant-HK', 'ja'])).toBe('ja');
    expect(pickLang(['zh-CN'])).toBe('zh-Hans');
    expect(pickLang(['zh'])).toBe('zh-Hans');
    expect(pickLang(['ZH-hans-sg'])).toBe('zh-Hans');
    expect(pickLang(['pt-BR'])).toBeNull();
  });

  it('reads Accept-Language by quality, in order among equals, without q=0 or *', () => {
    expect(acceptLanguageTags('fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5')).toEqual(['fr-CH', 'fr', 'en', 'de']);
    expect(acceptLanguageTags('en;q=0.1, ja, de;q=0')).toEqual(['ja', 'en']);
    expect(acceptLanguageTags(undefined)).toEqual([]);
    expect(acceptLanguageTags(`${'x,'.repeat(1000)}de`)).toEqual(Array(16).fill('x'));
  });

  it('?lang= over Accept-Language over English, on the server; ?lang= over the server over the browser, on the page', () => {
    expect(langOfRequest('ja', 'de-DE,de;q=0.9')).toBe('ja');
    expect(langOfRequest(undefined, 'pt-BR, es;q=0.5')).toBe('es');
    expect(langOfRequest('xx', 'pt')).toBe('en');
    expect(pageLang(null, 'fr', ['de'])).toBe('fr');
    expect(pageLang('ja', 'fr', ['de'])).toBe('ja');
    expect(pageLang(null, null, ['pt', 'es-MX'])).toBe('es');
    expect(pageLang(null, null, [])).toBe('en');
  });
});
