import { expect, test } from '@playwright/test';
import { RegionsTestbed, type EdgeSpec } from '../bench/regions/testbed.js';
import { locateProblems } from '../bench/regions/truth.js';

/**
 * The CI run of `npm run bench:regions`: a hub and three edges on loopback, each edge's relay
 * behind the seeded impairment proxy with its own round trip (5, 30, 80 ms) and loss, and `callprobe run
 * --server <hub> --json`. The nearest (5 ms) is killed at the first datagram its proxy takes from
 * the page, mid-locate: the report says it did not answer (unreachable), names the next (30 ms)
 * as the nearest, gives each answering edge's p50 within 3 ms + 10 % of its injected round trip
 * plus the clean base (at most 3 ms here: bench:regions measures it, about 2 ms), and completed
 * its test on that edge. Tagged @measure: it times round trips.
 */
const EDGES: EdgeSpec[] = [
  { id: 'near', azureRegion: 'West Europe', rttMs: 5, lossPct: 2 },
  // No loss where the test runs: its 4 s verdict is then always "too short" (exit 2), never a burst fail of the proxy's.
  { id: 'mid', azureRegion: 'North Europe', rttMs: 30, lossPct: 0 },
  { id: 'far', azureRegion: 'East US', rttMs: 80, lossPct: 1 },
];

/** The clean base a run that measures no clean edge allows: the loopback hairpin's own round trip (bench:regions: about 2 ms on 2 busy cores). */
const CLEAN_BASE_MAX_MS = 3;

interface Reported {
  meta: { edge?: { id: string; azureRegion: string } };
  locate?: Parameters<typeof locateProblems>[0];
  outcome: unknown;
  directions: { up: { packetsSent: number } | null };
}

// eslint-disable-next-line no-empty-pattern
test('a hub with three edges: the nearest killed mid-locate is unreachable, the test runs on the next nearest', { tag: '@measure' }, async ({}, testInfo) => {
  test.setTimeout(90_000);
  const bed = await RegionsTestbed.start(EDGES, 'ci-1');
  try {
    bed.killAtFirstDatagram('near');
    const run = await bed.run(['--duration', '4'], 60_000);
    await testInfo.attach('run.json', { body: JSON.stringify(run), contentType: 'application/json' });
    const report = run.json as Reported;
    expect(bed.killedAtMs('near'), 'the nearest was killed by its first datagram').not.toBeNull();
    expect(locateProblems(report.locate, EDGES, new Set(['near']), { minMs: 0, maxMs: CLEAN_BASE_MAX_MS })).toEqual([]);
    // The test completed on the next nearest, with the page's locate beside it.
    expect(report.meta.edge).toEqual({ id: 'mid', azureRegion: 'North Europe' });
    expect(report.outcome).toBeNull();
    expect(report.directions.up?.packetsSent).toBeGreaterThan(300);
    expect(run.progress.some((p) => p.line.includes('finding the nearest test server: 3 measured at once'))).toBe(true);
    // A test too short for a 15 s window: insufficient, exit 2 (never a network fail for the killed edge).
    expect(run.exitCode).toBe(2);
  } finally {
    await bed.stop();
  }
});
