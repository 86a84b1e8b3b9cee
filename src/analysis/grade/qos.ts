/**
 * What became of the test's QoS mark each way (the report's `qos`, ../schema/qos-schema.ts): a
 * fact, never graded. The mark is EF (DSCP 46), Teams' mark for audio (Microsoft's "Implement
 * Quality of Service in Microsoft Teams"). Of the packets counted on arrival, the DSCP most of them
 * carried decides: the mark sent is `kept`, none (0) is `cleared`, any other is `remarked` (a
 * network that maps EF to AF41, say). Pure.
 */
import { DSCP, PROBE_DSCP } from '../../protocol/dscp.js';
import type { DscpCounts } from '../../protocol/wire.js';
import type { QosEvidence } from '../schema/input.js';
import type { Qos, QosDirection, QosReason } from '../schema/qos-schema.js';

/** What a measured mark became. */
export type MarkFate = 'kept' | 'remarked' | 'cleared';

/** The packets counted, over every DSCP. */
export function countedPackets(counts: DscpCounts): number {
  return Object.values(counts).reduce((a, n) => a + n, 0);
}

/**
 * The DSCP most packets arrived with (ties: the mark sent, then none, then the smallest value);
 * null when none was counted.
 */
export function commonDscp(counts: DscpCounts, sent: number = PROBE_DSCP): number | null {
  let best: { dscp: number; n: number } | null = null;
  const rank = (d: number): number => (d === sent ? -2 : d === DSCP.none ? -1 : d);
  for (const [key, n] of Object.entries(counts)) {
    const dscp = Number(key);
    if (n === 0) continue;
    if (best === null || n > best.n || (n === best.n && rank(dscp) < rank(best.dscp))) best = { dscp, n };
  }
  return best?.dscp ?? null;
}

/** What the mark `sent` became on the way, from the packets by the DSCP they arrived with; null when none was counted. */
export function markFate(counts: DscpCounts, sent: number = PROBE_DSCP): MarkFate | null {
  const common = commonDscp(counts, sent);
  if (common === null) return null;
  return common === sent ? 'kept' : common === DSCP.none ? 'cleared' : 'remarked';
}

const unmeasured = (reason: QosReason, counts: DscpCounts | null = null): QosDirection => ({ state: 'not-measured', counts, reason });

/** A direction whose arrivals were counted (`counts`), its mark sent: its fate, or not measured when nothing was counted. */
function measured(counts: DscpCounts): QosDirection {
  const fate = markFate(counts);
  return fate === null ? unmeasured('nothing-counted', counts) : { state: fate, counts };
}

/**
 * The report's `qos` from the test's evidence: upstream from the relay's counts of the page's
 * stream (when the browser marked it), downstream not measured (a page cannot read what arrives;
 * `callprobe run --qos` may count it afterwards: `countedDownstream`), or not marked when the
 * relay could not mark its echoes.
 */
export function qosOf(e: QosEvidence): Qos {
  const upstream: QosDirection = !e.pageMarked
    ? { state: 'not-marked', counts: e.upstream, reason: 'browser-cannot-mark' }
    : e.upstream === null
      ? unmeasured('server-cannot-read')
      : measured(e.upstream);
  const downstream: QosDirection =
    e.echoDscp === null ? { state: 'not-marked', counts: null, reason: 'server-cannot-mark' } : unmeasured('browser-cannot-read');
  return { upstream, downstream };
}

/** What `callprobe run --qos` read of the echoes that arrived: their counts by DSCP, or why it could not count them. */
export type DownstreamReading = { counts: DscpCounts } | { reason: Extract<QosReason, 'needs-linux-root' | 'counter-failed'> };

/**
 * The downstream direction once `callprobe run --qos` counted (or could not count) what arrived:
 * a server that did not mark stays `not-marked` (with what was counted); otherwise the counts decide.
 */
export function countedDownstream(before: QosDirection, reading: DownstreamReading): QosDirection {
  if ('reason' in reading) return before.state === 'not-marked' ? before : unmeasured(reading.reason);
  return before.state === 'not-marked' ? { ...before, counts: reading.counts } : measured(reading.counts);
}
