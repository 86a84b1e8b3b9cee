/**
 * The console's pure parts: the culprit lines come only from contrasts the report
 * supports (direction, UDP vs TCP, one port vs the others, this result vs the site's
 * baseline), the hour band wraps at midnight, and the tier 1 redaction drops path and NAT and
 * every form of the client's address.
 */
import { describe, expect, it } from 'vitest';
import { addressSecrets, consoleGrade, consoleResultView, culpritLines, hourBand, redactForTier1, scrubAddresses } from '../../../server/console/view.js';
import { figure } from '../../../src/analysis/present/format.js';
import { verdictRows } from '../../../src/analysis/present/view.js';
import type { Baseline } from '../../../src/protocol/api-console.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import type { Report } from '../../../src/analysis/schema/report-schema.js';
import { reflectorInput, upUnsent } from '../../analysis/report/inputs.js';

const clean = (): Report => JSON.parse(JSON.stringify(analyze(reflectorInput({ count: 1500 })))) as Report;

describe('culprit lines', () => {
  it('say nothing for a clean result without a baseline', () => {
    expect(culpritLines(clean(), null)).toEqual([]);
  });

  it('say why a test has no verdict, in the words the page and the CLI use', () => {
    // The page stalled 7000-7400 ms and skipped the 39 probes due 7010-7390 ms: up to 39 of 1500
    // (2.6 %) may have been lost unseen, more than the 1 % target, so loss cannot pass.
    const r = analyze(
      upUnsent(
        reflectorInput({
          count: 1500,
          up: { suspect: [{ startMs: 7000, endMs: 7400, reason: 'sender-stall' }] },
        }),
        7005,
        7395,
      ),
    );
    expect(r.summary.insufficientCause).toBe('device-busy');
    // A quiet timer: the share of windows instead. Up holds 1423 windows of 200 ms: of the 1481 a
    // full test has, the 39 starting at a skipped probe are gone and the 19 starting at 6820-7000 ms
    // are too sparse. The stall and its second of recovery (7000-8400 ms) touch those starting at
    // 6810 ms and at 7400-8400 ms: 102. Down holds its 1481, none the device's.
    expect(culpritLines(r, null)[0]).toBe('No verdict: this device was too busy to measure the network (102 of 2,904 200 ms windows fell in its busy time).');
  });

  it('name the UDP block when the test fell back to TCP, with the ports this test tried and no others', () => {
    const r = clean();
    r.path.transport = 'tcp';
    r.connectivity = r.connectivity.map((g) => (g.transport === 'udp' ? { ...g, reachable: false, error: 'timeout' } : g));
    expect(culpritLines(r, null).join(' ')).toMatch(/^UDP 3478 did not answer, so media went over TCP 3478: a firewall blocking UDP is the likely culprit\.$/);
    expect(culpritLines(r, null).join(' ')).not.toContain('3481');
    // No media path at all (could not connect): nothing "went over" anything.
    r.path.transport = 'unknown';
    expect(culpritLines(r, null).join(' ')).not.toMatch(/went over/);
  });

  it('name one port that did not answer while the others did', () => {
    const r = clean();
    const udp = r.connectivity.filter((g) => g.transport === 'udp');
    expect(udp.length).toBeGreaterThan(2);
    const blocked = udp[1];
    r.connectivity = r.connectivity.map((g) => (g === blocked ? { ...g, reachable: false, error: 'timeout' } : g));
    expect(culpritLines(r, null)).toEqual([`UDP ${blocked?.port} did not answer while the other ports did: a firewall rule on that port.`]);
  });

  it('point at the site when a failed result is within its usual range, at the user when above its P90', () => {
    const r = clean();
    r.summary.verdict = 'fail';
    const base = (standing: 'typical' | 'above-p90'): Baseline => ({
      site: 'HQ',
      sinceMs: 0,
      hours: [8, 9, 10, 11, 12],
      timeZone: 'UTC',
      samples: 60,
      metrics: [
        {
          target: 'latency-rtt',
          label: 'Round trip',
          direction: 'roundTrip',
          unit: 'ms',
          threshold: 100,
          value: 180,
          p50: 150,
          p90: standing === 'typical' ? 200 : 170,
          samples: 60,
          standing,
          figures: { value: figure(180, 'ms', 100), p50: figure(150, 'ms', 100), p90: figure(standing === 'typical' ? 200 : 170, 'ms', 100) },
        },
      ],
    });
    expect(culpritLines(r, base('typical'))).toEqual([
      "This result is within the site's usual range at 8:00-13:00: the site itself is the likely culprit, not this user.",
    ]);
    expect(culpritLines(r, base('above-p90')).join(' ')).toMatch(
      /Worse than this site usually is at 8:00-13:00 \(60 samples, last 7 days\): Round trip roundTrip 180.0 ms vs site P90 170.0 ms/,
    );
  });
});

describe("the console's numbers", () => {
  it('print as the page prints them: a value just under its target never reads as the target', () => {
    const r = clean();
    const g = r.grades.find((x) => x.target === 'latency-rtt');
    expect(g?.threshold).toBe(100);
    if (g === undefined) return;
    g.value = 99.96;
    g.status = 'pass';
    expect(consoleGrade(g)).toMatchObject({ measured: '99.96 ms', limit: '< 100 ms' });
    // Every grade: the same text as the page's verdict table.
    expect(r.grades.map((g) => consoleGrade(g)).map((x) => [x.measured, x.limit])).toEqual(verdictRows(r).map((x) => [x.measured, x.limit]));
  });

  it("quote a direction's loss in the culprit line as a figure, never a raw float", () => {
    const r = clean();
    if (r.summary.upstream === null || r.summary.downstream === null) throw new Error('the fixture has both directions');
    r.summary.upstream.lossPct = 2.9012345;
    r.summary.downstream.lossPct = 0.0049;
    expect(culpritLines(r, null)[0]).toMatch(/\(loss 2\.90% up vs 0\.005% down\)\.$/);
  });
});

describe('culprit lines of a test with no verdict', () => {
  it('name our side for a lost server, with no contrast drawn from the figures before it', () => {
    const r = clean();
    if (r.summary.upstream === null || r.summary.downstream === null) throw new Error('the fixture has both directions');
    r.summary.upstream.lossPct = 10; // the probes the dead server never answered
    r.summary.verdict = 'insufficient';
    r.outcome = { reason: 'connection-lost', atMs: 5200, detail: 'the server closed the connection' };
    const lines = culpritLines(r, null);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Our side, not the user's network: the test server stopped answering 5\.2 s into the test/);
    expect(lines.join(' ')).not.toMatch(/uploads|Upstream|loss/);
  });

  it('tell a relay that answered on no port apart from a browser that refused a loopback relay', () => {
    const r = clean();
    r.summary.verdict = 'insufficient';
    r.outcome = { reason: 'could-not-connect', atMs: null, detail: 'no relay port connected' };
    r.hints = [{ code: 'relay-silent', sentence: 'x' }];
    expect(culpritLines(r, null)).toEqual([
      expect.stringMatching(/^No relay port answered: either the user's network blocks every port calls use, or our relay is down/),
    ]);
    r.hints = [{ code: 'loopback-refused', sentence: 'x' }];
    expect(culpritLines(r, null)).toEqual([expect.stringMatching(/^Not the user's network: this browser refused a relay on a loopback address/)]);
  });
});

describe('hour band', () => {
  it('wraps at midnight', () => {
    expect(hourBand(1, 2)).toEqual([0, 1, 2, 3, 23]);
    expect(hourBand(10, 2)).toEqual([8, 9, 10, 11, 12]);
  });
});

describe('tier 1 redaction', () => {
  it('drops path, NAT and the client address in every form', () => {
    const r = clean() as unknown as Record<string, unknown>;
    (r.meta as Record<string, unknown>).ticket = 'user at 192.0.2.44 says hi';
    (r.explanation as string[]).push('seen from 192.0.2.44 (192.0.2.0/24), 2001:db8:5:1::9');
    const secrets = addressSecrets([
      { address: '192.0.2.44', truncated: '192.0.2.0/24', storedAtMs: 0 },
      { address: '2001:db8:5:1::9', truncated: '2001:db8:5::/48', storedAtMs: 0 },
    ]);
    const text = JSON.stringify(redactForTier1(r, secrets));
    expect(text).not.toMatch(/192\.0\.2\.|2001:db8:5:|"path":\{|"nat":/);
    expect(text).toContain('user at [address] says hi');
  });

  it('scrubs any address literal from free text, and nothing else', () => {
    // The mark is never longer than the address (src/protocol/address-text.ts).
    expect(scrubAddresses('INC-1 from 10.1.2.3 and fe80::1 and 198.51.100.77:40133 at 10:30:00, v0.1.0')).toBe(
      'INC-1 from [ip] and [ip] and [address]:40133 at 10:30:00, v0.1.0',
    );
  });
});

describe("a result on a hub's edge", () => {
  it('says where the test ran, as the page said it first, to either tier', async () => {
    const report = analyze({
      ...reflectorInput({ count: 1500, meta: { edge: { id: 'weu-1', azureRegion: 'West Europe' } } }),
      locate: {
        nearest: 'weu-1',
        lossTargetPct: 10,
        budgetMs: 3000,
        edges: [
          { id: 'weu-1', azureRegion: 'West Europe', state: 'ok', allocateMs: 40, rttMsP50: 23, rttMsP90: 25, lossPct: 0, probesSent: 20 },
          { id: 'eus-1', azureRegion: 'East US', state: 'ok', allocateMs: 200, rttMsP50: 88, rttMsP90: 90, lossPct: 0, probesSent: 20 },
        ],
      },
    });
    const stored = {
      id: 'r1',
      code: 'K7QF3MZD',
      sampleId: null,
      kind: 'report' as const,
      storedAtMs: 0,
      startedAtMs: 0,
      site: null,
      siteKey: null,
      ticket: null,
      verdict: report.summary.verdict,
      reportJson: JSON.stringify(report),
      addresses: [],
    };
    const noSites = {} as Parameters<typeof consoleResultView>[0];
    for (const role of ['tier1', 'tier2'] as const) {
      expect((await consoleResultView(noSites, stored, role, 'UTC')).edge).toEqual({
        id: 'weu-1',
        azureRegion: 'West Europe',
        sentence: 'Nearest test server: West Europe, 23 ms away. Also tried: East US 88 ms.',
      });
    }
    expect((await consoleResultView(noSites, { ...stored, reportJson: JSON.stringify(clean()) }, 'tier2', 'UTC')).edge).toBeNull();
  });
});

describe("a result with the user's device check", () => {
  it('says the devices in plain words to tier 1 as to tier 2, and leaves the verdict as the network graded it', async () => {
    const graded = analyze(reflectorInput({ count: 1500 }));
    const report: Report = {
      ...graded,
      devices: {
        unattended: false,
        microphone: { state: 'silent', seconds: 5, loudestRmsDbfs: null, peakDbfs: null, clippedPct: 0 },
        speaker: { state: 'played', chosenOutput: false, heard: 'yes' },
        camera: null,
      },
    };
    const stored = {
      id: 'r2',
      code: 'K7QF3MZE',
      sampleId: null,
      kind: 'report' as const,
      storedAtMs: 0,
      startedAtMs: 0,
      site: null,
      siteKey: null,
      ticket: null,
      verdict: report.summary.verdict,
      reportJson: JSON.stringify(report),
      addresses: [],
    };
    const noSites = {} as Parameters<typeof consoleResultView>[0];
    for (const role of ['tier1', 'tier2'] as const) {
      const view = await consoleResultView(noSites, stored, role, 'UTC');
      expect(view.devices?.[0]).toMatch(/^Your microphone sent no sound\./);
      expect(view.devices?.[1]).toBe('You heard the test tone: your speaker works.');
      expect(view.answer?.sentence).toBe((await consoleResultView(noSites, { ...stored, reportJson: JSON.stringify(graded) }, role, 'UTC')).answer?.sentence);
    }
    expect((await consoleResultView(noSites, { ...stored, reportJson: JSON.stringify(graded) }, 'tier1', 'UTC')).devices).toBeNull();
  });

  it('says a split path to tier 2 only (a network detail, like the path)', async () => {
    const report: Report = { ...analyze(reflectorInput({ count: 1500 })), network: { connectionType: null, effectiveType: '4g', splitPath: 'split' } };
    const stored = {
      id: 'r3',
      code: 'K7QF3MZF',
      sampleId: null,
      kind: 'report' as const,
      storedAtMs: 0,
      startedAtMs: 0,
      site: null,
      siteKey: null,
      ticket: null,
      verdict: report.summary.verdict,
      reportJson: JSON.stringify(report),
      addresses: [],
    };
    const noSites = {} as Parameters<typeof consoleResultView>[0];
    expect((await consoleResultView(noSites, stored, 'tier2', 'UTC')).networkContext?.[1]).toMatch(
      /^Your web traffic and your call traffic left from different addresses/,
    );
    expect((await consoleResultView(noSites, stored, 'tier1', 'UTC')).networkContext).toBeUndefined();
    // Whether the network kept the test's QoS marks follows, to tier 2 only, never graded.
    const qos: Report['qos'] = {
      upstream: { state: 'cleared', counts: { '0': 200 } },
      downstream: { state: 'not-measured', counts: null, reason: 'browser-cannot-read' },
    };
    const marked = { ...stored, reportJson: JSON.stringify({ ...report, qos }) };
    const tier2 = await consoleResultView(noSites, marked, 'tier2', 'UTC');
    expect(tier2.networkContext?.slice(2, 3)).toEqual([
      expect.stringMatching(/^Your network clears QoS marks before our server: only 0% of 200 audio packets/),
    ]);
    expect(tier2.networkContext?.[3]).toMatch(/cannot be measured in a browser/);
    expect(tier2.verdict).toBe((await consoleResultView(noSites, stored, 'tier2', 'UTC')).verdict);
    expect((await consoleResultView(noSites, marked, 'tier1', 'UTC')).networkContext).toBeUndefined();
  });

  it('says the listed media relays’ reachability to tier 2, as reachability, not quality', async () => {
    const report: Report = {
      ...analyze(reflectorInput({ count: 1500 })),
      teamsReachability: {
        timeoutMs: 3000,
        triedBy: 'page',
        answers: [{ url: 'stun:relay.example:3478', transport: 'udp', port: 3478, answer: 'blocked', ms: null }],
      },
    };
    const stored = {
      id: 'r4',
      code: 'K7QF3MZG',
      sampleId: null,
      kind: 'report' as const,
      storedAtMs: 0,
      startedAtMs: 0,
      site: null,
      siteKey: null,
      ticket: null,
      verdict: report.summary.verdict,
      reportJson: JSON.stringify(report),
      addresses: [],
    };
    const noSites = {} as Parameters<typeof consoleResultView>[0];
    expect((await consoleResultView(noSites, stored, 'tier2', 'UTC')).relayReachability).toEqual([
      "Reachability of the listed media relays from this browser (whether each port answers; it says nothing of a call's quality):",
      'UDP 3478 stun:relay.example:3478: no answer within 3 s: blocked (a firewall drops it, or nothing answers there)',
    ]);
    expect((await consoleResultView(noSites, stored, 'tier1', 'UTC')).relayReachability).toBeUndefined();
  });
});
