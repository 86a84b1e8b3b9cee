/**
 * The test's QoS marks in words (the report's `qos`, ../schema/qos-schema.ts): what became of the
 * EF mark each way, as a fact with what it means for calls, never as a grade. Pure.
 */
import { DSCP, PROBE_DSCP } from '../../protocol/dscp.js';
import type { DscpCounts } from '../../protocol/wire.js';
import { commonDscp, countedPackets } from '../grade/qos.js';
import type { Qos, QosDirection } from '../schema/qos-schema.js';
import { EN, type Messages } from './catalogue.js';

const NAMES: Readonly<Record<number, string>> = { [DSCP.ef]: 'EF', [DSCP.af41]: 'AF41', [DSCP.af21]: 'AF21' };

/** A DSCP as a network team names it: "EF (46)", "AF41 (34)", "no mark (0)", "DSCP 10". */
export function markName(dscp: number, m: Messages = EN): string {
  if (dscp === DSCP.none) return m.t('qos.mark.none');
  const name = NAMES[dscp];
  return name === undefined ? `DSCP ${String(dscp)}` : `${name} (${String(dscp)})`;
}

/** The figures a measured direction's sentence quotes: the share that kept EF, the packets counted, the mark most carried. */
function figures(counts: DscpCounts, m: Messages): { share: string; packets: string; mark: string } {
  const packets = countedPackets(counts);
  const kept = counts[String(PROBE_DSCP)] ?? 0;
  return {
    share: m.fmt.pct(packets === 0 ? 0 : (100 * kept) / packets),
    packets: m.fmt.count(packets),
    mark: markName(commonDscp(counts) ?? DSCP.none, m),
  };
}

/** One direction's sentence. */
function directionLine(d: QosDirection, way: 'up' | 'down', m: Messages): string {
  if (d.state === 'kept' || d.state === 'remarked' || d.state === 'cleared') {
    const f = figures(d.counts ?? {}, m);
    return m.t(`qos.${way}.${d.state}`, { share: f.share, packets: f.packets, mark: f.mark });
  }
  if (d.reason === 'nothing-counted') return m.t(`qos.${way}.nothing-counted`);
  if (d.reason !== undefined) return m.t(`qos.reason.${d.reason}`);
  return m.t(`qos.${way}.${d.state}`);
}

/**
 * Each way's sentence (upstream first), then, when the mark was cleared on the way out of a
 * Windows machine, that Windows itself drops it without a QoS policy; `browser` is the report's
 * `meta.browser`.
 */
export function qosLines(q: Qos, m: Messages = EN, browser = ''): string[] {
  const windows = q.upstream.state === 'cleared' && /Windows/.test(browser) ? [m.t('qos.windows')] : [];
  return [directionLine(q.upstream, 'up', m), ...windows, directionLine(q.downstream, 'down', m)];
}
