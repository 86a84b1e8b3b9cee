import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerView, couldNotTestAnswer, probesToConfirm, UNCONFIRMED_MEANING, verdictWords } from '../../../src/analysis/present/answer.js';
import { EN, loadMessages } from '../../../src/analysis/present/catalogue.js';
import { failureWords } from '../../../src/analysis/present/could-not-test-text.js';
import { FINISH_REASONS } from '../../../src/protocol/could-not-finish.js';
import { keyFigures, plainText } from '../../../src/analysis/present/view.js';
import { clopperPearson } from '../../../src/analysis/measure/confidence.js';
import type { Report } from '../../../src/analysis/schema/report-schema.js';

/** Recorded reports: the golden outputs of the analysis (test/analysis/report/golden). */
const golden = (name: string): Report => JSON.parse(readFileSync(join('test/analysis/report/golden', `${name}.json`), 'utf8')) as Report;

describe('the answer: one sentence, ranked by impact on a call', () => {
  it('a clean test: calls should work well, reorder unconfirmed only as a note with the length that would confirm it', () => {
    const a = answerView(golden('clean-15s'));
    expect(a.tone).toBe('good');
    expect(a.sentence).toBe('Calls should work well here.');
    expect(a.findings).toEqual([]);
    // 0 reordered of ~1500: the 95 % upper bound is about 0.25 %, above the 0.05 % target.
    expect(a.unconfirmed.map((u) => u.target)).toEqual(['reorder']);
    expect(a.unconfirmed[0]?.secondsNeeded).toBe(74);
    expect(a.advice.map((x) => x.id)).toEqual(['run-longer']);
    const reorder = golden('clean-15s').grades.find((g) => g.target === 'reorder');
    expect(reorder && a.statusText(reorder)).toBe('pass, not confirmed');
    const rtt = golden('clean-15s').grades.find((g) => g.target === 'latency-rtt' || g.target === 'latency-one-way');
    expect(rtt && a.statusText(rtt)).toBe('pass');
  });

  it('loss in both directions outranks everything else, and the first advice is the radio link or the cable', () => {
    const a = answerView(golden('loss-heavy'));
    expect(a.tone).toBe('bad');
    expect(a.sentence).toBe('Calls will likely break up: your connection loses packets in both directions.');
    expect(a.findings[0]?.kind).toBe('loss');
    expect(a.advice[0]).toMatchObject({ id: 'wifi-or-cable', because: 'the worst 15 s lost 12.53% upstream and 2.00% downstream' });
  });

  it('upstream-only loss: the people you talk to hear it, pause uploads', () => {
    const a = answerView(golden('loss-at-target'));
    expect(a.sentence).toBe('Calls will likely break up for the people you talk to: your connection loses packets on the way out.');
    expect(a.advice[0]?.id).toBe('pause-uploads');
  });

  it('jitter only downstream ranks above the reorder that failed by a wider ratio', () => {
    const r = golden('jitter-fail');
    const reorder = r.grades.find((g) => g.target === 'reorder' && g.status === 'fail');
    const jitter = r.grades.find((g) => g.target === 'jitter-15s' && g.status === 'fail');
    // By ratio to its target reorder is far worse (50 % vs 0.05 %), by call impact jitter comes first.
    expect((reorder?.value ?? 0) / (reorder?.threshold ?? 1)).toBeGreaterThan((jitter?.value ?? 0) / (jitter?.threshold ?? 1));
    const a = answerView(r);
    expect(a.sentence).toBe('Calls will likely sound choppy: the timing of packets varies too much.');
    expect(a.findings.map((f) => f.kind)).toEqual(['jitter', 'reorder']);
    expect(a.advice[0]).toMatchObject({ id: 'pause-downloads' });
  });

  it('a long round trip: calls lag, the VPN or the route', () => {
    const a = answerView(golden('rtt-100'));
    expect(a.sentence).toBe('Calls will likely lag: the delay to the relay is too long for a natural conversation.');
    expect(a.advice[0]?.id).toBe('vpn-or-route');
  });

  it('UDP blocked, the test over TCP: a caution, not a plain pass; the first advice is for IT, naming the ports this test tried; TCP by choice gives none', () => {
    const r = golden('fallback-tcp');
    expect(r.summary).toMatchObject({ verdict: 'pass', caution: 'fallback-path' });
    const a = answerView(r);
    expect(a.tone).toBe('caution');
    expect(a.sentence).toBe('Calls work here only over a fallback path; give your IT team the result code.');
    expect(a.caution).toBe(
      'UDP 3478-3481 to the relay did not answer, so this test ran over TCP 3478: calls get through, but a lost packet there is resent and arrives late instead of missing, so calls lag and stutter when the network is busy.',
    );
    expect(a.advice[0]).toMatchObject({ id: 'allow-udp', because: 'UDP 3478-3481 did not answer; TCP 3478 did' });
    expect(a.advice[0]?.text).toContain('allow UDP 3478-3481 outbound');
    expect(verdictWords(r)).toBe('PASS (only over a fallback path)');
    // Only the ports this test tried: one UDP port offered, one UDP port named.
    const one = {
      ...r,
      summary: { ...r.summary, caution: undefined },
      connectivity: r.connectivity.filter((x) => x.transport !== 'udp' || x.port === 3479),
    };
    expect(answerView(one).caution).toMatch(/^UDP 3479 to the relay did not answer, so this test ran over TCP 3478/);
    const clean = golden('clean-15s');
    expect(answerView({ ...clean, path: { ...clean.path, transport: 'tcp' as const } }).advice.map((x) => x.id)).not.toContain('allow-udp');
    expect(answerView({ ...clean, path: { ...clean.path, transport: 'tcp' as const } }).tone).toBe('good');
  });

  it('our own failures and blocked ports are never a verdict on the network', () => {
    expect(answerView(golden('connection-lost')).sentence).toMatch(/^The test could not finish/);
    expect(answerView(golden('could-not-connect'))).toMatchObject({
      tone: 'unsure',
      sentence: 'The test could not reach the relay: none of the ports it tried answered.',
    });
    expect(answerView(golden('could-not-connect')).advice.map((x) => x.id)).toEqual(['try-another-network', 'tell-it']);
    // On this machine another network changes nothing: check the server and the browser.
    expect(answerView(golden('relay-silent-loopback')).advice.map((x) => x.id)).toEqual(['check-local-relay']);
    expect(answerView(golden('relay-silent-loopback')).sentence).toBe('The test could not reach the relay: none of the ports it tried answered.');
    const short = answerView(golden('clean-10s'));
    expect(short.tone).toBe('unsure');
    expect(short.advice[0]?.because).toMatch(/the test was shorter than the 15 s window/);
  });
});

describe('a device too busy for the test', () => {
  it('is never graded as the network: no fail, the round trip leaves its stretch out, and the answer says the device could not keep up', () => {
    const r = golden('device-busy');
    expect(r.summary.verdict).toBe('insufficient');
    expect(r.grades.filter((g) => g.status === 'fail')).toEqual([]);
    // The 119 ms round trips sent inside the stall are measured, and left out of the graded figures.
    expect(r.directions.roundTrip.rttMs?.max).toBe(119);
    expect(r.directions.roundTrip.gradedRttMs?.max).toBe(40);
    expect(r.diagnostics.suspectIntervals).toEqual([{ direction: 'up', startMs: 7000, endMs: 7400, reason: 'sender-stall' }]);
    const a = answerView(r);
    // The cause, with the figure the key figures show beside it (its timer 150 ms late at p99, above the 10 ms interval).
    expect(r.summary.insufficientCause).toBe('device-busy');
    expect(a.sentence).toBe('No verdict: this device was too busy to measure the network (its timer ran 150.0 ms late at the 99th percentile).');
    expect(
      keyFigures(r)
        .find((l) => l.id === 'busy')
        ?.parts.map((p) => p.text),
    ).toEqual(['This device: timer late (p99) ', '150.0 ms']);
    expect(a.advice).toEqual([
      {
        id: 'close-apps',
        text: 'Close other programs and browser tabs, keep this page in front, and run the test again: this device could not keep up with the test.',
        because: 'this device fell behind 1 time (0.4 s in all); those moments were left out, not graded as your network',
      },
    ]);
  });
});

describe('an audio stream the test server refused, or that did not connect', () => {
  const refused = { path: 'datachannel' as const, reason: "the test server's relay refused the RTP leg (...)", fallback: 'relay-refused' as const };
  const DEVICE = /this device (could not keep up|was too busy)/;

  it("is the server's fact in the answer, never this device's, though the data channel that stood in for it was sent unevenly", () => {
    const r = golden('device-busy-rtp-refused');
    expect(r.summary.insufficientCause).toBe('device-busy');
    const a = answerView(r);
    expect(a.tone).toBe('unsure');
    expect(a.sentence).toBe(
      "No verdict: the test server's relay refused the call-like audio stream (its allocation quota or its capacity), so this test fell back to a data-channel stream, which was sent too unevenly here to judge (its timer ran 150.0 ms late at the 99th percentile).",
    );
    expect(a.advice.map((x) => x.id)).toEqual(['rtp-fallback']);
    expect(a.advice[0]?.text).toMatch(/give the result code to whoever runs the test server: its relay's limit, not your network/);
    expect(JSON.stringify(a)).not.toMatch(DEVICE);
    // The report's own explanation leads with the same sentence.
    expect(r.explanation.join(' ')).toContain(a.sentence);
    expect(r.explanation.join(' ')).not.toMatch(DEVICE);
  });

  it('busy stretches without the device-busy cause: the same, in the answer built from the stretches', () => {
    const busy = golden('device-busy');
    const r: Report = { ...busy, probe: refused, summary: { ...busy.summary, insufficientCause: 'too-few-probes' } };
    const a = answerView(r);
    expect(a.sentence).toBe(
      "No answer yet: the test server's relay refused the call-like audio stream (its allocation quota or its capacity), so this test fell back to a data-channel stream, which was sent too unevenly here to judge.",
    );
    expect(a.advice.map((x) => x.id)).toEqual(['rtp-fallback']);
  });

  it('a leg that did not connect is said as the path it is, with the 5 s it had', () => {
    const busy = golden('device-busy');
    const a = answerView({ ...busy, probe: { ...refused, fallback: 'not-connected' } });
    expect(a.sentence).toMatch(
      /^No verdict: the call-like audio stream did not connect to the test server within 8 s, though the data channel through the same relay did, so this test fell back/,
    );
    expect(a.advice[0]).toMatchObject({ id: 'rtp-fallback', text: expect.stringMatching(/with this network named/) as unknown });
    expect(JSON.stringify(a)).not.toMatch(DEVICE);
  });

  it('a verdict on the data channel stands, with the refusal said as advice, never the close-apps advice', () => {
    const pass = answerView({ ...golden('clean-15s'), probe: refused });
    expect(pass.tone).toBe('good');
    expect(pass.sentence).toBe('Calls should work well here.');
    expect(pass.advice.map((x) => x.id)).toEqual(['rtp-fallback', 'run-longer']);
    const heavy = golden('loss-heavy');
    const fail = answerView({ ...heavy, probe: refused, diagnostics: golden('device-busy').diagnostics });
    expect(fail.tone).toBe('bad');
    expect(fail.advice.map((x) => x.id)).toContain('rtp-fallback');
    expect(fail.advice.map((x) => x.id)).not.toContain('close-apps');
    // The same busy stretches on the path that was planned: the device's advice, as before.
    expect(answerView({ ...heavy, diagnostics: golden('device-busy').diagnostics }).advice.map((x) => x.id)).toContain('close-apps');
    // A too-short test keeps its own reason, with the refusal first.
    const short = answerView({ ...golden('clean-10s'), probe: refused });
    expect(short.advice.map((x) => x.id)).toEqual(['rtp-fallback', 'run-again']);
    expect(short.advice[1]?.because).toMatch(/the test was shorter than the 15 s window/);
  });
});

describe('pass, not confirmed', () => {
  it('means the same, word for word, in the README, the report docs, the page and the CLI (UNCONFIRMED_MEANING)', () => {
    const flat = (text: string): string => text.replace(/\*/g, '').replace(/\s+/g, ' ');
    const definition = UNCONFIRMED_MEANING.replace(/^pass, not confirmed: /, '').replace(/\.$/, '');
    expect(flat(readFileSync('README.md', 'utf8'))).toContain(`pass, not confirmed: ${definition}`);
    expect(flat(readFileSync('docs/read-a-report.md', 'utf8'))).toContain(UNCONFIRMED_MEANING);
    // The verdict counts it as met: a clean test passes, it is not "not enough evidence".
    expect(golden('clean-15s').summary.verdict).toBe('pass');
  });

  it('finds the probes whose 95 % upper bound at the same rate is under the target', () => {
    const n = probesToConfirm(0, 1500, 0.05);
    expect(n).toBe(7376);
    expect(100 * clopperPearson(0, n ?? 0).upper).toBeLessThan(0.05);
    expect(100 * clopperPearson(0, (n ?? 0) - 1).upper).toBeGreaterThanOrEqual(0.05);
    // A rate at or above the target can never be confirmed.
    expect(probesToConfirm(10, 1000, 1)).toBeNull();
  });
});

describe('one number per thing on screen', () => {
  it('the key figures show the values the grades used', () => {
    const r = golden('loss-heavy');
    const loss = plainText(keyFigures(r).find((l) => l.id === 'loss')?.parts ?? []);
    expect(loss).toContain('12.53%');
    // The answer's evidence prints the same quantity the same way.
    expect(answerView(r).advice[0]?.because).toContain('12.53%');
    const worstLossGrade = Math.max(...r.grades.filter((g) => g.target === 'loss-15s').map((g) => g.value ?? 0));
    expect(r.summary.lossPctMax15s).toBe(worstLossGrade);
  });
});

describe('a test that could not run, in one sentence (a result webhook)', () => {
  it("says what failed as the page does, for every reason of the one list, in the reader's language", async () => {
    // English: the words of could-not-test-text.ts, reason by reason (an old spelling too).
    for (const reason of FINISH_REASONS) expect(couldNotTestAnswer(reason, EN), reason).toBe(failureWords(reason));
    expect(couldNotTestAnswer('relay-unreachable', EN)).toBe(failureWords('could-not-connect'));
    expect(couldNotTestAnswer('gremlins', EN)).toBe('The test could not run (gremlins).');
    const de = await loadMessages('de');
    expect(couldNotTestAnswer('server-busy', de)).not.toBe(couldNotTestAnswer('server-busy', EN));
  });
});
