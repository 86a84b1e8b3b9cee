/** Data channels of a callprobe test (RFC 8831). */

/**
 * The probe channel: created by the page through simple-peer, unordered with no
 * retransmissions (RFC 8831 §6.1 partial reliability), so loss stays visible. It is the one
 * channel of its peer connection (in-band, DCEP, RFC 8832): the session's control messages ride
 * the signalling socket (src/protocol/api.ts SIGNAL_PROTOCOL 3).
 */
export const PROBE_CHANNEL_LABEL = 'callprobe-probes';
export const PROBE_CHANNEL_INIT = { ordered: false, maxRetransmits: 0 } as const;
