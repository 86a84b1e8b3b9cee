/**
 * The locate over twelve edges (`npm run bench:regions`'s `many` scenario): a hub and twelve
 * edges on loopback, each edge's relay behind the seeded impairment proxy with its own round trip
 * (5 to 120 ms, no loss), the edges' ids shuffled against their distance (seeded per testbed, the
 * nearest's id at a different place of the hub's list in each: last in the first), and `callprobe
 * run --server <hub> --json --duration 1` again and again on each testbed. Per run: whether the
 * locate named the truly nearest and the test ran there, whether the probes measured the four
 * truly nearest (the first pass's ranking), the locate's time (the page's "finding the nearest
 * test server" line to its next) and its first pass's, and the first pass's bytes per edge it
 * alone reached (the proxies' truth: both directions, IP and UDP headers counted).
 */
import { loadavg } from 'node:os';
import { seededStream } from '../impair/prng.js';
import type { Truth } from '../impair/truth-types.js';
import { percentile } from '../../src/analysis/measure/percentile.js';
import type { Locate } from '../../src/analysis/schema/locate-schema.js';
import { RegionsTestbed, type EdgeSpec, type RegionsRun } from './testbed.js';
import { locateProblems, rightNearest } from './truth.js';

/** The twelve edges' ids and regions, in the hub's order (by id). */
const PLACES: [string, string][] = [
  ['aus-1', 'Australia East'],
  ['bra-1', 'Brazil South'],
  ['cin-1', 'Central India'],
  ['cus-1', 'Central US'],
  ['eas-1', 'East Asia'],
  ['eus-1', 'East US'],
  ['jpe-1', 'Japan East'],
  ['neu-1', 'North Europe'],
  ['sea-1', 'Southeast Asia'],
  ['scu-1', 'South Central US'],
  ['weu-1', 'West Europe'],
  ['wus-1', 'West US'],
];
/** Their round trips, ms: 10 ms apart (15 at the far end), the nearest at 5. */
const DISTANCES_MS = [5, 15, 25, 35, 45, 55, 65, 75, 85, 95, 105, 120];

/** Testbed `bed`'s edges: the distances shuffled against the ids by a seeded stream, the nearest's id at place 11 - bed of the list. */
function manyEdges(bed: number): EdgeSpec[] {
  const random = seededStream(`regions-many-${bed}`, 'shuffle');
  const rest = DISTANCES_MS.slice(1);
  for (let i = rest.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [rest[i], rest[j]] = [rest[j] ?? 0, rest[i] ?? 0];
  }
  const nearestAt = (((PLACES.length - 1 - bed) % PLACES.length) + PLACES.length) % PLACES.length;
  const distances = [...rest.slice(0, nearestAt), DISTANCES_MS[0] ?? 5, ...rest.slice(nearestAt)];
  return PLACES.map(([id, azureRegion], i) => ({ id, azureRegion, rttMs: distances[i] ?? 0, lossPct: 0 }));
}

export interface ManyRun {
  bed: number;
  run: number;
  exitCode: number;
  nearest: string | null;
  right: string | null;
  testedOn: string | null;
  /** The probes measured the four truly nearest edges. */
  probedNearest4: boolean;
  locateMs: number | null;
  firstPassMs: number | null;
  /** Bytes of the first pass of each edge it alone reached, both directions, IP and UDP headers. */
  firstPassBytes: number[];
  problems: string[];
  /** The 1-minute load average when the run ended: the machine is shared. */
  load1m: number | null;
}

export interface ManySummary {
  runs: number;
  testbeds: number;
  rightNearest: number;
  testedOnNearest: number;
  probedNearest4: number;
  withinTolerance: number;
  locateMsP50: number | null;
  locateMsP95: number | null;
  locateMsMax: number | null;
  firstPassMsP50: number | null;
  firstPassMsP95: number | null;
  firstPassBytesPerEdgeMax: number | null;
  firstPassBytesPerEdgeP50: number | null;
  loadAverage1m: { start: number | null; end: number | null; runsMedian: number | null; runsMax: number | null };
}

/** The locate's time from the progress lines: the "finding the nearest" line to the next. */
function locateSpan(run: RegionsRun): { startMs: number; endMs: number } | null {
  const i = run.progress.findIndex((p) => p.line.includes('finding the nearest test server'));
  const start = run.progress[i];
  const next = i >= 0 ? run.progress[i + 1] : undefined;
  return start && next ? { startMs: start.atMs, endMs: next.atMs } : null;
}

/** Bytes of `id`'s flows whose first datagram falls in the run's locate, both directions, IPv4 and UDP headers (28 B) counted. */
function flowBytes(truth: Truth | undefined, run: RegionsRun, span: { startMs: number; endMs: number }): number {
  let bytes = 0;
  for (const f of truth?.flows ?? []) {
    const at = (truth?.startedAtEpochMs ?? 0) + f.firstDatagramMs - run.startedAtEpochMs;
    if (at < span.startMs - 200 || at > span.endMs) continue;
    bytes += f.up.counts.bytesIn + 28 * f.up.counts.packetsIn + f.down.counts.forwardedBytes + 28 * (f.down.counts.forwarded + f.down.counts.duplicated);
  }
  return bytes;
}

function judge(
  bed: number,
  i: number,
  specs: readonly EdgeSpec[],
  done: { run: RegionsRun; load1m: number | null },
  truths: ReadonlyMap<string, Truth>,
  baseMs: number,
): ManyRun {
  const run = done.run;
  const report = run.json as { locate?: Locate; meta?: { edge?: { id: string } } } | null;
  const locate = report?.locate;
  const nearest4 = [...specs]
    .sort((a, b) => a.rttMs - b.rttMs)
    .slice(0, 4)
    .map((s) => s.id);
  const probed = (locate?.edges ?? []).filter((e) => e.firstPassOnly !== true).map((e) => e.id);
  const span = locateSpan(run);
  const firstOnly = (locate?.edges ?? []).filter((e) => e.firstPassOnly === true && e.state === 'ok').map((e) => e.id);
  return {
    bed,
    run: i,
    exitCode: run.exitCode,
    nearest: locate?.nearest ?? null,
    right: rightNearest(specs, new Set()),
    testedOn: report?.meta?.edge?.id ?? null,
    probedNearest4: probed.length === 4 && nearest4.every((id) => probed.includes(id)),
    locateMs: span ? span.endMs - span.startMs : null,
    firstPassMs: locate?.firstPassMs ?? null,
    firstPassBytes: span ? firstOnly.map((id) => flowBytes(truths.get(id), run, span)) : [],
    problems: locateProblems(locate, specs, new Set(), { minMs: baseMs, maxMs: baseMs }),
    load1m: done.load1m,
  };
}

const pct = (xs: number[], p: number): number | null => (xs.length === 0 ? null : percentile(xs, p));

/** `testbeds` testbeds of twelve edges, `perBed` runs each; `baseMs` the clean base. */
export async function runMany(
  testbeds: number,
  perBed: number,
  baseMs: number,
  progress: (line: string) => void,
): Promise<{ runs: ManyRun[]; summary: ManySummary }> {
  const loadStart = loadavg()[0] ?? null;
  const runs: ManyRun[] = [];
  for (let bed = 0; bed < testbeds; bed++) {
    const specs = manyEdges(bed);
    const testbed = await RegionsTestbed.start(specs, `regions-many-${bed}`, { durationMs: 60 * 60_000 });
    const done: { run: RegionsRun; load1m: number | null }[] = [];
    let truths: Map<string, Truth>;
    try {
      for (let i = 1; i <= perBed; i++) done.push({ run: await testbed.run(['--duration', '1'], 60_000), load1m: loadavg()[0] ?? null });
    } finally {
      truths = await testbed.stop();
    }
    for (const [i, d] of done.entries()) {
      const r = judge(bed, i + 1, specs, d, truths, baseMs);
      runs.push(r);
      progress(
        `many ${bed + 1}.${i + 1}: nearest ${String(r.nearest)} (right ${String(r.right)}), tested on ${String(r.testedOn)}, four nearest probed: ${r.probedNearest4 ? 'yes' : 'no'}, locate ${r.locateMs?.toFixed(0) ?? '–'} ms (first pass ${r.firstPassMs?.toFixed(0) ?? '–'} ms), load ${r.load1m?.toFixed(1) ?? '–'}${r.problems.length > 0 ? `; ${r.problems.join('; ')}` : ''}`,
      );
    }
  }
  const present = (xs: (number | null)[]): number[] => xs.filter((x): x is number => x !== null);
  const locateMs = present(runs.map((r) => r.locateMs));
  const firstPassMs = present(runs.map((r) => r.firstPassMs));
  const bytes = runs.flatMap((r) => r.firstPassBytes).filter((b) => b > 0);
  const loads = present(runs.map((r) => r.load1m));
  return {
    runs,
    summary: {
      runs: runs.length,
      testbeds,
      rightNearest: runs.filter((r) => r.nearest !== null && r.nearest === r.right).length,
      testedOnNearest: runs.filter((r) => r.testedOn !== null && r.testedOn === r.right).length,
      probedNearest4: runs.filter((r) => r.probedNearest4).length,
      withinTolerance: runs.filter((r) => r.problems.length === 0).length,
      locateMsP50: pct(locateMs, 50),
      locateMsP95: pct(locateMs, 95),
      locateMsMax: locateMs.length === 0 ? null : Math.max(...locateMs),
      firstPassMsP50: pct(firstPassMs, 50),
      firstPassMsP95: pct(firstPassMs, 95),
      firstPassBytesPerEdgeMax: bytes.length === 0 ? null : Math.max(...bytes),
      firstPassBytesPerEdgeP50: pct(bytes, 50),
      loadAverage1m: { start: loadStart, end: loadavg()[0] ?? null, runsMedian: pct(loads, 50), runsMax: loads.length === 0 ? null : Math.max(...loads) },
    },
  };
}
