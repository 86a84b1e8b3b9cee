/**
 * A generated week of site samples (seeded): one real report (analyze() over a clean
 * reflector input) as the template, each sample a copy with its own start time, per-target
 * values and statuses drawn from the seed. Round trip rises from 13:00 to 18:00 UTC on weekdays so
 * the worst hours are known.
 */
import { analyze } from '../../../src/analysis/report/analyze.js';
import type { Report } from '../../../src/analysis/schema/report-schema.js';
import type { CouldNotTest } from '../../../src/analysis/schema/could-not-test-schema.js';
import type { LoadDirectionReport, LoadReport } from '../../../src/analysis/schema/load-schema.js';
import { bloatGrade } from '../../../src/analysis/grade/load.js';
import { busyHour, syntheticFigure } from '../../../bench/report/generate.js';
import { mulberry32 } from '../../kit/prng.js';
import { reflectorInput } from '../report/inputs.js';

let template: Report | null = null;
function base(): Report {
  template ??= analyze(reflectorInput({ count: 1502, rttMs: () => 40 }));
  return template;
}

/** A report or a could-not-test record, as the client uploads it. */
export type WeekSample = { startedAtMs: number; kind: 'report'; body: Report } | { startedAtMs: number; kind: 'could-not-test'; body: CouldNotTest };

export interface WeekSpec {
  seed: number;
  /** First sample (ms since the epoch); default Monday 2026-01-05 00:00 UTC. */
  startMs?: number;
  /** How many samples, every 10 minutes; default a week (1,008). */
  samples?: number;
  /** Every k-th sample could not reach the relay (0: none). */
  couldNotTestEvery?: number;
  /** Every k-th report loaded the line (0: none): its added delays drawn from the seed, every 5th such phase refused. */
  loadEvery?: number;
  site?: string;
}

/** One loaded direction as a report carries it: `addedDelayMs` and `goodputMbps` as given, the rest plain. */
function loadedDirection(addedDelayMs: number | null, goodputMbps: number | null): LoadDirectionReport {
  return {
    goodputMbps,
    bytes: 5_000_000,
    saturated: true,
    stop: 'stable',
    durationMs: 6000,
    windowMs: { fromMs: 2000, toMs: 6000 },
    addedDelayMs,
    addedDelayMsP90: addedDelayMs === null ? null : addedDelayMs * 1.2,
    idleRttMs: 30,
    loadedRttMs: addedDelayMs === null ? null : 30 + addedDelayMs,
    jitterMs: 2,
    lossPct: 0,
    burstLossPctMax200ms: 0,
    probes: { sent: 400, received: 400, suspect: 0 },
    targets: [],
    grade: bloatGrade(addedDelayMs),
    flows: 6,
    errors: [],
  };
}

/**
 * A report's `load` section (schema-valid): a phase that ran, with its verdict kind and each
 * direction's added delay and goodput, or (`refused`) one the server refused.
 */
export function loadSection(
  spec:
    | { refused: true }
    | { kind: 'suffers' | 'no-effect' | 'could-not-load'; up: [number | null, number | null] | null; down: [number | null, number | null] | null },
): LoadReport {
  const common = { budgetBytesPerDirection: 50_000_000, capacity: null, gradeSource: 'DSLReports', method: 'test' };
  if ('refused' in spec)
    return {
      ...common,
      startedAt: null,
      bytes: 0,
      durationMs: 0,
      up: null,
      down: null,
      outcome: { reason: 'refused', detail: 'busy', sentence: 'The server is busy.' },
    };
  const dir = (d: [number | null, number | null] | null) => (d === null ? null : loadedDirection(d[0], d[1]));
  return {
    ...common,
    startedAt: '2026-01-05T00:00:20.000Z',
    bytes: 10_000_000,
    durationMs: 12_000,
    up: dir(spec.up),
    down: dir(spec.down),
    verdict: { kind: spec.kind, text: 'test', directions: spec.kind === 'suffers' ? ['up'] : [] },
  };
}

export function weekOfSamples(spec: WeekSpec): WeekSample[] {
  const rand = mulberry32(spec.seed);
  // The busy line draws from its own sequence: loading some samples leaves every other figure as it was.
  const loadRand = mulberry32(spec.seed + 1_000_003);
  const start = spec.startMs ?? Date.UTC(2026, 0, 5);
  const n = spec.samples ?? 1008;
  const out: WeekSample[] = [];
  for (let i = 0; i < n; i++) {
    const t = start + i * 600_000;
    if (spec.couldNotTestEvery !== undefined && spec.couldNotTestEvery > 0 && i % spec.couldNotTestEvery === spec.couldNotTestEvery - 1) {
      out.push({
        startedAtMs: t,
        kind: 'could-not-test',
        body: {
          kind: 'could-not-test',
          reason: 'no-relay',
          message: 'no relay port answered',
          atMs: t,
          meta: { site: spec.site ?? null, startedAt: new Date(t).toISOString() },
        },
      });
      continue;
    }
    const d = new Date(t);
    const r = structuredClone(base());
    r.meta.startedAt = d.toISOString();
    r.meta.site = spec.site ?? null;
    const busy = busyHour(d);
    const rtt = (busy ? 100 : 30) + rand() * 40;
    for (const g of r.grades) {
      if (rand() < 0.03) {
        g.status = 'insufficient';
        g.reason = 'too-few-packets';
        g.value = null;
        continue;
      }
      const v = syntheticFigure(g.target, g.threshold, rtt, rand);
      g.value = v;
      g.status = v < g.threshold ? 'pass' : 'fail';
    }
    r.summary.verdict = r.grades.some((g) => g.status === 'fail') ? 'fail' : r.grades.some((g) => g.status === 'insufficient') ? 'insufficient' : 'pass';
    r.summary.insufficientCause = r.summary.verdict === 'insufficient' ? 'too-few-probes' : null;
    if (spec.loadEvery !== undefined && spec.loadEvery > 0 && i % spec.loadEvery === 0) {
      const phase = i / spec.loadEvery;
      if (phase % 5 === 4) r.load = loadSection({ refused: true });
      else {
        const up = (busy ? 120 : 10) + loadRand() * 100;
        const down = loadRand() * 20;
        r.load = loadSection({ kind: up >= 60 ? 'suffers' : 'no-effect', up: [up, 2 + loadRand() * 3], down: [down, 20 + loadRand() * 30] });
      }
    }
    out.push({ startedAtMs: t, kind: 'report', body: r });
  }
  return out;
}
