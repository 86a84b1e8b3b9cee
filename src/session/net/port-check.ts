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

/**
 * Gathers a relay candidate through one entry in its own peer connection, so the report can
 * say which of the media ports are open (a firewall that blocks UDP still lets a call
 * through TCP/TLS 443, but worse). The page checks every entry at once.
 */
export async function checkPort(
  entry: TurnServerEntry,
  cred: { username: string; credential: string },
  timeoutMs: number = DEFAULTS.portCheckTimeoutMs,
): Promise<PortCheck> {
  const pc = new RTCPeerConnection({
    iceServers: [{ urls: entry.url, username: cred.username, credential: cred.credential }],
    iceTransportPolicy: 'relay',
  });
  const started = performance.now();
  const base = { transport: entry.transport, port: entry.port, url: entry.url };
  try {
    return await new Promise<PortCheck>((resolve) => {
      const timer = setTimeout(() => resolve({ ...base, reachable: false, allocateMs: null, error: lastError ?? 'timeout' }), timeoutMs);
      let lastError: string | null = null;
      pc.addEventListener('icecandidateerror', (ev: Event) => {
        const e = ev as RTCPeerConnectionIceErrorEvent;
        lastError = `${e.errorCode} ${e.errorText}`.trim();
        // 701 is Chromium's "no response": keep waiting for the timeout; a TURN error code is final.
        if (e.errorCode >= 300 && e.errorCode < 700) {
          clearTimeout(timer);
          resolve({ ...base, reachable: false, allocateMs: null, error: lastError });
        }
      });
      pc.addEventListener('icecandidate', (ev: RTCPeerConnectionIceEvent) => {
        if (ev.candidate?.type === 'relay') {
          clearTimeout(timer);
          resolve({ ...base, reachable: true, allocateMs: performance.now() - started, error: null });
        }
      });
      pc.createDataChannel('port-check');
      pc.createOffer()
        .then((offer) => pc.setLocalDescription(offer))
        .catch((err: Error) => {
          clearTimeout(timer);
          resolve({ ...base, reachable: false, allocateMs: null, error: `could not gather: ${err.message}` });
        });
    });
  } finally {
    pc.close();
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
