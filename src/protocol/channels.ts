/** Data channels of a callprobe test (RFC 8831). */

/**
 * The probe channel: created by the page through simple-peer, unordered with no
 * retransmissions (RFC 8831 §6.1 partial reliability), so loss stays visible. It is the one
 * in-band (DCEP, RFC 8832) channel of its peer connection.
 */
export const PROBE_CHANNEL_LABEL = 'callprobe-probes';
export const PROBE_CHANNEL_INIT = { ordered: false, maxRetransmits: 0 } as const;

/** Which end of the DTLS handshake a peer is (RFC 8832 §6 picks stream ids by it). */
export type DtlsRole = 'client' | 'server';

/**
 * The SCTP stream id the n-th in-band channel of a peer connection takes (n from 0), when no
 * id is taken out of band: RFC 8832 §6, "the DTLS client MUST use even identifiers, the DTLS
 * server MUST use odd identifiers", the lowest free one first (what Chromium and Firefox do).
 */
export function inBandStreamId(role: DtlsRole, n = 0): number {
  return 2 * n + (role === 'client' ? 0 : 1);
}

/**
 * Outgoing SCTP streams every browser opens with (Firefox negotiates 256 outgoing streams and
 * a `send` on a higher id throws OperationError, although the channel opens and receives).
 */
export const SCTP_STREAMS_EVERY_BROWSER = 256;

/**
 * The control channel: reliable and ordered, negotiated out of band (RFC 8831 §6.5, no DCEP
 * OPEN) on a fixed stream id both ends agree on. The id is below the 256 streams every browser
 * negotiates, and it is neither 0 nor 1, the id the probe channel takes as the first in-band
 * channel in either DTLS role (test/protocol/channels.test.ts checks both).
 */
export const CONTROL_CHANNEL = { label: 'callprobe-control', id: 2 } as const;
