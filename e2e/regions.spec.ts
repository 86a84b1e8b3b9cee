import { expect, test, chromium, type Browser } from '@playwright/test';
import { RegionsTestbed, type EdgeSpec } from '../bench/regions/testbed.js';
import { locateProblems } from '../bench/regions/truth.js';
import { CHROMIUM_ARGS } from '../client/headless/chromium.js';
import { DEFAULTS } from '../src/protocol/defaults.js';
import { PAGE_CHROMIUM } from './fixtures/env.js';

/**
 * The CI run of `npm run bench:regions`: a hub and eight edges on loopback, each edge's relay
 * behind the seeded impairment proxy with its own round trip (5 to 150 ms) and loss, the nearest
 * with the id that sorts last (the hub lists its edges by id), on one testbed for every test.
 * Tagged @measure: they time round trips.
 *
 * 1. `callprobe run --server <hub> --json`, graded against the North Europe row (`--profile
 *    azure-region --azure-region "North Europe"`, from the site: the row's site column, 139 ms):
 *    the first pass reaches all eight edges, the probes measure the nearest of it, and the test runs
 *    on the nearest (West Europe, 5 ms, listed last), graded on the client-to-edge targets, then a
 *    second full test, the region leg, on the edge in North Europe (30 ms), graded against the row;
 *    the verdict and exit code are the worse of the two. (The edge column grades at 1,000
 *    probes/s, more than a 4 s test on 2 busy cores sends cleanly.) Asked about Southeast Asia
 *    (137 ms), whose edge is 150 ms away: the row fails, so the test fails (exit 1), and nothing
 *    says PASS or calls the nearest's round trip that row's.
 * 2. The page itself, from the hub under a name Chromium resolves to 127.0.0.1 (a plain-http
 *    page: not a secure context, so no microphone; `audio=fake-device` falls back to the Web Audio
 *    tone), and from 127.0.0.1 (a secure context, the Web Audio tone the page sends by default),
 *    with `?profile=azure-region&azureRegion=North%20Europe`: the region leg's probes are sent and
 *    echoed (it once opened its tone on the context the first test had closed, and sent nothing).
 * 3. The nearest (5 ms) is killed at the first datagram its proxy takes from the page, in the
 *    first pass: the report says it did not answer (unreachable), names the next (30 ms) as the
 *    nearest, gives each edge the probes measured its p50 within 3 ms + 10 % of its injected round
 *    trip plus the clean base (at most 3 ms here: bench:regions measures it, about 2 ms), and
 *    completed its test on that edge, then its busy line (`--load`) on that edge (its own load
 *    book granted it). Last: the nearest stays dead.
 * 4. Every edge's relay drops what the page sends (a site's firewall blocking UDP to them): the
 *    test says none answered and whose side by the hub's word (blocked-ports' one rule), exits
 *    could-not-test or fail, and never lands on the first listed edge.
 */
const EDGES: EdgeSpec[] = [
  // No loss where a test runs: its 4 s verdict is then always "too short" (exit 2), never a burst fail of the proxy's.
  { id: 'near', azureRegion: 'West Europe', rttMs: 5, lossPct: 0 },
  { id: 'mid', azureRegion: 'North Europe', rttMs: 30, lossPct: 0 },
  { id: 'far', azureRegion: 'East US', rttMs: 80, lossPct: 1 },
  // Listed before the nearest (the hub lists by id): a locate of the first four in the hub's order would never measure it.
  { id: 'ase-1', azureRegion: 'Southeast Asia', rttMs: 150, lossPct: 0 },
  { id: 'bra-1', azureRegion: 'Brazil South', rttMs: 100, lossPct: 0 },
  { id: 'cus-1', azureRegion: 'Central US', rttMs: 60, lossPct: 0 },
  { id: 'inc-1', azureRegion: 'Central India', rttMs: 110, lossPct: 0 },
  { id: 'jpe-1', azureRegion: 'Japan East', rttMs: 45, lossPct: 0 },
];
/** A name of the hub's that Chromium resolves to 127.0.0.1: its page is plain http, not a secure context. */
const PLAIN_NAME = 'regions-hub.test';

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

interface PageReport extends Reported {
  secondOpinion: { audioSource: string | null };
  directions: { up: { packetsSent: number } | null; roundTrip: { echoes: number; rttMs: { p50: number } | null } | null };
  probe: { path: string };
  diagnostics: { notes: string[] };
}

/** A region leg's report: its probes sent and echoed, on the edge in North Europe. */
function expectLegMeasured(report: PageReport | undefined): void {
  expect(report?.meta.edge, JSON.stringify({ locate: report?.locate, notes: report?.diagnostics.notes })).toEqual({ id: 'near', azureRegion: 'West Europe' });
  const leg = report?.legs?.[0];
  expect(leg?.edge).toEqual({ id: 'mid', azureRegion: 'North Europe' });
  const legReport = leg?.report as PageReport | undefined;
  expect(legReport?.secondOpinion.audioSource).toBe('webaudio');
  expect(legReport?.outcome).toBeNull();
  expect(legReport?.directions.up?.packetsSent ?? 0).toBeGreaterThan(50);
  expect(legReport?.directions.roundTrip?.echoes ?? 0).toBeGreaterThan(50);
  expect(legReport?.directions.roundTrip?.rttMs?.p50 ?? 0).toBeGreaterThan(20);
}

/** The page of `origin` with a region leg, in `browser`: its published report once it shows its verdict. */
async function pageWithLeg(browser: Browser, origin: string, audio: string): Promise<{ report: PageReport | undefined; secure: boolean }> {
  const page = await browser.newPage();
  try {
    await page.goto(`${origin}/?profile=azure-region&azureRegion=North%20Europe&duration=3&save=0&autostart=1${audio}`);
    await expect(page.locator('[data-verdict]')).toBeVisible({ timeout: 60_000 });
    // Two lines: the nearest edge's round trip on its own targets, then the region leg's against the row.
    await expect(page.locator('[data-region-leg]')).toHaveCount(2);
    await expect(page.locator('[data-region-leg]').nth(1)).toContainText('North Europe');
    const secure = await page.evaluate(() => globalThis.isSecureContext);
    const result = await page.evaluate(() => (globalThis as { __callprobeResult?: { report?: PageReport } }).__callprobeResult);
    return { report: result?.report, secure };
  } finally {
    await page.close();
  }
}

test.describe.serial('a hub with eight edges', () => {
  let bed: RegionsTestbed;
  let started: RegionsTestbed | undefined;
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    bed = await RegionsTestbed.start(EDGES, 'ci-1', { hubNames: [PLAIN_NAME], metrics: true, onHub: (b) => (started = b) });
  });
  test.afterAll(async () => {
    // Whatever started, even when the start did not finish in time.
    await started?.stop();
  });

  const REGION_LEG =
    "graded against the North Europe row: the test on the nearest, then a region leg on the edge in North Europe, graded against the row's site column";
  // eslint-disable-next-line no-empty-pattern
  test(REGION_LEG, { tag: ['@measure', '@pair'] }, async ({}, testInfo) => {
    test.setTimeout(120_000);
    const run = await bed.run(['--duration', '4', '--profile', 'azure-region', '--azure-region', 'North Europe'], 100_000);
    await testInfo.attach('run.json', { body: JSON.stringify(run), contentType: 'application/json' });
    const report = run.json as Reported;
    // The nearest, listed last of eight, named and tested on; every edge reached in the first pass with its time, the probes on four of them.
    expect(report.meta.edge).toEqual({ id: 'near', azureRegion: 'West Europe' });
    expect(report.locate?.nearest).toBe('near');
    expect(report.locate?.edges.map((e) => e.id)).toEqual([...EDGES.map((e) => e.id)].sort());
    const seen = JSON.stringify(report.locate);
    expect(
      report.locate?.edges.every((e) => e.allocateMs !== null),
      seen,
    ).toBe(true);
    const probed = report.locate?.edges.filter((e) => e.firstPassOnly !== true).map((e) => e.id) ?? [];
    expect(probed, seen).toHaveLength(4);
    expect(probed, seen).toEqual(expect.arrayContaining(['near', 'mid']));
    expect(report.locate?.family).toBe('ipv4');
    // The probes started once four had answered, before the first pass's 1.8 s were up.
    expect(report.locate?.firstPassMs).toBeLessThan(DEFAULTS.locate.firstPassBudgetMs);
    expect(run.progress.some((p) => p.line.includes('finding the nearest test server: 8 reached at once, the 4 nearest of them measured'))).toBe(true);
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
      expect(report.legs?.map((l) => l.edge.id)).toEqual(['ase-1']);
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

  const PAGE_LEG = "the page's own region leg, from a plain-http hub page and a secure one: its probes sent and echoed";
  // eslint-disable-next-line no-empty-pattern
  test(PAGE_LEG, { tag: ['@measure', '@pair'] }, async ({}, testInfo) => {
    test.setTimeout(120_000);
    const browser = await chromium.launch({
      executablePath: PAGE_CHROMIUM,
      args: [...CHROMIUM_ARGS, '--allow-loopback-in-peer-connection', `--host-resolver-rules=MAP ${PLAIN_NAME} 127.0.0.1`],
    });
    try {
      // Plain http: no microphone, so the fake one asked for falls back to the Web Audio tone (as `run` against a plain-http hub).
      const plain = await pageWithLeg(browser, bed.urlAs(PLAIN_NAME), '&audio=fake-device');
      await testInfo.attach('plain.json', { body: JSON.stringify(plain.report), contentType: 'application/json' });
      expect(plain.secure).toBe(false);
      expectLegMeasured(plain.report);
      // 127.0.0.1 is a secure context: the page's default, the Web Audio tone.
      const secure = await pageWithLeg(browser, bed.hub.url, '');
      await testInfo.attach('secure.json', { body: JSON.stringify(secure.report), contentType: 'application/json' });
      expect(secure.secure).toBe(true);
      expectLegMeasured(secure.report);
    } finally {
      await browser.close();
    }
  });

  test(
    'the nearest killed in the first pass is unreachable, the test and its busy line run on the next nearest',
    { tag: ['@measure', '@pair'] },
    // eslint-disable-next-line no-empty-pattern
    async ({}, testInfo) => {
      test.setTimeout(120_000);
      bed.killAtFirstDatagram('near');
      const run = await bed.run(['--duration', '4', '--load'], 90_000);
      await testInfo.attach('run.json', { body: JSON.stringify(run), contentType: 'application/json' });
      const report = run.json as Reported;
      expect(bed.killedAtMs('near'), 'the nearest was killed by its first datagram').not.toBeNull();
      expect(locateProblems(report.locate, EDGES, new Set(['near']), { minMs: 0, maxMs: CLEAN_BASE_MAX_MS }), JSON.stringify(report.locate)).toEqual([]);
      // The test completed on the next nearest, with the page's locate beside it, and no region leg (not graded against an Azure row).
      expect(report.meta.edge).toEqual({ id: 'mid', azureRegion: 'North Europe' });
      expect(report.legs).toBeUndefined();
      expect(report.outcome).toBeNull();
      expect(report.directions.up?.packetsSent).toBeGreaterThan(300);
      expect(run.progress.some((p) => p.line.includes('finding the nearest test server: 8 reached at once'))).toBe(true);
      // The busy line ran where the test did: the edge's own load book granted it, no other edge's.
      const grants = async (id: string): Promise<number> => Number(/^callprobe_load_grants_total (\d+)$/m.exec(await bed.edgeMetrics(id))?.[1] ?? NaN);
      expect(await grants('mid')).toBeGreaterThanOrEqual(1);
      expect(await grants('far')).toBe(0);
      // A test too short for a 15 s window: insufficient, exit 2 (never a network fail for the killed edge).
      expect(run.exitCode).toBe(2);
    },
  );

  test(
    'every edge blocked: the test says none answered and whose side, and never lands on the first listed edge',
    { tag: ['@measure', '@pair'] },
    // eslint-disable-next-line no-empty-pattern
    async ({}, testInfo) => {
      test.setTimeout(90_000);
      bed.blockEveryRelay(true);
      const run = await bed.run(['--duration', '4'], 60_000);
      await testInfo.attach('run.json', { body: JSON.stringify(run), contentType: 'application/json' });
      const out = run.json as { kind?: string; reason?: string; message?: string; side?: string };
      expect(bed.blockedDatagrams(), 'the edges dropped what the page sent').toBeGreaterThan(0);
      expect(out, JSON.stringify(out)).toMatchObject({ kind: 'could-not-test', reason: 'could-not-connect' });
      expect(out.message).toContain("none of this hub's test servers answered");
      // Whose side, by the hub's word a moment later: each edge still offered with its relay's check (the network's), or not (ours).
      expect(['network', 'network-or-server', 'server']).toContain(out.side);
      // A could-not-test record, not a report on some edge: exit 4, or 1 where every port calls use was tried and blocked.
      expect([1, 4]).toContain(run.exitCode);
      bed.blockEveryRelay(false);
    },
  );
});
