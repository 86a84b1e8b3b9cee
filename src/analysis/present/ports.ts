/**
 * The relay ports and transports a test actually tried, named from its connectivity ladder,
 * never from a list of what should be open: the page, the CLI and the console name only what
 * this test saw ("UDP 3478-3481 and TCP 3478"). Teams' published ports are in docs/operate.md.
 */
import type { GradedPathOut, Report, Rung, Transport } from '../schema/report-schema.js';
import { blockedPorts } from '../grade/blocked-ports.js';
import { EN, type Messages } from './catalogue.js';

type RungLike = Pick<Rung, 'transport' | 'port' | 'url' | 'error' | 'reachable'>;
type RungName = Pick<Rung, 'transport' | 'port'>;

/** The rungs this test tried: offered by the server (a standard rung it lacks is no evidence). */
export const triedRungs = <R extends RungLike>(rungs: readonly R[]): R[] => rungs.filter((r) => r.url !== null && r.error !== 'not-offered');

const ORDER: readonly Transport[] = ['udp', 'tcp', 'tls'];

/** "UDP 3478-3481 and TCP 3478": each transport once, its ports as a span; "" for none. */
function rungsText(rungs: readonly RungName[], m: Messages): string {
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

/** What a test that could not connect says when its network blocked the relay's ports (outcome.side `network`, grade/blocked-ports.ts). */
export interface BlockedWords {
  title: string;
  /** The answer: calls cannot connect (a fail), or which ports this network blocks (no verdict). */
  sentence: string;
  /** The ports Teams uses that this server does not offer, so were not tried; null when every one was. */
  untried: string | null;
}

/** The words of a could-not-connect test on its network's side; null for any other outcome. */
export function blockedWords(
  r: {
    outcome: Report['outcome'];
    connectivity: ReadonlyArray<Pick<Rung, 'transport' | 'port' | 'error' | 'reachable'>>;
    summary: Pick<Report['summary'], 'verdict'>;
  },
  m: Messages = EN,
): BlockedWords | null {
  if (r.outcome?.reason !== 'could-not-connect' || r.outcome.side !== 'network') return null;
  const facts = blockedPorts(r.connectivity);
  if (r.summary.verdict === 'fail')
    return { title: m.t('title.blocked'), sentence: m.t('answer.blockedAll', { blocked: rungsText(facts.blocked, m) }), untried: null };
  const missing = rungsText(facts.notOffered, m);
  return {
    title: m.t('title.blockedUntried'),
    sentence: m.t('answer.blockedSome', { blocked: rungsText(facts.blocked, m) }),
    untried: missing === '' ? null : m.t('answer.blockedUntried', { missing }),
  };
}
