import type { TurnServerEntry } from '../../protocol/api.js';
import { DEFAULTS } from '../../protocol/defaults.js';
import { classifyNat, type GatheredCandidate, type NatGathering } from '../../analysis/grade/nat.js';
import type { NatBehaviour } from '../../analysis/schema/report-schema.js';
import type { SessionEnv } from '../env.js';

/**
 * The two STUN URLs for NAT classification: the host of the first offered UDP relay entry on
 * its first two distinct UDP ports (the relay answers STUN Binding, RFC 8489 §6.3.1, on each).
 * Null when the server offers fewer than two UDP ports on one host.
 */
export function natStunUrls(entries: readonly TurnServerEntry[]): { urls: string[]; ports: number[] } | null {
  const udp = entries.filter((e) => e.transport === 'udp');
  const first = udp[0];
  if (first === undefined) return null;
  const hostOf = (e: TurnServerEntry): string =>
    e.url
      .replace(/^turns?:/, '')
      .replace(/\?.*$/, '')
      .replace(/:\d+$/, '');
  const host = hostOf(first);
  const ports = [...new Set(udp.filter((e) => hostOf(e) === host).map((e) => e.port))].slice(0, 2);
  if (ports.length < 2) return null;
  return { urls: ports.map((p) => `stun:${host}:${String(p)}`), ports };
}

/**
 * Gathers server-reflexive candidates from one peer connection towards the STUN URLs (RFC 8445
 * §5.1.1.2): the browser binds one UDP socket per network and asks every server from it. Ends
 * at end-of-candidates or after `timeoutMs`, never waiting longer (Chromium on loopback never
 * finishes gathering).
 */
export async function gatherNat(stun: { urls: string[]; ports: number[] }, timeoutMs: number = DEFAULTS.natGatherTimeoutMs): Promise<NatGathering> {
  const pc = new RTCPeerConnection({ iceServers: stun.urls.map((urls) => ({ urls })), iceTransportPolicy: 'all' });
  const candidates: GatheredCandidate[] = [];
  const errors: Array<{ url: string; errorCode: number }> = [];
  try {
    const complete = await new Promise<boolean>((resolve, reject) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      pc.addEventListener('icecandidateerror', (ev: Event) => {
        const e = ev as RTCPeerConnectionIceErrorEvent;
        errors.push({ url: e.url, errorCode: e.errorCode });
      });
      pc.addEventListener('icecandidate', (ev: RTCPeerConnectionIceEvent) => {
        if (ev.candidate === null) {
          clearTimeout(timer);
          resolve(true);
          return;
        }
        // The server URL: RTCIceCandidate.url (newer) or the event's url (older Chromium).
        const url = (ev.candidate as { url?: string | null }).url ?? (ev as { url?: string | null }).url ?? null;
        candidates.push({ candidate: ev.candidate.candidate, url });
      });
      pc.createDataChannel('nat-check');
      pc.createOffer()
        .then((offer) => pc.setLocalDescription(offer))
        .catch((err: unknown) => {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        });
    });
    return { serverPorts: stun.ports, candidates, errors, complete, timeoutMs };
  } finally {
    pc.close();
  }
}

/**
 * Starts the NAT classification when the environment can gather (the page); null otherwise.
 * A gathering that fails is an 'unknown' classification with the browser's reason.
 */
export function startNatCheck(entries: readonly TurnServerEntry[], gather: SessionEnv['gatherNat']): Promise<NatBehaviour> | null {
  if (!gather) return null;
  const stun = natStunUrls(entries);
  if (stun === null) {
    return Promise.resolve({
      mapping: 'unknown',
      reason: 'the server offers fewer than two UDP ports on one host, so no second mapping could be compared',
      observations: [],
    });
  }
  return gather(stun).then(classifyNat, (err: unknown) => ({
    mapping: 'unknown',
    reason: `the browser could not gather candidates: ${err instanceof Error ? err.message : String(err)}`,
    observations: [],
  }));
}
