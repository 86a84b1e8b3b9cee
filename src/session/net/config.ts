import type { ServerConfig, TurnServerEntry } from '../../protocol/api.js';
import type { LoadOffer } from '../../protocol/api-load.js';
import { SetupError } from './errors.js';

/** GET /api/config, checked enough that a wrong server fails with a clear reason. */
export async function fetchServerConfig(baseUrl: string): Promise<ServerConfig> {
  let res: Response;
  try {
    res = await fetch(new URL('/api/config', baseUrl), { cache: 'no-store' });
  } catch (err) {
    throw new SetupError('config-unavailable', `could not reach ${baseUrl}: ${(err as Error).message}`);
  }
  if (!res.ok) throw new SetupError('config-unavailable', `GET /api/config answered ${res.status}`);
  const body = (await res.json()) as Partial<ServerConfig>;
  if (!isCallprobeConfig(body)) throw new SetupError('config-unavailable', 'GET /api/config did not return a callprobe configuration');
  return body;
}

/** Checked enough: credentials and a list of relays (the rest is read where it is used, absent fields from older servers included). */
function isCallprobeConfig(body: Partial<ServerConfig>): body is ServerConfig {
  return typeof body.username === 'string' && typeof body.credential === 'string' && Array.isArray(body.turn);
}

/** The RTCIceServer for one TURN entry with the REST credentials. */
export function iceServerFor(entry: TurnServerEntry, cfg: Pick<ServerConfig, 'username' | 'credential'>): RTCIceServer {
  return { urls: entry.url, username: cfg.username, credential: cfg.credential };
}

/** What the page states before any test starts: the busy-line phase offered and the origins that may frame it. */
export interface PageOffers {
  /** ServerConfig.load; null when the server does not offer it, or is older. */
  load: LoadOffer | null;
  /** ServerConfig.embedOrigins; empty when none (or an older server). */
  embedOrigins: string[];
  /** ServerConfig.teamsReachability: the media relays the page tries after its test; empty when none (or an older server). */
  teamsReachability: NonNullable<ServerConfig['teamsReachability']>;
}

/**
 * The server's offers the page reads once when it opens (one GET /api/config): the busy-line
 * phase beside its choice, whom an embedded page may tell its result, and the media relays it
 * tries after its test. It starts nothing.
 */
export async function readPageOffers(baseUrl: string): Promise<PageOffers> {
  const cfg = await fetchServerConfig(baseUrl);
  const origins = Array.isArray(cfg.embedOrigins) ? cfg.embedOrigins.filter((o): o is string => typeof o === 'string') : [];
  return { load: cfg.load ?? null, embedOrigins: origins, teamsReachability: cfg.teamsReachability ?? [] };
}
