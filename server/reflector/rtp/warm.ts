/**
 * The RTP leg's cold start, done once when the data plane starts (./leg.ts runs the legs).
 */
import nacl from 'tweetnacl';
import { RTCDtlsTransport, RTCPeerConnection, useOPUS } from 'werift';
import type { DataPath } from '../../common/data-plane.js';
import { nativeSrtp } from './srtp-crypto.js';

/**
 * What the first RTP leg of a process would otherwise do cold, done when the plane starts. Cold,
 * the first leg's set-up held the event loop for 20-40 ms just before its probes started, so the
 * first test after a start (and only it) had the server marked busy there (measured; the profile
 * put it in werift's offer and answer, and in its DTLS handshake's X25519). So, with no socket
 * opened and nothing sent:
 * - werift's DTLS certificate (made once per process and kept: RTCDtlsTransport.SetupCertificate);
 * - an offer and an answer between two werift peer connections with the leg's audio codec;
 * - a few rounds of the X25519 key agreement werift's DTLS runs in tweetnacl's JavaScript
 *   (RFC 7748; the same module werift imports, so its code is compiled when the handshake runs);
 * - on the native data path, our SRTP's addon loaded (./srtp-crypto.ts), so that a missing
 *   build stops the start (NativeSrtpError) rather than a test.
 */
export async function warmRtpLeg(dataPath: DataPath, rounds = 4): Promise<void> {
  if (dataPath === 'native') nativeSrtp();
  await RTCDtlsTransport.SetupCertificate();
  const offerer = new RTCPeerConnection({ codecs: { audio: [useOPUS()] } });
  const answerer = new RTCPeerConnection({ codecs: { audio: [useOPUS()] } });
  try {
    offerer.addTransceiver('audio', { direction: 'sendrecv' });
    await answerer.setRemoteDescription(await offerer.createOffer());
    await answerer.createAnswer();
  } finally {
    await Promise.all([offerer.close(), answerer.close()]);
  }
  for (let i = 0; i < rounds; i++) {
    const ours = nacl.box.keyPair();
    const theirs = nacl.box.keyPair();
    nacl.scalarMult(ours.secretKey, theirs.publicKey);
  }
}
