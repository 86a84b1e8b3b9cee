/** A TurnCore wired to in-memory policies, plus helpers that speak TURN to it. */
import { expect } from 'vitest';
import {
  Attr,
  MessageClass,
  decodeStun,
  decodeXorAddress,
  findAttr,
  readErrorCode,
  readText,
  type StunMessage,
  type TransportAddress,
} from '../../../../server/turn/codec/index.js';
import { buildAllocate, type ClientAuth } from '../../../../server/turn/client/requests.js';
import { mintRestCredential, restAuthHandler } from '../../../../server/turn/credentials.js';
import {
  DEFAULT_QUOTAS,
  DEFAULT_TIMERS,
  TurnCore,
  randomPortAllocator,
  type Action,
  type ClientTuple,
  type CoreConfig,
  type ListenerInfo,
  type RelayQuotas,
  type TransportKind,
} from '../../../../server/turn/core/index.js';
import { RelayMetrics } from '../../../../server/turn/metrics.js';
import { parseIp } from '../../../../src/protocol/ip.js';
import { StaticPeerPolicy } from '../../../../server/turn/policy/peer-policy.js';
import { mulberry32 } from '../../../kit/prng.js';

export { mulberry32 };

/** A seeded RandomBytes source for the core (deterministic tokens and transaction IDs). */
export function seededBytes(seed: number): (size: number) => Buffer {
  const rng = mulberry32(seed);
  return (size) => Buffer.from(Array.from({ length: size }, () => Math.floor(rng() * 256)));
}

const SECRET = 'test-secret';
export const REALM = 'callprobe';
/** A fixed wall-clock start (2024-01-01T00:00:00Z) so REST expiries are deterministic. */
export const T0 = 1_704_067_200_000;

export interface Harness {
  core: TurnCore;
  metrics: RelayMetrics;
  policy: StaticPeerPolicy;
  listener(transport?: TransportKind, port?: number): ListenerInfo;
  client(port: number, ip?: string, transport?: TransportKind): ClientTuple;
}

export function makeHarness(
  opts: {
    allowPeers?: string[];
    quotas?: Partial<RelayQuotas>;
    relay?: CoreConfig['relayAddresses'];
    portAllocator?: CoreConfig['portAllocator'];
    random?: CoreConfig['random'];
  } = {},
): Harness {
  const metrics = new RelayMetrics();
  const policy = new StaticPeerPolicy(opts.allowPeers ?? []);
  const core = new TurnCore({
    realm: REALM,
    relayAddresses: opts.relay ?? { 4: '127.0.0.1' },
    auth: restAuthHandler(SECRET),
    peerPolicy: policy,
    portAllocator: opts.portAllocator ?? randomPortAllocator(50000, 50999, mulberry32(7)),
    quotas: { ...DEFAULT_QUOTAS, ...opts.quotas },
    timers: DEFAULT_TIMERS,
    nonceSecret: Buffer.alloc(32, 9),
    maxRelayBindAttempts: 3,
    software: '',
    random: opts.random ?? seededBytes(11),
  });
  const listeners = new Map<string, ListenerInfo>();
  const listener = (transport: TransportKind = 'udp', port = 3478): ListenerInfo => {
    const k = `${transport}:${port}`;
    let l = listeners.get(k);
    if (!l) {
      l = { id: listeners.size + 1, transport, address: '127.0.0.1', port, stats: metrics.listener(transport, port) };
      listeners.set(k, l);
    }
    return l;
  };
  let conn = 0;
  const client = (port: number, ip = '127.0.0.1', transport: TransportKind = 'udp'): ClientTuple => {
    const l = listener(transport);
    return { key: transport === 'udp' ? `${l.id}|${ip}|${port}` : `c${++conn}`, listener: l, ip, port };
  };
  return { core, metrics, policy, listener, client };
}

export function cred(nowMs = T0, ttlS = 3600, id = 'page1'): { username: string; password: string } {
  const c = mintRestCredential(SECRET, id, ttlS, nowMs);
  return { username: c.username, password: c.credential };
}

/** The single message sent to `client` among actions (fails otherwise). */
export function reply(actions: Action[]): StunMessage {
  const sends = actions.filter((a) => a.kind === 'send-client');
  expect(sends).toHaveLength(1);
  const s = sends[0];
  if (s?.kind !== 'send-client') throw new Error('unreachable');
  return decodeStun(s.data);
}

export function errorCodeOf(msg: StunMessage): number | undefined {
  return msg.cls === MessageClass.Error ? readErrorCode(msg)?.code : undefined;
}

export function xorAddr(msg: StunMessage, type: number): TransportAddress {
  const a = findAttr(msg, type);
  if (!a) throw new Error(`attribute 0x${type.toString(16)} missing`);
  return decodeXorAddress(msg, a);
}

export function peer(ip: string, port: number): TransportAddress {
  return { ip: parseIp(ip), port };
}

export interface Allocated {
  auth: ClientAuth;
  relayId: number;
  relayPort: number;
  response: StunMessage;
}

/** 401 challenge, authenticated Allocate, relay socket bound: the whole RFC 8656 §7 flow. */
export function allocate(h: Harness, c: ClientTuple, nowMs = T0, creds = cred(nowMs), boundPort?: number): Allocated {
  const challenge = reply(h.core.handleClient(c, buildAllocate(null), nowMs));
  expect(errorCodeOf(challenge)).toBe(401);
  const auth: ClientAuth = { ...creds, realm: readText(challenge, Attr.Realm) ?? '', nonce: readText(challenge, Attr.Nonce) ?? '' };
  const actions = h.core.handleClient(c, buildAllocate(auth), nowMs);
  const open = actions.find((a) => a.kind === 'open-relay');
  if (open?.kind !== 'open-relay') throw new Error(`no open-relay action: ${JSON.stringify(actions.map((a) => a.kind))}`);
  const port = boundPort ?? (open.port || 40000 + open.relayId);
  const response = reply(h.core.relayOpened(open.relayId, port, nowMs));
  expect(response.cls).toBe(MessageClass.Success);
  return { auth, relayId: open.relayId, relayPort: port, response };
}

/**
 * A datagram from a peer arriving on relay socket `relayId`, handled as the transport handles it
 * (TurnCore.dataFromPeer, then `frame`): the bytes production sends to the client, as actions.
 */
export function fromPeer(h: Harness, relayId: number, ip: string, port: number, payload: Buffer, nowMs: number): Action[] {
  const d = h.core.dataFromPeer(relayId, ip, port, payload, nowMs);
  return d === undefined ? [] : [{ kind: 'send-client', client: d.client, data: d.frame(payload) }];
}

export function kinds(actions: Action[]): string[] {
  return actions.map((a) => (a.kind === 'drop' ? `drop:${a.reason}` : a.kind));
}

/** Narrows away undefined, failing the test with `what` when absent. */
export function must<T>(v: T | undefined | null, what = 'value'): T {
  if (v === undefined || v === null) throw new Error(`${what} missing`);
  return v;
}

let nextFloodPort = 20000;
let nextFloodCredential = 0;

/**
 * Allocates from `ip` (a fresh client port each, a fresh credential every 5, so the per-username
 * quota never binds) until refused or `max` are held; returns the count and the refusal code.
 */
export function allocateUntilRefused(h: Harness, ip: string, max: number): { granted: number; refusal: number | undefined } {
  let creds = cred(T0, 3600, `flood${nextFloodCredential++}`);
  for (let granted = 0; granted < max; granted++) {
    if (granted % 5 === 4) creds = cred(T0, 3600, `flood${nextFloodCredential++}`);
    const c = h.client(nextFloodPort++, ip);
    const auth = { ...creds, realm: REALM, nonce: h.core.nonces.issue(c.ip, T0) };
    const actions = h.core.handleClient(c, buildAllocate(auth), T0);
    const open = actions.find((a) => a.kind === 'open-relay');
    if (open?.kind !== 'open-relay') {
      const sent = actions.find((a) => a.kind === 'send-client');
      return { granted, refusal: sent?.kind === 'send-client' ? errorCodeOf(decodeStun(sent.data)) : undefined };
    }
    h.core.relayOpened(open.relayId, open.port || 30000 + open.relayId, T0);
  }
  return { granted: max, refusal: undefined };
}
