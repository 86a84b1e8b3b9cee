/**
 * The werift peer both media legs answer with (the RTP probe leg, ./leg.ts, and the video leg,
 * ../video/leg.ts): relay-only, one UDP host candidate on the reflector's address, no STUN
 * server, no relay of its own. A candidate pair forms only towards the relay's addresses and
 * ports (iceFilterCandidatePair), and a Binding request from anywhere else gets no answer and
 * teaches it no peer-reflexive candidate (iceFilterStunResponse).
 */
import { RTCPeerConnection, type RTCRtpCodecParameters, type RTCRtpHeaderExtensionParameters } from 'werift';
import { isRelayCandidate, isRelayEndpoint, isSignalledCandidate, type ParsedCandidate, type RelayEndpoints } from '../candidates.js';

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
