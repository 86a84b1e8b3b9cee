/**
 * The relay ports and transports a test actually tried, named from its connectivity ladder,
 * never from a list of what should be open: the page, the CLI and the console name only what
 * this test saw ("UDP 3478-3481 and TCP 3478"). Teams' published ports are in docs/operate.md.
 */
import type { GradedPathOut, Rung, Transport } from '../schema/report-schema.js';
import { EN, type Messages } from './catalogue.js';

type RungLike = Pick<Rung, 'transport' | 'port' | 'url' | 'error' | 'reachable'>;

/** The rungs this test tried: offered by the server (a standard rung it lacks is no evidence). */
export const triedRungs = <R extends RungLike>(rungs: readonly R[]): R[] => rungs.filter((r) => r.url !== null && r.error !== 'not-offered');

const ORDER: readonly Transport[] = ['udp', 'tcp', 'tls'];

/** "UDP 3478-3481 and TCP 3478": each transport once, its ports as a span; "" for none. */
function rungsText(rungs: readonly RungLike[], m: Messages): string {
  const parts: string[] = [];
  for (const t of ORDER) {
    const of = rungs.filter((r) => r.transport === t);
    if (of.length === 0) continue;
    const ports = of.flatMap((r) => (r.port === null ? [] : [r.port]));
    parts.push(ports.length === 0 ? t.toUpperCase() : `${t.toUpperCase()} ${m.fmt.portSpan(ports)}`);
  }
  return m.fmt.andList(parts);
}

/** The UDP rungs tried that timed out, as "UDP 3478-3481" ("" when none). */
export function silentUdpText(rungs: readonly RungLike[], m: Messages = EN): string {
  return rungsText(
    triedRungs(rungs).filter((r) => r.transport === 'udp' && !r.reachable && r.error === 'timeout'),
    m,
  );
}

/** The path the graded stream used, e.g. "TCP 3478", "TLS" when the port is unknown. */
export function pathText(path: Pick<GradedPathOut, 'transport' | 'port'>, m: Messages = EN): string {
  const t = path.transport === 'unknown' ? m.t('path.tcpOrTls') : path.transport.toUpperCase();
  return path.port === null ? t : `${t} ${String(path.port)}`;
}
