/**
 * The locate step: every edge of the plan measured at once through its relay
 * (./relay-rtt.ts, each through its first UDP entry with its own credentials) within one budget,
 * and the nearest named (../plan/edges.ts). An edge that gave no round trip is `unreachable`,
 * never a fail of the user's network.
 */
import type { EdgeOffer } from '../../protocol/api.js';
import type { Locate } from '../../analysis/schema/locate-schema.js';
import { locateOf } from '../plan/edges.js';
import { measureRelayRtt, type RelayRttEnv, type RelayRttSettings } from './relay-rtt.js';

/**
 * Measures every edge at once. The probes of all of them start together, once every connection
 * is up or failed, and at the latest when there is just time left for all of them
 * (`probeStartByMs` into the budget): a connection still setting up (its DTLS) would otherwise
 * share this page's CPU with another edge's probes and lengthen their round trips.
 */
export async function locateEdges(
  edges: readonly EdgeOffer[],
  env: RelayRttEnv,
  budgetMs: number,
  settings: RelayRttSettings,
  signal: AbortSignal,
): Promise<Locate> {
  let pending = edges.length;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const timer = setTimeout(release, Math.max(0, budgetMs - settings.lossTimeoutMs - settings.probes * settings.intervalMs));
  const onOpen = (): void => {
    pending--;
    if (pending === 0) release();
  };
  try {
    const measured = await Promise.all(
      edges.map(async (edge) => {
        const entry = edge.config.turn.find((t) => t.transport === 'udp') ?? edge.config.turn[0];
        if (entry === undefined) onOpen();
        const m = entry === undefined ? null : await measureRelayRtt(entry, edge.config, budgetMs, env, settings, { signal, onOpen, gate });
        return {
          id: edge.id,
          azureRegion: edge.azureRegion,
          state: m?.state ?? ('unreachable' as const),
          allocateMs: m?.allocateMs ?? null,
          rttMsP50: m?.rttMsP50 ?? null,
          rttMsP90: m?.rttMsP90 ?? null,
          lossPct: m?.lossPct ?? null,
          probesSent: m?.probesSent ?? 0,
        };
      }),
    );
    return locateOf(measured, budgetMs);
  } finally {
    clearTimeout(timer);
  }
}
