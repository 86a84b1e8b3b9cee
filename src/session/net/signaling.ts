import { SERVER_BUSY, SERVER_BUSY_WORDS, SIGNAL_PROTOCOL_REFUSALS, type SignalData, type SignalLeg } from '../../protocol/api.js';
import { isServerSignalMessage } from '../../protocol/signal-check.js';
import { parseControlMessage, type ControlMessage } from '../../protocol/wire.js';
import { SetupError } from './errors.js';

/** A WebSocket constructor: the browser's, or the `ws` package's in Node 20. */
export type WebSocketCtor = new (url: string) => WebSocket;

/** A control message of the reflector (src/protocol/wire.ts): JSON text, or a binary batch of receipts. */
export type ControlData = string | Uint8Array;

/**
 * The session's control messages as the probe stream reads and sends them: the reflector's
 * (receipts, tallies, finals) to `onMessage`, the page's `stop` by `stop()`. They ride the
 * signalling socket (SignalingClient), so a test graded on RTP needs no data channel.
 */
export interface ControlPort {
  /** Where the reflector's control messages go, in the order they came; set before the stream starts (later ones replace it). */
  onMessage(listener: (data: ControlData) => void): void;
  /** The page's `stop`: its stream is over and its wait for late packets has passed. Throws when the socket cannot send it. */
  stop(): void;
  /** The socket closed (or is closing): the server is gone, and no `stop` can reach it. */
  readonly ended: boolean;
}

/** The reflector's word about the RTP leg: it carries the page's audio (`rtp-live`), or it ended with none and may be opened again (`rtp-retry`). */
export type RtpWord = Extract<ControlMessage, { type: 'rtp-live' | 'rtp-retry' }>;

/** A control message's text as the reflector's word about the RTP leg, or null when it is another message (or none the page reads). */
function rtpWordOf(text: string): RtpWord | null {
  if (!text.includes('"rtp-live"') && !text.includes('"rtp-retry"')) return null;
  try {
    const m = parseControlMessage(text);
    return m.type === 'rtp-live' || m.type === 'rtp-retry' ? m : null;
  } catch {
    // Not one the page reads: the stream's listener notes it, as any other.
    return null;
  }
}

/** Bytes of a base64 text (the reflector's binary control messages on the socket). */
function fromBase64(text: string): Uint8Array {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/**
 * The client side of the reflector's signaling WebSocket. One socket carries both legs of a
 * session: the data-channel leg (no `leg`) and the RTP leg (`leg: 'rtp'`); each
 * signal is handed over with its leg (null for the data-channel leg). It is also the session's
 * control port: the reflector's control messages come on it, and the page's `stop` goes on it.
 * A message outside the signalling schemas (src/protocol/api-signal.ts, one precompiled check)
 * ends the setup.
 */
export class SignalingClient implements ControlPort {
  private readonly ws: WebSocket;
  private readonly queue: string[] = [];
  readonly closed: Promise<string>;
  private controlListener: ((data: ControlData) => void) | null = null;
  /** Control messages that came before a listener was set (the `channel` message can beat the stream's start). */
  private readonly early: ControlData[] = [];
  /** Where the reflector's words about the RTP leg go (connect.ts): never to the stream's listener. */
  private rtpWordListener: ((word: RtpWord) => void) | null = null;

  constructor(url: string, onSignal: (data: SignalData, leg: SignalLeg | null) => void, onError: (err: SetupError) => void, Impl: WebSocketCtor = WebSocket) {
    this.ws = new Impl(url);
    this.ws.onopen = () => {
      for (const m of this.queue.splice(0)) this.ws.send(m);
    };
    this.ws.onmessage = (ev: MessageEvent<string>) => {
      let msg: unknown;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        onError(new SetupError('signaling-failed', 'the server sent a signaling message that is not JSON'));
        return;
      }
      // The server's messages are checked against their schema (src/protocol/api-signal.ts) as the server checks the page's.
      if (!isServerSignalMessage(msg)) {
        onError(new SetupError('signaling-failed', 'the server sent a signaling message outside the signalling contract'));
        return;
      }
      if (msg.type === 'signal') onSignal(msg.data, msg.leg ?? null);
      else if (msg.type === 'control') this.onControl(msg.binary ? fromBase64(msg.text) : msg.text);
      else if (msg.reason in SIGNAL_PROTOCOL_REFUSALS) onError(new SetupError('version-mismatch', msg.message));
      // The server at its capacity: told in our own words, before anything was measured.
      else if (msg.reason === SERVER_BUSY) onError(new SetupError('server-busy', SERVER_BUSY_WORDS));
      else onError(new SetupError('reflector-error', `reflector: ${msg.message} (${msg.reason})`));
    };
    this.closed = new Promise((resolve) => {
      this.ws.onclose = (ev) => resolve(ev.reason || `code ${ev.code}`);
    });
    this.ws.onerror = () => onError(new SetupError('signaling-failed', `signaling WebSocket ${url} failed`));
  }

  /** The socket closed (or is closing): nothing more can be signalled on it. */
  get ended(): boolean {
    return this.ws.readyState >= 2; /* CLOSING, CLOSED */
  }

  private onControl(data: ControlData): void {
    const word = typeof data === 'string' ? rtpWordOf(data) : null;
    if (word !== null) {
      this.rtpWordListener?.(word);
      return;
    }
    if (this.controlListener) this.controlListener(data);
    else this.early.push(data);
  }

  onMessage(listener: (data: ControlData) => void): void {
    this.controlListener = listener;
    for (const d of this.early.splice(0)) listener(d);
  }

  /** Where the reflector's words about the RTP leg go, from now on (a word before a listener is set has no one to act on it). */
  onRtpWord(listener: (word: RtpWord) => void): void {
    this.rtpWordListener = listener;
  }

  send(data: SignalData, leg: SignalLeg | null = null): void {
    this.sendText(JSON.stringify(leg === null ? { type: 'signal', data } : { type: 'signal', data, leg }));
  }

  stop(): void {
    if (this.ws.readyState !== 1 /* OPEN */) throw new SetupError('signaling-failed', 'the signalling socket is closed: the stop cannot be sent');
    this.ws.send(JSON.stringify({ type: 'stop' }));
  }

  private sendText(text: string): void {
    if (this.ws.readyState === 1 /* OPEN */) this.ws.send(text);
    else this.queue.push(text);
  }

  close(): void {
    this.ws.close(1000, 'test over');
  }
}
