/**
 * The control channel's stream id: below the 256 outgoing streams Firefox negotiates, and never
 * the id the probe channel takes as the first in-band channel (RFC 8832 §6: even ids for the DTLS
 * client, odd for the server). Checked by rule, then in libwebrtc (@roamhq/wrtc) with the page's
 * peer connection as DTLS client and as DTLS server (the answer's a=setup, RFC 5763 §5), on loopback
 * host candidates only. The same check runs in Firefox in e2e/engines/firefox.engine.ts.
 */
import wrtc from '@roamhq/wrtc';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CONTROL_CHANNEL,
  inBandStreamId,
  PROBE_CHANNEL_INIT,
  PROBE_CHANNEL_LABEL,
  SCTP_STREAMS_EVERY_BROWSER,
  type DtlsRole,
} from '../../src/protocol/channels.js';
import { isSignalledCandidate, parseCandidate } from '../../server/reflector/candidates.js';
import { collector, waitFor } from '../kit/wait.js';

describe('stream ids (RFC 8832 §6)', () => {
  it('in-band channels follow the DTLS role parity, lowest first', () => {
    expect([0, 1, 2].map((n) => inBandStreamId('client', n))).toEqual([0, 2, 4]);
    expect([0, 1, 2].map((n) => inBandStreamId('server', n))).toEqual([1, 3, 5]);
  });

  it('the control channel is below 256 and is neither role’s first in-band id', () => {
    expect(CONTROL_CHANNEL.id).toBeLessThan(SCTP_STREAMS_EVERY_BROWSER);
    expect(CONTROL_CHANNEL.id).not.toBe(inBandStreamId('client'));
    expect(CONTROL_CHANNEL.id).not.toBe(inBandStreamId('server'));
  });
});

const Pc = wrtc.RTCPeerConnection as unknown as typeof RTCPeerConnection;
const open: RTCPeerConnection[] = [];
afterEach(() => {
  for (const pc of open.splice(0)) pc.close();
});

/** The description with only its loopback host candidates (the peers are on one machine). */
const loopbackSdp = (sdp: string): string =>
  sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') || isSignalledCandidate(parseCandidate(line.slice(2)), '127.0.0.1'))
    .join('\r\n');

function loopbackOnly(from: RTCPeerConnection, to: RTCPeerConnection): void {
  from.onicecandidate = (ev) => {
    const line = ev.candidate?.candidate ?? '';
    if (line !== '' && isSignalledCandidate(parseCandidate(line), '127.0.0.1')) void to.addIceCandidate(ev.candidate as RTCIceCandidate);
  };
}

/** The page's two channels on one peer connection (as src/session/net/peer.ts opens them) and the reflector's control channel. */
async function connect(
  pageRole: DtlsRole,
): Promise<{ probe: RTCDataChannel; control: RTCDataChannel; farControl: RTCDataChannel; farProbe: Promise<RTCDataChannel> }> {
  const page = new Pc({ iceServers: [] });
  const far = new Pc({ iceServers: [] });
  open.push(page, far);
  loopbackOnly(page, far);
  loopbackOnly(far, page);
  const probe = page.createDataChannel(PROBE_CHANNEL_LABEL, { ...PROBE_CHANNEL_INIT });
  const control = page.createDataChannel(CONTROL_CHANNEL.label, { negotiated: true, id: CONTROL_CHANNEL.id, ordered: true });
  const farControl = far.createDataChannel(CONTROL_CHANNEL.label, { negotiated: true, id: CONTROL_CHANNEL.id, ordered: true });
  const farProbe = new Promise<RTCDataChannel>((resolve) => {
    far.ondatachannel = (ev) => resolve(ev.channel);
  });
  const offer = await page.createOffer();
  await page.setLocalDescription(offer);
  await far.setRemoteDescription({ type: 'offer', sdp: loopbackSdp(offer.sdp ?? '') });
  const answer = await far.createAnswer();
  // The page offers actpass; the answerer picks: active makes it the DTLS client, so the page the server.
  const sdp = (answer.sdp ?? '').replace(/a=setup:\w+/g, `a=setup:${pageRole === 'server' ? 'active' : 'passive'}`);
  await far.setLocalDescription({ type: 'answer', sdp });
  await page.setRemoteDescription({ type: 'answer', sdp: loopbackSdp(sdp) });
  await waitFor(() => probe.readyState === 'open' && control.readyState === 'open' && farControl.readyState === 'open', {
    timeoutMs: 15_000,
    what: 'the probe and control channels to open',
    state: () => `probe ${probe.readyState}, control ${control.readyState}, far control ${farControl.readyState}, ICE ${page.iceConnectionState}`,
  });
  return { probe, control, farControl, farProbe };
}

describe.each(['client', 'server'] as const)('in libwebrtc, the page as DTLS %s', (role) => {
  it('the probe channel takes its role’s first id, and each channel carries its own messages both ways', async () => {
    const { probe, control, farControl, farProbe } = await connect(role);
    expect(probe.id).toBe(inBandStreamId(role));
    expect(control.id).toBe(CONTROL_CHANNEL.id);
    const remoteProbe = await farProbe;
    expect(remoteProbe.label).toBe(PROBE_CHANNEL_LABEL);
    const onFarControl = collector<string>();
    const onPageControl = collector<string>();
    const onFarProbe = collector<string>();
    farControl.onmessage = (ev: MessageEvent<string>) => onFarControl.push(ev.data);
    control.onmessage = (ev: MessageEvent<string>) => onPageControl.push(ev.data);
    remoteProbe.onmessage = (ev: MessageEvent<string>) => onFarProbe.push(ev.data);
    control.send('stop');
    farControl.send('final');
    probe.send('probe');
    expect(await onFarControl.atLeast(1, { timeoutMs: 5000, what: "the page's stop" })).toEqual(['stop']);
    expect(await onPageControl.atLeast(1, { timeoutMs: 5000, what: "the reflector's final" })).toEqual(['final']);
    expect(await onFarProbe.atLeast(1, { timeoutMs: 5000, what: 'the probe' })).toEqual(['probe']);
  });
});
