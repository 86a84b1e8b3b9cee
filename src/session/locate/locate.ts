/**
 * The locate step. With more edges than DEFAULTS.locate.maxEdges, a first pass first: one
 * relay-candidate gathering per listed edge, all at once (../net/port-check.ts checkPort: the
 * Allocate, its challenge and the Allocate again, two round trips), ranked by its time; then the
 * nearest of that pass (and a scheduled sample's own picks, ../plan/edges.ts probePlan) measured
 * at once with probes through their relays (./relay-rtt.ts), within what is left of one budget.
 * With fewer, every edge is measured with probes. Each edge through its first UDP entry of the
 * family this page's own path to the hub uses. The nearest is named (../plan/edges.ts). An edge
 * that gave no relay candidate or no round trip is `unreachable`, never a fail of the user's network.
 */
import type { EdgeOffer, ServerConfig, TurnServerEntry } from '../../protocol/api.js';
import type { LocateRotation } from '../../protocol/page-url.js';
import type { Locate, LocatedEdge } from '../../analysis/schema/locate-schema.js';
import { familyOf } from '../../analysis/grade/connectivity.js';
import { locateOf, probePlan, probeSet } from '../plan/edges.js';
import { checkPort, settledPortCheck, type PortCheck } from '../net/port-check.js';
import { measureRelayRtt, type RelayRttEnv, type RelayRttMeasurement, type RelayRttSettings } from './relay-rtt.js';

/** One relay entry to measure, with the credentials it takes. */
export interface RelayToMeasure {
  entry: TurnServerEntry | undefined;
  cred: Pick<ServerConfig, 'username' | 'credential'>;
}

/** What a locate is given: the probes' settings, its budget, how many edges the probes measure, and the first pass's time. */
export interface LocateSettings extends RelayRttSettings {
  budgetMs: number;
  maxEdges: number;
  firstPassBudgetMs: number;
}

/** Where the locate stands: the family of this page's own path to the hub, and a scheduled sample's turn. */
export interface LocateContext {
  family: 'ipv4' | 'ipv6' | null;
  rotation: LocateRotation | null;
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

/** The family of this page's own path to the hub: of the address the hub saw (an IPv4-mapped IPv6 address is IPv4); null when the hub did not say. */
export function pathFamily(clientAddress: string | undefined): 'ipv4' | 'ipv6' | null {
  if (clientAddress === undefined || clientAddress === '') return null;
  if (/^::ffff:\d{1,3}(\.\d{1,3}){3}$/i.test(clientAddress)) return 'ipv4';
  return clientAddress.includes(':') ? 'ipv6' : 'ipv4';
}

/** The entry an edge is reached through: its first UDP entry of `family`, else its first UDP entry, else its first. */
export function entryOf(cfg: Pick<ServerConfig, 'turn'>, family: 'ipv4' | 'ipv6' | null): TurnServerEntry | undefined {
  const udp = cfg.turn.filter((t) => t.transport === 'udp');
  return (family === null ? undefined : udp.find((t) => familyOf(t.url) === family)) ?? udp[0] ?? cfg.turn[0];
}

/** The first pass's answers: the indexes in the order they answered, once they settle what the probes measure, and every answer at the end. */
interface FirstPass {
  answered: Promise<number[]>;
  all: Promise<(PortCheck | null)[]>;
}

/**
 * A relay-candidate gathering through every entry at once, within `budgetMs`. `answered` resolves
 * as soon as `enough` holds of the indexes answered so far (those answered first have the
 * shortest times: the edges not yet answered are farther), or every gathering ended.
 */
function firstPass(relays: readonly RelayToMeasure[], env: RelayRttEnv, budgetMs: number, enough: (answered: readonly number[]) => boolean): FirstPass {
  const order: number[] = [];
  let ended = 0;
  let release: (answered: number[]) => void = () => undefined;
  const answered = new Promise<number[]>((resolve) => (release = resolve));
  if (enough(order)) release([]);
  const all = Promise.all(
    relays.map(async ({ entry, cred }, i) => {
      const check =
        entry === undefined
          ? null
          : await settledPortCheck(entry, checkPort(entry, cred, budgetMs, { createPeerConnection: (c) => env.createPeerConnection(c) }));
      if (check?.reachable === true) order.push(i);
      ended++;
      if (ended === relays.length || enough(order)) release([...order]);
      return check;
    }),
  );
  return { answered, all };
}

/** One edge's line of the locate from its probes (or none). */
function probed(edge: EdgeOffer, m: RelayRttMeasurement | null): LocatedEdge {
  return {
    id: edge.id,
    azureRegion: edge.azureRegion,
    state: m?.state ?? 'unreachable',
    allocateMs: m?.allocateMs ?? null,
    rttMsP50: m?.rttMsP50 ?? null,
    rttMsP90: m?.rttMsP90 ?? null,
    lossPct: m?.lossPct ?? null,
    probesSent: m?.probesSent ?? 0,
  };
}

/**
 * Locates the hub's edges within `settings.budgetMs`: with more than `settings.maxEdges`, the first
 * pass to every one, then the probes to the nearest of it (and a scheduled sample's own picks);
 * else the probes to every one. Every edge keeps its first pass's time to a relay candidate.
 */
export async function locateEdges(
  edges: readonly EdgeOffer[],
  env: RelayRttEnv,
  settings: LocateSettings,
  signal: AbortSignal,
  where: LocateContext,
): Promise<Locate> {
  const relays = edges.map((edge) => ({ entry: entryOf(edge.config, where.family), cred: edge.config }));
  if (edges.length <= settings.maxEdges) {
    const measured = await measureAtOnce(relays, env, settings.budgetMs, settings, signal);
    return {
      ...locateOf(
        edges.map((edge, i) => probed(edge, measured[i] ?? null)),
        settings.budgetMs,
      ),
      family: where.family,
    };
  }
  const t0 = env.now();
  const plan = probePlan(
    edges.map((e) => e.id),
    settings.maxEdges,
    where.rotation,
  );
  const outside = (i: number): boolean => !plan.fixed.includes(edges[i]?.id ?? '');
  const pass = firstPass(relays, env, settings.firstPassBudgetMs, (answered) => answered.filter(outside).length >= plan.nearest);
  const ids = probeSet(
    plan,
    (await pass.answered).map((i) => edges[i]?.id ?? ''),
  );
  const firstPassMs = env.now() - t0;
  const all = edges.map((edge, i) => ({ edge, relay: relays[i] ?? { entry: undefined, cred: edge.config } }));
  const chosen = all.filter((a) => ids.includes(a.edge.id));
  const measured = await measureAtOnce(
    chosen.map((a) => a.relay),
    env,
    Math.max(0, settings.budgetMs - firstPassMs),
    settings,
    signal,
  );
  const checks = await pass.all;
  const located = all.map((a, i): LocatedEdge => {
    const first = checks[i] ?? null;
    const allocateMs = first?.reachable === true ? first.allocateMs : null;
    const k = chosen.indexOf(a);
    if (k >= 0) return { ...probed(a.edge, measured[k] ?? null), allocateMs };
    return { ...probed(a.edge, null), state: allocateMs === null ? 'unreachable' : 'ok', allocateMs, firstPassOnly: true };
  });
  return { ...locateOf(located, settings.budgetMs), firstPassMs: Math.round(firstPassMs * 10) / 10, family: where.family };
}
