/** Why a datagram or attribute could not be decoded. Used as a metrics label: keep it small. */
export type DecodeFailure =
  'too-short' | 'not-stun' | 'bad-cookie' | 'bad-length' | 'length-mismatch' | 'attribute-overflow' | 'bad-fingerprint' | 'bad-attribute' | 'bad-channel-data';

/** A message that is not well-formed STUN/ChannelData. Carries a machine-readable reason. */
export class StunDecodeError extends Error {
  override readonly name = 'StunDecodeError';
  constructor(
    readonly reason: DecodeFailure,
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}
