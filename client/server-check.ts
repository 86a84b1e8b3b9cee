/**
 * Before a browser starts, `callprobe run` (and every sample of `run --every`) asks the server
 * for its config, so a wrong URL is answered in seconds, not after the page's timeouts.
 */
import type { TurnServerEntry } from '../src/protocol/api.js';
import { DEFAULTS } from '../src/protocol/defaults.js';

/** What the check learnt of the server: the relays it offers (transport and port). */
export interface ServerOffer {
  turn: Pick<TurnServerEntry, 'transport' | 'port'>[];
}

/** The server could not be asked for a test: unreachable, or not a callprobe server. */
export class ServerCheckError extends Error {
  constructor(
    readonly reason: 'server-unreachable' | 'not-callprobe',
    message: string,
  ) {
    super(message);
    this.name = 'ServerCheckError';
  }
}

/**
 * Asks the server for its config before a browser starts, so a wrong URL is answered in
 * seconds ("GET /api/config: 404, not a callprobe server"), not after the page's timeouts.
 */
export async function checkCallprobeServer(base: string, timeoutMs: number = DEFAULTS.serverCheckTimeoutMs): Promise<ServerOffer> {
  const url = new URL('/api/config', base).toString();
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new ServerCheckError(
      'server-unreachable',
      `cannot reach ${new URL(base).origin}: ${cause === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : cause}`,
    );
  }
  const notCallprobe = (why: string): ServerCheckError => new ServerCheckError('not-callprobe', `GET /api/config: ${why}, not a callprobe server`);
  if (res.status !== 200) throw notCallprobe(String(res.status));
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw notCallprobe('not JSON');
  }
  if (typeof body !== 'object' || body === null || typeof (body as { callprobeVersion?: unknown }).callprobeVersion !== 'string') {
    throw notCallprobe('no callprobeVersion');
  }
  const turn = (body as { turn?: unknown }).turn;
  return {
    turn: Array.isArray(turn)
      ? turn.flatMap((e: unknown) => {
          const x = e as { transport?: unknown; port?: unknown };
          return (x.transport === 'udp' || x.transport === 'tcp' || x.transport === 'tls') && typeof x.port === 'number'
            ? [{ transport: x.transport, port: x.port }]
            : [];
        })
      : [],
  };
}
