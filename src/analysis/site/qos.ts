/**
 * A site's QoS marks: in how many of the pooled samples the test's EF mark (Teams' mark for audio,
 * Microsoft's "Implement Quality of Service in Microsoft Teams") survived, each way. Counted over
 * the samples that measured it (kept, remarked or cleared); the samples that did not mark it or
 * could not measure it are counted apart. Beside the targets, never in the verdict.
 */
import type { QosState } from '../schema/qos-schema.js';

/** What a site report reads of a report's `qos` (a full one is one): each way's state. */
export interface SiteQosFields {
  upstream: { state: QosState };
  downstream: { state: QosState };
}

/** One way over the pooled samples. */
export interface SiteQosDirection {
  /** Samples that measured the mark (kept, remarked or cleared). */
  measured: number;
  kept: number;
  remarked: number;
  cleared: number;
  /** Of `measured`, the share that kept it, percent; null when none measured it. */
  keptPct: number | null;
  /** Samples that did not mark it, or could not measure it. */
  notMarked: number;
  notMeasured: number;
}

export interface SiteQosFacts {
  /** Pooled samples with QoS marks. */
  samples: number;
  upstream: SiteQosDirection;
  downstream: SiteQosDirection;
}

function directionFacts(states: readonly QosState[]): SiteQosDirection {
  const n = (s: QosState): number => states.filter((x) => x === s).length;
  const measured = n('kept') + n('remarked') + n('cleared');
  return {
    measured,
    kept: n('kept'),
    remarked: n('remarked'),
    cleared: n('cleared'),
    keptPct: measured === 0 ? null : (100 * n('kept')) / measured,
    notMarked: n('not-marked'),
    notMeasured: n('not-measured'),
  };
}

/** The QoS marks of the pooled samples that have them; null when none does. */
export function siteQosFacts(qos: readonly SiteQosFields[]): SiteQosFacts | null {
  if (qos.length === 0) return null;
  return {
    samples: qos.length,
    upstream: directionFacts(qos.map((q) => q.upstream.state)),
    downstream: directionFacts(qos.map((q) => q.downstream.state)),
  };
}
