/**
 * A site's busy line: what the pooled samples that loaded the line (`callprobe run --load`,
 * the report's `load` section) said. It stands beside the site's targets and never enters the
 * site's verdict, as the phase never changes a test's verdict.
 *
 * - Each phase's verdict is counted (calls suffer, no effect seen, the line could not be
 *   loaded, the delay was this device's or the server's), and a phase that did not run
 *   (refused, server gone, no gradable evidence) apart.
 * - Per direction, over the samples that measured it and whose delay was the line's (not a
 *   device-busy or server-busy phase): nearest-rank P50 and P90 of the added
 *   delay (the loaded p50 of the probes' transit minus the idle p50), the P90's bufferbloat
 *   grade on the DSLReports scale (../grade/load.ts), the samples whose added delay harms a
 *   call (HARMFUL_ADDED_DELAY_MS or more), and the median goodput.
 */
import { bloatGrade, HARMFUL_ADDED_DELAY_MS } from '../grade/load.js';
import { nearestRankIndex } from '../measure/percentile.js';
import type { BloatGrade, LoadDirectionReport, LoadReport, LoadVerdict } from '../schema/load-schema.js';

/** What a site report reads of one loaded direction. */
type SiteLoadDirection = Pick<LoadDirectionReport, 'addedDelayMs' | 'goodputMbps'>;

/** What a site report reads of a report's `load` section (a full LoadReport is one). */
export interface SiteLoadFields {
  verdict?: Pick<LoadVerdict, 'kind'>;
  outcome?: Pick<NonNullable<LoadReport['outcome']>, 'reason'>;
  up: SiteLoadDirection | null;
  down: SiteLoadDirection | null;
}

/** Only the fields a site report reads. */
export function siteLoadFields(l: SiteLoadFields): SiteLoadFields {
  const dir = (d: SiteLoadDirection | null): SiteLoadDirection | null => (d === null ? null : { addedDelayMs: d.addedDelayMs, goodputMbps: d.goodputMbps });
  return {
    ...(l.verdict === undefined ? {} : { verdict: { kind: l.verdict.kind } }),
    ...(l.outcome === undefined ? {} : { outcome: { reason: l.outcome.reason } }),
    up: dir(l.up),
    down: dir(l.down),
  };
}

export interface BusyLineDirection {
  direction: 'up' | 'down';
  /** Samples that measured an added delay in this direction. */
  samplesMeasured: number;
  p50AddedDelayMs: number | null;
  p90AddedDelayMs: number | null;
  /** The code (or id) of the sample at the P90. */
  p90Sample: string | null;
  /** The P90's bufferbloat grade. */
  grade: BloatGrade | null;
  /** Samples whose added delay was HARMFUL_ADDED_DELAY_MS or more. */
  harmful: number;
  /** Median goodput over the samples that measured one. */
  medianGoodputMbps: number | null;
}

export interface BusyLineFacts {
  /** Pooled samples with a load section. */
  samples: number;
  suffers: number;
  noEffect: number;
  couldNotLoad: number;
  /** Phases whose added delay was this device's / the server's, not the line's. */
  deviceBusy: number;
  serverBusy: number;
  /** Phases refused or that could not run (load.outcome). */
  notRun: number;
  harmfulDelayMs: number;
  up: BusyLineDirection;
  down: BusyLineDirection;
}

/** The finite values of one field of one direction, each with its sample, sorted ascending. */
function sortedValues(
  rs: ReadonlyArray<{ sample: string; load: SiteLoadFields }>,
  direction: 'up' | 'down',
  field: keyof SiteLoadDirection,
): Array<{ value: number; sample: string }> {
  return rs
    .flatMap((r) => {
      const v = r.load[direction]?.[field];
      return v === null || v === undefined || !Number.isFinite(v) ? [] : [{ value: v, sample: r.sample }];
    })
    .sort((a, b) => a.value - b.value);
}

/** The nearest-rank percentile of sorted values, or null when there are none. */
const at = <T>(sorted: readonly T[], pct: number): T | null => (sorted.length === 0 ? null : (sorted[nearestRankIndex(sorted.length, pct)] ?? null));

function directionFacts(direction: 'up' | 'down', rs: ReadonlyArray<{ sample: string; load: SiteLoadFields }>): BusyLineDirection {
  const delays = sortedValues(rs, direction, 'addedDelayMs');
  const n = delays.length;
  const p50 = at(delays, 50);
  const p90 = at(delays, 90);
  return {
    direction,
    samplesMeasured: n,
    p50AddedDelayMs: p50?.value ?? null,
    p90AddedDelayMs: p90?.value ?? null,
    p90Sample: p90?.sample ?? null,
    grade: bloatGrade(p90?.value ?? null),
    harmful: delays.filter((d) => d.value >= HARMFUL_ADDED_DELAY_MS).length,
    medianGoodputMbps: at(sortedValues(rs, direction, 'goodputMbps'), 50)?.value ?? null,
  };
}

/** The busy line of the pooled samples that loaded it (each with its code or id), or null when none did. */
export function busyLineFacts(rs: ReadonlyArray<{ sample: string; load: SiteLoadFields }>): BusyLineFacts | null {
  if (rs.length === 0) return null;
  const kinds = rs.map((r) => (r.load.outcome !== undefined ? 'not-run' : (r.load.verdict?.kind ?? 'not-run')));
  // A delay that was this device's or the server's says nothing of the line: its figures stay out.
  const ran = rs.filter((r) => r.load.outcome === undefined && r.load.verdict?.kind !== 'device-busy' && r.load.verdict?.kind !== 'server-busy');
  return {
    samples: rs.length,
    suffers: kinds.filter((k) => k === 'suffers').length,
    noEffect: kinds.filter((k) => k === 'no-effect').length,
    couldNotLoad: kinds.filter((k) => k === 'could-not-load').length,
    deviceBusy: kinds.filter((k) => k === 'device-busy').length,
    serverBusy: kinds.filter((k) => k === 'server-busy').length,
    notRun: kinds.filter((k) => k === 'not-run').length,
    harmfulDelayMs: HARMFUL_ADDED_DELAY_MS,
    up: directionFacts('up', ran),
    down: directionFacts('down', ran),
  };
}
