/**
 * What to try, for the answer (answer.ts): each piece of advice ordered by likely cause and
 * tied to the evidence in the report that makes it the thing to try. Every figure it quotes is
 * printed exactly as the key figures and the direction table print it (view.ts), so the number
 * beside a sentence is the number in it. Pure: it reads a report.
 */
import type { GradeEntry, Report, TargetId } from '../schema/report-schema.js';
import { isLoopbackUri } from '../grade/hints.js';
import { pathText, silentUdpText, triedRungs } from './ports.js';
import { gradedValue } from './view.js';
import { EN, type Messages } from './catalogue.js';

/** One thing to try, and the evidence in this report that makes it the thing to try. */
export interface Advice {
  id:
    | 'allow-udp'
    | 'allow-ports'
    | 'wifi-or-cable'
    | 'pause-uploads'
    | 'pause-downloads'
    | 'vpn-or-route'
    | 'tell-it'
    | 'run-longer'
    | 'run-again'
    | 'try-another-network'
    | 'check-local-relay'
    | 'close-apps'
    | 'rtp-fallback'
    | 'smart-queue';
  text: string;
  because: string;
}

/** What a failed target does to a call, for grouping the findings (the busy line is found by its own phase, answer.ts). */
export type FindingKind = 'loss' | 'burst-loss' | 'jitter' | 'latency' | 'reorder';

type Side = 'up' | 'down' | 'both' | 'other';

export function sideOf(failed: readonly Pick<GradeEntry, 'direction'>[]): Side {
  const up = failed.some((g) => g.direction === 'up');
  const down = failed.some((g) => g.direction === 'down');
  return up && down ? 'both' : up ? 'up' : down ? 'down' : 'other';
}

const thresholdOf = (r: Pick<Report, 'meta'>, target: TargetId): number | undefined => r.meta.targets.find((t) => t.target === target)?.threshold;

/** A graded figure as the key figures print it: `direction` picks that direction's grade (the direction table's cell). */
function gradedFigure(m: Messages, r: Pick<Report, 'meta' | 'grades' | 'summary'>, target: TargetId, direction?: 'up' | 'down'): string {
  const side = direction === 'up' ? r.summary.upstream : direction === 'down' ? r.summary.downstream : null;
  const wholeTest =
    target === 'loss-15s'
      ? (side?.lossPct ?? r.summary.lossPct)
      : target === 'jitter-15s'
        ? (side?.jitterMs ?? r.summary.jitterMs)
        : target === 'burst-loss-200ms'
          ? r.summary.burstLossPctMax200ms
          : null;
  const v = gradedValue(r.grades, target, direction) ?? wholeTest;
  return target === 'jitter-15s' || target === 'latency-rtt' || target === 'latency-one-way'
    ? m.fmt.figureMs(v, thresholdOf(r, target))
    : m.fmt.figurePct(v, thresholdOf(r, target));
}

/** The fallback the test used when UDP did not answer: what IT should open, with the ports this test tried. */
export function allowUdpAdvice(r: Pick<Report, 'connectivity' | 'path'>, m: Messages = EN): Advice {
  const udp = silentUdpText(r.connectivity, m) || 'UDP';
  const path = pathText(r.path, m);
  return { id: 'allow-udp', text: m.t('advice.allowUdp', { udp, path }), because: m.t('advice.allowUdp.because', { udp, path }) };
}

/** Advice for a test whose targets failed (grouped by kind, most harmful first), or for a pass (none failed). */
export function adviceFor(r: Report, failedKinds: ReadonlyMap<FindingKind, GradeEntry[]>, m: Messages = EN): Advice[] {
  const out: Advice[] = [];
  const fig = (target: TargetId, direction?: 'up' | 'down'): string => gradedFigure(m, r, target, direction);
  // Only when UDP really failed: a test told to use TCP (?turn=tcp) says nothing about UDP.
  if (r.hints.some((h) => h.code === 'udp-blocked')) out.push(allowUdpAdvice(r, m));
  const loss = [...(failedKinds.get('loss') ?? []), ...(failedKinds.get('burst-loss') ?? [])];
  const lossSide = loss.length > 0 ? sideOf(loss) : null;
  const lossBecause = m.t('advice.loss.because', { up: fig('loss-15s', 'up'), down: fig('loss-15s', 'down') });
  const burstOnly = (failedKinds.get('burst-loss')?.length ?? 0) > 0 && (failedKinds.get('loss')?.length ?? 0) === 0;
  // "Within target" only beside a 15 s figure that passed everywhere, quoted as the key figures print it.
  const loss15 = r.grades.filter((g) => g.target === 'loss-15s');
  const lossWithin = loss15.length > 0 && loss15.every((g) => g.status === 'pass');
  const burstBecause = lossWithin
    ? m.t('advice.burst.becauseWithin', { burst: fig('burst-loss-200ms'), loss: fig('loss-15s') })
    : m.t('advice.burst.because', { burst: fig('burst-loss-200ms') });
  // One side only points at that side's link first; both sides, or bursts on both, at the radio or the access line.
  if (lossSide === 'both' || (burstOnly && lossSide !== 'up' && lossSide !== 'down')) {
    out.push({
      id: 'wifi-or-cable',
      text: m.t('advice.wifiOrCable'),
      because: burstOnly ? burstBecause : lossBecause,
    });
  }
  if (lossSide === 'up') {
    out.push({
      id: 'pause-uploads',
      text: m.t('advice.pauseUploads'),
      because: lossBecause,
    });
  }
  if (lossSide === 'down') {
    out.push({
      id: 'pause-downloads',
      text: m.t('advice.pauseDownloads'),
      because: lossBecause,
    });
  }
  if (burstOnly && (lossSide === 'up' || lossSide === 'down')) {
    out.push({
      id: 'wifi-or-cable',
      text: m.t('advice.cableForBursts'),
      because: burstBecause,
    });
  }
  const jitter = failedKinds.get('jitter') ?? [];
  if (jitter.length > 0 && !out.some((a) => a.id === 'wifi-or-cable')) {
    const side = sideOf(jitter);
    out.push({
      id: side === 'up' ? 'pause-uploads' : side === 'down' ? 'pause-downloads' : 'wifi-or-cable',
      text: m.t(side === 'up' ? 'advice.jitter.up' : side === 'down' ? 'advice.jitter.down' : 'advice.jitter.both'),
      because: m.t('advice.jitter.because', { up: fig('jitter-15s', 'up'), down: fig('jitter-15s', 'down') }),
    });
  }
  if ((failedKinds.get('latency')?.length ?? 0) > 0) {
    out.push({
      id: 'vpn-or-route',
      text: m.t('advice.vpn'),
      because: m.t('advice.vpn.because', { rtt: m.fmt.figureMs(r.summary.rttMsP50, thresholdOf(r, 'latency-rtt')) }),
    });
  }
  if (out.length > 0 || failedKinds.size > 0) {
    out.push({
      id: 'tell-it',
      text: m.t('advice.tellIt'),
      because: m.t('advice.tellIt.because'),
    });
  }
  return out;
}

/** Advice for a test that could not reach or use the relay at all (outcome could-not-connect). */
export function couldNotConnectAdvice(r: Pick<Report, 'hints' | 'connectivity'>, m: Messages = EN): Advice[] {
  const silent = r.hints.find((h) => h.code === 'relay-silent');
  if (r.hints.some((h) => h.code === 'loopback-refused')) return [];
  if (!silent) {
    return [
      {
        id: 'tell-it',
        text: m.t('advice.refusedPorts'),
        because: m.t('advice.refusedPorts.because'),
      },
    ];
  }
  // The relay on this machine: another network would change nothing.
  if (triedRungs(r.connectivity).every((x) => isLoopbackUri(x.url ?? ''))) {
    return [
      {
        id: 'check-local-relay',
        text: m.t('advice.localRelay'),
        because: m.t('advice.localRelay.because'),
      },
    ];
  }
  return [
    {
      id: 'try-another-network',
      text: m.t('advice.anotherNetwork'),
      because: m.t('advice.anotherNetwork.because'),
    },
    {
      id: 'tell-it',
      text: m.t('advice.relayDown'),
      because: m.t('advice.relayDown.because'),
    },
  ];
}

/** Run the full test again, said once: a test that could not judge, or a device that could not keep up. */
export const runAgainText = (m: Messages = EN): string => m.t('advice.runAgain', { duration: m.fmt.seconds(15_000) });
