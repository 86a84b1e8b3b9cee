import { describe, expect, it } from 'vitest';
import { inDowntime, serviceDowntime, upTimeMs } from '../../../src/analysis/site/service.js';
import { outagesOf } from '../../../src/analysis/site/outages.js';

const M = 60_000;

describe("callprobe's downtime from the heartbeats", () => {
  it('is the gaps between the runs of every instance, a dead one up until its last beat plus the grace', () => {
    const beats = [
      // A: 0-60 min, stopped cleanly. B: 30-90 min, died after its beat at 90 (grace 1 min). C: 120 min on, beating now.
      { startedAtMs: 0, lastBeatMs: 60 * M, stoppedAtMs: 60 * M },
      { startedAtMs: 30 * M, lastBeatMs: 90 * M, stoppedAtMs: null },
      { startedAtMs: 120 * M, lastBeatMs: 150 * M, stoppedAtMs: null },
    ];
    expect(serviceDowntime(beats, M, 0, 150 * M)).toEqual([{ startMs: 91 * M, endMs: 120 * M }]);
    // Asked from 100 min: the gap is cut at the start of the span.
    expect(serviceDowntime(beats, M, 100 * M, 150 * M)).toEqual([{ startMs: 100 * M, endMs: 120 * M }]);
    // Before the first run nothing is known: never our downtime.
    expect(serviceDowntime(beats.slice(2), M, 0, 150 * M)).toEqual([]);
    expect(serviceDowntime([], M, 0, 150 * M)).toEqual([]);
    // No instance up now: down from the last one's end.
    expect(serviceDowntime(beats.slice(0, 1), M, 0, 80 * M)).toEqual([{ startMs: 60 * M, endMs: 80 * M }]);
  });

  it('counts up time over a span, and tells a sample in our downtime (start inclusive, end exclusive)', () => {
    const down = [{ startMs: 91 * M, endMs: 120 * M }];
    expect(upTimeMs(down, 60 * M, 150 * M)).toBe(61 * M);
    expect(upTimeMs(down, 100 * M, 110 * M)).toBe(0);
    expect(upTimeMs(down, 150 * M, 100 * M)).toBe(0);
    expect([90 * M, 91 * M, 119 * M, 120 * M].map((t) => inDowntime(down, t))).toEqual([false, true, true, false]);
  });

  it("splits could-not-test samples into the site's own outages, ours, and interrupted ones", () => {
    const down = [{ startMs: 91 * M, endMs: 120 * M }];
    const o = outagesOf(
      [
        { startedAtMs: 10 * M, reason: 'server-unreachable' },
        { startedAtMs: 95 * M, reason: 'server-unreachable' },
        { startedAtMs: 96 * M, reason: 'interrupted' },
        { startedAtMs: 130 * M, reason: 'no-relay' },
        { startedAtMs: 140 * M, reason: 'server-unreachable' },
        // On the server's side whenever it started: ours.
        { startedAtMs: 150 * M, reason: 'reflector-error', side: 'server' },
        // Blocked by the site's network (the relay seen answering others): the site's, counted apart.
        { startedAtMs: 160 * M, reason: 'could-not-connect', side: 'network' },
        { startedAtMs: 170 * M, reason: 'could-not-connect', side: 'network-or-server' },
      ],
      down,
    );
    expect(o).toEqual({
      site: {
        samples: 5,
        reasons: [
          { reason: 'server-unreachable', samples: 2 },
          { reason: 'could-not-connect', samples: 1 },
          { reason: 'no-relay', samples: 1 },
        ],
        blocked: 1,
      },
      ours: { samples: 2 },
      interrupted: { samples: 1 },
    });
  });
});
