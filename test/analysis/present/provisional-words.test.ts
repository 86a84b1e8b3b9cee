import { describe, expect, it } from 'vitest';
import { provisionalView, provisionalWhen, type ProvisionalContext } from '../../../src/analysis/present/provisional.js';
import type { LossClaim, ProvisionalFacts, RoundTripClaim } from '../../../src/analysis/schema/provisional-facts.js';

/**
 * The provisional answer's words for a target with no claim yet: by its real reason (nothing
 * judged, too few echoes, a round trip near its target, round trips too spread out, probes lost,
 * not enough seconds, a path without likely claims), never "close" for a figure far from its target.
 */
const PATH: ProvisionalContext = { path: { transport: 'udp', port: 3478 }, quiet: [] };

/** A round-trip claim as grade/provisional.ts makes it: its figures and, with no claim, why (`undecided`). */
function rtt(
  p50Ms: number | null,
  blocks: number,
  lowerMs: number | null,
  upperMs: number | null,
  undecided: RoundTripClaim['undecided'],
  kind: RoundTripClaim['kind'] = 'so-far',
): RoundTripClaim {
  return {
    metric: 'latency-rtt',
    direction: 'round-trip',
    kind,
    thresholdMs: 100,
    rtt: { samples: blocks * 100, p50Ms, blocks, lowerMs, upperMs, trend: null, busyNow: undecided === 'device-or-server-busy' },
    undecided,
  };
}

function loss(
  judged: number,
  lost: number,
  lowerPct: number,
  upperPct: number,
  kind: LossClaim['kind'] = 'so-far',
  undecided: LossClaim['undecided'] = kind === 'so-far' ? (judged === 0 ? 'none-judged' : 'too-few-seconds') : null,
): LossClaim {
  return { metric: 'loss-15s', direction: 'up', kind, thresholdPct: 1, judged, lost, spanMs: judged * 10, upperPct, lowerPct, settled: null, undecided };
}

const at = (atMs: number, ...claims: ProvisionalFacts['claims']): ProvisionalFacts => ({ atMs, claims });
const rttText = (f: ProvisionalFacts, ctx = PATH): string => provisionalView(f, ctx).items.find((i) => i.text.startsWith('Round trip'))?.text ?? '';

describe('a headline that gets worse than "Good so far"', () => {
  it('says so, with its reason beside it', () => {
    const f = at(16_000, rtt(0.8, 15, 0.7, 140, 'close'), loss(1500, 0, 0, 0.25, 'likely-pass'));
    expect(provisionalView(f, { ...PATH, goodUntilS: 15 }).headline).toBe(
      'Good so far until 15 s, but now: Too early to tell: the round trips so far vary too much.',
    );
    // Never shown as good before: the headline alone.
    expect(provisionalView(f, PATH).headline).toBe('Too early to tell: the round trips so far vary too much.');
  });
});

describe('a round trip with no claim yet', () => {
  it('far under its target with bounds across it: the spread, never "close"', () => {
    const f = at(7000, rtt(4.55, 6, 3.1, 140, 'close'), loss(600, 0, 0, 0.8, 'likely-pass'));
    expect(rttText(f)).toBe('Round trip so far: 4.55 ms; the round trips so far vary too much to tell against the 100 ms target yet.');
    expect(rttText(f)).not.toMatch(/close/);
    expect(provisionalView(f, PATH).headline).toBe('Too early to tell: the round trips so far vary too much.');
  });

  it('near its target: close, and only then', () => {
    expect(rttText(at(7000, rtt(92, 6, 85, 104, 'close')))).toBe('Round trip so far: 92 ms; too close to the 100 ms target to tell yet.');
    expect(provisionalView(at(7000, rtt(92, 6, 85, 104, 'close')), PATH).headline).toBe('Too close to tell yet: the round trip is near its target.');
  });

  it('too few whole seconds yet: under the target so far, not enough seconds measured', () => {
    const f = at(3000, rtt(4.55, 2, null, null, 'too-few-seconds'), loss(200, 0, 0, 1.5));
    expect(rttText(f)).toBe('Round trip so far: 4.55 ms, under the 100 ms target so far; not enough seconds measured yet to be 95% sure.');
    expect(provisionalView(f, PATH).headline).toBe('Too early to tell: not enough seconds measured yet to be 95% sure.');
  });

  it('this device or the server busy right now: said as that, before anything else', () => {
    const f = at(7000, rtt(4.55, 6, 4.2, 4.9, 'device-or-server-busy'), loss(600, 0, 0, 0.8));
    expect(rttText(f)).toBe("Round trip so far: 4.55 ms; this device or the test server is busy right now, so this figure may not be the network's.");
    expect(provisionalView(f, PATH).headline).toBe(
      "Too early to tell: this device or the test server is busy right now, so the figures so far may not be the network's.",
    );
  });

  it('still changing, and on a path without likely claims', () => {
    expect(rttText(at(7000, rtt(40, 6, 30, 50, 'changing')))).toBe('Round trip so far: 40 ms; it is still changing, so it is too early to tell.');
    const dc = PATH;
    const f = at(7000, rtt(4.55, 6, 4.2, 4.9, 'not-on-this-path'), loss(600, 0, 0, 0.8, 'so-far', 'not-on-this-path'));
    expect(rttText(f, dc)).toBe('Round trip so far: 4.55 ms, under the 100 ms target so far; on this path only the full test can tell.');
    expect(provisionalView(f, dc).headline).toBe('No early answer on this path: a fail can show before the end, a pass only at the end.');
  });

  it('before any echo', () => {
    expect(provisionalView(at(3000, rtt(null, 0, null, null, 'too-few-seconds'), loss(0, 0, 0, 0)), PATH).headline).toBe(
      'Too early to tell: no echo has come back to judge yet.',
    );
  });
});

describe('loss with no claim yet', () => {
  it('under the limit with probes lost: no early pass, said as that', () => {
    const v = provisionalView(at(7000, rtt(4.55, 6, 4.2, 4.9, null, 'likely-pass'), loss(600, 1, 0.01, 0.8, 'so-far', 'fail-or-loss-so-far')), PATH);
    expect(v.headline).toBe('No early answer: some probes were lost, so only the full test can tell.');
    expect(v.items.find((i) => i.text.startsWith('Loss'))?.text).toBe(
      'Loss so far, you to the relay: 1 of 600 probes lost, under the 1% limit; with probes lost so far, only the full test can give a pass.',
    );
  });

  it('busy right now: said as that, not as too few seconds (the claim says why)', () => {
    const v = provisionalView(at(7000, rtt(4.55, 6, 4.2, 4.9, null, 'likely-pass'), loss(600, 0, 0, 0.8, 'so-far', 'device-or-server-busy')), PATH);
    expect(v.items.find((i) => i.text.startsWith('Loss'))?.text).toBe(
      "Loss so far, you to the relay: none of 600 probes lost, under the 1% limit; this device or the test server is busy right now, so this figure may not be the network's.",
    );
    expect(v.headline).toMatch(/^Too early to tell: this device or the test server is busy right now/);
  });

  it('nothing lost but a fail elsewhere: no early pass, beside the fail', () => {
    const v = provisionalView(at(7000, rtt(150, 6, 120, 180, null, 'likely-fail'), loss(600, 0, 0, 0.8, 'so-far', 'fail-or-loss-so-far')), PATH);
    expect(v.items.find((i) => i.text.startsWith('Loss'))?.text).toBe(
      'Loss so far, you to the relay: none of 600 probes lost, under the 1% limit; beside a fail so far, only the full test can give a pass.',
    );
  });
});

describe('the label of the answer on screen', () => {
  it('counts seconds of the test, never past its length, then says the test is finishing', () => {
    expect(provisionalWhen(3, 15, false)).toBe('Provisional answer, 3 s of 15 s measured');
    expect(provisionalWhen(23, 15, false)).toBe('Provisional answer, 15 s of 15 s measured');
    expect(provisionalWhen(15, 15, true)).toBe('Provisional answer, from 15 s of 15 s: finishing the test');
  });
});
