/**
 * The field-by-field parser the signalling schemas replaced (server/http/signal-message.ts before
 * them), kept as the oracle of test/server/http/signal-message.test.ts: the schema check must
 * take and refuse what it took and refused, in the same words, except the tightened cases the
 * corpus names (test/protocol/signal-corpus.ts).
 */
import type { SignalMessage } from '../../../src/protocol/api-signal.js';
import { BOUNDS } from '../../../src/protocol/defaults.js';

class SignalMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignalMessageError';
  }
}

const MAX_SDP_BYTES = BOUNDS.signalSdpBytesMax;
const MAX_CANDIDATE_BYTES = BOUNDS.signalCandidateBytesMax;

/** The parser before the schemas: a page-to-server message, or an Error with the reason. */
export function parseClientSignalBefore(text: string): SignalMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SignalMessageError('signal message is not JSON');
  }
  if (typeof value !== 'object' || value === null) throw new SignalMessageError('signal message is not an object');
  const msg = value as Record<string, unknown>;
  if (msg['type'] !== 'signal') throw new SignalMessageError(`unknown message type ${JSON.stringify(msg['type'])}`);
  const leg = msg['leg'];
  if (leg !== undefined && leg !== 'rtp') throw new SignalMessageError(`unknown signal leg ${JSON.stringify(leg)}`);
  const tag: Pick<SignalMessage, 'leg'> = leg === 'rtp' ? { leg: 'rtp' } : {};
  const data = msg['data'];
  if (typeof data !== 'object' || data === null) throw new SignalMessageError('signal without data');
  const d = data as Record<string, unknown>;
  const type = d['type'];
  if (type === 'offer' || type === 'answer') {
    if (typeof d['sdp'] !== 'string' || d['sdp'].length > MAX_SDP_BYTES) {
      throw new SignalMessageError(`${type} needs an sdp string under ${MAX_SDP_BYTES} bytes`);
    }
    return { type: 'signal', data: { type, sdp: d['sdp'] }, ...tag };
  }
  if (type === 'candidate') {
    const c = d['candidate'];
    if (typeof c !== 'object' || c === null || typeof (c as Record<string, unknown>)['candidate'] !== 'string') {
      throw new SignalMessageError('candidate message needs candidate.candidate');
    }
    const cc = c as Record<string, unknown>;
    if ((cc['candidate'] as string).length > MAX_CANDIDATE_BYTES) {
      throw new SignalMessageError(`candidate longer than ${MAX_CANDIDATE_BYTES} bytes`);
    }
    const mline = cc['sdpMLineIndex'];
    const mid = cc['sdpMid'];
    return {
      type: 'signal',
      data: {
        type,
        candidate: {
          candidate: cc['candidate'] as string,
          sdpMLineIndex: typeof mline === 'number' ? mline : null,
          sdpMid: typeof mid === 'string' ? mid : null,
        },
      },
      ...tag,
    };
  }
  if (type === 'renegotiate' || type === 'transceiverRequest') {
    throw new SignalMessageError(`${type} is not supported by the reflector`);
  }
  throw new SignalMessageError(`unknown signal type ${JSON.stringify(type)}`);
}
