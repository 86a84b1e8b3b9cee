import { describe, expect, it } from 'vitest';
import { formatSummary } from '../../client/summary.js';
import { EN, loadMessages } from '../../src/analysis/present/catalogue.js';
import { analyze } from '../../src/analysis/report/analyze.js';
import { reflectorInput } from '../analysis/report/inputs.js';
import { GOLDEN_CASES } from '../analysis/report/golden-cases.js';
import { withoutUntranslated } from '../kit/untranslated.js';

describe('callprobe run: human summary', () => {
  it('prints the figures with the precision the grades used (99.96 ms passes "< 100 ms")', () => {
    const text = formatSummary(analyze(reflectorInput({ count: 1500, rttMs: () => 99.96 })));
    const lines = text.split('\n');
    expect(lines[0]).toBe('Verdict: PASS');
    expect(text).toContain('\n  client to relay edge; reflector mode via udp/3478; 15 s at 100 probes/s\n');
    expect(text).toContain(
      '\n  round trip p50 99.96 ms, p90 99.96 ms; jitter (worst 15 s) 0.0 ms; loss (worst 15 s) 0.00%; worst 200 ms 0.00%; reorder 0.00%; MOS estimate ',
    );
    expect(text).toContain('\n  upstream (you → relay): loss 0.00% and jitter 0.0 ms (worst 15 s), reorder 0.00%, 0 lost probes\n');
    expect(lines[1]).toBe('  Calls should work well here.');
    // Reorder alone unconfirmed is a note in the grades, not a longer test to run.
    expect(text).not.toContain('To be thorough');
    expect(text).toContain('\n  PASS, NOT CONFIRMED  ');
    expect(text).toContain(
      '\n  PASS                 Round-trip time to the relay was 99.96 ms (median of 1,500 probes); the target is below 100 ms, so this passes.\n',
    );
    expect(text).not.toMatch(/\b100\.0 ms/);
    // What "pass, not confirmed" means is said where it is shown.
    expect(text).toContain(
      '\n  Pass, not confirmed: the measured value is below the limit, so the verdict counts it as met, but the test was too short to rule out',
    );
  });

  it('--lang de: the verdict, the answer and what to try in German', async () => {
    const r = analyze(reflectorInput({ count: 1500, rttMs: () => 99.96 }));
    const text = formatSummary(r, await loadMessages('de'));
    const lines = text.split('\n');
    expect(lines[0]).toBe('Ergebnis: BESTANDEN');
    expect(lines[1]).toBe('  Anrufe sollten hier gut funktionieren.');
    expect(text).not.toContain('Zur Sicherheit');
    expect(text).toMatch(/\n {2}BESTANDEN, NICHT BESTÄTIGT {2}0,00\u00a0% {4}< 0,05\u00a0% {2}Reihenfolgefehler der Pakete: Upstream, /);
    // English without --lang, byte for byte.
    expect(formatSummary(r, EN)).toBe(formatSummary(r));
  });

  it('a pass only over a fallback path: the verdict line says so, the answer sentence second, then the caution naming the ports tried', () => {
    const report = analyze(GOLDEN_CASES.find((c) => c.name === 'fallback-tcp')?.input() ?? reflectorInput({ count: 1 }));
    const lines = formatSummary(report).split('\n');
    expect(lines[0]).toBe('Verdict: PASS (only over a fallback path)');
    expect(lines[1]).toBe('  Calls work here only over a fallback path; give your IT team the result code.');
    expect(lines[2]).toMatch(/^ {2}UDP 3478-3481 to the relay did not answer, so this test ran over TCP 3478: /);
    expect(lines[3]).toBe('  What to do:');
    expect(lines[4]).toMatch(/^ {4}1\. Give your IT team the result code and ask them to allow UDP 3478-3481 outbound/);
  });

  it('no verdict on a busy device, over a TCP fallback: the blocked ports and the action right under the answer', () => {
    const busy = analyze(GOLDEN_CASES.find((c) => c.name === 'troubled-sender')?.input() ?? reflectorInput({ count: 1 }));
    const fallback = analyze(GOLDEN_CASES.find((c) => c.name === 'fallback-tcp')?.input() ?? reflectorInput({ count: 1 }));
    const lines = formatSummary({ ...busy, connectivity: fallback.connectivity, path: fallback.path, hints: fallback.hints }).split('\n');
    expect(lines[0]).toBe('Verdict: INSUFFICIENT');
    expect(lines[1]).toMatch(/^ {2}No verdict: this device was too busy to measure the network/);
    expect(lines[2]).toBe(
      '  ! UDP 3478-3481 to the relay did not answer, so this test ran over TCP 3478, a fallback path: calls get through there, but they lag and stutter when the network is busy. Ask your network team to allow UDP 3478-3481 outbound to the relay, and give them the result code.',
    );
  });

  it('shows a dash for figures a test could not measure', () => {
    const input = reflectorInput({ count: 10 });
    const text = formatSummary(analyze({ ...input, roundTrip: { sent: input.roundTrip.sent, samples: [] } }));
    expect(text).toMatch(/^Verdict: INSUFFICIENT/);
    expect(text).toContain('round trip p50 –, p90 –;');
    expect(text).toContain('MOS estimate –;');
  });
});

describe("run's summary with a device check", () => {
  it("says each device after the network's answer, under a heading that keeps it out of the verdict, and nothing without a check", () => {
    const report = analyze(reflectorInput({ count: 1500 }));
    const lines = formatSummary({
      ...report,
      devices: {
        unattended: true,
        microphone: { state: 'silent', seconds: 5, loudestRmsDbfs: null, peakDbfs: null, clippedPct: 0 },
        speaker: null,
        camera: null,
      },
    }).split('\n');
    const at = lines.indexOf('  Devices (never part of the verdict):');
    expect(at).toBeGreaterThan(1);
    expect(lines[0]).toBe(formatSummary(report).split('\n')[0]);
    expect(lines[at + 2]).toMatch(/^ {4}Your microphone sent no sound\./);
    expect(formatSummary(report)).not.toContain('Devices');
  });
});

describe('run --lang: the summary below the advice', () => {
  const failed = analyze(GOLDEN_CASES.find((c) => c.name === 'jitter-fail')?.input() ?? reflectorInput({ count: 1 }));
  /**
   * The lines after the advice, less what stays English by design: the quoted hints (after "Worth
   * knowing") and the messages the language's catalogues mark untranslated.
   */
  const below = (text: string, worth: string, lang: string): string[] =>
    withoutUntranslated(text.slice(text.indexOf('\n\n')), lang)
      .split('\n')
      .filter((line) => !line.startsWith(`  ${worth}`));

  it('German: the explanation, the figures, each direction and the targets table, no English row left', async () => {
    const text = formatSummary(failed, await loadMessages('de'));
    expect(text).toContain('\n  vom Client zum Relay am Netzwerkrand; Modus Reflektor über udp/3478; 40\u00a0s mit 50 Testpaketen/s\n');
    expect(text).toContain('\n  Jitter (schlechteste 15 s) 70,0\u00a0ms\n');
    expect(text).toContain(
      '\n  Downstream (Relay → Sie): Paketverlust 0,00\u00a0% und Jitter 70,0\u00a0ms (schlechteste 15 s), Reihenfolgefehler 49,95\u00a0%, verlorene Testpakete: 0\n',
    );
    expect(text).toMatch(/\n {2}Ergebnis +Gemessen +Grenze +Zielwert\n/);
    expect(text).toMatch(
      /\n {2}NICHT BESTANDEN +70,0\u00a0ms +< 30\u00a0ms +Jitter der Paketankunft \(beliebige 15\u00a0s\): Downstream, schlechtestes 15-s-Fenster/,
    );
    expect(text).toMatch(/\n {2}NICHT BEWERTET \(nicht auflösbar\) +0,00\u00a0% +< 10\u00a0% +Verlustschübe/);
    expect(text).toContain('\n  Bestanden, nicht bestätigt: Der gemessene Wert liegt unter der Grenze');
    const english = /\b(the|loss|worst|probes?|lost|pass|fail|judged|reorder|window|measured|limit|target|mode|round trip|and|of)\b/;
    expect(below(text, 'Gut zu wissen:', 'de').filter((line) => english.test(line))).toEqual([]);
  });

  it('Japanese: the same, its table aligned in terminal columns (a wide character takes two)', async () => {
    const text = formatSummary(failed, await loadMessages('ja'));
    expect(text).toContain('\n  クライアントからエッジのリレーまで、リフレクターモード (udp/3478 経由)、40 秒、毎秒 50 プローブ\n');
    expect(text).toContain(
      '\n  下り (リレー → あなた): パケットロス 0.00%、ジッター 70.0 ms (最も悪い 15 秒)、順序の入れ替わり 49.95%、失われたプローブ 0 個\n',
    );
    const lines = text.split('\n');
    const head = lines.find((line) => line.startsWith('  結果 '));
    const fail = lines.find((line) => line.startsWith('  不合格 ') && line.includes('70.0 ms'));
    // 結果 and 不合格 are 4 and 6 columns wide: both padded to the widest result, 評価なし (分解能が足りない) (27 columns), and 2.
    expect(head).toBe('  結果                         測定値   上限      目標値');
    expect(fail).toBe(
      '  不合格                       70.0 ms  < 30 ms   パケット到着のジッター (任意の 15 秒): 下り、最悪の 15 秒間 (RFC 3550 ジッターの平均)',
    );
    // Left in the Latin alphabet: units, the names that are never translated, the relay port.
    const kept = /\b(ms|MOS|RFC|ITU-T|G\.109|Teams|Skype|Microsoft|udp|p50|p90|R)\b/g;
    expect(below(text, '参考:', 'ja').filter((line) => /[A-Za-z]{2,}/.test(line.replace(kept, '')))).toEqual([]);
  });

  it('German: the busy line from its codes and figures', async () => {
    const loaded = (addedDelayMs: number, goodputMbps: number) => ({
      goodputMbps,
      bytes: 2_400_000,
      saturated: true,
      stop: 'stable' as const,
      durationMs: 4000,
      windowMs: { fromMs: 0, toMs: 4000 },
      addedDelayMs,
      addedDelayMsP90: addedDelayMs,
      idleRttMs: 10,
      loadedRttMs: 10 + addedDelayMs,
      jitterMs: 0.5,
      lossPct: 0,
      burstLossPctMax200ms: 0,
      probes: { sent: 400, received: 400, suspect: 0 },
      targets: [],
      grade: addedDelayMs < 30 ? 'A' : 'C',
      flows: 6,
      errors: [],
    });
    const load = {
      budgetBytesPerDirection: 50_000_000,
      startedAt: '2026-01-01T00:00:02.000Z',
      bytes: 11_900_000,
      durationMs: 8000,
      up: loaded(180, 4.8),
      down: loaded(0, 19),
      capacity: null,
      gradeSource: 'a document',
      method: 'a method',
      verdict: { kind: 'suffers' as const, text: 'Calls will suffer when the line is busy: uploads add 180 ms.', directions: ['up' as const] },
    };
    const text = formatSummary({ ...failed, load }, await loadMessages('de'));
    expect(text).not.toContain('Calls will suffer');
    expect(text).toMatch(
      /\n {2}Bei ausgelasteter Leitung: .+\n {4}Beim Hochladen \(Sie → Relay\): 4,8\u00a0Mbit\/s, Round-Trip-Zeit 10,0\u00a0ms ruhend, 190,0\u00a0ms belastet, hinzugekommen \+180,0\u00a0ms \(Note C\)/,
    );
    expect(text).toContain('\n    Übertragen: 11,9\u00a0MB von höchstens 100\u00a0MB (50\u00a0MB je Richtung) in 8\u00a0s.\n');
  });
});
