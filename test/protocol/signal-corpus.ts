/**
 * The signalling corpus: page -> server messages as they cross the WebSocket (text), each with
 * what the server says to it (null: taken; else the words of its `bad-message` refusal), and
 * a generator of message-like values around them for property tests. Fed to the server's check
 * (test/server/http/signal-message.test.ts) and to the page's (test/session/net/signaling.test.ts).
 *
 * `tightened`: a message the field-by-field parser before the schemas took (it read a mistyped
 * sdpMLineIndex or sdpMid as null), which the schema refuses; no browser sends one.
 */
import fc from 'fast-check';
import { BOUNDS } from '../../src/protocol/defaults.js';

export interface SignalCase {
  name: string;
  text: string;
  refusal: string | null;
  tightened?: true;
}

const SDP_MAX = BOUNDS.signalSdpBytesMax;
const CANDIDATE_MAX = BOUNDS.signalCandidateBytesMax;
const LINE = 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host';
const signal = (data: unknown, extra: Record<string, unknown> = {}): string => JSON.stringify({ type: 'signal', ...extra, data });

export const SIGNAL_CORPUS: readonly SignalCase[] = [
  // Taken.
  { name: 'an offer', text: signal({ type: 'offer', sdp: 'v=0' }), refusal: null },
  { name: 'an answer on the RTP leg', text: signal({ type: 'answer', sdp: 'v=0' }, { leg: 'rtp' }), refusal: null },
  {
    name: 'a candidate as RTCIceCandidate.toJSON() gives it',
    text: signal({ type: 'candidate', candidate: { candidate: LINE, sdpMLineIndex: 0, sdpMid: '0', usernameFragment: 'ab12' } }),
    refusal: null,
  },
  { name: 'a candidate with nulls', text: signal({ type: 'candidate', candidate: { candidate: LINE, sdpMLineIndex: null, sdpMid: null } }), refusal: null },
  { name: 'a candidate line alone', text: signal({ type: 'candidate', candidate: { candidate: LINE } }), refusal: null },
  { name: 'end of candidates (an empty line)', text: signal({ type: 'candidate', candidate: { candidate: '' } }), refusal: null },
  {
    name: 'members the contract does not name',
    text: JSON.stringify({ type: 'signal', data: { type: 'offer', sdp: 'v=0', extra: [1] }, id: 7 }),
    refusal: null,
  },
  { name: 'an sdp of the largest size', text: signal({ type: 'offer', sdp: 'x'.repeat(SDP_MAX) }), refusal: null },
  { name: 'a candidate line of the largest size', text: signal({ type: 'candidate', candidate: { candidate: 'x'.repeat(CANDIDATE_MAX) } }), refusal: null },
  // Not a message.
  { name: 'not JSON', text: '{', refusal: 'signal message is not JSON' },
  { name: 'nothing', text: '', refusal: 'signal message is not JSON' },
  { name: 'null', text: 'null', refusal: 'signal message is not an object' },
  { name: 'a number', text: '42', refusal: 'signal message is not an object' },
  { name: 'a string', text: '"signal"', refusal: 'signal message is not an object' },
  { name: 'an array', text: '[]', refusal: 'unknown message type undefined' },
  { name: 'an empty object', text: '{}', refusal: 'unknown message type undefined' },
  { name: 'another type', text: '{"type":"hello"}', refusal: 'unknown message type "hello"' },
  { name: "the server's error, from a page", text: '{"type":"error","reason":"busy","message":"no"}', refusal: 'unknown message type "error"' },
  // The leg.
  { name: 'an unknown leg', text: signal({ type: 'offer', sdp: 'v=0' }, { leg: 'video' }), refusal: 'unknown signal leg "video"' },
  { name: 'a null leg', text: signal({ type: 'offer', sdp: 'v=0' }, { leg: null }), refusal: 'unknown signal leg null' },
  { name: 'a bad type before a bad leg', text: JSON.stringify({ type: 'hello', leg: 'video' }), refusal: 'unknown message type "hello"' },
  { name: 'a bad leg before bad data', text: JSON.stringify({ type: 'signal', leg: 'video', data: 1 }), refusal: 'unknown signal leg "video"' },
  // The data.
  { name: 'no data', text: '{"type":"signal"}', refusal: 'signal without data' },
  { name: 'null data', text: signal(null), refusal: 'signal without data' },
  { name: 'data as text', text: signal('offer'), refusal: 'signal without data' },
  { name: 'data as an array', text: signal([]), refusal: 'unknown signal type undefined' },
  { name: 'data without a type', text: signal({}), refusal: 'unknown signal type undefined' },
  { name: 'an unknown signal type', text: signal({ type: 'pranswer', sdp: 'v=0' }), refusal: 'unknown signal type "pranswer"' },
  { name: 'a renegotiation', text: signal({ type: 'renegotiate', renegotiate: true }), refusal: 'renegotiate is not supported by the reflector' },
  {
    name: 'a transceiver request',
    text: signal({ type: 'transceiverRequest', transceiverRequest: { kind: 'audio' } }),
    refusal: 'transceiverRequest is not supported by the reflector',
  },
  { name: 'an offer without sdp', text: signal({ type: 'offer' }), refusal: `offer needs an sdp string under ${SDP_MAX} bytes` },
  { name: 'an answer with a numeric sdp', text: signal({ type: 'answer', sdp: 0 }), refusal: `answer needs an sdp string under ${SDP_MAX} bytes` },
  {
    name: 'an sdp one over the largest size',
    text: signal({ type: 'offer', sdp: 'x'.repeat(SDP_MAX + 1) }),
    refusal: `offer needs an sdp string under ${SDP_MAX} bytes`,
  },
  { name: 'a candidate without its candidate', text: signal({ type: 'candidate' }), refusal: 'candidate message needs candidate.candidate' },
  { name: 'a null candidate', text: signal({ type: 'candidate', candidate: null }), refusal: 'candidate message needs candidate.candidate' },
  { name: 'a candidate as an array', text: signal({ type: 'candidate', candidate: [LINE] }), refusal: 'candidate message needs candidate.candidate' },
  {
    name: 'a candidate without a line',
    text: signal({ type: 'candidate', candidate: { sdpMid: '0' } }),
    refusal: 'candidate message needs candidate.candidate',
  },
  {
    name: 'a numeric candidate line',
    text: signal({ type: 'candidate', candidate: { candidate: 1 } }),
    refusal: 'candidate message needs candidate.candidate',
  },
  {
    name: 'a candidate line one over the largest size',
    text: signal({ type: 'candidate', candidate: { candidate: 'x'.repeat(CANDIDATE_MAX + 1) } }),
    refusal: `candidate longer than ${CANDIDATE_MAX} bytes`,
  },
  {
    name: 'a mistyped sdpMLineIndex',
    text: signal({ type: 'candidate', candidate: { candidate: LINE, sdpMLineIndex: '0' } }),
    refusal: 'candidate.sdpMLineIndex must be a number or null',
    tightened: true,
  },
  {
    name: 'a mistyped sdpMid',
    text: signal({ type: 'candidate', candidate: { candidate: LINE, sdpMid: 0 } }),
    refusal: 'candidate.sdpMid must be a string or null',
    tightened: true,
  },
];

/** The value a case's text carries, or undefined when it is not JSON. */
export function valueOf(c: SignalCase): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(c.text) as unknown };
  } catch {
    return undefined;
  }
}

/** Message-like values: messages as the page sends them, and the corpus's shapes with every member sometimes missing, mistyped, too long or unknown. */
export function signalArbitrary(): fc.Arbitrary<unknown> {
  const words = fc.constantFrom('offer', 'answer', 'candidate', 'renegotiate', 'transceiverRequest', 'signal', 'error', 'rtp', 'video', '');
  const text = fc.oneof(fc.string({ maxLength: 8 }), words, fc.constant('x'.repeat(CANDIDATE_MAX + 1)), fc.constant('x'.repeat(SDP_MAX + 1)));
  const other = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true }), text, fc.constant([]), fc.constant({}));
  const candidate = fc.record(
    {
      candidate: fc.oneof(text, other),
      sdpMLineIndex: fc.oneof(fc.nat(4), fc.constant(null), other),
      sdpMid: fc.oneof(fc.constant('0'), fc.constant(null), other),
    },
    { requiredKeys: [] },
  );
  const data = fc.oneof(
    fc.record({ type: fc.constantFrom('offer', 'answer'), sdp: fc.oneof(fc.constant('v=0'), other) }, { requiredKeys: [] }),
    fc.record({ type: fc.constant('candidate'), candidate: fc.oneof(candidate, other) }, { requiredKeys: [] }),
    fc.record({ type: fc.oneof(words, other) }),
    other,
  );
  const message = fc.record(
    {
      type: fc.oneof(fc.constantFrom('signal', 'signal', 'signal', 'error', 'hello'), other),
      leg: fc.oneof(fc.constant('rtp'), other),
      data,
      reason: text,
      message: text,
    },
    { requiredKeys: [] },
  );
  const validCandidate = fc.record(
    {
      candidate: fc.oneof(fc.constant(LINE), fc.string({ maxLength: 8 })),
      sdpMLineIndex: fc.oneof(fc.nat(4), fc.constant(null)),
      sdpMid: fc.oneof(fc.constant('0'), fc.constant(null)),
    },
    { requiredKeys: ['candidate'] },
  );
  const validData = fc.oneof(
    fc.record({ type: fc.constantFrom('offer', 'answer'), sdp: fc.string({ maxLength: 16 }) }),
    fc.record({ type: fc.constant('candidate'), candidate: validCandidate }),
  );
  const valid = fc.record({ type: fc.constant('signal'), leg: fc.constant('rtp'), data: validData }, { requiredKeys: ['type', 'data'] });
  return fc.oneof(valid, message, message, other);
}
