/**
 * An edge's check of its own relay: from the HTTP process (outside the relay's process, so a
 * relay that stopped answering is seen), a TURN Allocate (RFC 8656 §7.1) on every TURN entry the
 * edge advertises, to the address pages are told (through whatever NAT, proxy or firewall stands
 * in front of it on the way back in), with a credential of the relay's own secret. Each
 * allocation is released at once (a Refresh of lifetime 0, RFC 8656 §7.3). Every entry at once,
 * each within `timeoutMs`.
 *
 * What it says: a port answered an Allocate with a relayed address (`ok`), or what it did
 * instead (no answer, a refused connection, a TURN error). The edge is `relay-down` when any UDP
 * entry does not answer (a page's locate and test go there first: ./beats.ts), and its check is
 * the hub's evidence for its relay (src/protocol/could-not-finish.ts `relay-check`) only when
 * every entry answered.
 */
import type { TurnServerEntry } from '../../src/protocol/api.js';
import type { EdgeRelayCheck } from '../../src/protocol/api-edges.js';
import { parseTurnUriParts } from '../../src/protocol/turn-uri.js';
import { TurnClient, TurnClientError } from '../turn/client/turn-client.js';
import { mintRestCredential } from '../turn/credentials.js';

/** One port's answer. */
type PortResult = EdgeRelayCheck['ports'][number];

/** One check: when it ran (the edge's clock, ms since the Unix epoch) and each advertised entry's answer. */
export interface RelayCheckResult {
  atMs: number;
  ports: PortResult[];
}

/** A check finds the relay down when a UDP entry it advertises did not answer (pages go there first). */
export function relayDown(check: RelayCheckResult): boolean {
  return check.ports.some((p) => p.transport === 'udp' && !p.ok);
}

/** What a failed Allocate did, in a few words. */
function errorWords(err: unknown): string {
  if (err instanceof TurnClientError) return err.reason === 'error-response' ? err.message : err.reason === 'no-response' ? 'no answer' : err.message;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ECONNREFUSED') return 'refused (nothing listens)';
  return code ?? (err as Error).message;
}

/** Resolves with `p`, or with the timeout's answer after `ms` (the caller ends what `p` holds). */
function within<T>(p: Promise<T>, ms: number, late: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(late()), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** Allocates on one entry and releases it; `log` hears of an allocation that could not be released (it lapses at its lifetime). */
async function checkEntry(entry: TurnServerEntry, secret: string, timeoutMs: number, log: (msg: string) => void): Promise<PortResult> {
  const { host } = parseTurnUriParts(entry.url);
  const cred = mintRestCredential(secret, 'relay-check', 60, Date.now());
  const at = { transport: entry.transport, port: entry.port };
  let client: TurnClient | null = null;
  let over = false;
  const attempt = async (): Promise<PortResult> => {
    const c = await TurnClient.connect({
      host,
      port: entry.port,
      transport: entry.transport,
      username: cred.username,
      password: cred.credential,
      connectTimeoutMs: timeoutMs,
    });
    // Connected after the check gave up on it: closed here, nobody else holds it.
    if (over) {
      await c.close();
      return { ...at, ok: false, error: 'no answer' };
    }
    client = c;
    await c.allocate();
    await c.refresh(0).catch((err: unknown) => {
      log(`relay check: the allocation on ${entry.transport.toUpperCase()} ${entry.port} was not released (${errorWords(err)}): it lapses at its lifetime`);
    });
    return { ...at, ok: true };
  };
  try {
    return await within(attempt(), timeoutMs, () => ({ ...at, ok: false, error: 'no answer' }));
  } catch (err) {
    return { ...at, ok: false, error: errorWords(err).slice(0, 128) };
  } finally {
    over = true;
    await (client as TurnClient | null)?.close();
  }
}

/** Checks every advertised entry at once. */
export async function checkRelay(
  entries: readonly TurnServerEntry[],
  secret: string,
  timeoutMs: number,
  log: (msg: string) => void,
): Promise<RelayCheckResult> {
  const atMs = Date.now();
  const ports = await Promise.all(entries.map((e) => checkEntry(e, secret, timeoutMs, log)));
  return { atMs, ports };
}
