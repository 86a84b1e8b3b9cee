/**
 * A generated week of site samples (seeded): one real report (analyze() over a clean
 * reflector input) as the template, each sample a copy with its own start time, per-target
 * values and statuses drawn from the seed. Round trip rises from 13:00 to 18:00 UTC on weekdays so
 * the worst hours are known.
 */
import { analyze } from '../../../src/analysis/report/analyze.js';
import type { Report } from '../../../src/analysis/schema/report-schema.js';
import type { CouldNotTest } from '../../../src/analysis/schema/could-not-test-schema.js';
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
  site?: string;
}

export function weekOfSamples(spec: WeekSpec): WeekSample[] {
  const rand = mulberry32(spec.seed);
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
    const busy = d.getUTCDay() >= 1 && d.getUTCDay() <= 5 && d.getUTCHours() >= 13 && d.getUTCHours() < 18;
    const r = structuredClone(base());
    r.meta.startedAt = d.toISOString();
    r.meta.site = spec.site ?? null;
    const rtt = (busy ? 100 : 30) + rand() * 40;
    for (const g of r.grades) {
      if (rand() < 0.03) {
        g.status = 'insufficient';
        g.value = null;
        continue;
      }
      const v =
        g.target === 'latency-rtt'
          ? rtt
          : g.target === 'latency-one-way'
            ? rtt / 2
            : g.target === 'jitter-15s'
              ? rand() * 20
              : g.target === 'reorder'
                ? rand() * 0.06
                : rand() * g.threshold * 1.2;
      g.value = v;
      g.status = v < g.threshold ? 'pass' : 'fail';
    }
    r.summary.verdict = r.grades.some((g) => g.status === 'fail') ? 'fail' : r.grades.some((g) => g.status === 'insufficient') ? 'insufficient' : 'pass';
    out.push({ startedAtMs: t, kind: 'report', body: r });
  }
  return out;
}
