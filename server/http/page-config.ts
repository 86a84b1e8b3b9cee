/**
 * The config plugin: what the page asks before a test, GET /api/config (the TURN servers, fresh
 * REST credentials, the reflector's path) and GET /api/tls-check (whether the browser just
 * refused the relay's certificate), each rate-limited per source. It holds no state. The list of
 * media relays to try (`serve --teams-reachability`) is handed to the page as it is: this server
 * never sends anything to them.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { ReachabilityTarget } from '../../src/protocol/reachability.js';
import { SIGNAL_PATH, SIGNAL_PROTOCOL, type EdgeOffer, type ServerConfig, type TlsCheck, type TurnServerEntry } from '../../src/protocol/api.js';
import { mintRestCredential } from '../turn/credentials.js';
import { unmapIpv4 } from '../store/address.js';
import type { RelayEvidence } from '../../src/protocol/could-not-finish.js';

export interface PageConfigOptions {
  version: string;
  /** The TURN REST API secret the credentials are minted with. */
  secret: string;
  credentialTtlS: number;
  turn: TurnServerEntry[];
  notOffered: ServerConfig['notOffered'];
  relay: ServerConfig['relay'];
  /** Whether a reflector answers (ServerConfig.reflectorPath), and the RTP leg with it. */
  reflector: boolean;
  rtpReflector: boolean;
  /** /api/config (and /api/tls-check) answers per minute per source (IPv4 address or IPv6 /64). */
  configPerMinutePerSource: number;
  /** The busy-line phase's limits as the page reads them (ServerConfig.load); null: not offered. */
  load: NonNullable<ServerConfig['load']> | null;
  /** The latest certificate alert the relay's TLS listeners got from this address (IPv4-mapped unwrapped), or null; absent: no TLS relay. */
  certificateRefusal?: (ip: string) => { alert: string } | null | Promise<{ alert: string } | null>;
  /** The origins whose pages may frame the test page (serve --embed-origins); absent or none: no `embedOrigins`. */
  embedOrigins?: readonly string[];
  /** A hub's ready edges, each with its configuration and credentials minted now (server/edges/registry.ts); absent or none: no `edges`. */
  edges?: () => EdgeOffer[];
  /** The evidence that this server's relay answers, at the given time (ms since the Unix epoch); absent: none (a relay of someone else, the tests' bare apps). */
  relayEvidence?: (nowMs: number) => RelayEvidence | null;
  /** `serve --teams-reachability FILE`: the media relays the page tries after its test; absent: none (the field is left out). */
  teamsReachability?: ReachabilityTarget[];
}

/** `edges` when this hub has ready edges; nothing at all otherwise, so an all-in-one server's answer is as it was. */
function edgesOf(edges: PageConfigOptions['edges']): Pick<ServerConfig, 'edges'> {
  const offers = edges?.() ?? [];
  return offers.length > 0 ? { edges: offers } : {};
}

export const pageConfigPlugin: FastifyPluginAsync<PageConfigOptions> = async (app, opts) => {
  const perSource = { rateLimit: { max: opts.configPerMinutePerSource, timeWindow: 60_000 } };

  app.get('/api/config', { config: perSource }, async (req): Promise<ServerConfig> => {
    const cred = mintRestCredential(opts.secret, randomUUID().slice(0, 8), opts.credentialTtlS, Date.now());
    return {
      callprobeVersion: opts.version,
      username: cred.username,
      credential: cred.credential,
      credentialExpiresAtMs: cred.expiresAtMs,
      turn: opts.turn,
      notOffered: opts.notOffered,
      reflectorPath: opts.reflector ? SIGNAL_PATH : null,
      rtpReflector: opts.reflector && opts.rtpReflector,
      relay: opts.relay,
      signalProtocol: SIGNAL_PROTOCOL,
      load: opts.load,
      ...edgesOf(opts.edges),
      ...(opts.embedOrigins !== undefined && opts.embedOrigins.length > 0 ? { embedOrigins: [...opts.embedOrigins] } : {}),
      clientAddress: req.ip,
      ...(opts.teamsReachability === undefined ? {} : { teamsReachability: opts.teamsReachability }),
      relayEvidence: opts.relayEvidence?.(Date.now()) ?? null,
    };
  });

  app.get('/api/tls-check', { config: perSource }, async (req): Promise<TlsCheck> => {
    const refusal = (await opts.certificateRefusal?.(unmapIpv4(req.ip))) ?? null;
    return { certificateRefused: refusal ? { alert: refusal.alert } : null };
  });
};
