/**
 * Before a browser starts, `callprobe run` (and every sample of `run --every`) asks the server
 * for its config, so a wrong URL is answered in seconds, not after the page's timeouts.
 */
import type { TurnServerEntry } from '../src/protocol/api.js';
import { DEFAULTS } from '../src/protocol/defaults.js';
import { TypedError } from '../src/protocol/typed-error.js';

/** What the check learnt of the server: the relays it offers (transport and port). */
export interface ServerOffer {
  turn: Pick<TurnServerEntry, 'transport' | 'port'>[];
}

/** The server could not be asked for a test: unreachable, or not a callprobe server. */
export class ServerCheckError extends TypedError<'server-unreachable' | 'not-callprobe'> {
  override readonly name = 'ServerCheckError';
}

/** Plain words for why a fetch found no server; the system's error code, when it has one, in brackets. */
export function unreachableWhy(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  const code = e.cause?.code;
  const words: Record<string, string> = {
    ECONNREFUSED: 'nothing answers on that port (connection refused)',
    ENOTFOUND: 'no such host name (DNS)',
    EAI_AGAIN: 'the host name could not be looked up now (DNS)',
    ECONNRESET: 'the connection was cut (reset)',
    EHOSTUNREACH: 'no route to that host',
    ENETUNREACH: 'no route to that network',
    ETIMEDOUT: 'the connection timed out',
    CERT_HAS_EXPIRED: "the server's TLS certificate has expired",
    DEPTH_ZERO_SELF_SIGNED_CERT: "the server's TLS certificate is self-signed",
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's TLS certificate cannot be verified",
  };
  if (code !== undefined) return words[code] ?? `the connection failed (${code})`;
  // Fetch refuses some ports outright (WHATWG Fetch, "bad port"), and says so in its cause.
  if (e.cause?.message === 'bad port') return 'that port is one web clients refuse to use (Fetch standard, "bad port"); use another';
  return 'the connection failed';
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
    throw new ServerCheckError('server-unreachable', `cannot reach ${new URL(base).origin}: ${unreachableWhy(err, timeoutMs)}`);
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
