import { describe, expect, it } from 'vitest';
import { senderStallIntervals } from '../../../src/session/collect/sender-stall.js';
import { SentLog } from '../../../src/session/collect/sent-log.js';
import { diagnose } from '../../../src/analysis/grade/diagnostics.js';
import { meta, path } from '../../analysis/report/inputs.js';

describe('where this device fell behind', () => {
  it('marks a late send from when it was due to one interval after it left, lead by a round trip, and merges overlaps', () => {
    // Interval 10 ms, round trip 40 ms: due at 1000, sent at 1100 -> [960, 1110]; 5 ms late is no stall.
    expect(senderStallIntervals([{ kind: 'late', scheduledMs: 1000, sendMs: 1100 }], 10, 40)).toEqual([{ startMs: 960, endMs: 1110, reason: 'sender-stall' }]);
    expect(senderStallIntervals([{ kind: 'late', scheduledMs: 1000, sendMs: 1005 }], 10, 40)).toEqual([]);
    // Three skipped ticks before the tick due at 2000: [2000 - 30 - 40, 2010]; a drop at 2005 merges into it.
    expect(
      senderStallIntervals(
        [
          { kind: 'dropped', atMs: 2005 },
          { kind: 'missed', atMs: 2000, ticks: 3 },
          { kind: 'late', scheduledMs: 500, sendMs: 520 },
        ],
        10,
        40,
      ),
    ).toEqual([
      { startMs: 460, endMs: 530, reason: 'sender-stall' },
      { startMs: 1930, endMs: 2015, reason: 'sender-stall' },
    ]);
  });

  it('gives every busy-device warning an interval covering its time (timer-late, missed-ticks, dropped-at-sender)', () => {
    const log = new SentLog(200, 0, 10);
    for (let i = 0; i < 200; i++) {
      const due = 10 * i;
      // A busy main thread: probes 50..59 all leave at 700 ms (up to 200 ms late); two ticks skipped at 1500; one drop at 1800.
      if (i >= 50 && i < 60) log.recordSent(i, 700, due, 0);
      else if (i === 180) log.recordDropped(99_999, due);
      else log.recordSent(i, due + 0.2, due, 0);
    }
    log.recordMissed(2, 1500);
    const diagnostics = log.diagnostics();
    const warnings = diagnose({
      meta: meta(),
      path: path(),
      sender: diagnostics,
      pageHidden: false,
      suspect: [],
      hiddenWithoutIntervals: false,
      clientIntervalMs: 10,
      unknownArrivals: 0,
      duplicates: 0,
      secondOpinion: { statsRttScale: 1, disagreements: [] },
      targets: [],
      notes: [],
    }).warnings.map((w) => w.code);
    expect(warnings).toEqual(expect.arrayContaining(['dropped-at-sender', 'timer-late', 'missed-ticks']));
    const stalls = log.stallIntervals(10, 20);
    const covered = (t: number): boolean => stalls.some((s) => s.startMs <= t && t <= s.endMs);
    for (const t of [500, 600, 700, 1480, 1500, 1800]) expect(covered(t), `${t} ms`).toBe(true);
    // Where the device kept up, nothing is marked.
    expect(covered(300)).toBe(false);
    expect(covered(1200)).toBe(false);
  });
});
