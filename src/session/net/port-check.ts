import type { TlsCheck, TurnServerEntry } from '../../protocol/api.js';
import { DEFAULTS } from '../../protocol/defaults.js';

import type { PortReachability } from '../../analysis/schema/input.js';
import { rungError } from '../../analysis/grade/connectivity.js';
import { errorLine } from './errors.js';

/**
 * Whether the relay could be reached on one transport and port. `allocateMs` is the time to
 * the relay candidate (Allocate, 401 challenge, Allocate); `error` the TURN error or 'timeout'.
 */
export type PortCheck = PortReachability;

/** What a port check needs of RTCPeerConnection (the browser's; a test's stand-in). */
interface CheckPeerConnection extends EventTarget {
  readonly iceGatheringState: RTCIceGatheringState;
  createDataChannel(label: string): unknown;
  createOffer(): Promise<RTCSessionDescriptionInit>;
  setLocalDescription(description: RTCSessionDescriptionInit): Promise<void>;
  close(): void;
}

/**
 * After the first TURN error, how long other candidates of the same entry (one per network
 * interface) may still bring a relay candidate before the error is the answer: a refusal of one
 * interface's allocation is not the port's answer while another interface's succeeds.
 */
const PORT_CHECK_ERROR_SETTLE_MS = 1_000;

/**
 * Gathers a relay candidate through one entry in its own peer connection, so the report can
 * say which of the media ports are open (a firewall that blocks UDP still lets a call
 * through TCP/TLS 443, but worse). The page checks every entry at once. The answer is the first
 * relay candidate; a TURN error is the answer once gathering is complete (or
 * PORT_CHECK_ERROR_SETTLE_MS passed) with no relay candidate from any interface.
 *
 * The connection is closed only once gathering is complete (or `timeoutMs` after it started),
 * not at the answer: the browser releases each interface's allocation when the connection
 * closes, but an allocation still in flight then stays on the relay for its whole lifetime (10
 * minutes), counted against this test's quota (measured: up to 10 left behind by one test on a
 * machine with 4 interfaces, docs/benchmarks/allocations.md).
 */
export async function checkPort(
  entry: TurnServerEntry,
  cred: { username: string; credential: string },
  timeoutMs: number = DEFAULTS.portCheckTimeoutMs,
  opts: { createPeerConnection?: (config: RTCConfiguration) => CheckPeerConnection; errorSettleMs?: number } = {},
): Promise<PortCheck> {
  const create = opts.createPeerConnection ?? ((config: RTCConfiguration) => new RTCPeerConnection(config));
  const settleMs = opts.errorSettleMs ?? PORT_CHECK_ERROR_SETTLE_MS;
  const pc = create({
    iceServers: [{ urls: entry.url, username: cred.username, credential: cred.credential }],
    iceTransportPolicy: 'relay',
  });
  const started = performance.now();
  const base = { transport: entry.transport, port: entry.port, url: entry.url };
  const gathered = new Promise<void>((resolve) => {
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve();
    });
  });
  const timers: ReturnType<typeof setTimeout>[] = [];
  try {
    return await new Promise<PortCheck>((resolve) => {
      let lastError: string | null = null;
      let refusal: string | null = null;
      const refused = (): void => resolve({ ...base, reachable: false, allocateMs: null, error: refusal });
      timers.push(setTimeout(() => resolve({ ...base, reachable: false, allocateMs: null, error: refusal ?? lastError ?? 'timeout' }), timeoutMs));
      pc.addEventListener('icecandidateerror', (ev: Event) => {
        const e = ev as RTCPeerConnectionIceErrorEvent;
        lastError = `${e.errorCode} ${e.errorText}`.trim();
        // 701 is Chromium's "no response": keep waiting for the timeout; a TURN error code answers unless another interface's allocation succeeds.
        if (e.errorCode >= 300 && e.errorCode < 700 && refusal === null) {
          refusal = lastError;
          timers.push(setTimeout(refused, settleMs));
        }
      });
      void gathered.then(() => {
        if (refusal !== null) refused();
      });
      pc.addEventListener('icecandidate', (ev: Event) => {
        if ((ev as RTCPeerConnectionIceEvent).candidate?.type === 'relay')
          resolve({ ...base, reachable: true, allocateMs: performance.now() - started, error: null });
      });
      pc.createDataChannel('port-check');
      pc.createOffer()
        .then((offer) => pc.setLocalDescription(offer))
        .catch((err: Error) => resolve({ ...base, reachable: false, allocateMs: null, error: `could not gather: ${err.message}` }));
    });
  } finally {
    for (const t of timers) clearTimeout(t);
    const left = Math.max(0, timeoutMs - (performance.now() - started));
    void Promise.race([gathered, new Promise<void>((resolve) => setTimeout(resolve, left))]).then(() => pc.close());
  }
}

/**
 * A TLS rung that did not answer may be one this browser refused: Chromium aborts the TLS
 * handshake with a certificate alert when it does not trust the relay's certificate, and
 * tells the page no more than for a port that is closed (measured: "701 Failed to establish
 * connection", or nothing until the timeout). The relay saw the alert, so the server is asked
 * (GET /api/tls-check, about the caller's own address); when it saw one, the check's error
 * says so, which the ladder codes as 'tls-handshake'.
 */
export async function explainTlsTimeout(check: PortCheck, origin: string, fetchImpl: typeof fetch = fetch): Promise<PortCheck> {
  if (check.transport !== 'tls' || rungError(check) !== 'timeout') return check;
  let body: TlsCheck;
  try {
    const res = await fetchImpl(new URL('/api/tls-check', origin), { cache: 'no-store' });
    // An older server (404) or a rate limit (429): the rung's own evidence, no answer, stands.
    if (!res.ok) return check;
    body = (await res.json()) as TlsCheck;
  } catch (err) {
    // The server is not reachable now: the session notices that on its own; the rung keeps its timeout.
    if (err instanceof TypeError || err instanceof SyntaxError) return check;
    throw err;
  }
  const alert = body.certificateRefused?.alert;
  return typeof alert === 'string' ? { ...check, error: `tls: this browser refused the relay's certificate (TLS alert ${alert})` } : check;
}

/** A port check that never rejects: a check that threw is a rung the browser could not try, with its error. */
export function settledPortCheck(entry: TurnServerEntry, check: Promise<PortCheck>): Promise<PortCheck> {
  return check.catch((err: unknown) => ({
    transport: entry.transport,
    port: entry.port,
    url: entry.url,
    reachable: false,
    allocateMs: null,
    error: `could not gather: ${errorLine(err)}`,
  }));
}
