/**
 * The page's RTP leg, played in Node on one signalling WebSocket as the page opens it for a test
 * graded on RTP: a werift RTCPeerConnection with one audio transceiver, relay-only through the
 * server's TURN relay, and no data-channel leg; the reflector's control messages (receipts,
 * tallies, finals) come on the socket, and `stop` ends the stream as the page's does. With
 * `dataChannel`, the data-channel leg too (simple-peer over @roamhq/wrtc, its probe channel), as
 * a page whose RTP leg cannot be graded opens it. The RTP load client (bench:load) and the relay
 * echo test drive the legs; what they send and measure is their own.
 */
import wrtc from '@roamhq/wrtc';
import SimplePeer from 'simple-peer';
import { RTCPeerConnection as WeriftPeerConnection, useOPUS, type RtpPacket } from 'werift';
import WebSocket from 'ws';
import { SIGNAL_PROTOCOL_QUERY, type SignalData, type SignalLeg } from '../../src/protocol/api.js';
import type { ServerSignalMessage } from '../../src/protocol/api-signal.js';
import { PROBE_CHANNEL_INIT, PROBE_CHANNEL_LABEL } from '../../src/protocol/channels.js';
import { ProbeKind, decodeBothReceipts, decodeReceipts, parseControlMessage, type ControlMessage, type ReceiptRecord } from '../../src/protocol/wire.js';

type SignalError = Extract<ServerSignalMessage, { type: 'error' }>;

export interface PageLegs {
  /** The signalling socket: closing it is the page hanging up. */
  readonly ws: WebSocket;
  /** Sends a signalling message (for the RTP leg when `leg` is 'rtp'). */
  send(data: SignalData, leg?: SignalLeg): void;
  /** The page's `stop`: the stream is over, the reflector sends the rest. */
  stop(): void;
  /** Every error the server signalled, in order. */
  readonly errors: SignalError[];
  /** What the server signalled for the RTP leg, in order. */
  readonly toRtp: SignalData[];
  /** The reflector's JSON control messages (channel, rtp-stats, final, rtp-final), in order. */
  readonly controlText: ControlMessage[];
  /** The RTP receipts the reflector sent. */
  readonly rtpReceipts: ReceiptRecord[];
  /** The data-channel leg, when asked for. */
  readonly peer: SimplePeer.Instance | null;
  /** The data-channel leg is connected (false without one). */
  dataConnected(): boolean;
  readonly pc: WeriftPeerConnection;
  readonly transceiver: ReturnType<WeriftPeerConnection['addTransceiver']>;
  /** Sends the RTP leg's offer, then its candidates gathered so far and every later one (trickled after the offer, as the page does). */
  offerRtp(sdp: string): void;
  close(): void;
}

/** Opens the signalling socket and the RTP leg (and the data-channel leg with `dataChannel`); `onRtp` gets every RTP packet the RTP leg receives. */
export async function openPageLegs(
  baseUrl: string,
  iceServers: RTCIceServer[],
  onRtp: (rtp: RtpPacket) => void,
  opts: { dataChannel?: boolean } = {},
): Promise<PageLegs> {
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
  const controlText: ControlMessage[] = [];
  const rtpReceipts: ReceiptRecord[] = [];
  const onControl = (text: string, binary: boolean): void => {
    if (!binary) {
      controlText.push(parseControlMessage(text));
      return;
    }
    const bytes = new Uint8Array(Buffer.from(text, 'base64'));
    if (bytes[3] === ProbeKind.RtpReceipts) rtpReceipts.push(...decodeReceipts(bytes, ProbeKind.RtpReceipts));
    else if (bytes[3] === ProbeKind.BothReceipts) rtpReceipts.push(...decodeBothReceipts(bytes).rtp);
  };

  let peer: SimplePeer.Instance | null = null;
  let dataConnected = false;
  if (opts.dataChannel === true) {
    const p = new SimplePeer({
      initiator: true,
      trickle: true,
      wrtc: wrtc as unknown as NonNullable<SimplePeer.Options['wrtc']>,
      config: { iceServers, iceTransportPolicy: 'relay' },
      channelName: PROBE_CHANNEL_LABEL,
      channelConfig: { ...PROBE_CHANNEL_INIT },
    });
    closers.push(() => p.destroy());
    p.on('connect', () => (dataConnected = true));
    p.on('signal', (d: SignalData) => send(d));
    peer = p;
  }

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
    else if (m.type === 'control') onControl(m.text, m.binary);
    else if (m.leg === 'rtp') {
      toRtp.push(m.data);
      if (m.data.type === 'answer') void pc.setRemoteDescription({ type: 'answer', sdp: m.data.sdp });
      else if (m.data.type === 'candidate')
        void pc.addIceCandidate({
          candidate: m.data.candidate.candidate,
          sdpMid: m.data.candidate.sdpMid ?? '0',
          sdpMLineIndex: m.data.candidate.sdpMLineIndex ?? 0,
        });
    } else peer?.signal(m.data as SimplePeer.SignalData);
  });

  return {
    ws,
    send,
    errors,
    toRtp,
    stop: () => ws.send(JSON.stringify({ type: 'stop' })),
    controlText,
    rtpReceipts,
    peer,
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
