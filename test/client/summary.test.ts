import { describe, expect, it } from 'vitest';
import { formatSummary } from '../../client/summary.js';
import { EN, loadMessages } from '../../src/analysis/present/catalogue.js';
import { analyze } from '../../src/analysis/report/analyze.js';
import { reflectorInput } from '../analysis/report/inputs.js';
import { GOLDEN_CASES } from '../analysis/report/golden-cases.js';

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
    expect(text).toContain('\n  To be thorough:\n    1. Run a 74 s test to confirm packet reorder.');
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

  it('--lang de: the verdict, the answer and what to try in German, the tables as they are', async () => {
    const r = analyze(reflectorInput({ count: 1500, rttMs: () => 99.96 }));
    const text = formatSummary(r, await loadMessages('de'));
    const lines = text.split('\n');
    expect(lines[0]).toBe('Ergebnis: BESTANDEN');
    expect(lines[1]).toBe('  Anrufe sollten hier gut funktionieren.');
    expect(text).toContain('\n  Zur Sicherheit:\n    1. Führen Sie einen 74\u00a0s-Test aus, um Reihenfolgefehler zu bestätigen. (warum: ');
    expect(text).toContain('\n  BESTANDEN, NICHT BESTÄTIGT Upstream (you to the relay): 0 of 1,500 probes arrived out of order');
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
