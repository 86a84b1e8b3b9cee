/**
 * STUN/TURN protocol numbers.
 * RFC 8489 §18 (STUN registries), RFC 8656 §18 (TURN registries).
 */

/** RFC 8489 §5: the fixed magic cookie. */
export const MAGIC_COOKIE = 0x2112a442;
/** RFC 8489 §5: 20-byte header. */
export const HEADER_SIZE_BYTES = 20;
/** RFC 8489 §14.7: FINGERPRINT XOR value ("STUN"). */
export const FINGERPRINT_XOR = 0x5354554e;

/** RFC 8489 §5, §18.2 / RFC 8656 §18: method numbers. */
export const Method = {
  Binding: 0x001,
  Allocate: 0x003,
  Refresh: 0x004,
  Send: 0x006,
  Data: 0x007,
  CreatePermission: 0x008,
  ChannelBind: 0x009,
} as const;

/** RFC 8489 §5: message classes. */
export const MessageClass = {
  Request: 0,
  Indication: 1,
  Success: 2,
  Error: 3,
} as const;
export type MessageClassValue = (typeof MessageClass)[keyof typeof MessageClass];

/** RFC 8489 §18.3 / RFC 8656 §18: attribute types we know. */
export const Attr = {
  MappedAddress: 0x0001,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  UnknownAttributes: 0x000a,
  ChannelNumber: 0x000c,
  Lifetime: 0x000d,
  XorPeerAddress: 0x0012,
  Data: 0x0013,
  Realm: 0x0014,
  Nonce: 0x0015,
  XorRelayedAddress: 0x0016,
  RequestedAddressFamily: 0x0017,
  EvenPort: 0x0018,
  RequestedTransport: 0x0019,
  DontFragment: 0x001a,
  MessageIntegritySha256: 0x001c,
  PasswordAlgorithm: 0x001d,
  Userhash: 0x001e,
  XorMappedAddress: 0x0020,
  ReservationToken: 0x0022,
  Priority: 0x0024,
  UseCandidate: 0x0025,
  AdditionalAddressFamily: 0x8000,
  AddressErrorCode: 0x8001,
  PasswordAlgorithms: 0x8002,
  AlternateDomain: 0x8003,
  Icmp: 0x8004,
  Software: 0x8022,
  AlternateServer: 0x8023,
  Fingerprint: 0x8028,
  IceControlled: 0x8029,
  IceControlling: 0x802a,
} as const;

/**
 * Comprehension-required attributes (0x0000-0x7FFF) this server understands.
 * Anything else in that range in a request gets 420 (RFC 8489 §7.3.1).
 * DONT-FRAGMENT is deliberately absent: Node cannot set DF per datagram, and RFC 8656 §7.2
 * says a server that cannot honour it treats it as unknown (420).
 * USERHASH and PASSWORD-ALGORITHM are absent: we do not offer RFC 8489 §9.2 security features.
 */
export const KNOWN_REQUIRED_ATTRS: ReadonlySet<number> = new Set<number>([
  Attr.MappedAddress,
  Attr.Username,
  Attr.MessageIntegrity,
  Attr.ErrorCode,
  Attr.UnknownAttributes,
  Attr.ChannelNumber,
  Attr.Lifetime,
  Attr.XorPeerAddress,
  Attr.Data,
  Attr.Realm,
  Attr.Nonce,
  Attr.XorRelayedAddress,
  Attr.RequestedAddressFamily,
  Attr.EvenPort,
  Attr.RequestedTransport,
  Attr.MessageIntegritySha256,
  Attr.XorMappedAddress,
  Attr.ReservationToken,
  Attr.Priority,
  Attr.UseCandidate,
]);

/** RFC 8656 §14.7: protocol number of UDP in REQUESTED-TRANSPORT. */
export const TRANSPORT_UDP = 17;

/** RFC 8489 §14.1 / RFC 8656 §14.6: address family codes. */
export const FAMILY_IPV4 = 0x01;
export const FAMILY_IPV6 = 0x02;

/** RFC 8489 §14.8, RFC 8656 §15: error codes the relay emits, with reason phrases. */
export const ErrorCodes = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  UnknownAttribute: 420,
  AllocationMismatch: 437,
  StaleNonce: 438,
  AddressFamilyNotSupported: 440,
  WrongCredentials: 441,
  UnsupportedTransportProtocol: 442,
  PeerAddressFamilyMismatch: 443,
  AllocationQuotaReached: 486,
  ServerError: 500,
  InsufficientCapacity: 508,
} as const;
export type ErrorCodeNumber = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export const ERROR_REASONS: Readonly<Record<ErrorCodeNumber, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  420: 'Unknown Attribute',
  437: 'Allocation Mismatch',
  438: 'Stale Nonce',
  440: 'Address Family not Supported',
  441: 'Wrong Credentials',
  442: 'Unsupported Transport Protocol',
  443: 'Peer Address Family Mismatch',
  486: 'Allocation Quota Reached',
  500: 'Server Error',
  508: 'Insufficient Capacity',
};

/** RFC 8656 §12: ChannelData first-byte range and channel numbers (RFC 5766 §11 range, see core). */
export const CHANNEL_MIN = 0x4000;
export const CHANNEL_MAX = 0x7fff;
