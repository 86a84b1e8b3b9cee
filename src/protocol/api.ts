/**
 * The HTTP and WebSocket contract between the page and `callprobe serve`.
 * Types only, shared by both sides.
 */

/** One TURN server the page may use, as handed out by GET /api/config. */
export interface TurnServerEntry {
  /** e.g. "turn:127.0.0.1:3478?transport=udp" (RFC 7065 URI). */
  url: string;
  transport: 'udp' | 'tcp' | 'tls';
  port: number;
}

/** GET /api/config */
export interface ServerConfig {
  callprobeVersion: string;
  /** TURN REST API credentials (username "<unix-expiry>:<id>"), shared by every entry. */
  username: string;
  credential: string;
  /** When the credential stops working (ms since the Unix epoch). */
  credentialExpiresAtMs: number;
  turn: TurnServerEntry[];
  /** Why a transport is not offered (e.g. TLS without a certificate). */
  notOffered: { transport: 'udp' | 'tcp' | 'tls'; reason: string }[];
  /** The reflector's signaling WebSocket path, or null when this server has no reflector. */
  reflectorPath: string | null;
  /** Whether the relay is callprobe's own or an external one (e.g. coturn). */
  relay: 'embedded' | 'external';
}

/** Opaque simple-peer signal data, forwarded as is. */
export interface SignalData {
  type: string;
  sdp?: string;
  candidate?: { candidate: string; sdpMLineIndex?: number | null; sdpMid?: string | null };
}

/** Page -> server over the signaling WebSocket. */
export type ClientSignalMessage = { type: 'signal'; data: SignalData };

/** Server -> page over the signaling WebSocket. */
export type ServerSignalMessage =
  | { type: 'signal'; data: SignalData }
  | { type: 'error'; reason: string; message: string };
