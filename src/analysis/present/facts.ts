/**
 * Facts that do not depend on the verdict, each with what to do about it: the path the media
 * took (a fallback over TCP or TLS because UDP did not answer), relay ports that did not
 * answer while others did, a relay that refused this test, and why there is no verdict (this
 * device or the test server was busy, the page was in the background). The page shows them on
 * top, the CLI right under the answer, the help desk console in what to tell the user: a
 * verdict of "no answer" never hides that UDP is blocked. Pure: it reads a report; the ports
 * named are the ones this test tried (./ports.ts), never a list of what should be open.
 */
import { deviceBusyCautioned } from '../grade/caution.js';
import type { Report, Rung } from '../schema/report-schema.js';
import { insufficientCauseText } from './cause-text.js';
import { rungName } from './format.js';
import { pathText, silentUdpText, triedRungs } from './ports.js';
import { EN, type Messages } from './catalogue.js';

export interface PathFact {
  id: 'fallback-path' | 'blocked-ports' | 'relay-refused' | 'device-busy' | 'server-busy' | 'page-hidden';
  /** What was found, in one plain sentence. */
  text: string;
  /** What to do about it, in one sentence. */
  action: string;
}

type FactReport = Pick<Report, 'connectivity' | 'path' | 'hints' | 'summary' | 'outcome' | 'probe'> & {
  attribution?: Report['attribution'];
  meta?: Pick<Report['meta'], 'ratePps'>;
};

/** The TURN error codes by which a relay refuses a request (RFC 8656 §7.2, RFC 8489 §14.8), as opposed to not answering. */
const REFUSAL_CODES: ReadonlySet<string> = new Set(['401', '403', '437', '438', '441', '442', '486', '508']);

const refusalOf = (r: Pick<Rung, 'error'>): string | null => {
  const code = /^turn-(\d{3})$/.exec(r.error ?? '')?.[1];
  return code !== undefined && REFUSAL_CODES.has(code) ? code : null;
};

/** What a refusal code means, for the person at the page. */
function refusalWords(m: Messages, code: string): string {
  if (code === '486' || code === '508') return m.t('fact.refused.busy');
  if (code === '401') return m.t('fact.refused.credentials');
  if (code === '403') return m.t('fact.refused.policy');
  return m.t('fact.refused.code', { code });
}

/** The UDP ports the test tried, as the action names them ("UDP 3478-3481"). */
function udpPortsTried(m: Messages, r: Pick<Report, 'connectivity'>): string {
  const udp = triedRungs(r.connectivity).filter((x) => x.transport === 'udp');
  const ports = udp.flatMap((x) => (x.port === null ? [] : [x.port]));
  return ports.length === 0 ? 'UDP' : `UDP ${m.fmt.portSpan(ports)}`;
}

/** The fallback: UDP did not answer, the media went over TCP or TLS. */
function fallbackFact(m: Messages, r: FactReport): PathFact | null {
  if (r.outcome !== null || !r.hints.some((h) => h.code === 'udp-blocked')) return null;
  if (r.path.transport !== 'tcp' && r.path.transport !== 'tls') return null;
  const udp = silentUdpText(r.connectivity, m) || 'UDP';
  return {
    id: 'fallback-path',
    text: m.t('fact.fallback', { udp, path: pathText(r.path, m) }),
    action: m.t('fact.fallback.action', { udp }),
  };
}

/** Some UDP ports answered and others did not: a firewall filtering by port. */
function blockedPortsFact(m: Messages, r: FactReport): PathFact | null {
  const udp = triedRungs(r.connectivity).filter((x) => x.transport === 'udp');
  const silent = udp.filter((x) => !x.reachable && x.error === 'timeout');
  const open = udp.filter((x) => x.reachable);
  if (silent.length === 0 || open.length === 0) return null;
  const ports = (rs: readonly Rung[]): number[] => rs.flatMap((x) => (x.port === null ? [] : [x.port]));
  const one = silent.length === 1;
  return {
    id: 'blocked-ports',
    text: m.t(one ? 'fact.blockedPort' : 'fact.blockedPorts', { silent: m.fmt.portSpan(ports(silent)), open: m.fmt.portSpan(ports(open)) }),
    action: m.t('fact.blockedPorts.action', { udp: udpPortsTried(m, r) }),
  };
}

/** The test server's relay refused this test on some port (its limits, its credentials), or refused the call-like audio stream. */
function refusedFact(m: Messages, r: FactReport): PathFact | null {
  const refused = triedRungs(r.connectivity).filter((x) => refusalOf(x) !== null);
  // The RTP leg's refusal is said in the probe path's reason (session/plan/probe-path.ts).
  const rtpRefused = r.probe.path === 'datachannel' && /relay refused/.test(r.probe.reason);
  if (refused.length === 0 && !rtpRefused) return null;
  const text =
    refused.length > 0
      ? m.t('fact.refused', {
          rungs: m.fmt.andList(refused.map((x) => rungName(x))),
          why: refusalWords(m, refusalOf(refused[0] ?? { error: null }) ?? ''),
        })
      : m.t('fact.refusedRtp');
  return { id: 'relay-refused', text, action: m.t('fact.refused.action') };
}

/** Why there is no verdict, when it is this device's, the server's or the page's own doing. */
function causeFact(m: Messages, r: FactReport): PathFact | null {
  const cause = r.summary.insufficientCause;
  if (cause !== 'device-busy' && cause !== 'server-busy' && cause !== 'page-hidden') return null;
  const text = insufficientCauseText(r, m);
  return text === null ? null : { id: cause, text, action: m.t(`fact.${cause}.action`) };
}

/**
 * This computer was too busy during the test (summary.caution `device-busy`, grade/caution.ts):
 * said on top beside the network's verdict, which it does not change. A test whose very cause is
 * a busy device says it once, in the cause's words.
 */
function busyDeviceFact(m: Messages, r: FactReport): PathFact | null {
  if (!deviceBusyCautioned(r) || r.summary.insufficientCause === 'device-busy') return null;
  return { id: 'device-busy', text: m.t('fact.deviceBusyCaution'), action: m.t('fact.deviceBusyCaution.action') };
}

/** Every fact of this report that holds whatever the verdict, most actionable first. */
export function pathFacts(r: FactReport, m: Messages = EN): PathFact[] {
  return [fallbackFact(m, r), blockedPortsFact(m, r), refusedFact(m, r), causeFact(m, r), busyDeviceFact(m, r)].filter((f): f is PathFact => f !== null);
}

/** The caution of a report in words, as the CSV export says it (the answer's own line or fact); null without a caution. */
export function cautionText(r: FactReport, m: Messages = EN): string | null {
  const facts = pathFacts(r, m);
  const fallback = facts.find((f) => f.id === 'fallback-path');
  const busy = deviceBusyCautioned(r) ? { text: m.t('fact.deviceBusyCaution'), action: m.t('fact.deviceBusyCaution.action') } : null;
  const lines = [fallback, busy].flatMap((f) => (f === undefined || f === null ? [] : [`${f.text} ${f.action}`]));
  return lines.length === 0 ? null : lines.join(' ');
}

/** A fact as one line of plain text: what was found, then what to do. */
export const factLine = (f: PathFact): string => `${f.text} ${f.action}`;
