/**
 * The page's side of `serve --teams-reachability FILE`: the media relays the operator listed
 * (handed over in /api/config), each port tried with the browser's own ICE gathering, one peer
 * connection per port so no answer hides another's. UDP: the target as a STUN server; its answer
 * is a server-reflexive candidate (RFC 8445 §5.1.1.2). TCP and TLS: the target as a TURN server
 * with credentials that cannot work; the relay's 401 (RFC 8656 §7.2) reaches the page as an
 * icecandidateerror with errorCode 401, which proves the port open (over TLS only once the browser
 * accepted the relay's certificate: it checks it, as it does for TURN). Every port at once, each
 * within the timeout. It says whether a port answers, never how good a call through it would be.
 * Loaded only when the server lists relays; nothing of the device's addresses is kept.
 */
import {
  reachabilityUrl,
  type ReachabilityAnswer,
  type ReachabilityOutcome,
  type ReachabilityTarget,
  type ReachabilityTransport,
} from '../../protocol/reachability.js';
import type { Reachability } from '../../analysis/schema/reachability-schema.js';
import { DEFAULTS } from '../../protocol/defaults.js';

/** What the browser showed of one port's gathering, each time in ms from its start. */
export interface GatheringSeen {
  /** The first server-reflexive (UDP) or relay (TCP, TLS) candidate; null: none. */
  candidateMs: number | null;
  /** The first icecandidateerror: its errorCode and errorText. */
  error: { code: number; text: string; ms: number } | null;
  /** The end of gathering (the null candidate); null: it had not ended at the timeout. */
  endMs: number | null;
}

/** A dummy TURN account: the relay refuses it with a 401, which is the answer looked for. */
const DUMMY = { username: 'callprobe-reachability', credential: 'not-an-account' } as const;

/** The error text of a port the browser would not even try (a URL it refused). */
const NOT_TRIED = 'not tried';

const round = (ms: number): number => Math.round(ms * 10) / 10;

/**
 * One port's answer from what its gathering showed. An error code of the STUN range (300-699,
 * RFC 8489 §14.8) came from the server: open. 701 is the browser's own (no answer, or the name did
 * not resolve, or the connection failed). A UDP gathering that ended without a candidate and
 * without an error had its Binding answered with this device's own address, which Chromium does
 * not repeat as a candidate (no NAT on the way: IPv6, a public address, loopback).
 */
export function answerOf(transport: ReachabilityTransport, seen: GatheringSeen): Pick<ReachabilityAnswer, 'answer' | 'ms' | 'msUntil'> {
  const answer = (a: ReachabilityOutcome, ms: number | null): Pick<ReachabilityAnswer, 'answer' | 'ms'> => ({ answer: a, ms: ms === null ? null : round(ms) });
  if (seen.candidateMs !== null) return answer(transport === 'udp' ? 'reflexive' : 'answered', seen.candidateMs);
  const e = seen.error;
  if (e?.text === NOT_TRIED) return answer('failed', null);
  if (e !== null && e.code >= 300 && e.code <= 699) return answer(e.code === 401 && transport !== 'udp' ? 'challenge' : 'answered', e.ms);
  if (e !== null && /lookup/i.test(e.text)) return answer('unresolved', null);
  // Over TLS the same 701 also comes from a certificate the browser refused (it checks TURN's over TLS): said as failed, never as closed.
  if (e !== null && transport !== 'udp') return answer(transport === 'tcp' && /establish connection/i.test(e.text) ? 'refused' : 'failed', null);
  if (seen.endMs !== null && e === null && transport === 'udp') return { ...answer('reflexive', seen.endMs), msUntil: 'gathering-end' };
  if (seen.endMs !== null && transport !== 'udp') return answer('failed', null);
  return answer('blocked', null);
}

/** Gathers against one port until an answer decides it, the gathering ends, or the timeout. */
function gatherOne(transport: ReachabilityTransport, host: string, port: number, timeoutMs: number): Promise<ReachabilityAnswer> {
  const url = reachabilityUrl(transport, host, port);
  const config: RTCConfiguration =
    transport === 'udp' ? { iceServers: [{ urls: url }] } : { iceServers: [{ urls: url, ...DUMMY }], iceTransportPolicy: 'relay' };
  const seen: GatheringSeen = { candidateMs: null, error: null, endMs: null };
  return new Promise<ReachabilityAnswer>((resolve) => {
    let pc: RTCPeerConnection | null = null;
    const startMs = performance.now();
    const done = (): void => {
      clearTimeout(timer);
      pc?.close();
      pc = null;
      resolve({ url, transport, port, ...answerOf(transport, seen) });
    };
    const timer = setTimeout(done, timeoutMs);
    try {
      pc = new RTCPeerConnection(config);
    } catch (err) {
      // A URL the browser refuses (e.g. a name it will not look up): this port was not tried.
      console.warn(`callprobe: ${url} could not be tried (${err instanceof Error ? err.message : String(err)})`);
      seen.error = { code: 701, text: NOT_TRIED, ms: 0 };
      done();
      return;
    }
    pc.addEventListener('icecandidate', (ev) => {
      const ms = performance.now() - startMs;
      if (ev.candidate === null) {
        seen.endMs = ms;
        done();
      } else if (ev.candidate.type === (transport === 'udp' ? 'srflx' : 'relay')) {
        seen.candidateMs ??= ms;
        done();
      }
    });
    pc.addEventListener('icecandidateerror', (ev) => {
      const e = ev as RTCPeerConnectionIceErrorEvent;
      seen.error ??= { code: e.errorCode, text: e.errorText, ms: performance.now() - startMs };
      // A server's own answer decides; the browser's 701 waits for the gathering's end (another socket may still get an answer).
      if (e.errorCode >= 300 && e.errorCode <= 699) done();
    });
    pc.createDataChannel('reachability');
    pc.createOffer()
      .then((offer) => pc?.setLocalDescription(offer))
      .catch((err: unknown) => {
        console.warn(`callprobe: ${url} could not be tried (${err instanceof Error ? err.message : String(err)})`);
        seen.error ??= { code: 701, text: NOT_TRIED, ms: 0 };
        done();
      });
  });
}

/** Every port of every target at once, each within `timeoutMs` (the command line's timeout by default); the answers in the list's order. */
export async function gatherReachability(
  targets: readonly ReachabilityTarget[],
  timeoutMs: number = DEFAULTS.teamsReachability.timeoutMs,
): Promise<Reachability> {
  const answers = await Promise.all(targets.flatMap((t) => t.ports.map((port) => gatherOne(t.transport, t.host, port, timeoutMs))));
  return { timeoutMs, triedBy: 'page', answers };
}
