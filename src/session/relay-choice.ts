/**
 * The relay rung a test uses and the path it reports: the pick among the port checks, the path
 * when getStats cannot name it (or names it only in part, as Firefox does), and the input of a
 * test that connected through no rung.
 */
import type { TurnServerEntry } from '../protocol/api.js';
import { nothingMeasured, type AnalysisInput, type GradedPath } from '../analysis/schema/input.js';
import type { DirectionRecords } from '../analysis/measure/records.js';
import { familyOf, type RungFacts } from '../analysis/grade/connectivity.js';
import { SetupError } from './net/errors.js';
import type { RelayEvidence } from '../protocol/could-not-finish.js';
import { couldNotConnectSide } from '../analysis/grade/blocked-ports.js';
import type { PortCheck } from './net/port-check.js';
import type { SessionTimeline } from './timings.js';
import type { TurnPick } from './env.js';

/** Which relay entry to test through: the one asked for, else UDP first, then TCP, then TLS. */
export function pickTurnEntry(
  entries: readonly TurnServerEntry[],
  wanted: { transport: TurnServerEntry['transport']; port: number | null } | null,
): TurnServerEntry | null {
  if (wanted) {
    return entries.find((e) => e.transport === wanted.transport && (wanted.port === null || e.port === wanted.port)) ?? null;
  }
  for (const t of ['udp', 'tcp', 'tls'] as const) {
    const e = entries.find((x) => x.transport === t);
    if (e) return e;
  }
  return null;
}

/** The path when nothing samples getStats: the relay entry the peers were told to use (relay-only). */
export function chosenPath(entry: TurnServerEntry): GradedPath {
  return { transport: entry.transport, port: entry.port, candidateType: 'relay', family: familyOf(entry.url), changes: 0 };
}

/**
 * The relay entry to test through: the one asked for, else the first reachable of UDP, TCP,
 * TLS in that order. Waits only as long as needed: a reachable UDP port ends the wait.
 * Without port checks: the one asked for, else the first of UDP, TCP, TLS offered.
 */
export async function chooseEntry(entries: readonly TurnServerEntry[], checks: Promise<PortCheck>[] | null, wanted: TurnPick): Promise<TurnServerEntry> {
  const picked = pickTurnEntry(entries, wanted);
  if (!checks) {
    if (!picked)
      throw new SetupError('could-not-connect', `the server offers no relay${wanted ? ` on ${wanted.transport}${wanted.port ? `/${wanted.port}` : ''}` : ''}`);
    return picked;
  }
  if (wanted) {
    if (!picked) throw new SetupError('could-not-connect', `the server offers no relay on ${wanted.transport}${wanted.port ? `/${wanted.port}` : ''}`);
    const check = await checks[entries.indexOf(picked)];
    if (check && !check.reachable) throw new SetupError('could-not-connect', `the relay on ${picked.url} is not reachable: ${check.error}`);
    return picked;
  }
  for (const transport of ['udp', 'tcp', 'tls'] as const) {
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e?.transport !== transport) continue;
      const check = await checks[i];
      if (check?.reachable) return e;
    }
  }
  const results = await Promise.all(checks);
  const detail = results.map((r) => `${r.transport}/${r.port} ${r.error}`).join('; ');
  // A port our relay refused (its quota, its capacity) answered: the test server turned this test
  // away, which says nothing about the network (the ports that did not answer are in the detail).
  if (results.some((r) => /^(486|508)\b/.test(r.error ?? '')))
    throw new SetupError('relay-refused', `the test server's relay refused this test on every port that answered: ${detail}`);
  throw new SetupError('could-not-connect', `no relay port answered: ${detail}`);
}

/**
 * The graded path: getStats' when it has one, with what it leaves out taken from the relay entry
 * the peers were told to use (relay-only: the one relay there is). Firefox's local relay
 * candidate has no `url` (W3C webrtc-stats RTCIceCandidateStats.url), so its port and family
 * come from the entry.
 */
export function completePath(stats: GradedPath | null, entry: TurnServerEntry): GradedPath {
  const chosen = chosenPath(entry);
  if (stats === null) return chosen;
  if (stats.candidateType !== 'relay' || (stats.transport !== 'unknown' && stats.transport !== entry.transport)) return stats;
  return { ...stats, transport: entry.transport, port: stats.port ?? chosen.port, family: stats.family ?? chosen.family };
}

/**
 * A test that could not connect through any rung: no probe was sent, the ladder is the
 * evidence, and the outcome says in words what that means for calls.
 */
export function couldNotConnectInput(
  meta: AnalysisInput['meta'],
  rungs: RungFacts[],
  timeline: SessionTimeline,
  relayEvidence: RelayEvidence | null,
): AnalysisInput {
  const empty = (): DirectionRecords => ({ sent: [], arrivals: [], intervalMs: 1000 / meta.ratePps, suspect: [] });
  const offered = rungs.filter((r) => r.error !== 'not-offered');
  const seen = offered.map((r) => `${r.transport.toUpperCase()}${r.port === null ? '' : ` ${String(r.port)}`}: ${r.error ?? 'failed'}`).join(', ');
  return {
    meta,
    connectivity: rungs,
    path: { transport: 'unknown', port: null, candidateType: null, family: null, changes: 0 },
    setupMs: timeline.setup(),
    lastProbeMs: null,
    // Whose side: the caller's network only when every offered rung was blocked and the relay was seen answering others (blocked-ports.ts).
    outcome: {
      reason: 'could-not-connect',
      atMs: null,
      detail: `no relay port connected (${seen})`,
      side: couldNotConnectSide(rungs, relayEvidence),
      relayEvidence,
    },
    probe: { path: 'datachannel', reason: 'no probe was sent: no relay port connected' },
    compare: null,
    nat: null,
    witness: null,
    up: meta.mode === 'reflector' ? empty() : null,
    down: meta.mode === 'reflector' ? empty() : null,
    loop: meta.mode === 'loopback' ? empty() : null,
    lossTimeoutMs: 1000,
    ...nothingMeasured(),
  };
}
