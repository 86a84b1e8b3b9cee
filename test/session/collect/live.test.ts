import { describe, expect, it } from 'vitest';
import { LiveMeter, ProvisionalTracker, type ProvisionalPlan } from '../../../src/session/collect/live.js';
import { SentLog } from '../../../src/session/collect/sent-log.js';
import { resolveProfile } from '../../../src/analysis/grade/targets.js';
import type { ProvisionalEvidence } from '../../../src/analysis/grade/provisional.js';
import type { DirectionRecords } from '../../../src/analysis/measure/records.js';

function meter(count: number): { sent: SentLog; live: LiveMeter } {
  const sent = new SentLog(count, 0);
  return { sent, live: new LiveMeter(sent) };
}

describe('live figures', () => {
  it('runs the RFC 3550 jitter step over transit times in arrival order', () => {
    const { live } = meter(4);
    expect(live.figures(0, 0, 0).jitterMs).toBeNull();
    // Transits 100, 105, 100, 105 ms: J = 0, then D = +5, -5, +5 (hand-computed, exact in binary).
    const seen: (number | null)[] = [];
    for (const transitMs of [100, 105, 100, 105]) {
      live.addTransit(transitMs);
      seen.push(live.figures(0, 0, 0).jitterMs);
    }
    expect(seen).toEqual([0, 0.3125, 0.60546875, 0.880126953125]);
  });

  it('gives the nearest-rank median round trip of the last two seconds', () => {
    const { live } = meter(1);
    expect(live.rttMedian(0)).toBeNull();
    live.addRtt(0, 50); // older than 2 s at t = 2500: left out
    live.addRtt(1000, 40);
    live.addRtt(1100, 10);
    live.addRtt(1200, 30);
    live.addRtt(1300, 20);
    // {10, 20, 30, 40}: rank ceil(0.5 x 4) = 2 -> 20 (a measured value, not the 25 between them).
    expect(live.rttMedian(2500)).toBe(20);
    live.addRtt(2400, 35);
    // {10, 20, 30, 35, 40}: rank 3 -> 30.
    expect(live.rttMedian(2500)).toBe(30);
    // At 3250 ms the window starts at 1250: {20 (at 1300), 35 (at 2400)}, rank 1 -> 20.
    expect(live.rttMedian(3250)).toBe(20);
  });

  it('counts what was sent and answered', () => {
    const { sent, live } = meter(4);
    for (let i = 0; i < 4; i++) sent.recordSent(i, 10 * i, 10 * i, 0);
    expect(live.figures(1015, 0, 2)).toEqual({ elapsedS: 1.015, rttMs: null, jitterMs: null, sent: 4, received: 2 });
  });
});

/** A loopback test at 100 probes/s from 450 ms into the test, probes `lost` never arriving, as the collector holds it at `atMs`. */
function evidence(atMs: number, lost: (i: number) => boolean = () => false): ProvisionalEvidence {
  const records: DirectionRecords = { sent: [], arrivals: [], intervalMs: 10, suspect: [] };
  for (let i = 0; 450 + 10 * i <= atMs; i++) {
    const sendMs = 450 + 10 * i;
    records.sent.push({ seq: i, sendMs });
    if (!lost(i) && sendMs + 2 <= atMs) records.arrivals.push({ seq: i, sendMs, recvMs: sendMs + 2 });
  }
  return {
    atMs,
    lossTimeoutMs: 1000,
    directions: [{ name: 'loop', records, senderNowMs: atMs, testStartMs: 0 }],
    roundTrip: { samples: records.arrivals.map((a) => ({ seq: a.seq, sendMs: a.sendMs, rttMs: 2 })) },
    views: null,
  };
}

const PLAN: ProvisionalPlan = {
  setting: { profile: resolveProfile({ id: 'client-to-edge' }), ratePps: 100, channelOk: true, durationS: 15, intervalMs: 10, likelyClaims: true },
  path: { transport: 'udp', port: 3478 },
};

describe('when a provisional answer is shown', () => {
  it('aligns its ticks on the half seconds since the probes started, not since the click', () => {
    // The probes started 100 ms into the page's clock (a connection of 8 s would be the same): ticks count from there.
    const t = new ProvisionalTracker(PLAN, 100);
    expect(t.tickAt(3199)).toBe(3000);
    expect(t.nextTickMs(3199)).toBe(3600);
    // A timer that fires a millisecond early (Chromium's timers may) is still that tick.
    expect(t.tickAt(3599)).toBe(3500);
    expect(t.tickAt(3590)).toBe(3000);
  });

  it('shows the first answer 3 s after the probes started, then every second to 8 s, then every 2 s, and keeps each', () => {
    const t = new ProvisionalTracker(PLAN, 0);
    const shownAt = [];
    for (let atMs = 500; atMs <= 15_000; atMs += 500) if (t.tick(evidence(atMs))) shownAt.push(atMs);
    expect(shownAt).toEqual([3000, 4000, 5000, 6000, 7000, 8000, 10_000, 12_000, 14_000]);
    expect(t.history().map((h) => h.atMs)).toEqual(shownAt);
    // The last answer, 14 s: none lost, a likely pass, shown as the answer.
    expect(t.view?.atS).toBe(14);
    expect(t.view?.tone).toBe('good');
  });

  it('shows a late tick as the next one due, once', () => {
    const t = new ProvisionalTracker(PLAN, 0);
    expect(t.tick(evidence(3500))).toBe(true);
    expect(t.tick(evidence(4000))).toBe(true);
    expect(t.tick(evidence(4500))).toBe(false);
  });

  it('shows a fail at once when it settles, before 3 s too, and keeps it', () => {
    // Probes 20-22 (650-670 ms) never arrive: their window has ended and is judged at 2 s (judged up to 1000 ms).
    const t = new ProvisionalTracker(PLAN, 0);
    expect(t.tick(evidence(1500, (i) => i >= 20 && i <= 22))).toBe(false);
    expect(t.tick(evidence(2000, (i) => i >= 20 && i <= 22))).toBe(true);
    expect(t.view?.tone).toBe('bad');
    expect(t.view?.headline).toMatch(/^Calls will break up here: 3 of 20 probes \(15%\) lost in 200 ms at 0\.[0-9]+ s, through the relay and back\./);
    expect(t.tick(evidence(2500, (i) => i >= 20 && i <= 22))).toBe(false);
    expect(t.history().map((h) => h.atMs)).toEqual([2000]);
    // Once a fail is seen, no likely pass on loss is claimed again.
    t.tick(evidence(5000, (i) => i >= 20 && i <= 22));
    expect(
      t
        .history()
        .at(-1)
        ?.claims.some((c) => c.kind === 'likely-pass' && c.metric === 'loss-15s'),
    ).toBe(false);
  });

  it('keeps the first settled fail as the headline, in its first words, while later fails are added below it', () => {
    // Probes 20-22 (650-670 ms) never arrive, then 500-504 (5450-5490 ms): a second, worse burst settles later.
    const lost = (i: number): boolean => (i >= 20 && i <= 22) || (i >= 500 && i <= 504);
    const t = new ProvisionalTracker(PLAN, 0);
    t.tick(evidence(2000, lost));
    const first = t.view?.headline ?? '';
    expect(first).toMatch(
      /^Calls will break up here: 3 of 20 probes \(15%\) lost in 200 ms at 0\.[0-9]+ s, through the relay and back\. This will not change\./,
    );
    for (let atMs = 2500; atMs <= 9000; atMs += 500) t.tick(evidence(atMs, lost));
    expect(t.view?.headline).toBe(first);
    expect(t.view?.tone).toBe('bad');
    // The later, worse window is below, as the settled item of its direction.
    expect(t.view?.items.find((it) => it.state === 'settled' && it.text.startsWith('Lost in a burst'))?.text).toMatch(
      /^Lost in a burst, through the relay and back: 5 of 20 probes/,
    );
  });

  it('keeps at most 12 answers on the schedule', () => {
    const t = new ProvisionalTracker({ ...PLAN, setting: { ...PLAN.setting, durationS: 40 } }, 0);
    let shown = 0;
    for (let atMs = 500; atMs <= 40_000; atMs += 500) if (t.tick(evidence(atMs))) shown++;
    // 3, 4, 5, 6, 7 and 8 s, then 10, 12, ... 40 s.
    expect(shown).toBe(22);
    expect(t.history()).toHaveLength(12);
  });
});
