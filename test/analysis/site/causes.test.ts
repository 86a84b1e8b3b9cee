/**
 * A site's samples that could not be judged, counted by cause (site/causes.ts) and said in the
 * site report: blocked relay ports are the site's (a fail when every port Teams uses was blocked),
 * a busy probe machine says what to do, our outages are ours.
 */
import { describe, expect, it } from 'vitest';
import { buildSiteReport } from '../../../src/analysis/report/site-report.js';
import type { SiteSample } from '../../../src/analysis/site/site.js';
import { sampleCauses, verdictWithBlocked } from '../../../src/analysis/site/causes.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import { reflectorInput } from '../report/inputs.js';

const M = 60_000;
const T0 = Date.UTC(2026, 0, 5);
const UDP: Array<readonly [string, number]> = [3478, 3479, 3480, 3481].map((p) => ['udp', p] as const);

const blocked = (i: number, ports: ReadonlyArray<readonly [string, number]>, verdict: 'fail' | 'insufficient'): SiteSample => ({
  id: `b${i}`,
  code: null,
  startedAtMs: T0 + i * 10 * M,
  body: { kind: 'could-not-test', reason: 'could-not-connect', side: 'network', blockedPorts: ports, verdict },
});

const clean = analyze(reflectorInput({ count: 1502, rttMs: () => 40 }));
const report = (i: number, over: Partial<typeof clean.summary> = {}): SiteSample => ({
  id: `r${i}`,
  code: null,
  startedAtMs: T0 + i * 10 * M,
  body: { kind: 'report', report: { ...clean, summary: { ...clean.summary, ...over } } },
});
const choice = { profile: null, probePath: null };

describe('why samples could not be judged', () => {
  it("names the ports a site's network blocked, and never says no 90th percentile failed", () => {
    const samples = [0, 1, 2].map((i) => blocked(i, [...UDP, ['tcp', 3478]], 'insufficient'));
    const r = buildSiteReport(samples, { site: 'Boston', sinceMs: null, choice });
    expect(r.causes).toEqual({ blocked: { samples: 3, everyTeamsPort: 0, ports: [...UDP, ['tcp', 3478]] }, deviceBusy: 0, ours: 0, other: 0 });
    expect(r.verdict).toBe('insufficient');
    expect(r.explanation[0]).toBe(
      "NO VERDICT: 3 of 3 samples: this site's network blocked every media port the test server offered (UDP 3478-3481 and TCP 3478).",
    );
    expect(r.explanation.join(' ')).not.toContain('no 90th percentile failed');
    expect(r.explanation).toContain(
      "3 of 3 samples: this site's network blocked every media port the test server offered (UDP 3478-3481 and TCP 3478). Ask the network team to allow UDP 3478-3481 and TCP 443 outbound (Microsoft's list of ports for Teams); other tests reached the test server's relay meanwhile.",
    );
    // The site's own outages, for its health: the blocked ones counted there too.
    expect(r.outages.site).toEqual({ samples: 3, reasons: [], blocked: 3 });
  });

  it('fails a site whose samples could not connect on any port Teams uses more than a tenth of the time', () => {
    const every = [...UDP, ['tcp', 443] as const];
    const samples = [...[0, 1].map((i) => blocked(i, every, 'fail')), ...Array.from({ length: 10 }, (_, i) => report(10 + i))];
    const r = buildSiteReport(samples, { site: 'Boston', sinceMs: null, choice });
    expect(r.verdict).toBe('fail');
    expect(r.explanation[0]).toBe(
      "FAIL: 2 of 12 samples: this site's network blocked every port Teams uses (UDP 3478-3481 and TCP 443), so calls could not connect.",
    );
    // One in nine is over the tenth; one in eleven is under it: the pooled verdict stands.
    expect(verdictWithBlocked('pass', 8, { samples: 1, everyTeamsPort: 1, ports: [] })).toBe('fail');
    expect(verdictWithBlocked('pass', 10, { samples: 1, everyTeamsPort: 1, ports: [] })).toBe('pass');
    // Blocked with a port Teams uses untried: never a pass over a tenth, never a fail either.
    expect(verdictWithBlocked('pass', 8, { samples: 1, everyTeamsPort: 0, ports: [] })).toBe('insufficient');
    expect(verdictWithBlocked('fail', 8, { samples: 1, everyTeamsPort: 0, ports: [] })).toBe('fail');
    expect(verdictWithBlocked('insufficient', 0, { samples: 0, everyTeamsPort: 0, ports: [] })).toBe('insufficient');
  });

  it('says how many samples a busy probe machine cost and what to do, and keeps ours apart', () => {
    const samples = [
      ...Array.from({ length: 7 }, (_, i) => report(i, { verdict: 'insufficient', insufficientCause: 'device-busy' })),
      ...Array.from({ length: 3 }, (_, i) => report(7 + i)),
      report(10, { verdict: 'insufficient', insufficientCause: 'server-busy' }),
      { id: 'x', code: null, startedAtMs: T0 + 11 * 10 * M, body: { kind: 'could-not-test', reason: 'server-busy', side: 'server' } } satisfies SiteSample,
      // During our downtime: ours, whatever it says.
      {
        id: 'y',
        code: null,
        startedAtMs: T0 + 12 * 10 * M,
        body: { kind: 'could-not-test', reason: 'server-unreachable', side: 'network-or-server' },
      } satisfies SiteSample,
      report(13, { verdict: 'insufficient', insufficientCause: 'page-hidden' }),
      { id: 'z', code: null, startedAtMs: T0 + 14 * 10 * M, body: { kind: 'could-not-test', reason: 'interrupted' } } satisfies SiteSample,
    ];
    const down = [{ startMs: T0 + 12 * 10 * M - 1, endMs: T0 + 12 * 10 * M + 1 }];
    expect(sampleCauses(samples, down)).toEqual({ blocked: { samples: 0, everyTeamsPort: 0, ports: [] }, deviceBusy: 7, ours: 3, other: 1 });
    const r = buildSiteReport(samples, { site: 'Lab', sinceMs: null, choice, down });
    expect(r.explanation).toContain(
      '7 of 15 samples could not be judged because the probe machine was too busy for the test: give the probe its own CPU (no other heavy programs beside it, or a machine of its own).',
    );
    // Ours: the two could-not-test samples (one on the server's side, one in our downtime), and the report the busy server left without a verdict.
    expect(r.explanation).toContain("2 of 15 samples could not test while callprobe's service was down or failing: our outage, not the site's.");
    expect(r.explanation).toContain("1 of 15 samples had no verdict because the test server was busy or down: ours, not this site's.");
    expect(r.explanation).toContain('1 of 15 samples had no verdict for other reasons: each sample says why.');
  });
});
