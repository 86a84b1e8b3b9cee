/** Why a datagram or attribute could not be decoded. Used as a metrics label: keep it small. */
import { ReasonedError } from '../../../src/protocol/typed-error.js';
export type DecodeFailure =
  'too-short' | 'not-stun' | 'bad-cookie' | 'bad-length' | 'length-mismatch' | 'attribute-overflow' | 'bad-fingerprint' | 'bad-attribute' | 'bad-channel-data';

/** A message that is not well-formed STUN/ChannelData. Carries a machine-readable reason. */
export class StunDecodeError extends ReasonedError<DecodeFailure> {
  override readonly name = 'StunDecodeError';
}
