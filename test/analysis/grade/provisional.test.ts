import { describe, expect, it } from 'vitest';
import { claimHeld, lossDesignEffect, maxWindowPackets, provisionalClaims, type ProvisionalInput } from '../../../src/analysis/grade/provisional.js';
import { resolveProfile } from '../../../src/analysis/grade/targets.js';
import type { SoFarDirection, SoFarRoundTrip } from '../../../src/analysis/measure/so-far.js';
import type { Claim, LossClaim } from '../../../src/analysis/schema/provisional-facts.js';
import type { DirectionName } from '../../../src/analysis/schema/report-schema.js';

function direction(name: DirectionName, over: Partial<SoFarDirection<DirectionName>> = {}): SoFarDirection<DirectionName> {
  return {
    name,
    judgedUntilMs: 4000,
    quiet: false,
    judged: 355,
    lost: 0,
    missing: 0,
    episodes: 0,
    suspect: false,
    busyNow: false,
    blocks: 5,
    blockDesignEffect: 1,
    jitterMeanMs: 0.4,
    jitterSamples: 355,
    worstShort: { fromMs: 500, startMs: 500, endMs: 700, packets: 20, lost: 0, pct: 0, suspect: false },
    worstShortMissing: { fromMs: 500, startMs: 500, endMs: 700, packets: 20, lost: 0, pct: 0, suspect: false },
    firstLong: { missing: 0, suspect: false, startMs: 450, endMs: 15_450 },
    ...over,
  };
}

/** Five whole seconds of round trips (the fewest a claim rests on), their block medians 1.4-1.6 ms, no trend. */
const RTT_FAST: SoFarRoundTrip = {
  samples: 455,
  p50Ms: 1.5,
  blocks: 5,
  lowerMs: 1.4,
  upperMs: 1.6,
  trend: { s: 0, pRising: 0.59, pFalling: 0.59 },
  busyNow: false,
};

function input(over: Partial<ProvisionalInput> = {}): ProvisionalInput {
  return {
    atMs: 5000,
    profile: resolveProfile({ id: 'client-to-edge' }),
    ratePps: 100,
    channelOk: true,
    durationS: 15,
    intervalMs: 10,
    likelyClaims: true,
    directions: [direction('up'), direction('down')],
    roundTrip: RTT_FAST,
    failedBefore: false,
    ...over,
  };
}

const find = (claims: readonly Claim[], metric: Claim['metric'], dir: Claim['direction']): Claim | undefined =>
  claims.find((c) => c.metric === metric && c.direction === dir);

describe('provisional claims', () => {
  it('claims a likely pass on loss from 355 clean probes (95 % bound 0.84 %) and on a round trip well under its target', () => {
    const f = provisionalClaims(input());
    expect(find(f.claims, 'latency-rtt', 'round-trip')?.kind).toBe('likely-pass');
    const up = find(f.claims, 'loss-15s', 'up') as LossClaim;
    expect(up.kind).toBe('likely-pass');
    // scipy.stats.beta.ppf(0.95, 1, 355) = 0.008403176723952554
    expect(up.upperPct).toBeCloseTo(0.840317672395255, 9);
    expect(up.spanMs).toBe(3550);
    expect(find(f.claims, 'burst-loss-200ms', 'up')?.kind).toBe('so-far');
    expect(find(f.claims, 'jitter-15s', 'down')?.kind).toBe('so-far');
    expect(f.claims).toHaveLength(7);
  });

  it('claims no pass on loss from 298 clean probes (bound 1.0002 %)', () => {
    const f = provisionalClaims(input({ directions: [direction('up', { judged: 298 }), direction('down', { judged: 298 })] }));
    expect(find(f.claims, 'loss-15s', 'up')?.kind).toBe('so-far');
  });

  it('claims a likely fail when the one-sided lower bound is above the limit (8 of 355: 1.13 %)', () => {
    const f = provisionalClaims(input({ directions: [direction('up', { lost: 8, missing: 8, episodes: 8 }), direction('down')] }));
    const up = find(f.claims, 'loss-15s', 'up') as LossClaim;
    expect(up.kind).toBe('likely-fail');
    expect(up.lowerPct).toBeCloseTo(1.126169664583115, 9);
    // With a fail in the test, no pass on loss is claimed for the other direction either.
    expect(find(f.claims, 'loss-15s', 'down')?.kind).toBe('so-far');
    expect(provisionalClaims(input({ failedBefore: true })).claims.some((c) => c.metric === 'loss-15s' && c.kind === 'likely-pass')).toBe(false);
  });

  it('counts bursts of loss as fewer independent events: 8 of 355 lost in two bursts of 4 is no likely fail', () => {
    // Mean run L = 4: design effect 2L - 1 = 7, so 8/7 events of 355/7 probes; scipy.stats.beta.ppf(0.05, 8/7, 355/7 - 8/7 + 1) = 0.001578477025693464
    expect(lossDesignEffect(8, 2)).toBe(7);
    expect(lossDesignEffect(8, 8)).toBe(1);
    expect(lossDesignEffect(0, 0)).toBe(1);
    const f = provisionalClaims(input({ directions: [direction('up', { lost: 8, missing: 8, episodes: 2 }), direction('down')] }));
    const up = find(f.claims, 'loss-15s', 'up') as LossClaim;
    expect(up.kind).toBe('so-far');
    expect(up.lowerPct).toBeCloseTo(0.1578477025693464, 9);
  });

  it('claims a likely pass on loss only while no direction has lost a probe', () => {
    const f = provisionalClaims(input({ directions: [direction('up', { lost: 1, missing: 1, episodes: 1 }), direction('down')] }));
    expect(find(f.claims, 'loss-15s', 'up')?.kind).toBe('so-far');
    expect(find(f.claims, 'loss-15s', 'down')?.kind).toBe('so-far');
  });

  it('settles a fail on a clean 200 ms window over its burst limit, counting probes that never arrived', () => {
    const w = { fromMs: 2300, startMs: 1850, endMs: 2050, packets: 20, lost: 2, pct: 10, suspect: false };
    const f = provisionalClaims(input({ directions: [direction('up', { worstShortMissing: w, worstShort: w }), direction('down')] }));
    expect(find(f.claims, 'burst-loss-200ms', 'up')).toMatchObject({ kind: 'settled-fail', window: w });
    // 1 of 20 (5 %) is under the 10 % limit; a suspect window settles nothing.
    const under = { ...w, lost: 1, pct: 5 };
    expect(find(provisionalClaims(input({ directions: [direction('up', { worstShortMissing: under })] })).claims, 'burst-loss-200ms', 'up')?.kind).toBe(
      'so-far',
    );
    // Edge-to-edge at 100 probes/s: one probe is 5 % of a window, the 1 % limit cannot be resolved (the final grade is insufficient).
    const edge = input({ profile: resolveProfile({ id: 'edge-to-edge' }), directions: [direction('up', { worstShortMissing: w })] });
    expect(find(provisionalClaims(edge).claims, 'burst-loss-200ms', 'up')?.kind).toBe('so-far');
    // A channel that retransmits hides loss: nothing is claimed about it.
    expect(
      find(provisionalClaims(input({ channelOk: false, directions: [direction('up', { worstShortMissing: w })] })).claims, 'burst-loss-200ms', 'up')?.kind,
    ).toBe('so-far');
  });

  it('on the data channel claims nothing likely (its own queues reshape delay and loss as the test goes on), and still settles fails', () => {
    // The clean path the RTP path claims likely passes on: so-far figures only.
    const clean = provisionalClaims(input({ likelyClaims: false }));
    expect(clean.claims.map((c) => c.kind)).toEqual(clean.claims.map(() => 'so-far'));
    // A round trip well over its target, and 40 of 355 lost: no likely fail either.
    const slow: SoFarRoundTrip = { ...RTT_FAST, p50Ms: 150, lowerMs: 140, upperMs: 160 };
    const lossy = [direction('up', { lost: 40, missing: 40, episodes: 40 }), direction('down')];
    const bad = provisionalClaims(input({ likelyClaims: false, roundTrip: slow, directions: lossy }));
    expect(find(bad.claims, 'latency-rtt', 'round-trip')?.kind).toBe('so-far');
    expect(find(bad.claims, 'loss-15s', 'up')?.kind).toBe('so-far');
    // With likely claims (the RTP path) the same evidence is a likely fail on both.
    const rtp = provisionalClaims(input({ roundTrip: slow, directions: lossy }));
    expect(find(rtp.claims, 'latency-rtt', 'round-trip')?.kind).toBe('likely-fail');
    expect(find(rtp.claims, 'loss-15s', 'up')?.kind).toBe('likely-fail');
    // A settled fail is a fact on either path.
    const w = { fromMs: 2300, startMs: 1850, endMs: 2050, packets: 20, lost: 2, pct: 10, suspect: false };
    const settled = provisionalClaims(
      input({ likelyClaims: false, directions: [direction('up', { worstShortMissing: w, worstShort: w }), direction('down')] }),
    );
    expect(find(settled.claims, 'burst-loss-200ms', 'up')?.kind).toBe('settled-fail');
  });

  it('settles a fail on loss once more probes never arrived than the first 15 s window allows', () => {
    // At most ceil(1.05 x 15000 / 10) + 1 = 1576 probes fit: 16 missing are at least 1.015 %, 15 are 0.95 %.
    expect(maxWindowPackets(15_000, 10)).toBe(1576);
    const f16 = provisionalClaims(
      input({ directions: [direction('up', { judged: 900, lost: 16, missing: 16, firstLong: { missing: 16, suspect: false, startMs: 450, endMs: 15_450 } })] }),
    );
    expect(find(f16.claims, 'loss-15s', 'up')).toMatchObject({ kind: 'settled-fail', settled: { missing: 16, maxPackets: 1576 } });
    const f15 = provisionalClaims(
      input({ directions: [direction('up', { judged: 900, lost: 15, missing: 15, firstLong: { missing: 15, suspect: false, startMs: 450, endMs: 15_450 } })] }),
    );
    expect(find(f15.claims, 'loss-15s', 'up')?.kind).toBe('likely-fail');
    // A 10 s test has no 15 s window: no claim on it at all.
    expect(find(provisionalClaims(input({ durationS: 10 })).claims, 'loss-15s', 'up')?.kind).toBe('so-far');
  });

  it('claims nothing on loss while a suspect interval touches the direction', () => {
    const f = provisionalClaims(
      input({ directions: [direction('up', { suspect: true, firstLong: { missing: 30, suspect: true, startMs: 0, endMs: 15_000 } })] }),
    );
    expect(find(f.claims, 'loss-15s', 'up')?.kind).toBe('so-far');
  });

  it('claims a likely fail on a round trip whose lower bound is at or above the target, and nothing on one across it', () => {
    const slow = { ...RTT_FAST, p50Ms: 150, lowerMs: 100, upperMs: 160 };
    expect(find(provisionalClaims(input({ roundTrip: slow })).claims, 'latency-rtt', 'round-trip')).toMatchObject({ kind: 'likely-fail', undecided: null });
    const across = { ...RTT_FAST, p50Ms: 99, lowerMs: 95, upperMs: 100 };
    expect(find(provisionalClaims(input({ roundTrip: across })).claims, 'latency-rtt', 'round-trip')).toMatchObject({ kind: 'so-far', undecided: 'close' });
  });

  it('claims nothing before 5 whole seconds, however many round trips, and says so', () => {
    const few = { ...RTT_FAST, samples: 420, blocks: 4, lowerMs: null, upperMs: null };
    expect(find(provisionalClaims(input({ roundTrip: few })).claims, 'latency-rtt', 'round-trip')).toMatchObject({
      kind: 'so-far',
      undecided: 'too-few-seconds',
    });
    // The start of a slow test: 220 ms at 4.5 s, 4 whole seconds: no likely fail (its final median was 85 ms).
    const early = { ...few, p50Ms: 220 };
    expect(find(provisionalClaims(input({ roundTrip: early })).claims, 'latency-rtt', 'round-trip')?.kind).toBe('so-far');
  });

  it('claims nothing on a round trip whose seconds trend towards the target (a start that settles, a queue filling)', () => {
    // Seconds at 220, 200, 180, 150, 120 ms: all over 100, but falling (Mann-Kendall p = 1/120).
    const settling = { ...RTT_FAST, p50Ms: 180, lowerMs: 120, upperMs: 220, trend: { s: -10, pRising: 1, pFalling: 1 / 120 } };
    expect(find(provisionalClaims(input({ roundTrip: settling })).claims, 'latency-rtt', 'round-trip')).toMatchObject({
      kind: 'so-far',
      undecided: 'changing',
    });
    // Rising towards the target forbids a pass; rising away from it (over the target) keeps the fail.
    const filling = { ...RTT_FAST, p50Ms: 40, lowerMs: 20, upperMs: 60, trend: { s: 10, pRising: 1 / 120, pFalling: 1 } };
    expect(find(provisionalClaims(input({ roundTrip: filling })).claims, 'latency-rtt', 'round-trip')?.kind).toBe('so-far');
    const worse = { ...filling, p50Ms: 150, lowerMs: 120, upperMs: 220 };
    expect(find(provisionalClaims(input({ roundTrip: worse })).claims, 'latency-rtt', 'round-trip')?.kind).toBe('likely-fail');
  });

  it("a trend counts only where, kept up as long again (Sen's slope), it would carry the bound across the target", () => {
    // A clean path creeping 0.7 -> 0.9 ms over 15 s (0.013 ms a second): no threat to 100 ms, "Good so far" stays.
    const creeping = { ...RTT_FAST, blocks: 15, p50Ms: 0.8, lowerMs: 0.7, upperMs: 0.9, trend: { s: 60, pRising: 0.001, pFalling: 1, slopePerStep: 0.013 } };
    expect(find(provisionalClaims(input({ atMs: 15_000, roundTrip: creeping })).claims, 'latency-rtt', 'round-trip')?.kind).toBe('likely-pass');
    // 60 ms rising 10 ms a second over 5 s: 60 + 50 reaches 100, no claim yet.
    const filling = { ...RTT_FAST, p50Ms: 40, lowerMs: 20, upperMs: 60, trend: { s: 10, pRising: 1 / 120, pFalling: 1, slopePerStep: 10 } };
    expect(find(provisionalClaims(input({ roundTrip: filling })).claims, 'latency-rtt', 'round-trip')).toMatchObject({ kind: 'so-far', undecided: 'changing' });
    // 7.9 ms a second: 60 + 39.5 stays under: the pass is claimed.
    const slower = { ...filling, trend: { ...filling.trend, slopePerStep: 7.9 } };
    expect(find(provisionalClaims(input({ roundTrip: slower })).claims, 'latency-rtt', 'round-trip')?.kind).toBe('likely-pass');
  });

  it('claims nothing likely while this device or the server is busy (a busy device made a clean 3 ms path look slow)', () => {
    const busy = { ...RTT_FAST, p50Ms: 220, lowerMs: 180, upperMs: 250, busyNow: true };
    expect(find(provisionalClaims(input({ roundTrip: busy })).claims, 'latency-rtt', 'round-trip')).toMatchObject({
      kind: 'so-far',
      undecided: 'device-or-server-busy',
    });
    const lossy = direction('up', { lost: 40, missing: 40, episodes: 40, busyNow: true });
    expect(find(provisionalClaims(input({ directions: [lossy, direction('down')] })).claims, 'loss-15s', 'up')?.kind).toBe('so-far');
  });

  it('claims nothing on loss before 5 whole seconds, and counts seconds that lose unevenly as fewer events', () => {
    const early = direction('up', { lost: 40, missing: 40, episodes: 40, blocks: 4 });
    expect(find(provisionalClaims(input({ directions: [early, direction('down')] })).claims, 'loss-15s', 'up')?.kind).toBe('so-far');
    // 8 of 355 lost one by one is a likely fail (above); the same 8 all in one second of five (a
    // block design effect of 5.05, blocks.test.ts) is 8/5.05 events: scipy.stats.beta.ppf(0.05, 8/d, 355/d - 8/d + 1).
    const clustered = direction('up', { lost: 8, missing: 8, episodes: 8, blockDesignEffect: 1e-4 / 1.98e-5 });
    const up = find(provisionalClaims(input({ directions: [clustered, direction('down')] })).claims, 'loss-15s', 'up') as LossClaim;
    expect(up.kind).toBe('so-far');
    expect(up.lowerPct).toBeLessThan(1);
  });
});

describe('whether a claim held', () => {
  const w = { fromMs: 2300, startMs: 1850, endMs: 2050, packets: 20, lost: 2, pct: 10, suspect: false };
  const settled = provisionalClaims(input({ directions: [direction('up', { worstShortMissing: w })] })).claims;
  const burst = find(settled, 'burst-loss-200ms', 'up') as Claim;
  const pass = find(provisionalClaims(input()).claims, 'loss-15s', 'up') as Claim;
  const grade = (target: Claim['metric'], direction: Claim['direction'], status: 'pass' | 'fail' | 'insufficient') => ({ target, direction, status });

  it('compares with the final grade of the same target and direction', () => {
    expect(claimHeld(pass, [grade('loss-15s', 'up', 'pass')], () => [])).toBe(true);
    expect(claimHeld(pass, [grade('loss-15s', 'up', 'fail')], () => [])).toBe(false);
    expect(claimHeld(pass, [grade('loss-15s', 'down', 'pass')], () => [])).toBe(false);
    expect(claimHeld(burst, [grade('burst-loss-200ms', 'up', 'fail')], () => [])).toBe(true);
    expect(claimHeld(burst, [grade('burst-loss-200ms', 'up', 'insufficient')], () => [])).toBe(false);
    expect(claimHeld(find(settled, 'jitter-15s', 'up') as Claim, [], () => [])).toBeNull();
  });

  it('does not hold a settled fail whose window a suspect interval found later touches', () => {
    const grades = [grade('burst-loss-200ms', 'up', 'fail')];
    // The window is [1850, 2050): an interval [a, b] touches it when a < 2050 and b >= 1850, as in the grade.
    expect(claimHeld(burst, grades, () => [{ startMs: 2049, endMs: 2100, reason: 'receiver-stall' }])).toBe(false);
    expect(claimHeld(burst, grades, () => [{ startMs: 1700, endMs: 1850, reason: 'page-hidden' }])).toBe(false);
    expect(claimHeld(burst, grades, () => [{ startMs: 2050, endMs: 2100, reason: 'receiver-stall' }])).toBe(true);
  });
});
