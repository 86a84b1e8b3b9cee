/**
 * The provisional answer reads the views outside the page as the final analysis does: time that
 * was this device's (an echo the page read late) or the server's (a probe the reflector held)
 * is no evidence of the network, so no claim rests on it, and none is made while it lasts.
 */
import { describe, expect, it } from 'vitest';
import { provisionalFrom, type ProvisionalEvidence } from '../../../src/analysis/grade/provisional.js';
import { resolveProfile } from '../../../src/analysis/grade/targets.js';
import type { ViewSample } from '../../../src/analysis/measure/views.js';
import type { Claim } from '../../../src/analysis/schema/provisional-facts.js';
import { provisionalMoment, reflectorInput } from '../report/inputs.js';

const SETTING = {
  profile: resolveProfile({ id: 'client-to-edge' }),
  ratePps: 100,
  channelOk: true,
  durationS: 15,
  intervalMs: 10,
  likelyClaims: true,
  failedBefore: false,
};

const find = (claims: readonly Claim[], metric: Claim['metric'], dir: Claim['direction']): Claim | undefined =>
  claims.find((c) => c.metric === metric && c.direction === dir);

/** 15.1 s at 100/s with 40 ms round trips; `up.lost` probes never arrive. */
function moment(nowMs: number, views: { receiveLagMs?: ViewSample[]; reflectorHoldMs?: ViewSample[] }, lost?: (i: number) => boolean): ProvisionalEvidence {
  const input = reflectorInput({ count: 1510, ...(lost ? { up: { lost } } : {}), down: { startMs: 5000 } });
  return {
    ...provisionalMoment(input, nowMs),
    views: { receiveLagMs: views.receiveLagMs ?? [], reflectorHoldMs: views.reflectorHoldMs ?? [], serverLoopDelayMs: [] },
  };
}

describe('the provisional answer beside the views outside the page', () => {
  it('claims a likely pass at 7 s on a clean path with quiet views', () => {
    const f = provisionalFrom(moment(7000, {}), SETTING).facts;
    expect(find(f.claims, 'latency-rtt', 'round-trip')?.kind).toBe('likely-pass');
  });

  it('claims nothing on the round trip while the page reads echoes late (this device busy now)', () => {
    // Echoes read 300 ms after the network thread had them, at 5.5 s: the device's time, and a second of recovery after it.
    const f = provisionalFrom(moment(7000, { receiveLagMs: [{ atMs: 5500, valueMs: 300 }] }), SETTING).facts;
    expect(find(f.claims, 'latency-rtt', 'round-trip')).toMatchObject({ kind: 'so-far', undecided: 'device-or-server-busy' });
  });

  it('claims again once the device has been quiet for a while, on the seconds outside its time', () => {
    // A lag at 0.5 s: by 9 s the last second judged (7-8 s) is far from it and its recovery.
    const f = provisionalFrom(moment(9000, { receiveLagMs: [{ atMs: 500, valueMs: 300 }] }), SETTING).facts;
    const rtt = find(f.claims, 'latency-rtt', 'round-trip');
    expect(rtt?.kind).toBe('likely-pass');
    // The round trips sent from 0.5 s to 1.8 s (the lag, its second of recovery, and the horizon) are left out.
    if (rtt?.metric !== 'latency-rtt') throw new Error('no round-trip claim');
    expect(rtt.rtt.samples).toBeLessThan(801 - 100);
  });

  it('settles no fail on a burst the reflector held the probes through (the server busy)', () => {
    // Upstream probes 300-302 (3000-3020 ms) never arrive: 3 of 20 in 200 ms, a settled fail on a clean path.
    const lost = (i: number) => i >= 300 && i <= 302;
    const clean = provisionalFrom(moment(5000, {}, lost), SETTING).facts;
    expect(find(clean.claims, 'burst-loss-200ms', 'up')?.kind).toBe('settled-fail');
    // The reflector held probes 60 ms around then: the server's time, so the window is not the network's.
    const held = provisionalFrom(moment(5000, { reflectorHoldMs: [{ atMs: 2990, valueMs: 60 }] }, lost), SETTING).facts;
    expect(find(held.claims, 'burst-loss-200ms', 'up')?.kind).toBe('so-far');
  });
});
