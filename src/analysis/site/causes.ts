/**
 * Why a site's samples could not be judged, counted by cause, so a site report says what cost
 * it its evidence and what to do about it, never only "could not be judged":
 *
 * - `blocked`: the site's network blocked every relay port the test server offered (a sample that
 *   could not connect, on the network's side by the relay's evidence: grade/blocked-ports.ts).
 *   Those that found every port Teams uses blocked (UDP 3478-3481 and TCP/TLS 443) are each a fail
 *   of their own: calls could not connect from the site.
 * - `deviceBusy`: the probe machine was too busy for the test (a report with no verdict, cause
 *   `device-busy`): give the probe its own CPU.
 * - `ours`: callprobe's own side: a sample that started while its service was down (./service.ts),
 *   a could-not-test sample on the server's side (a reflector that counted none of the probes the
 *   relay carried among them), or a report with no verdict because the server was busy or its
 *   reflector missed probes past the relay.
 * - `other`: anything else (a connection lost, a page in the background, too few probes, a side
 *   no evidence could tell).
 * Interrupted samples (the scheduler stopped mid-sample) are nobody's and not counted.
 * Pure.
 */
import type { Side } from '../../protocol/could-not-finish.js';
import type { InsufficientCause, Verdict } from '../schema/report-schema.js';
import { INTERRUPTED_REASON } from './outages.js';
import { inDowntime, type Interval } from './service.js';

/**
 * A sample that tested nothing: a could-not-test record, or a report that connected through no
 * relay port. Its reason, its side (src/protocol/could-not-finish.ts), the relay ports its
 * network blocked (`[transport, port]`, when it could not connect) and its verdict (`fail` when
 * they were every port Teams uses, grade/blocked-ports.ts; else none).
 */
export interface TestedNothing {
  reason: string;
  side?: Side;
  blockedPorts?: ReadonlyArray<readonly [string, number]>;
  verdict?: Verdict | null;
}

/** What the causes read of a site's sample (./site.ts SiteSample is one). */
interface CauseSample {
  startedAtMs: number;
  body:
    | { kind: 'report'; report: { summary: { verdict: Verdict; insufficientCause?: InsufficientCause | null } } }
    | ({ kind: 'could-not-test' } & TestedNothing)
    | { kind: 'unreadable' };
}

export interface SampleCauses {
  blocked: {
    samples: number;
    /** Of those, the samples that found every port Teams uses blocked: calls could not connect (each a fail). */
    everyTeamsPort: number;
    /** Every relay port a blocked sample found blocked, `[transport, port]`, by transport then port. */
    ports: Array<[string, number]>;
  };
  deviceBusy: number;
  ours: number;
  other: number;
}

const TRANSPORT_ORDER = ['udp', 'tcp', 'tls'];

/** The causes of the samples that could not be judged; `down` is when callprobe's service was down. */
export function sampleCauses(samples: readonly CauseSample[], down: readonly Interval[]): SampleCauses {
  const out: SampleCauses = { blocked: { samples: 0, everyTeamsPort: 0, ports: [] }, deviceBusy: 0, ours: 0, other: 0 };
  const ports = new Map<string, [string, number]>();
  for (const s of samples) {
    const b = s.body;
    if (b.kind === 'unreadable') continue;
    if (b.kind === 'could-not-test') {
      if (b.reason === INTERRUPTED_REASON) continue;
      if (inDowntime(down, s.startedAtMs) || b.side === 'server') out.ours++;
      else if (b.reason === 'could-not-connect' && b.side === 'network') {
        out.blocked.samples++;
        if (b.verdict === 'fail') out.blocked.everyTeamsPort++;
        for (const [t, p] of b.blockedPorts ?? []) ports.set(`${t}/${String(p)}`, [t, p]);
      } else out.other++;
      continue;
    }
    if (b.report.summary.verdict !== 'insufficient') continue;
    const cause = b.report.summary.insufficientCause;
    if (cause === 'device-busy') out.deviceBusy++;
    else if (cause === 'server-busy' || cause === 'server-missed' || inDowntime(down, s.startedAtMs)) out.ours++;
    else out.other++;
  }
  out.blocked.ports = [...ports.values()].sort((a, b) => TRANSPORT_ORDER.indexOf(a[0]) - TRANSPORT_ORDER.indexOf(b[0]) || a[1] - b[1]);
  return out;
}

/** More than this share of the site's samples unable to connect at all makes its 90th percentile a fail (the P90 rule, ./p90.ts). */
const BLOCKED_FAIL_SHARE = 0.1;

/**
 * The site's verdict with its blocked samples: a fail when more than 10 % of its samples could not
 * connect on any port Teams uses (its 90th percentile cannot connect); never a pass when more
 * than 10 % found the ports this server offers blocked (whether calls would fall back to the
 * others was not tried); else the verdict of its pooled P90s.
 */
export function verdictWithBlocked(
  pooledVerdict: 'pass' | 'fail' | 'insufficient',
  pooled: number,
  blocked: SampleCauses['blocked'],
): 'pass' | 'fail' | 'insufficient' {
  const judged = pooled + blocked.samples;
  if (judged === 0) return pooledVerdict;
  if (blocked.everyTeamsPort / judged > BLOCKED_FAIL_SHARE) return 'fail';
  if (pooledVerdict === 'pass' && blocked.samples / judged > BLOCKED_FAIL_SHARE) return 'insufficient';
  return pooledVerdict;
}
