/**
 * The werift peer both media legs answer with (the RTP probe leg, ./leg.ts, and the video leg,
 * ../video/leg.ts): relay-only, one UDP host candidate on the reflector's address, no STUN
 * server, no relay of its own. A candidate pair forms only towards the relay's addresses and
 * ports (iceFilterCandidatePair), and a Binding request from anywhere else gets no answer and
 * teaches it no peer-reflexive candidate (iceFilterStunResponse).
 */
import { RTCPeerConnection, type RTCRtpCodecParameters, type RTCRtpHeaderExtensionParameters } from 'werift';
import type { SignalData } from '../../../src/protocol/api.js';
import { isRelayCandidate, isRelayEndpoint, isSignalledCandidate, parseCandidate, type ParsedCandidate, type RelayEndpoints } from '../candidates.js';
import { checkRemoteCandidate, localDescription } from '../signalled-sdp.js';
import { answerAsDtlsServer } from './werift-dtls.js';
import { withoutStunServer } from './werift-udp.js';

/** A werift ICE candidate (werift's Candidate) as the fields the reflector checks. */
function weriftCandidate(c: { transport: string; host: string; port: number; type: string }): ParsedCandidate {
  return { protocol: c.transport.toLowerCase(), address: c.host, port: c.port, type: c.type };
}

export interface RelayPeerMedia {
  codecs: { audio: RTCRtpCodecParameters[]; video: RTCRtpCodecParameters[] };
  headerExtensions: { audio: RTCRtpHeaderExtensionParameters[]; video: RTCRtpHeaderExtensionParameters[] };
}

/** A werift peer reached through the relay only; `onRelayStun` counts the STUN messages that came from the relay's addresses. */
export function relayOnlyPeer(peerAddress: string, relay: RelayEndpoints, media: RelayPeerMedia, onRelayStun: () => void): RTCPeerConnection {
  const v6 = peerAddress.includes(':');
  return new RTCPeerConnection({
    iceServers: [],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: [peerAddress],
    iceInterfaceAddresses: v6 ? { udp6: peerAddress } : { udp4: peerAddress },
    iceUseTcp: false,
    iceFilterCandidatePair: (pair) =>
      isSignalledCandidate(weriftCandidate(pair.localCandidate), peerAddress) && isRelayCandidate(weriftCandidate(pair.remoteCandidate), relay),
    iceFilterStunResponse: (_message, addr) => {
      const fromRelay = isRelayEndpoint(addr[0], addr[1], relay);
      if (fromRelay) onRelayStun();
      return fromRelay;
    },
    codecs: media.codecs,
    headerExtensions: media.headerExtensions,
  });
}

/**
 * Applies the page's offer (checked by the session) and sets werift's answer: the answer's SDP
 * rebuilt with the reflector's own UDP host candidates only (../signalled-sdp.ts), those
 * candidates, and whether werift runs the DTLS server (./werift-dtls.ts). Null when `closed()`
 * came true meanwhile. Throws when werift's STUN server cannot be turned off or it set no answer.
 */
export async function answerPageOffer(
  pc: RTCPeerConnection,
  sdp: string,
  peerAddress: string,
  closed: () => boolean,
): Promise<{ sdp: string; candidates: ParsedCandidate[]; dtlsServer: boolean } | null> {
  await pc.setRemoteDescription({ type: 'offer', sdp });
  const dtlsServer = answerAsDtlsServer(pc, sdp);
  if (!withoutStunServer(pc)) throw new Error("werift's STUN server could not be turned off (werift's internals moved)");
  await pc.setLocalDescription(await pc.createAnswer());
  const local = pc.localDescription;
  if (closed()) return null;
  if (!local) throw new Error('werift set no local description');
  const answer = localDescription(local.sdp, (c) => isSignalledCandidate(c, peerAddress));
  return { ...answer, dtlsServer };
}

/**
 * A page candidate, counted and bounded by the session, added to werift's ICE. Throws
 * SdpError('bad-candidate') when it is not one candidate; dropped (`onDropped`) unless it points
 * at the relay; end-of-candidates (empty) changes nothing.
 */
export function addPageCandidate(
  pc: RTCPeerConnection,
  c: NonNullable<SignalData['candidate']>,
  relay: RelayEndpoints,
  onDropped: () => void,
  onRefused: (err: Error) => void,
): void {
  if (c.candidate === '') return; // end-of-candidates: ICE goes on with what it has
  const kept = checkRemoteCandidate(c.candidate, relay);
  if (kept === null) {
    onDropped();
    return;
  }
  const init = { candidate: kept, ...(c.sdpMid != null ? { sdpMid: c.sdpMid } : {}), sdpMLineIndex: c.sdpMLineIndex ?? 0 };
  pc.addIceCandidate(init).catch(onRefused);
}

/** The leg's own candidates: each endpoint let through the relay once (undone with the leg), and signalled to the page. */
export class SignalledEndpoints {
  private readonly allowed = new Set<string>();

  constructor(
    private readonly peerAddress: string,
    private readonly allowEndpoint: (ip: string, port: number) => () => void,
    /** Where each endpoint's undo goes (the leg's, run at its close). */
    private readonly undo: Array<() => void>,
  ) {}

  /** Lets the relay reach the candidate's endpoint when it is one of ours; false when it is not. */
  allow(parsed: ParsedCandidate | null): boolean {
    if (!isSignalledCandidate(parsed, this.peerAddress)) return false;
    const key = `${parsed.address}:${parsed.port}`;
    if (!this.allowed.has(key)) {
      this.allowed.add(key);
      this.undo.push(this.allowEndpoint(parsed.address, parsed.port));
    }
    return true;
  }

  /** werift gathered a candidate: the signal to send the page, or null when it is not one of ours. */
  signalOf(c: NonNullable<SignalData['candidate']>): SignalData | null {
    const line = c.candidate.startsWith('candidate:') ? c.candidate : `candidate:${c.candidate}`;
    if (!this.allow(parseCandidate(line))) return null;
    return { type: 'candidate', candidate: { candidate: line, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null } };
  }
}
