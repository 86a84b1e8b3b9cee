/**
 * Every reason the relay counts and logs, as literal unions: refusals (error responses),
 * challenges, malformed input and deliberate drops. Each is a metrics label, so the sets are
 * closed; a new reason is a new member here.
 */
import type { DecodeFailure } from '../codec/errors.js';
import type { FramingFailure } from '../codec/stream-framer.js';
import type { PeerRefusal } from '../policy/peer-policy.js';

/** Why a credential was refused (log field; 401 to the client). */
export type AuthRefusal = 'expired' | 'lifetime-too-long' | 'malformed-username' | 'unknown-user';

/** RFC 8489 §9.2.4 / RFC 8656 §7-§12: why a request got an error response. */
export type RefusalReason =
  // authentication (RFC 8489 §9.2.4)
  | 'bad-request-auth-attributes'
  | 'wrong-realm'
  | `credential-${AuthRefusal}`
  | 'wrong-credentials'
  // any request
  | 'unknown-method'
  | 'unknown-attribute'
  | 'bad-request'
  | 'no-allocation'
  | 'wrong-username'
  | 'address-family'
  // Allocate (RFC 8656 §7.2)
  | 'allocation-exists'
  | 'unsupported-transport'
  | 'no-reservation'
  | 'quota-username'
  | 'quota-source-ip'
  | 'quota-network'
  | 'quota-total'
  | 'quota-reserve'
  | 'no-relay-port'
  // CreatePermission, ChannelBind (RFC 8656 §9.2, §12.2)
  | `peer-${PeerRefusal}`
  | 'peer-family'
  | 'quota-permissions'
  | 'quota-channels'
  | 'bad-channel-number'
  | 'channel-in-use'
  | 'peer-bound'
  // ChannelBind to a relayed address of ours that no relay pair can ever allow (relay-pairs.ts)
  | 'peer-other-test';

/** RFC 8489 §9.2.4: a 401 or 438 that is a normal step of authentication. */
export type ChallengeReason = 'no-credentials' | 'stale-nonce';

/** Input that could not be decoded (or whose handler failed). */
export type MalformedReason = DecodeFailure | 'send-missing-attribute' | 'internal-error' | `stream-${FramingFailure}`;

/** Well-formed input dropped on purpose (RFC 8656 §11-§12 say data without state is discarded). */
export type DropReason =
  // client -> peer (ChannelData §12.6, Send §11.2)
  | 'no-allocation'
  | 'no-channel'
  | 'no-permission'
  | 'unknown-attribute'
  | 'peer-family'
  // peer -> client (§11.3, §12.7)
  | 'peer-no-permission'
  // both directions
  | 'peer-not-allowed'
  // a relayed address of ours that is no relay pair of this allocation (relay-pairs.ts)
  | 'peer-other-test'
  | 'bandwidth'
  // indications other than Send, responses: a server never expects them
  | 'unexpected-indication'
  | 'unexpected-response'
  // transport: a stream client that does not read (its own cap, or the relay's cap over all connections)
  | 'stream-backlog'
  | 'stream-backlog-total'
  // transport: a UDP datagram to a client the kernel would not take at once (its socket's send
  // buffer full: never queued in memory), or refused with another error
  | 'udp-send-buffer-full'
  | 'udp-send-failed'
  // transport: a new TCP/TLS connection from a source or network that already holds its share
  // (--max-allocations-per-ip; a /48: server/common/door.ts), past the total, or into the reserve
  | 'stream-connections-per-source'
  | 'stream-connections-per-network'
  | 'stream-connections-total'
  | 'stream-connections-reserve';

/** The reason carried by a `drop` action. */
export type DropActionReason = DropReason | `malformed:${MalformedReason}`;

/** Why an allocation ended (log field). */
export type DeletionReason = 'expired' | 'refresh-lifetime-0' | 'connection-closed' | 'relay-bind-failed';
