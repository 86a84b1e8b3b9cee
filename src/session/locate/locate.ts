/**
 * The locate step: every edge of the plan measured at once through its relay
 * (./relay-rtt.ts, each through its first UDP entry with its own credentials) within one budget,
 * and the nearest named (../plan/edges.ts). An edge that gave no round trip is `unreachable`,
 * never a fail of the user's network.
 */
import type { EdgeOffer, ServerConfig, TurnServerEntry } from '../../protocol/api.js';
import type { Locate } from '../../analysis/schema/locate-schema.js';
import { locateOf } from '../plan/edges.js';
import { measureRelayRtt, type RelayRttEnv, type RelayRttMeasurement, type RelayRttSettings } from './relay-rtt.js';

/** One relay entry to measure, with the credentials it takes. */
export interface RelayToMeasure {
  entry: TurnServerEntry | undefined;
  cred: Pick<ServerConfig, 'username' | 'credential'>;
}

/**
 * Measures every relay entry at once (null for a missing entry). The probes of all of them
 * start together, once every connection is up or failed, and at the latest when there is just
 * time left for all of them (`probeStartByMs` into the budget): a connection still setting up
 * (its DTLS) would otherwise share this page's CPU with another's probes and lengthen their round trips.
 */
export async function measureAtOnce(
  relays: readonly RelayToMeasure[],
  env: RelayRttEnv,
  budgetMs: number,
  settings: RelayRttSettings,
  signal?: AbortSignal,
): Promise<(RelayRttMeasurement | null)[]> {
  let pending = relays.length;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const timer = setTimeout(release, Math.max(0, budgetMs - settings.lossTimeoutMs - settings.probes * settings.intervalMs));
  const onOpen = (): void => {
    pending--;
    if (pending === 0) release();
  };
  try {
    return await Promise.all(
      relays.map(async ({ entry, cred }) => {
        if (entry === undefined) onOpen();
        return entry === undefined ? null : await measureRelayRtt(entry, cred, budgetMs, env, settings, { ...(signal ? { signal } : {}), onOpen, gate });
      }),
    );
  } finally {
    clearTimeout(timer);
  }
}

/** Measures every edge at once, each through its first UDP entry (measureAtOnce). */
export async function locateEdges(
  edges: readonly EdgeOffer[],
  env: RelayRttEnv,
  budgetMs: number,
  settings: RelayRttSettings,
  signal: AbortSignal,
): Promise<Locate> {
  const relays = edges.map((edge) => ({ entry: edge.config.turn.find((t) => t.transport === 'udp') ?? edge.config.turn[0], cred: edge.config }));
  const measured = await measureAtOnce(relays, env, budgetMs, settings, signal);
  return locateOf(
    edges.map((edge, i) => {
      const m = measured[i] ?? null;
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
    budgetMs,
  );
}
