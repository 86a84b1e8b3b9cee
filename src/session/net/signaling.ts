import { SERVER_BUSY, SERVER_BUSY_WORDS, SIGNAL_PROTOCOL_REFUSALS, type SignalData, type SignalLeg } from '../../protocol/api.js';
import { isServerSignalMessage } from '../../protocol/signal-check.js';
import { SetupError } from './errors.js';

/** A WebSocket constructor: the browser's, or the `ws` package's in Node 20. */
export type WebSocketCtor = new (url: string) => WebSocket;

/**
 * The client side of the reflector's signaling WebSocket. One socket carries both legs of a
 * session: the data-channel leg (no `leg`) and the RTP leg (`leg: 'rtp'`); each
 * signal is handed over with its leg (null for the data-channel leg). A message outside the
 * signalling schemas (src/protocol/api-signal.ts, one precompiled check) ends the setup.
 */
export class SignalingClient {
  private readonly ws: WebSocket;
  private readonly queue: string[] = [];
  readonly closed: Promise<string>;

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

  send(data: SignalData, leg: SignalLeg | null = null): void {
    const text = JSON.stringify(leg === null ? { type: 'signal', data } : { type: 'signal', data, leg });
    if (this.ws.readyState === 1 /* OPEN */) this.ws.send(text);
    else this.queue.push(text);
  }

  close(): void {
    this.ws.close(1000, 'test over');
  }
}
