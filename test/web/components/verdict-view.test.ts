// @vitest-environment happy-dom
/**
 * <cp-verdict-view> as a person reads it, rendered from the golden reports: the verdict word,
 * the one-line answer, the result code, which key figures are bold and which targets failed;
 * and no accessibility violation axe-core can find without layout.
 */
import { describe, expect, it } from 'vitest';
import type { Report } from '../../../src/analysis/schema/report-schema.js';
import { VerdictView } from '../../../src/web/components/verdict-view.js';
import { loadMessages } from '../../../src/analysis/present/catalogue.js';
import type { SaveState } from '../../../src/web/results.js';
import { all, axeProblems, golden, mount, one, words } from './dom.js';
import { withoutUntranslated } from '../../kit/untranslated.js';

VerdictView.define('cp-verdict-view');

const SAVED: SaveState = { kind: 'saved', code: 'K7QF-3MZD', url: 'https://callprobe.example.test/r/K7QF-3MZD' };

const show = (report: Report, save: SaveState = SAVED): Promise<VerdictView> => mount<VerdictView>('cp-verdict-view', { report, save, json: report });

/** The target rows marked failed, as "target direction: measured". */
const failedTargets = (v: VerdictView): string[] =>
  all(v, 'tr[data-target]')
    .filter((row) => row.querySelector('.status.fail') !== null)
    .map((row) => `${row.dataset.target} ${row.dataset.direction}: ${words(row.querySelector('[data-label="Measured"]'))}`);

/** The key figures' bold parts, by figure. */
const boldFigures = (v: VerdictView): Record<string, string[]> =>
  Object.fromEntries(all(v, '[data-figure]').map((li) => [li.dataset.figure, [...li.querySelectorAll('strong')].map((s) => words(s))]));

describe('the verdict', () => {
  it('of a failed test: Fail, the answer for everyone, the failed targets, the result code (jitter-fail)', async () => {
    const v = await show(golden('jitter-fail'));
    expect(words(one(v, '.title'))).toBe('Fail');
    expect(words(one(v, '#answer'))).toBe('Calls will likely sound choppy: the timing of packets varies too much.');
    expect(one(v, 'section.banner').dataset.verdict).toBe('fail');
    // Bold only what failed: jitter and reorder, not the round trip, loss or the probe count.
    expect(boldFigures(v)).toEqual({ rtt: [], jitter: ['70.0 ms'], loss: [], reorder: ['49.95%'], mos: [], probes: [] });
    // The code right under the answer, so that a phone shows the verdict, the answer and the code together.
    expect(words(one(v, '[data-code-line]'))).toBe('Result code for your help desk: K7QF-3MZD');
    expect(one(v, 'section.banner [data-code-line]').previousElementSibling?.id).toBe('answer');
    // A reassuring MOS beside a fail says what it is.
    expect(words(one(v, '[data-figure="mos"]'))).toBe('MOS estimate 4.32 (a whole-test average: it cannot see the stretches that failed)');
    expect(failedTargets(v)).toEqual(['jitter-15s down: 70.0 ms', 'reorder down: 49.95%']);
    const card = one(v, 'cp-result-card');
    expect(words(one(card, '[data-result-code]'))).toBe('K7QF-3MZD');
    expect(one<HTMLAnchorElement>(card, '[data-result-link]').getAttribute('href')).toBe('https://callprobe.example.test/r/K7QF-3MZD');
    expect(await axeProblems()).toEqual([]);
  });

  it('of a clean test: Pass, no failed target, no caution (clean-15s)', async () => {
    const v = await show(golden('clean-15s'));
    expect(words(one(v, '.title'))).toBe('Pass');
    expect(words(one(v, '#answer'))).toBe('Calls should work well here.');
    expect(all(v, '[data-caution]')).toEqual([]);
    expect(failedTargets(v)).toEqual([]);
    expect(all(v, 'tr[data-target] .status.pass').length).toBeGreaterThan(0);
    expect(await axeProblems()).toEqual([]);
  });

  it('of a pass over TCP only: the fallback title and why it is not a plain pass (fallback-tcp)', async () => {
    const v = await show(golden('fallback-tcp'));
    expect(words(one(v, '.title'))).toBe('Pass, only over a fallback path');
    expect(words(one(v, '#answer'))).toBe('Calls work here only over a fallback path; give your IT team the result code.');
    expect(words(one(v, '[data-caution]'))).toMatch(/^UDP 3478-3481 to the relay did not answer, so this test ran over TCP 3478/);
    expect(one(v, 'section.banner').dataset.tone).toBe('caution');
    expect(await axeProblems()).toEqual([]);
  });

  it('of a test that could not connect: no verdict, what each relay port answered instead of figures (could-not-connect)', async () => {
    const v = await show(golden('could-not-connect'));
    expect(words(one(v, '.title'))).toBe('No verdict: could not connect');
    expect(words(one(v, '#answer'))).toBe('The test could not reach the relay: none of the ports it tried answered.');
    expect(all(v, '[data-figure]')).toEqual([]);
    const rungs = all(v, '[data-rung]').map((li) => words(li));
    expect(rungs.length).toBeGreaterThan(0);
    expect(
      rungs.every((line) => /timeout|did not answer|no answer/i.test(line)),
      rungs.join('\n'),
    ).toBe(true);
    expect(await axeProblems()).toEqual([]);
  });

  it('of a test without enough evidence: no verdict, and no target failed (empty)', async () => {
    const v = await show(golden('empty'));
    expect(words(one(v, '.title'))).toBe('No verdict: not enough evidence');
    expect(words(one(v, '#answer'))).toBe('No answer yet: this test could not judge every target, and none failed.');
    expect(failedTargets(v)).toEqual([]);
    expect(await axeProblems()).toEqual([]);
  });

  it('not saved: says why, and offers the details and the JSON instead of a code', async () => {
    const v = await show(golden('loss-heavy'), { kind: 'failed', reason: 'unreachable', message: 'fetch failed' });
    expect(words(one(v, '.title'))).toBe('Fail');
    const card = one(v, 'cp-result-card');
    expect(all(card, '[data-result-code]')).toEqual([]);
    expect(words(one(card, '#card-title'))).toBe('Not saved: the server could not be reached');
    expect(words(one(card, '[data-details]'))).not.toBe('');
    expect(all(card, 'button').map((b) => words(b))).toEqual(['Copy details', 'Download the full report (JSON)']);
    expect(await axeProblems()).toEqual([]);
  });

  it('a fallback path under a fail: the blocked ports and what to do on top, whatever the verdict; a settled fail withdrawn says so', async () => {
    const fallback = golden('fallback-tcp');
    const r = { ...golden('loss-heavy'), connectivity: fallback.connectivity, path: fallback.path, hints: fallback.hints };
    const v = await show(r);
    expect(all(v, '[data-fact]').map((li) => li.dataset.fact)).toEqual(['fallback-path']);
    expect(words(one(v, '[data-fact]'))).toMatch(
      /^UDP 3478-3481 to the relay did not answer, so this test ran over TCP 3478.* Ask your network team to allow UDP 3478-3481 outbound to the relay/,
    );
    const pass = await show({
      ...golden('clean-15s'),
      provisional: [
        {
          atMs: 3000,
          claims: [
            {
              metric: 'burst-loss-200ms',
              direction: 'down',
              kind: 'settled-fail',
              evidence: '3 of 20 probes (15%) lost in 200 ms at 2.3 s; limit < 10%',
              held: false,
            },
          ],
        },
      ],
    });
    expect(words(one(pass, '[data-withdrawn]'))).toMatch(
      /^Withdrawn: the early answer "Calls will break up here" \(3 of 20 probes \(15%\) lost in 200 ms at 2\.3 s, the relay to you\) did not hold: /,
    );
    expect(await axeProblems()).toEqual([]);
  });

  it("axe-core reads inside the components' shadow roots (an image without a text alternative is found)", async () => {
    const v = await show(golden('clean-15s'));
    v.shadowRoot?.append(document.createElement('img'));
    expect((await axeProblems()).map((p) => p.split(':')[0])).toEqual(['image-alt']);
  });
});

describe("a test on a hub's edge", () => {
  it('says the nearest test server first, and lists every one measured for IT', async () => {
    const base = golden('clean-15s');
    const report: Report = {
      ...base,
      meta: { ...base.meta, edge: { id: 'weu-1', azureRegion: 'West Europe' } },
      locate: {
        nearest: 'weu-1',
        lossTargetPct: 10,
        budgetMs: 3000,
        edges: [
          { id: 'weu-1', azureRegion: 'West Europe', state: 'ok', allocateMs: 40.2, rttMsP50: 23.4, rttMsP90: 25, lossPct: 0, probesSent: 20 },
          { id: 'neu-1', azureRegion: 'North Europe', state: 'ok', allocateMs: 60.7, rttMsP50: 31, rttMsP90: 35, lossPct: 0, probesSent: 20 },
          { id: 'eus-1', azureRegion: 'East US', state: 'unreachable', allocateMs: null, rttMsP50: null, rttMsP90: null, lossPct: null, probesSent: 0 },
        ],
      },
    };
    const v = await show(report);
    expect(words(one(v, '[data-edge]'))).toBe('Nearest test server: West Europe, 23.4 ms away. Also tried: North Europe 31 ms, East US did not answer.');
    expect(all(v, 'tr[data-edge-row]').map((row) => words(row))).toEqual([
      'West Europe weu-1 answered 40.2 ms 23.4 ms 25.0 ms 0.00% nearest, tested',
      'North Europe neu-1 answered 60.7 ms 31.0 ms 35.0 ms 0.00%',
      'East US eus-1 did not answer – – – –',
    ]);
    expect(await axeProblems()).toEqual([]);
    // An all-in-one server's test says nothing of edges.
    const plain = await show(golden('clean-15s'));
    expect(all(plain, '[data-edge]')).toEqual([]);
    expect(all(plain, 'tr[data-edge-row]')).toEqual([]);
  });

  it("says a plain sentence per region leg, with the leg's own round trip and limit, then the table; or that the row's region has no test server", async () => {
    const base = golden('clean-15s');
    const profile = {
      id: 'azure-region' as const,
      azureRegion: 'West Europe',
      from: 'site' as const,
      label: 'Azure West Europe from your site (West Europe)',
      source: 's',
    };
    const near: Report = { ...base, meta: { ...base.meta, profile, edge: { id: 'neu-1', azureRegion: 'North Europe' } } };
    const legReport: Report = {
      ...near,
      meta: { ...near.meta, edge: { id: 'weu-1', azureRegion: 'West Europe' } },
      grades: near.grades.map((g) => (g.target === 'latency-rtt' ? { ...g, value: 41, threshold: 135, status: 'pass' as const } : g)),
    };
    const v = await show({ ...near, legs: [{ role: 'region', edge: { id: 'weu-1', azureRegion: 'West Europe' }, report: legReport }] });
    expect(all(v, '[data-region-leg]').map((p) => words(p))).toEqual([
      `To West Europe, where your Teams tenant is: 41 ms, within the 135 ms limit. That test's verdict: ${legReport.summary.verdict.toUpperCase()}.`,
    ]);
    const none = await show(near);
    expect(all(none, '[data-region-leg]').map((p) => words(p))).toEqual([
      'No test server in West Europe: graded on the nearest edge (North Europe), which is not that region.',
    ]);
    expect(await axeProblems()).toEqual([]);
  });
});

describe("the user's devices and network, under the answer", () => {
  it('says a silent microphone and a split path in plain words, apart from the verdict, axe-clean', async () => {
    const base = golden('clean-15s');
    const report: Report = {
      ...base,
      devices: {
        unattended: false,
        microphone: { state: 'silent', seconds: 5, loudestRmsDbfs: null, peakDbfs: null, clippedPct: 0 },
        speaker: { state: 'played', chosenOutput: false, heard: 'yes' },
        camera: null,
      },
      network: { connectionType: null, effectiveType: '4g', splitPath: 'split' },
    };
    // The verdict is the network's, as without the sections.
    const without = words(one(await show(base), '.title'));
    const v = await show(report);
    expect(words(one(v, '.title'))).toBe(without);
    expect(words(one(v, '[data-devices] li'))).toMatch(/^Your microphone sent no sound\./);
    expect(one(v, '[data-network]').dataset.network).toBe('split');
    expect(words(one(v, '[data-network]'))).toContain('Your web traffic and your call traffic left from different addresses');
    expect(await axeProblems()).toEqual([]);
  });

  it('says what video fits through the relay beside the verdict, never changing it, axe-clean', async () => {
    const base = golden('clean-15s');
    const way = {
      arrivedKbps: 958.4,
      cleanKbps: 958.4,
      lossPct: 0,
      worstLossPct: 0,
      sentKbps: 1018.8,
      packets: 498,
      plateauMs: 2000,
      limitedBy: 'network' as const,
    };
    const report: Report = {
      ...base,
      video: {
        seconds: 6,
        upstream: way,
        downstream: { ...way, cleanKbps: 4490, arrivedKbps: 4490, limitedBy: 'test' },
        room: ['audio', 'screen-sharing', 'video-360p'],
        unknown: [],
      },
    };
    const without = words(one(await show(base), '.title'));
    const v = await show(report);
    expect(words(one(v, '.title'))).toBe(without);
    const room = one(v, 'cp-video-room');
    expect(words(one(room, 'h2'))).toBe('Video through the relay');
    expect(words(one(room, 'p'))).toBe('Room through the relay for audio, screen sharing and video up to 360p.');
    expect(all(room, 'li').map((li) => words(li))[0]).toMatch(/^You to the relay: 0\.96 Mbit\/s carried nearly whole/);
    expect(await axeProblems()).toEqual([]);
  });

  it('says the listed media relays’ reachability as reachability, not quality, and each family to the relay, axe-clean', async () => {
    const base = golden('clean-15s');
    const fam = (rttMsP50: number) => ({ state: 'ok' as const, rttMsP50, rttMsP90: rttMsP50, lossPct: 0, probesSent: 50, probesJudged: 50 });
    const report: Report = {
      ...base,
      network: { connectionType: null, effectiveType: null, splitPath: 'same', families: { ipv4: fam(18), ipv6: fam(70), worse: 'ipv6' } },
      teamsReachability: {
        timeoutMs: 3000,
        triedBy: 'page',
        answers: [
          { url: 'stun:relay.example:3478', transport: 'udp', port: 3478, answer: 'reflexive', ms: 21 },
          { url: 'stun:relay.example:3479', transport: 'udp', port: 3479, answer: 'blocked', ms: null },
        ],
      },
    };
    const without = words(one(await show(base), '.title'));
    const v = await show(report);
    expect(words(one(v, '.title'))).toBe(without);
    expect(words(one(v, '[data-network]'))).toContain('IPv6 is much worse than IPv4 on the way to the relay.');
    const reach = words(one(v, '[data-reachability]'));
    expect(reach).toContain('This tests reachability, not quality');
    expect(reach).toContain('UDP 3479 stun:relay.example:3479: no answer within 3 s: blocked');
    expect(all(v, '[data-reachability] li')).toHaveLength(2);
    expect(await axeProblems()).toEqual([]);
  });

  it('in German and Japanese: Details for IT’s rows, explanation and relay ports come from the report’s codes, with no English row left', async () => {
    // A failed test with a test-server table, and a test that could not connect (its ports' answers).
    const base = golden('jitter-fail');
    const failed: Report = {
      ...base,
      meta: { ...base.meta, edge: { id: 'weu-1', azureRegion: 'West Europe' } },
      locate: {
        nearest: 'weu-1',
        lossTargetPct: 10,
        budgetMs: 3000,
        edges: [
          { id: 'weu-1', azureRegion: 'West Europe', state: 'ok', allocateMs: 40.2, rttMsP50: 23.4, rttMsP90: 25, lossPct: 0, probesSent: 20 },
          { id: 'eus-1', azureRegion: 'East US', state: 'unreachable', allocateMs: null, rttMsP50: null, rttMsP90: null, lossPct: null, probesSent: 0 },
        ],
      },
    };
    const english = await mount<VerdictView>('cp-verdict-view', { report: failed, save: SAVED });
    const englishRows = [...all(english, 'table tbody th'), ...all(english, 'td.means'), ...all(english, 'table.locate td')].map((c) => words(c));
    const de = await mount<VerdictView>('cp-verdict-view', { report: failed, save: SAVED, messages: await loadMessages('de') });
    const rows = (v: VerdictView): string[] => [...all(v, 'table tbody th'), ...all(v, 'td.means'), ...all(v, 'table.locate td')].map((c) => words(c));
    // No row of the English table is left, except the figures and the names that are the same in every language (server ids, regions).
    const same = (t: string): boolean => /^[–\d.,\s%ms<>]*$/.test(t) || failed.locate?.edges.some((e) => e.id === t || e.azureRegion === t) === true;
    expect(rows(de).filter((t) => englishRows.includes(t) && !same(t))).toEqual([]);
    expect(words(one(de, 'tr[data-target="jitter-15s"][data-direction="down"] th'))).toBe(
      'Jitter der Paketankunft (beliebige 15 s) Downstream, schlechtestes 15-s-Fenster (mittlerer Jitter nach RFC 3550)',
    );
    expect(words(one(de, 'tr[data-target="jitter-15s"][data-direction="down"] td.means'))).toMatch(
      /^Downstream \(vom Relay zu Ihnen\): 70,0 ms \(schlechtestes 15-s-Fenster \(mittlerer Jitter nach RFC 3550\)\); der Zielwert liegt unter 30 ms, also nicht bestanden\.$/,
    );
    expect(rows(de)).toContain('Upstream (Sie → Relay)');
    expect(all(de, 'tr[data-edge-row]').map((row) => words(row))).toEqual([
      'West Europe weu-1 hat geantwortet 40,2 ms 23,4 ms 25,0 ms 0,00 % am nächsten, getestet',
      'East US eus-1 hat nicht geantwortet – – – –',
    ]);
    const explanation = all(de, '.explanation p').map((p) => words(p));
    expect(explanation[0]).toMatch(/^NICHT BESTANDEN: Diese Verbindung erfüllt die Zielwerte „.+“ nicht/);
    expect(explanation.at(-1)).toBe(
      'Ein Test ist eine Stichprobe: Microsoft empfiehlt, mindestens eine Woche lang alle 10 Minuten zu testen und das 90. Perzentil der Ergebnisse mit den Zielwerten zu vergleichen.',
    );
    expect(explanation.some((p) => failed.explanation.includes(p))).toBe(false);

    const ja = await loadMessages('ja');
    const silent = await mount<VerdictView>('cp-verdict-view', { report: golden('could-not-connect'), save: SAVED, messages: ja });
    const ports = all(one(silent, 'cp-report-details'), 'li').map((li) => words(li));
    expect(ports).toContain('UDP 3478: 応答がありませんでした。');
    expect(all(silent, '.explanation p').map((p) => words(p))[0]).toMatch(/^判定なし: /);
    const jaFailed = await mount<VerdictView>('cp-verdict-view', { report: failed, save: SAVED, messages: ja });
    // Technical names stay (RFC, p50, ms, UDP, the server ids and regions); no other Latin word in a translated row.
    const latin = rows(jaFailed)
      .filter((t) => !same(t))
      .flatMap((t) => withoutUntranslated(t, 'ja').match(/[A-Za-z]{3,}/g) ?? [])
      .filter((w) => !/^(RFC|UDP|TCP|TLS|ICE|RTCP|TURN)$/.test(w));
    expect(latin).toEqual([]);
    expect(await axeProblems()).toEqual([]);
  });

  it('in Japanese: Details for IT has its headings, captions and column heads in the reader’s language', async () => {
    const v = await mount<VerdictView>('cp-verdict-view', { report: golden('clean-15s'), save: SAVED, messages: await loadMessages('ja') });
    expect(words(one(v, 'table.targets caption'))).toMatch(/^目標値: /);
    expect(all(v, 'table.targets thead th').map((th) => words(th))).toEqual(['目標値', '測定値', '上限', '結果', '意味']);
    expect(all(one(v, 'cp-report-details'), 'summary').map((s) => words(s))).toContain('測定方法');
    expect(await axeProblems()).toEqual([]);
  });
});
