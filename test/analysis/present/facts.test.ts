import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerView } from '../../../src/analysis/present/answer.js';
import { pathFacts } from '../../../src/analysis/present/facts.js';
import { deviceTooBusy } from '../../../src/analysis/grade/caution.js';
import { reportRow } from '../../../src/analysis/report/export.js';
import { formatSummary } from '../../../client/summary.js';
import type { Report } from '../../../src/analysis/schema/report-schema.js';

const golden = (name: string): Report => JSON.parse(readFileSync(join('test/analysis/report/golden', `${name}.json`), 'utf8')) as Report;

/** The four UDP rungs and TCP 3478 offered and answering, each UDP port then as `udp(port)` makes it. */
function ladder(udp: (x: Report['connectivity'][number]) => Report['connectivity'][number]): Report['connectivity'] {
  return golden('fallback-tcp').connectivity.map((x) =>
    x.transport === 'udp' ? udp({ ...x, reachable: true, allocateMs: 10, error: null, errorText: null }) : x,
  );
}

/** fallback-tcp's path (UDP 3478-3481 silent, the test over TCP 3478) under another report's verdict. */
function overTcp(name: string): Report {
  const fallback = golden('fallback-tcp');
  const r = golden(name);
  return { ...r, connectivity: fallback.connectivity, path: fallback.path, hints: fallback.hints, summary: { ...r.summary, caution: undefined } };
}

describe('facts that hold whatever the verdict', () => {
  it('UDP silent and a TCP fallback on a busy device: the blocked ports and the action on top, beside the busy-device answer', () => {
    const r = overTcp('troubled-sender');
    expect(r.summary.insufficientCause).toBe('device-busy');
    const a = answerView(r);
    expect(a.sentence).toMatch(/^No verdict: this device was too busy to measure the network/);
    expect(a.facts.map((f) => f.id)).toEqual(['fallback-path']);
    expect(a.facts[0]?.text).toBe(
      'UDP 3478-3481 to the relay did not answer, so this test ran over TCP 3478, a fallback path: calls get through there, but they lag and stutter when the network is busy.',
    );
    expect(a.facts[0]?.action).toBe('Ask your network team to allow UDP 3478-3481 outbound to the relay, and give them the result code.');
    // The busy device is the sentence: not repeated as a fact.
    expect(pathFacts(r).map((f) => f.id)).toEqual(['fallback-path', 'device-busy']);
    expect(a.advice.map((x) => x.id)).not.toContain('allow-udp');
  });

  it('on a failed test too, and the fact carries the action instead of a first advice that repeats it', () => {
    const a = answerView(overTcp('loss-heavy'));
    expect(a.tone).toBe('bad');
    expect(a.facts.map((f) => f.id)).toEqual(['fallback-path']);
    expect(a.advice.map((x) => x.id)).not.toContain('allow-udp');
    expect(a.advice[0]?.id).toBe('wifi-or-cable');
  });

  it('a pass only over the fallback says it once, as its caution, with allowing UDP first', () => {
    const a = answerView(golden('fallback-tcp'));
    expect(a.facts).toEqual([]);
    expect(a.caution).toMatch(/^UDP 3478-3481 to the relay did not answer/);
    expect(a.advice[0]?.id).toBe('allow-udp');
  });

  it('one UDP port silent while the others answered: that port, and all the ports tried in the action', () => {
    const r = golden('clean-15s');
    const connectivity = ladder((x) => (x.port === 3480 ? { ...x, reachable: false, error: 'timeout', allocateMs: null } : x));
    const a = answerView({ ...r, connectivity });
    expect(a.tone).toBe('good');
    expect(a.facts).toEqual([
      {
        id: 'blocked-ports',
        text: 'UDP port 3480 to the relay did not answer while UDP 3478, 3479 and 3481 did: a firewall filters by port.',
        action: 'Ask your network team to allow UDP 3478-3481 outbound: calls use each of these ports.',
      },
    ]);
  });

  it("a relay that refused: the test server's side, named by the port and what the refusal means", () => {
    const r = golden('clean-15s');
    const connectivity = ladder((x) => (x.port === 3481 ? { ...x, reachable: false, error: 'turn-486', allocateMs: null } : x));
    const facts = answerView({ ...r, connectivity }).facts;
    expect(facts.map((f) => f.id)).toEqual(['relay-refused']);
    expect(facts[0]?.text).toBe(
      "The test server's relay refused this test on UDP 3481: it had too many tests at once. That is the test server's side, not your network.",
    );
    const rtp = answerView({
      ...r,
      probe: { path: 'datachannel', reason: "the test server's relay refused the RTP leg (x: 486 Allocation Quota Reached), so it did not connect" },
    });
    expect(rtp.facts[0]?.text).toMatch(/^The test server's relay refused the call-like audio stream/);
  });

  it('a clean test on UDP has none', () => {
    expect(answerView(golden('clean-15s')).facts).toEqual([]);
    expect(answerView(golden('loss-heavy')).facts).toEqual([]);
  });
});

describe('"within target" only beside a figure within it', () => {
  it('a burst-only fail whose 15 s loss could not be judged says nothing of the 15 s window', () => {
    const r = golden('loss-heavy');
    const grades = r.grades.map((g) =>
      g.target === 'loss-15s'
        ? { ...g, status: 'insufficient' as const, reason: 'suspect-windows' as const }
        : g.target === 'burst-loss-200ms'
          ? g
          : { ...g, status: 'pass' as const },
    );
    const a = answerView({ ...r, grades, summary: { ...r.summary, verdict: 'fail' } });
    const because = a.advice.map((x) => x.because).join(' ');
    expect(because).toMatch(/the worst 200 ms lost/);
    expect(because).not.toMatch(/within/);
  });

  it('with the 15 s window passed, its figure is quoted beside "within its target"', () => {
    const r = golden('loss-heavy');
    const grades = r.grades.map((g) =>
      g.target === 'loss-15s' ? { ...g, status: 'pass' as const, value: 0.4 } : g.target === 'burst-loss-200ms' ? g : { ...g, status: 'pass' as const },
    );
    const because = answerView({ ...r, grades, summary: { ...r.summary, verdict: 'fail' } })
      .advice.map((x) => x.because)
      .join(' ');
    expect(because).toMatch(/while the worst 15 s lost 0\.40%, within its target/);
  });
});

describe('the final answer as sure as the early one, and an early fail withdrawn out loud', () => {
  const settled = (held: boolean): NonNullable<Report['provisional']> => [
    { atMs: 3000, claims: [{ metric: 'loss-15s', direction: 'up', kind: 'so-far', evidence: '0 of 250 lost', held: null }] },
    {
      atMs: 3500,
      claims: [
        { metric: 'burst-loss-200ms', direction: 'up', kind: 'settled-fail', evidence: '3 of 20 probes (15%) lost in 200 ms at 2.3 s; limit < 10%', held },
      ],
    },
  ];

  it('a loss settled while the test ran and kept by the verdict: "will break up here", not "likely"', () => {
    const r = golden('loss-heavy');
    expect(answerView(r).sentence).toBe('Calls will likely break up: your connection loses packets in both directions.');
    expect(answerView({ ...r, provisional: settled(true) }).sentence).toBe('Calls will break up here: your connection loses packets in both directions.');
    expect(answerView({ ...r, provisional: settled(true) }).withdrawn).toBeNull();
  });

  it('a settled fail the verdict did not keep: withdrawn on top, with the figure and why', () => {
    const pass = answerView({ ...golden('clean-15s'), provisional: settled(false) });
    expect(pass.sentence).toBe('Calls should work well here.');
    expect(pass.withdrawn).toBe(
      'Withdrawn: the early answer "Calls will break up here" (3 of 20 probes (15%) lost in 200 ms at 2.3 s, you to the relay) did not hold: the full analysis, with a longer wait for late packets and with the moments this device or the test server fell behind left out, found no window over the limit.',
    );
    const busy = golden('device-busy');
    const burst = busy.grades.find((g) => g.target === 'burst-loss-200ms' && g.direction === 'up');
    expect(burst?.status).toBe('insufficient');
    expect(answerView({ ...busy, provisional: settled(false) }).withdrawn).toMatch(/did not hold: in the end it could not be judged: /);
    expect(answerView({ ...golden('connection-lost'), provisional: settled(false) }).withdrawn).toMatch(/did not hold: the test could not finish/);
    // A fail all the same: the answer is the fail's.
    expect(answerView({ ...golden('loss-heavy'), provisional: settled(false) }).withdrawn).toBeNull();
  });

  it("a busy device, 2 % loss each way: the settled downstream claim is withdrawn in the verdict's words, and no one-sided advice", () => {
    const r = golden('loss-heavy');
    // The downstream could not be judged: this device was busy while it was measured; the upstream lost 2 %.
    const grades = r.grades.map((g) =>
      g.direction === 'down'
        ? { ...g, status: 'insufficient' as const, reason: 'device-busy' as const }
        : g.target === 'loss-15s' && g.direction === 'up'
          ? { ...g, value: 2.21 }
          : g,
    );
    const provisional: NonNullable<Report['provisional']> = [
      {
        atMs: 13_000,
        claims: [
          {
            metric: 'burst-loss-200ms',
            direction: 'down',
            kind: 'settled-fail',
            evidence: '2 of 19 probes lost in 200 ms at 12.1 s; limit < 10%',
            held: false,
          },
        ],
      },
    ];
    const a = answerView({ ...r, grades, provisional, summary: { ...r.summary, verdict: 'fail' } });
    expect(a.tone).toBe('bad');
    expect(a.withdrawn).toBe(
      'Withdrawn: the early answer "Calls will break up here" (2 of 19 probes lost in 200 ms at 12.1 s, the relay to you) did not hold: this device was busy while the downstream (the relay to you) was measured.',
    );
    // Loss only on the way out is not known while the way in could not be judged: the advice for both sides.
    expect(a.advice.map((x) => x.id)).not.toContain('pause-uploads');
    expect(a.advice[0]?.id).toBe('wifi-or-cable');
    // With the downstream judged clean, the one-sided advice stands.
    const clean = r.grades.map((g) => (g.direction === 'down' ? { ...g, status: 'pass' as const } : g));
    expect(answerView({ ...r, grades: clean, summary: { ...r.summary, verdict: 'fail' } }).advice[0]?.id).toBe('pause-uploads');
  });

  it('a likely pass the verdict did not confirm is withdrawn too, with why', () => {
    const r = golden('loss-heavy');
    const provisional: NonNullable<Report['provisional']> = [
      { atMs: 8000, claims: [{ metric: 'loss-15s', direction: 'down', kind: 'likely-pass', evidence: '1 of 800 lost; limit < 1%', held: false }] },
    ];
    expect(answerView({ ...r, provisional }).withdrawn).toBe(
      'Withdrawn: the early answer "Good so far" (1 of 800 lost, the relay to you) did not hold: in the end the full test found it over its limit.',
    );
  });
});

describe('a computer too busy for a call is told so on top, beside the network verdict', () => {
  const BUSY = 'This computer was too busy during the test: calls break up on a busy computer too.';

  it("10 % of a direction's evaluable 200 ms windows, or one stretch of 200 ms: too busy", () => {
    expect(deviceTooBusy([{ evaluable200ms: 1000, busy200ms: 100, longestBusyMs: 0 }])).toBe(true);
    expect(deviceTooBusy([{ evaluable200ms: 1000, busy200ms: 99, longestBusyMs: 199 }])).toBe(false);
    expect(deviceTooBusy([{ evaluable200ms: 1000, busy200ms: 0, longestBusyMs: 200 }])).toBe(true);
    // Either direction is enough.
    expect(
      deviceTooBusy([
        { evaluable200ms: 1000, busy200ms: 0, longestBusyMs: 0 },
        { evaluable200ms: 100, busy200ms: 10, longestBusyMs: 0 },
      ]),
    ).toBe(true);
    expect(deviceTooBusy([{ evaluable200ms: 0, busy200ms: 0, longestBusyMs: 0 }])).toBe(false);
  });

  it('a pass with a 500 ms stall: the verdict unchanged, the caution on the page, in `run`, in the CSV', () => {
    const r = golden('rtt-left-out');
    expect(r.summary.verdict).toBe('pass');
    expect(r.summary.caution).toBe('device-busy');
    expect(r.attribution?.deviceTooBusy).toBe(true);
    const a = answerView(r);
    expect(a.sentence).toBe('Calls should work well here.');
    expect(a.facts[0]).toEqual({ id: 'device-busy', text: BUSY, action: 'Close other programs and run the test again.' });
    expect(formatSummary(r).split('\n').slice(0, 3)).toEqual([
      'Verdict: PASS',
      '  Calls should work well here.',
      `  ! ${BUSY} Close other programs and run the test again.`,
    ]);
    expect(reportRow({ id: null, code: null, sampleId: null }, r)).toMatchObject({
      caution: 'device-busy',
      cautionText: `${BUSY} Close other programs and run the test again.`,
    });
    // A clean test has none.
    const clean = golden('clean-15s');
    expect(clean.summary.caution).toBeUndefined();
    expect(answerView(clean).facts).toEqual([]);
  });

  it("a test whose very cause is a busy device says it once, in the cause's words", () => {
    const r = golden('device-busy');
    expect(r.summary.caution).toBe('device-busy');
    expect(answerView(r).facts.map((f) => f.id)).not.toContain('device-busy');
  });
});
