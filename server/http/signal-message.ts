/**
 * The page's signalling messages, checked against their schema (src/protocol/api-signal.ts) by
 * the one precompiled check the page uses too (src/protocol/signal-check.ts). A message that
 * does not match is refused in the words its schema names for the first member that fails, the
 * members read in the schema's order (type, leg, data); the message is passed on with only the
 * members the contract names.
 */
import { KindGuard, type TObject, type TSchema, type TUnion } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import {
  ClientSignalMessageSchema,
  UNSUPPORTED_SIGNAL_TYPES,
  problemOf,
  tooLongOf,
  type ClientSignalMessage,
  type SignalMessage,
} from '../../src/protocol/api-signal.js';
import { isClientSignalMessage } from '../../src/protocol/signal-check.js';
import { TypedError } from '../../src/protocol/typed-error.js';

/** A page message the contract does not allow; its message says which member failed and why. */
export class SignalMessageError extends TypedError<'bad-message'> {
  override readonly name = 'SignalMessageError';
  constructor(message: string) {
    super('bad-message', message);
  }
}

/** Validates a page-to-server signaling message; throws SignalMessageError with the reason. */
export function parseClientSignal(text: string): ClientSignalMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SignalMessageError('signal message is not JSON');
  }
  if (!isClientSignalMessage(value)) throw new SignalMessageError(signalProblem(value));
  if (value.type === 'stop') return { type: 'stop' };
  const tag: Pick<SignalMessage, 'leg'> = value.leg === 'rtp' ? { leg: 'rtp' } : {};
  const d = value.data;
  if (d.type !== 'candidate') return { type: 'signal', data: { type: d.type, sdp: d.sdp }, ...tag };
  const c = d.candidate;
  return {
    type: 'signal',
    data: { type: d.type, candidate: { candidate: c.candidate, sdpMLineIndex: c.sdpMLineIndex ?? null, sdpMid: c.sdpMid ?? null } },
    ...tag,
  };
}

/** Why `value` (which does not match) is refused: the words of the first member that fails. */
function signalProblem(value: unknown): string {
  return wordsFor(ClientSignalMessageSchema, value, problemOf(ClientSignalMessageSchema) ?? 'signal message does not match the signalling contract', '');
}

/** Anything but null that `typeof` calls an object: an array counts, without members (as JSON readers before the schemas read it). */
const isObjectLike = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** `words` with `{value}` as the value's JSON and `{type}` as the signal's type. */
const fill = (words: string, value: unknown, type: string): string => words.replace(/\{value\}/g, String(JSON.stringify(value))).replace(/\{type\}/g, type);

/** The words for `value` under `schema` (which it fails): the nearest words named, `inherited` from the schemas above. */
function wordsFor(schema: TSchema, value: unknown, inherited: string, type: string): string {
  const words = problemOf(schema) ?? inherited;
  if (KindGuard.IsObject(schema)) return objectWords(schema, value, words, type);
  if (KindGuard.IsUnion(schema)) return unionWords(schema, value, words, type);
  if (KindGuard.IsString(schema) && typeof value === 'string') return fill(tooLongOf(schema) ?? words, value, type);
  return fill(words, value, type);
}

function objectWords(schema: TObject, value: unknown, words: string, type: string): string {
  if (!isObjectLike(value)) return fill(words, value, type);
  for (const [key, member] of Object.entries(schema.properties)) {
    const v = Array.isArray(value) ? undefined : value[key];
    if (v === undefined && !(schema.required ?? []).includes(key)) continue;
    if (!Value.Check(member, v)) return wordsFor(member, v, words, type);
  }
  return fill(words, value, type);
}

/**
 * A union of signals is told apart by its members' `type`: the signal of that type is read on;
 * a type of none is unknown, or one the reflector does not take.
 */
function unionWords(schema: TUnion, value: unknown, words: string, type: string): string {
  const told = schema as TUnion & { unknownType?: string; unsupported?: string };
  if (told.unknownType === undefined || !isObjectLike(value)) return fill(words, value, type);
  const t = Array.isArray(value) ? undefined : value['type'];
  const variant = schema.anyOf.find((s) => KindGuard.IsObject(s) && s.properties['type'] !== undefined && Value.Check(s.properties['type'], t));
  if (variant !== undefined) return wordsFor(variant, value, words, String(t));
  if (typeof t === 'string' && UNSUPPORTED_SIGNAL_TYPES.includes(t) && told.unsupported !== undefined) return fill(told.unsupported, t, t);
  return fill(told.unknownType, t, type);
}
