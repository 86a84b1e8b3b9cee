/**
 * What to try, for the answer (answer.ts): each piece of advice ordered by likely cause and
 * tied to the evidence in the report that makes it the thing to try. Every figure it quotes is
 * printed exactly as the key figures and the direction table print it (view.ts), so the number
 * beside a sentence is the number in it. Pure: it reads a report.
 */
import type { GradeEntry, Report, TargetId } from '../schema/report-schema.js';
import { figureMs, figurePct, seconds } from './format.js';
import { isLoopbackUri } from '../grade/hints.js';
import { pathText, silentUdpText, triedRungs } from './ports.js';
import { gradedValue } from './view.js';

/** One thing to try, and the evidence in this report that makes it the thing to try. */
export interface Advice {
  id:
    | 'allow-udp'
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
function gradedFigure(r: Pick<Report, 'meta' | 'grades' | 'summary'>, target: TargetId, direction?: 'up' | 'down'): string {
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
    ? figureMs(v, thresholdOf(r, target))
    : figurePct(v, thresholdOf(r, target));
}

/** The fallback the test used when UDP did not answer: what IT should open, with the ports this test tried. */
export function allowUdpAdvice(r: Pick<Report, 'connectivity' | 'path'>): Advice {
  const udp = silentUdpText(r.connectivity) || 'UDP';
  return {
    id: 'allow-udp',
    text: `Give your IT team the result code and ask them to allow ${udp} outbound to the relay: without it calls fall back to ${pathText(r.path)}, which turns every lost packet into delay.`,
    because: `${udp} did not answer; ${pathText(r.path)} did`,
  };
}

/** Advice for a test whose targets failed (grouped by kind, most harmful first), or for a pass (none failed). */
export function adviceFor(r: Report, failedKinds: ReadonlyMap<FindingKind, GradeEntry[]>): Advice[] {
  const out: Advice[] = [];
  // Only when UDP really failed: a test told to use TCP (?turn=tcp) says nothing about UDP.
  if (r.hints.some((h) => h.code === 'udp-blocked')) out.push(allowUdpAdvice(r));
  const loss = [...(failedKinds.get('loss') ?? []), ...(failedKinds.get('burst-loss') ?? [])];
  const lossSide = loss.length > 0 ? sideOf(loss) : null;
  const lossBecause = `the worst 15 s lost ${gradedFigure(r, 'loss-15s', 'up')} upstream and ${gradedFigure(r, 'loss-15s', 'down')} downstream`;
  const burstOnly = (failedKinds.get('burst-loss')?.length ?? 0) > 0 && (failedKinds.get('loss')?.length ?? 0) === 0;
  // "Within target" only beside a 15 s figure that passed everywhere, quoted as the key figures print it.
  const loss15 = r.grades.filter((g) => g.target === 'loss-15s');
  const lossWithin = loss15.length > 0 && loss15.every((g) => g.status === 'pass');
  const burstBecause = lossWithin
    ? `the worst 200 ms lost ${gradedFigure(r, 'burst-loss-200ms')} while the worst 15 s lost ${gradedFigure(r, 'loss-15s')}, within its target`
    : `the worst 200 ms lost ${gradedFigure(r, 'burst-loss-200ms')}`;
  // One side only points at that side's link first; both sides, or bursts on both, at the radio or the access line.
  if (lossSide === 'both' || (burstOnly && lossSide !== 'up' && lossSide !== 'down')) {
    out.push({
      id: 'wifi-or-cable',
      text: 'If you are on Wi-Fi, move closer to the access point or use a network cable: losses both ways, or in short bursts, usually come from the radio link or the access line.',
      because: burstOnly ? burstBecause : lossBecause,
    });
  }
  if (lossSide === 'up') {
    out.push({
      id: 'pause-uploads',
      text: 'Pause uploads on this network (cloud backup, file sync, video uploads) and test again: loss only on the way out points at a full upload link.',
      because: lossBecause,
    });
  }
  if (lossSide === 'down') {
    out.push({
      id: 'pause-downloads',
      text: 'Pause downloads and streaming on this network and test again: loss only on the way in points at a full download link or the access line.',
      because: lossBecause,
    });
  }
  if (burstOnly && (lossSide === 'up' || lossSide === 'down')) {
    out.push({
      id: 'wifi-or-cable',
      text: 'If it keeps happening, try a network cable instead of Wi-Fi: short dropouts often come from the radio link.',
      because: burstBecause,
    });
  }
  const jitter = failedKinds.get('jitter') ?? [];
  if (jitter.length > 0 && !out.some((a) => a.id === 'wifi-or-cable')) {
    const side = sideOf(jitter);
    out.push({
      id: side === 'up' ? 'pause-uploads' : side === 'down' ? 'pause-downloads' : 'wifi-or-cable',
      text:
        side === 'up'
          ? 'Pause uploads and test again: uneven timing on the way out comes from a busy upload link or Wi-Fi.'
          : side === 'down'
            ? 'Pause downloads and streaming and test again: uneven timing on the way in comes from a busy download link or Wi-Fi.'
            : 'Use a network cable instead of Wi-Fi if you can: uneven timing both ways usually comes from the radio link.',
      because: `jitter over the worst 15 s ${gradedFigure(r, 'jitter-15s', 'up')} upstream, ${gradedFigure(r, 'jitter-15s', 'down')} downstream`,
    });
  }
  if ((failedKinds.get('latency')?.length ?? 0) > 0) {
    out.push({
      id: 'vpn-or-route',
      text: 'If you are on a VPN, ask your IT team to let Teams media bypass it (split tunnelling); otherwise the route to the relay is long: tell your IT team.',
      because: `round trip ${figureMs(r.summary.rttMsP50, thresholdOf(r, 'latency-rtt'))} (median)`,
    });
  }
  if (out.length > 0 || failedKinds.size > 0) {
    out.push({
      id: 'tell-it',
      text: 'If it stays like this, give your IT team the result code: they see this same report.',
      because: 'a repeated result is what they can act on',
    });
  }
  return out;
}

/** Advice for a test that could not reach or use the relay at all (outcome could-not-connect). */
export function couldNotConnectAdvice(r: Pick<Report, 'hints' | 'connectivity'>): Advice[] {
  const silent = r.hints.find((h) => h.code === 'relay-silent');
  if (r.hints.some((h) => h.code === 'loopback-refused')) return [];
  if (!silent) {
    return [
      {
        id: 'tell-it',
        text: "Give your IT team the result code: the relay's answer on each port is in the result.",
        because: 'the relay answered, but refused every port this test tried',
      },
    ];
  }
  // The relay on this machine: another network would change nothing.
  if (triedRungs(r.connectivity).every((x) => isLoopbackUri(x.url ?? ''))) {
    return [
      {
        id: 'check-local-relay',
        text: 'The relay is on this computer: check that the test server is running, and that this browser may use a relay on a local address.',
        because: 'the relay is on a loopback address and none of its ports answered',
      },
    ];
  }
  return [
    {
      id: 'try-another-network',
      text: 'Run the test again from another network (a phone hotspot, say): if it works there, this network blocks the ports calls use.',
      because: 'none of the ports this test tried answered',
    },
    {
      id: 'tell-it',
      text: 'If it fails on every network, give your IT team the result code: the relay itself is not answering.',
      because: 'a relay silent from everywhere is down or unreachable',
    },
  ];
}

/** Run the full test again, said once: a test that could not judge, or a device that could not keep up. */
export const runAgainText = `Run the full ${seconds(15_000)} test again with this page in front, without other heavy use of the network.`;
