/**
 * Builders for the requests a TURN client sends (RFC 8656 §7-§12), used by tests, the
 * benchmark's echo client and health checks. Pure functions: no sockets.
 */
import { randomBytes } from 'node:crypto';
import {
  Attr,
  MessageClass,
  Method,
  StunWriter,
  TRANSPORT_UDP,
  addChannelNumber,
  addFamily,
  addXorAddress,
  appendFingerprint,
  appendIntegrity,
  appendIntegritySha256,
  encodeChannelData,
  longTermKey,
  type TransportAddress,
} from '../codec/index.js';

/** RFC 8489 §9.2: long-term credentials plus the realm and nonce the server challenged with. */
export interface ClientAuth {
  username: string;
  password: string;
  realm: string;
  nonce: string;
}

export interface RequestOptions {
  fingerprint?: boolean;
  /** Use MESSAGE-INTEGRITY-SHA256 instead of MESSAGE-INTEGRITY. */
  sha256?: boolean;
  transactionId?: Buffer;
}

export function newTransactionId(): Buffer {
  return randomBytes(12);
}

/** Any request: `fill` adds method attributes, then USERNAME/REALM/NONCE and integrity when `auth` is given. */
export function buildRequest(method: number, auth: ClientAuth | null, fill: (w: StunWriter) => void, opts: RequestOptions = {}): Buffer {
  const w = new StunWriter(method, MessageClass.Request, opts.transactionId ?? newTransactionId());
  fill(w);
  if (auth) {
    w.addString(Attr.Username, auth.username);
    w.addString(Attr.Realm, auth.realm);
    w.addString(Attr.Nonce, auth.nonce);
    const key = longTermKey(auth.username, auth.realm, auth.password);
    if (opts.sha256) appendIntegritySha256(w, key);
    else appendIntegrity(w, key);
  }
  if (opts.fingerprint) appendFingerprint(w);
  return w.build();
}

export function buildAllocate(auth: ClientAuth | null, opts: RequestOptions & { lifetimeS?: number; family?: 4 | 6 } = {}): Buffer {
  return buildRequest(
    Method.Allocate,
    auth,
    (w) => {
      w.addUint32(Attr.RequestedTransport, (TRANSPORT_UDP << 24) >>> 0);
      if (opts.lifetimeS !== undefined) w.addUint32(Attr.Lifetime, opts.lifetimeS);
      if (opts.family !== undefined) addFamily(w, Attr.RequestedAddressFamily, opts.family);
    },
    opts,
  );
}

export function buildRefresh(auth: ClientAuth, lifetimeS: number | undefined, opts: RequestOptions = {}): Buffer {
  return buildRequest(
    Method.Refresh,
    auth,
    (w) => {
      if (lifetimeS !== undefined) w.addUint32(Attr.Lifetime, lifetimeS);
    },
    opts,
  );
}

export function buildCreatePermission(auth: ClientAuth, peers: readonly TransportAddress[], opts: RequestOptions = {}): Buffer {
  return buildRequest(
    Method.CreatePermission,
    auth,
    (w) => {
      for (const p of peers) addXorAddress(w, Attr.XorPeerAddress, p);
    },
    opts,
  );
}

export function buildChannelBind(auth: ClientAuth, channel: number, peer: TransportAddress, opts: RequestOptions = {}): Buffer {
  return buildRequest(
    Method.ChannelBind,
    auth,
    (w) => {
      addChannelNumber(w, channel);
      addXorAddress(w, Attr.XorPeerAddress, peer);
    },
    opts,
  );
}

/** RFC 8656 §11.1: Send indication (never authenticated). */
export function buildSend(peer: TransportAddress, data: Uint8Array): Buffer {
  const w = new StunWriter(Method.Send, MessageClass.Indication, newTransactionId());
  addXorAddress(w, Attr.XorPeerAddress, peer);
  w.add(Attr.Data, data);
  return w.build();
}

/** RFC 8656 §12.4 ChannelData; `pad` frames it for a stream transport (§12.5). */
export function buildChannelData(channel: number, data: Uint8Array, pad = false): Buffer {
  return encodeChannelData(channel, data, pad ? 'stream' : 'datagram');
}
