import { describe, expect, it } from 'vitest';
import { echoFigures, type EchoBack, type EchoSent } from '../../../src/analysis/measure/echo-cuts.js';
import { echoState } from '../../../src/analysis/grade/echo.js';

/** Ten frames every 10 ms from t = 1000 ms. */
const sent: EchoSent[] = Array.from({ length: 10 }, (_, i) => ({ probeSeq: i, sendMs: 1000 + i * 10 }));
/** Round trips by probe number; null: never back. */
const backAt = (rtts: (number | null)[]): EchoBack[] => rtts.flatMap((rtt, i) => (rtt === null ? [] : [{ probeSeq: i, recvMs: 1000 + i * 10 + rtt }]));
const opts = { lateMs: 200, mergeGapMs: 0 };

describe('echoFigures', () => {
  // Frames 2 and 3 lost, frame 5 back 240 ms after it left: 210 ms beyond the fastest (30 ms), late.
  const rtts = [30, 32, null, null, 31, 240, 40, 30, 30, 30];

  it('counts lost and late frames against the fastest round trip, and cuts at each run', () => {
    const f = echoFigures(sent, backAt(rtts), opts);
    expect(f).toEqual({
      framesSent: 10,
      framesBack: 8,
      lostPct: 20,
      latePct: 10,
      fastestRttMs: 30,
      cuts: [
        { atMs: 20, ms: 20, why: 'lost' }, // 1020 to the next frame that played, 1040
        { atMs: 50, ms: 10, why: 'late' }, // 1050 to 1060
      ],
    });
    expect(echoState(f)).toBe('cut');
  });

  it('hears two cuts with less than mergeGapMs of sound between them as one, lost when either was', () => {
    // The first cut ends at 40 ms, the second starts at 50: 10 ms of sound, under 20.
    expect(echoFigures(sent, backAt(rtts), { ...opts, mergeGapMs: 20 }).cuts).toEqual([{ atMs: 20, ms: 40, why: 'lost' }]);
    // 10 ms is not under 10: two cuts.
    expect(echoFigures(sent, backAt(rtts), { ...opts, mergeGapMs: 10 }).cuts).toHaveLength(2);
  });

  it('is not late at exactly lateMs beyond the fastest', () => {
    const f = echoFigures(sent, backAt([30, 230, 30, 30, 30, 30, 30, 30, 30, 231]), opts);
    expect(f.latePct).toBe(10);
    // The last frame's cut runs one frame interval (the median, 10 ms) past it.
    expect(f.cuts).toEqual([{ atMs: 90, ms: 10, why: 'late' }]);
  });

  it('counts a duplicate once, at its first arrival, in any order', () => {
    const back = backAt([30, 30, 30, 30, 30, 30, 30, 30, 30, 30]);
    const dup = { probeSeq: 4, recvMs: 1040 + 500 };
    const f = echoFigures([...sent].reverse(), [dup, ...back.reverse()], opts);
    expect(f.framesBack).toBe(10);
    expect(f.cuts).toEqual([]);
    expect(echoState(f)).toBe('ok');
  });

  it('says nothing came back as one cut over the whole test', () => {
    const f = echoFigures(sent, [], opts);
    expect(f).toMatchObject({ framesBack: 0, lostPct: 100, latePct: 0, fastestRttMs: null, cuts: [{ atMs: 0, ms: 100, why: 'lost' }] });
    expect(echoState(f)).toBe('no-audio-back');
  });

  it('has nothing to say of a test that sent nothing', () => {
    const f = echoFigures([], [], opts);
    expect(f).toEqual({ framesSent: 0, framesBack: 0, lostPct: 0, latePct: 0, fastestRttMs: null, cuts: [] });
    expect(echoState(f)).toBe('failed');
  });
});
