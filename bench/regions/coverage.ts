/**
 * Site x edge coverage of a week of scheduled samples: with a hub of up to 20 edges and probes
 * that measure at most DEFAULTS.locate.maxEdges at once, does every site x edge pair reach the
 * DEFAULTS.siteReport.p90MinSamples samples a P90 needs within a week of 10-minute samples?
 *
 * A simulation against the real logic: each slot's probe set is src/session/plan/edges.ts
 * probePlan and probeSet (the scheduler's turn: the slot number, the site's edge and the edge its
 * last sample found clearly nearer, as client/schedule/scheduler.ts passes them; the first pass
 * ranks the edges by their true round trips), and the edge the test runs on is the locate's own
 * rule for a site (src/analysis/grade/locate.ts siteEdge) over each measured edge's true round
 * trip. Every placement of the truly nearest edge in the hub's list is tried. Pure and fast (well
 * under a second): `node dist/bench/regions/coverage.js` prints the table.
 */
import { DEFAULTS } from '../../src/protocol/defaults.js';
import { RECOMMENDED_TESTS } from '../../src/analysis/grade/targets.js';
import { siteEdge } from '../../src/analysis/grade/locate.js';
import { probePlan, probeSet } from '../../src/session/plan/edges.js';

/** What one simulated week says for one hub size. */
export interface Coverage {
  edges: number;
  /** Fewest samples any site x edge pair had over the week, over every placement of the nearest. */
  minSamplesPerPair: number;
  /** The latest slot (10-minute sample, from 1) at which the last pair reached minSamples; null when one never did. */
  allReachedAtSample: number | null;
  /** Most samples of the week whose test did not run on the truly nearest edge. */
  offNearestMax: number;
}

/** One week (`slots` samples) for `n` edges, the truly nearest at list position `nearestAt`. */
function week(n: number, nearestAt: number, slots: number, minSamples: number): { min: number; reachedAt: number | null; offNearest: number } {
  // Round trips: 20 ms for the nearest, then 30, 40, ... for the others, in list order.
  const edges = Array.from({ length: n }, (_, i) => ({ id: `e${i}`, rttMs: i === nearestAt ? 20 : 30 + 10 * i }));
  const listed = edges.map((e) => e.id);
  const byRtt = [...edges].sort((a, b) => a.rttMs - b.rttMs).map((e) => e.id);
  const counts = new Map(listed.map((id) => [id, 0]));
  let short = listed.length;
  let site: { keep: string | null; challenger: string | null } = { keep: null, challenger: null };
  let reachedAt: number | null = null;
  let offNearest = 0;
  for (let slot = 0; slot < slots; slot++) {
    const rotation = { round: slot, ...site };
    const ids = listed.length <= DEFAULTS.locate.maxEdges ? listed : probeSet(probePlan(listed, DEFAULTS.locate.maxEdges, rotation), byRtt);
    for (const id of ids) {
      const c = (counts.get(id) ?? 0) + 1;
      counts.set(id, c);
      if (c === minSamples) short--;
    }
    const measured = edges.filter((e) => ids.includes(e.id)).map((e) => ({ id: e.id, state: 'ok' as const, rttMsP50: e.rttMs, lossPct: 0 }));
    const choice = siteEdge(measured, site.keep, site.challenger);
    if (choice.runOn !== `e${nearestAt}`) offNearest++;
    site = { keep: choice.runOn, challenger: choice.challenger };
    if (reachedAt === null && short === 0) reachedAt = slot + 1;
  }
  return { min: Math.min(...counts.values()), reachedAt, offNearest };
}

/** The coverage of a week for a hub of `n` edges, over every placement of the nearest edge. */
export function coverage(n: number, slots: number = RECOMMENDED_TESTS, minSamples: number = DEFAULTS.siteReport.p90MinSamples): Coverage {
  const weeks = Array.from({ length: n }, (_, at) => week(n, at, slots, minSamples));
  const reached = weeks.map((w) => w.reachedAt);
  return {
    edges: n,
    minSamplesPerPair: Math.min(...weeks.map((w) => w.min)),
    allReachedAtSample: reached.some((r) => r === null) ? null : Math.max(...reached.map((r) => r ?? 0)),
    offNearestMax: Math.max(...weeks.map((w) => w.offNearest)),
  };
}

function main(): void {
  const rows = Array.from({ length: 19 }, (_, i) => coverage(i + 2));
  const lines = [
    `| edges | fewest samples of any site x edge pair in a week (${RECOMMENDED_TESTS} samples) | every pair at ${DEFAULTS.siteReport.p90MinSamples} samples after | samples not on the nearest edge, at most |`,
    '| --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.edges} | ${r.minSamplesPerPair} | ${r.allReachedAtSample === null ? 'never' : `sample ${r.allReachedAtSample} (${((r.allReachedAtSample * 10) / 60 / 24).toFixed(1)} days)`} | ${r.offNearestMax} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) main();
