/**
 * The signalling WebSocket's messages as TypeBox schemas (JSON Schema at run time, the types by
 * `Static`): page -> server (`ClientSignalMessageSchema`) and server -> page
 * (`ServerSignalMessageSchema`: the same signals, or an error). Both ends check a message with
 * one compiled check, ./signal-check.ts (TypeCompiler's code of these schemas, generated and
 * kept equal by test/protocol/signal-check.test.ts), so the page needs neither TypeBox nor an
 * eval, which its CSP forbids. Only the types are for the page (`import type`).
 *
 * A message that does not match is refused in the words its schema names (`problem`, nearest
 * along the error's path): `{value}` stands for the offending value as JSON, `{type}` for the
 * signal's type. The server refuses with reason `bad-message` (server/http/signal-message.ts).
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { BOUNDS } from './defaults.js';

/** The schema option that names the words of a refusal. */
const problem = (words: string): { problem: string } => ({ problem: words });

/** The words a schema names for a mismatch, or null. */
export function problemOf(schema: TSchema): string | null {
  const p = (schema as { problem?: unknown }).problem;
  return typeof p === 'string' ? p : null;
}

/** The words a string schema names for a value over its maxLength, or null. */
export function tooLongOf(schema: TSchema): string | null {
  const p = (schema as { tooLong?: unknown }).tooLong;
  return typeof p === 'string' ? p : null;
}

/** simple-peer signal types the reflector does not take (renegotiation): refused in words of their own. */
export const UNSUPPORTED_SIGNAL_TYPES: readonly string[] = ['renegotiate', 'transceiverRequest'];

const Sdp = Type.String({ maxLength: BOUNDS.signalSdpBytesMax, ...problem(`{type} needs an sdp string under ${BOUNDS.signalSdpBytesMax} bytes`) });

/** An ICE candidate as RTCIceCandidate.toJSON() gives it (other members are ignored). */
const CandidateInitSchema = Type.Object(
  {
    candidate: Type.String({
      maxLength: BOUNDS.signalCandidateBytesMax,
      ...problem('candidate message needs candidate.candidate'),
      tooLong: `candidate longer than ${BOUNDS.signalCandidateBytesMax} bytes`,
    }),
    sdpMLineIndex: Type.Optional(Type.Union([Type.Number(), Type.Null()], problem('candidate.sdpMLineIndex must be a number or null'))),
    sdpMid: Type.Optional(Type.Union([Type.String(), Type.Null()], problem('candidate.sdpMid must be a string or null'))),
  },
  problem('candidate message needs candidate.candidate'),
);

/** An offer or an answer (SDP), or a trickled candidate: the signals of both legs. */
export const SignalDataSchema = Type.Union(
  [
    Type.Object({ type: Type.Union([Type.Literal('offer'), Type.Literal('answer')]), sdp: Sdp }),
    Type.Object({ type: Type.Literal('candidate'), candidate: CandidateInitSchema }),
  ],
  { ...problem('signal without data'), unknownType: 'unknown signal type {value}', unsupported: '{type} is not supported by the reflector' },
);
export type SignalMessageData = Static<typeof SignalDataSchema>;

/** Which peer connection a signal belongs to: absent for the data-channel leg, 'rtp' for the RTP probe leg. */
const Leg = Type.Literal('rtp', problem('unknown signal leg {value}'));

/** A signal of either leg, either way. Its members in the order the server reads them: the first that fails is the one refused. */
const SignalMessageSchema = Type.Object(
  { type: Type.Literal('signal', problem('unknown message type {value}')), leg: Type.Optional(Leg), data: SignalDataSchema },
  problem('signal message is not an object'),
);
export type SignalMessage = Static<typeof SignalMessageSchema>;

/**
 * Page -> server: the page's probe stream is over and its wait for late packets has passed; the
 * reflector sends the rest (its last receipts, then each stream's final tally) as control messages.
 */
const StopMessageSchema = Type.Object({ type: Type.Literal('stop') });

/** Page -> server: a signal, or the page's `stop`. */
export const ClientSignalMessageSchema = Type.Union([SignalMessageSchema, StopMessageSchema], {
  ...problem('signal message is not an object'),
  unknownType: 'unknown message type {value}',
});
export type ClientSignalMessage = Static<typeof ClientSignalMessageSchema>;

/** Server -> page: why the server refused or ended the session (an ErrorBody). */
const SignalErrorMessageSchema = Type.Object({ type: Type.Literal('error'), reason: Type.String(), message: Type.String() });

/**
 * Server -> page: a control message of the reflector (src/protocol/wire.ts): a JSON one as its
 * text, or a binary one (a batch of receipts) in base64 (`binary`).
 */
const ControlMessageSchema = Type.Object({ type: Type.Literal('control'), text: Type.String(), binary: Type.Boolean() });

/** Server -> page: a signal of our stack (the same shape as the page's), a control message, or an error. */
export const ServerSignalMessageSchema = Type.Union([SignalMessageSchema, ControlMessageSchema, SignalErrorMessageSchema]);
export type ServerSignalMessage = Static<typeof ServerSignalMessageSchema>;
