/** Data channels of a callprobe test (RFC 8831). */

/**
 * The probe channel: created by the page through simple-peer, unordered with no
 * retransmissions (RFC 8831 §6.1 partial reliability), so loss stays visible.
 */
export const PROBE_CHANNEL_LABEL = 'callprobe-probes';
export const PROBE_CHANNEL_INIT = { ordered: false, maxRetransmits: 0 } as const;

/**
 * The control channel: reliable and ordered, negotiated out of band (RFC 8832 not used) on
 * a fixed stream id that simple-peer's own channel never takes.
 */
export const CONTROL_CHANNEL = { label: 'callprobe-control', id: 1001 } as const;
