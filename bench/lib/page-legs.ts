/**
 * The page's two legs, played in Node on one signalling WebSocket, as the page opens them: the
 * data-channel leg (simple-peer over @roamhq/wrtc: the probe channel and the negotiated control
 * channel) and the RTP leg (a werift RTCPeerConnection with one audio transceiver), both
 * relay-only through the server's TURN relay. The RTP load client (bench:load) and the relay
 * echo test drive the legs; what they send and measure is their own.
 */
import wrtc from '@roamhq/wrtc';
import SimplePeer from 'simple-peer';
import { RTCPeerConnection as WeriftPeerConnection, useOPUS, type RtpPacket } from 'werift';
import WebSocket from 'ws';
import { SIGNAL_PROTOCOL_QUERY, type SignalData, type SignalLeg } from '../../src/protocol/api.js';
import type { ServerSignalMessage } from '../../src/protocol/api-signal.js';
import { CONTROL_CHANNEL, PROBE_CHANNEL_INIT, PROBE_CHANNEL_LABEL } from '../../src/protocol/channels.js';
import { ProbeKind, decodeBothReceipts, decodeReceipts, parseControlMessage, type ControlMessage, type ReceiptRecord } from '../../src/protocol/wire.js';

type SignalError = Extract<ServerSignalMessage, { type: 'error' }>;

export interface PageLegs {
  /** The signalling socket: closing it is the page hanging up. */
  readonly ws: WebSocket;
  /** Sends a signalling message (for the RTP leg when `leg` is 'rtp'). */
  send(data: SignalData, leg?: SignalLeg): void;
  /** Every error the server signalled, in order. */
  readonly errors: SignalError[];
  /** What the server signalled for the RTP leg, in order. */
  readonly toRtp: SignalData[];
  readonly peer: SimplePeer.Instance;
  readonly control: RTCDataChannel;
  /** The control channel's text messages (final, rtp-final, ...), in order. */
  readonly controlText: ControlMessage[];
  /** The RTP receipts the control channel carried. */
  readonly rtpReceipts: ReceiptRecord[];
  /** The data-channel leg is connected. */
  dataConnected(): boolean;
  readonly pc: WeriftPeerConnection;
  readonly transceiver: ReturnType<WeriftPeerConnection['addTransceiver']>;
  /** Sends the RTP leg's offer, then its candidates gathered so far and every later one (trickled after the offer, as the page does). */
  offerRtp(sdp: string): void;
  close(): void;
}

/** Opens the signalling socket and both legs; `onRtp` gets every RTP packet the RTP leg receives. */
export async function openPageLegs(baseUrl: string, iceServers: RTCIceServer[], onRtp: (rtp: RtpPacket) => void): Promise<PageLegs> {
  const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + '/api/signal' + SIGNAL_PROTOCOL_QUERY, { origin: baseUrl, handshakeTimeout: 10_000 });
  const closers: (() => void)[] = [() => ws.close()];
  const close = (): void => {
    for (const c of closers.splice(0).reverse()) c();
  };
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
  } catch (err) {
    close();
    throw err;
  }
  const send = (data: SignalData, leg?: SignalLeg): void => ws.send(JSON.stringify(leg ? { type: 'signal', data, leg } : { type: 'signal', data }));
  const errors: SignalError[] = [];
  const toRtp: SignalData[] = [];

  const peer = new SimplePeer({
    initiator: true,
    trickle: true,
    wrtc: wrtc as unknown as NonNullable<SimplePeer.Options['wrtc']>,
    config: { iceServers, iceTransportPolicy: 'relay' },
    channelName: PROBE_CHANNEL_LABEL,
    channelConfig: { ...PROBE_CHANNEL_INIT },
  });
  closers.push(() => peer.destroy());
  const control = (peer as unknown as { _pc: RTCPeerConnection })._pc.createDataChannel(CONTROL_CHANNEL.label, {
    negotiated: true,
    id: CONTROL_CHANNEL.id,
    ordered: true,
  });
  control.binaryType = 'arraybuffer';
  const controlText: ControlMessage[] = [];
  const rtpReceipts: ReceiptRecord[] = [];
  control.onmessage = (ev: MessageEvent) => {
    if (typeof ev.data === 'string') controlText.push(parseControlMessage(ev.data));
    else {
      const bytes = new Uint8Array(ev.data as ArrayBuffer);
      if (bytes[3] === ProbeKind.RtpReceipts) rtpReceipts.push(...decodeReceipts(bytes, ProbeKind.RtpReceipts));
      else if (bytes[3] === ProbeKind.BothReceipts) rtpReceipts.push(...decodeBothReceipts(bytes).rtp);
    }
  };
  let dataConnected = false;
  peer.on('connect', () => (dataConnected = true));
  peer.on('signal', (d: SignalData) => send(d));

  const pc = new WeriftPeerConnection({ iceServers, iceTransportPolicy: 'relay', iceUseTcp: false, codecs: { audio: [useOPUS()], video: [] } });
  closers.push(() => void pc.close());
  const transceiver = pc.addTransceiver('audio', { direction: 'sendrecv' });
  transceiver.onTrack.subscribe((track) => track.onReceiveRtp.subscribe(onRtp));
  // werift gathers during setLocalDescription: candidates wait for the offer.
  let offered = false;
  const early: SignalData[] = [];
  pc.onIceCandidate.subscribe((c) => {
    if (!c) return;
    const d: SignalData = { type: 'candidate', candidate: { candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? 0 } };
    if (offered) send(d, 'rtp');
    else early.push(d);
  });

  ws.on('message', (raw: Buffer) => {
    const m = JSON.parse(raw.toString('utf8')) as ServerSignalMessage;
    if (m.type === 'error') errors.push(m);
    else if (m.leg === 'rtp') {
      toRtp.push(m.data);
      if (m.data.type === 'answer') void pc.setRemoteDescription({ type: 'answer', sdp: m.data.sdp });
      else if (m.data.type === 'candidate')
        void pc.addIceCandidate({
          candidate: m.data.candidate.candidate,
          sdpMid: m.data.candidate.sdpMid ?? '0',
          sdpMLineIndex: m.data.candidate.sdpMLineIndex ?? 0,
        });
    } else peer.signal(m.data as SimplePeer.SignalData);
  });

  return {
    ws,
    send,
    errors,
    toRtp,
    peer,
    control,
    controlText,
    rtpReceipts,
    dataConnected: () => dataConnected,
    pc,
    transceiver,
    offerRtp: (sdp) => {
      send({ type: 'offer', sdp }, 'rtp');
      offered = true;
      for (const d of early.splice(0)) send(d, 'rtp');
    },
    close,
  };
}
