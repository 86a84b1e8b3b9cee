import { expect, test } from '@playwright/test';
import { RegionsTestbed, type EdgeSpec } from '../bench/regions/testbed.js';
import { locateProblems } from '../bench/regions/truth.js';

/**
 * The CI run of `npm run bench:regions`: a hub and four edges on loopback, each edge's relay
 * behind the seeded impairment proxy with its own round trip (5, 30, 80, 150 ms) and loss, and `callprobe run
 * --server <hub> --json`, on one testbed for both tests. Tagged @measure: they time round trips.
 *
 * 1. The region leg: asked about the North Europe row (`--profile azure-region --azure-region
 *    "North Europe"`, from the site: the row's site column, 139 ms), the test runs on the nearest
 *    (West Europe, 5 ms), graded on the client-to-edge targets, then a second full test on the edge
 *    in North Europe (30 ms), graded against the row; the verdict and exit code are the worse of
 *    the two. (The edge column grades at 1,000 probes/s, more than a 4 s test on 2 busy cores
 *    sends cleanly.) Asked about Southeast Asia (137 ms), whose edge is 150 ms away: the row fails,
 *    so the test fails (exit 1), and nothing says PASS or calls the nearest's round trip that row's.
 * 2. The nearest (5 ms) is killed at the first datagram its proxy takes from the page, mid-locate:
 *    the report says it did not answer (unreachable), names the next (30 ms) as the nearest, gives
 *    each answering edge's p50 within 3 ms + 10 % of its injected round trip plus the clean base
 *    (at most 3 ms here: bench:regions measures it, about 2 ms), and completed its test on that edge.
 */
const EDGES: EdgeSpec[] = [
  // No loss where a test runs: its 4 s verdict is then always "too short" (exit 2), never a burst fail of the proxy's.
  { id: 'near', azureRegion: 'West Europe', rttMs: 5, lossPct: 0 },
  { id: 'mid', azureRegion: 'North Europe', rttMs: 30, lossPct: 0 },
  { id: 'far', azureRegion: 'East US', rttMs: 80, lossPct: 1 },
  { id: 'sea', azureRegion: 'Southeast Asia', rttMs: 150, lossPct: 0 },
];

/** The clean base a run that measures no clean edge allows: the loopback hairpin's own round trip (bench:regions: about 2 ms on 2 busy cores). */
const CLEAN_BASE_MAX_MS = 3;

interface Graded {
  meta: {
    edge?: { id: string; azureRegion: string };
    profile: { id: string; azureRegion: string | null; from: string | null };
    asked?: { id: string; azureRegion: string; from: string };
  };
  summary: { verdict: string; insufficientCause: string | null };
  explanation: string[];
  grades: { target: string; value: number | null; threshold: number; status: string }[];
  outcome: unknown;
  directions: { up: { packetsSent: number } | null };
}

interface Reported extends Graded {
  locate?: Parameters<typeof locateProblems>[0];
  legs?: { role: string; edge: { id: string; azureRegion: string }; report: Graded & { legs?: unknown } }[];
}

test.describe.serial('a hub with four edges', () => {
  let bed: RegionsTestbed;
  test.beforeAll(async () => {
    test.setTimeout(60_000);
    bed = await RegionsTestbed.start(EDGES, 'ci-1');
  });
  test.afterAll(async () => {
    await bed.stop();
  });

  const REGION_LEG =
    "graded against the North Europe row: the test on the nearest, then a region leg on the edge in North Europe, graded against the row's site column";
  // eslint-disable-next-line no-empty-pattern
  test(REGION_LEG, { tag: ['@measure', '@pair'] }, async ({}, testInfo) => {
    test.setTimeout(120_000);
    const run = await bed.run(['--duration', '4', '--profile', 'azure-region', '--azure-region', 'North Europe'], 100_000);
    await testInfo.attach('run.json', { body: JSON.stringify(run), contentType: 'application/json' });
    const report = run.json as Reported;
    expect(report.meta.edge).toEqual({ id: 'near', azureRegion: 'West Europe' });
    expect(report.locate?.nearest).toBe('near');
    expect(report.legs?.map((l) => [l.role, l.edge])).toEqual([['region', { id: 'mid', azureRegion: 'North Europe' }]]);
    const leg = report.legs?.[0]?.report;
    // A full test on that edge, graded against the row's site column, with no legs of its own.
    expect(leg?.meta.edge).toEqual({ id: 'mid', azureRegion: 'North Europe' });
    expect(leg?.meta.profile).toMatchObject({ id: 'azure-region', azureRegion: 'North Europe', from: 'site' });
    expect(leg?.outcome).toBeNull();
    expect(leg?.directions.up?.packetsSent).toBeGreaterThan(300);
    expect(leg?.legs).toBeUndefined();
    const rtt = leg?.grades.find((g) => g.target === 'latency-rtt');
    expect(rtt?.threshold).toBe(139);
    // Its round trip is the edge's: 30 ms injected, plus the clean base, within 3 ms + 10 %.
    expect(rtt?.value).toBeGreaterThan(30 - 6);
    expect(rtt?.value).toBeLessThan(30 + CLEAN_BASE_MAX_MS + 6);
    // The nearest's round trip is its own, graded on the client-to-edge targets; the question asked is kept.
    expect(report.meta.profile.id).toBe('client-to-edge');
    expect(report.meta.asked).toEqual({ id: 'azure-region', azureRegion: 'North Europe', from: 'site' });
    const nearRtt = report.grades.find((g) => g.target === 'latency-rtt');
    expect(nearRtt?.threshold).toBe(100);
    expect(nearRtt?.value).toBeLessThan(5 + CLEAN_BASE_MAX_MS + 4);
    expect(run.progress.some((p) => p.line.includes('a second test, on the test server in North Europe'))).toBe(true);
    // The worse of the two: a 4 s test is too short on both (exit 2).
    expect(report.summary.verdict).toBe('insufficient');
    expect(run.exitCode).toBe(2);
  });

  test(
    'asked about a region whose edge is over its row: the test fails (exit 1), and never says pass',
    { tag: ['@measure', '@pair'] },
    // eslint-disable-next-line no-empty-pattern
    async ({}, testInfo) => {
      test.setTimeout(120_000);
      const run = await bed.run(['--duration', '4', '--profile', 'azure-region', '--azure-region', 'Southeast Asia'], 100_000);
      await testInfo.attach('run.json', { body: JSON.stringify(run), contentType: 'application/json' });
      const report = run.json as Reported;
      expect(report.meta.edge?.id).toBe('near');
      expect(report.legs?.map((l) => l.edge.id)).toEqual(['sea']);
      const rtt = report.legs?.[0]?.report.grades.find((g) => g.target === 'latency-rtt');
      expect(rtt).toMatchObject({ threshold: 137, status: 'fail' });
      expect(report.summary.verdict).toBe('fail');
      expect(run.exitCode).toBe(1);
      const text = report.explanation.join('\n');
      expect(text).not.toMatch(/\bPASS\b/);
      expect(report.explanation[0]).toMatch(/^FAIL: to Southeast Asia, where your Teams tenant is/);
      // Each round trip labelled with the edge it was measured to.
      expect(text).toMatch(/To West Europe, the nearest test server: [\d.]+ ms, within the 100 ms limit of the client-to-edge targets\./);
      expect(text).toMatch(/To Southeast Asia, where your Teams tenant is: [\d.]+ ms, over the 137 ms limit\./);
    },
  );

  // eslint-disable-next-line no-empty-pattern
  test('the nearest killed mid-locate is unreachable, the test runs on the next nearest', { tag: ['@measure', '@pair'] }, async ({}, testInfo) => {
    test.setTimeout(90_000);
    bed.killAtFirstDatagram('near');
    const run = await bed.run(['--duration', '4'], 60_000);
    await testInfo.attach('run.json', { body: JSON.stringify(run), contentType: 'application/json' });
    const report = run.json as Reported;
    expect(bed.killedAtMs('near'), 'the nearest was killed by its first datagram').not.toBeNull();
    expect(locateProblems(report.locate, EDGES, new Set(['near']), { minMs: 0, maxMs: CLEAN_BASE_MAX_MS })).toEqual([]);
    // The test completed on the next nearest, with the page's locate beside it, and no region leg (not graded against an Azure row).
    expect(report.meta.edge).toEqual({ id: 'mid', azureRegion: 'North Europe' });
    expect(report.legs).toBeUndefined();
    expect(report.outcome).toBeNull();
    expect(report.directions.up?.packetsSent).toBeGreaterThan(300);
    expect(run.progress.some((p) => p.line.includes('finding the nearest test server: 4 measured at once'))).toBe(true);
    // A test too short for a 15 s window: insufficient, exit 2 (never a network fail for the killed edge).
    expect(run.exitCode).toBe(2);
  });
});
