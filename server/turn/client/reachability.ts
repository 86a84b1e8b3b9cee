/**
 * Whether media relays answer on their ports (`run --teams-reachability FILE`): per target and
 * port, a STUN Binding request over UDP (RFC 8489 §6.2.1, retransmitted from a 500 ms RTO,
 * doubled each try) whose success carries the reflexive address, or a TURN Allocate without
 * credentials over TCP or TLS (RFC 8656 §7.2), whose 401 proves the port open without an
 * account. How fast each answered, or that none came. Every port at once, each within the
 * timeout. It says whether a port answers, never how good a call through it would be.
 */
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import { Attr, MessageClass, Method, StreamFramer, decodeStun, findAttr, readErrorCode, type StunMessage } from '../codec/index.js';
import { buildAllocate, buildRequest, newTransactionId } from './requests.js';
import {
  reachabilityUrl,
  type ReachabilityAnswer,
  type ReachabilityOutcome,
  type ReachabilityTarget,
  type ReachabilityTransport,
} from '../../../src/protocol/reachability.js';

export interface ReachabilityTiming {
  timeoutMs: number;
  udpRtoMs: number;
}

type Probe = { outcome: ReachabilityOutcome; ms: number | null };

/** Node's error code of a socket error, '' when it has none. */
const codeOf = (err: unknown): string =>
  err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' ? ((err as NodeJS.ErrnoException).code ?? '') : '';

/** What a STUN answer to our request means. */
function outcomeOf(msg: StunMessage, expect: 'reflexive' | 'challenge'): ReachabilityOutcome {
  if (expect === 'reflexive') return msg.cls === MessageClass.Success && findAttr(msg, Attr.XorMappedAddress) !== undefined ? 'reflexive' : 'answered';
  return msg.cls === MessageClass.Error && readErrorCode(msg)?.code === 401 ? 'challenge' : 'answered';
}

/** A STUN Binding request over UDP to `address`:`port`, retransmitted until an answer or the timeout. */
function probeUdp(address: string, port: number, t: ReachabilityTiming): Promise<Probe> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
    const tid = newTransactionId();
    const request = buildRequest(Method.Binding, null, () => undefined, { fingerprint: true, transactionId: tid });
    const startMs = performance.now();
    let rto = t.udpRtoMs;
    let retry: NodeJS.Timeout | null = null;
    const done = (p: Probe): void => {
      if (retry !== null) clearTimeout(retry);
      clearTimeout(deadline);
      socket.close();
      resolve(p);
    };
    const deadline = setTimeout(() => done({ outcome: 'blocked', ms: null }), t.timeoutMs);
    const send = (): void => {
      socket.send(request);
      retry = setTimeout(send, rto);
      rto *= 2;
    };
    // ICMP port unreachable reaches a connected socket as ECONNREFUSED.
    socket.on('error', (err) => done({ outcome: codeOf(err) === 'ECONNREFUSED' ? 'refused' : 'failed', ms: null }));
    socket.on('message', (m: Buffer) => {
      let msg: StunMessage;
      try {
        msg = decodeStun(m);
      } catch {
        return; // not STUN: not an answer to our request, keep waiting
      }
      if (!msg.transactionId.equals(tid)) return;
      done({ outcome: outcomeOf(msg, 'reflexive'), ms: performance.now() - startMs });
    });
    socket.connect(port, address, send);
  });
}

/** A TURN Allocate without credentials over TCP or TLS to `address`:`port`; `host` names the server for TLS (SNI). */
function probeStream(transport: 'tcp' | 'tls', host: string, address: string, port: number, t: ReachabilityTiming): Promise<Probe> {
  return new Promise((resolve) => {
    const startMs = performance.now();
    const tid = newTransactionId();
    const socket =
      transport === 'tls'
        ? // Reachability only: an unauthenticated Allocate carries nothing secret, so the certificate is not what is tested.
          tls.connect({ host: address, port, rejectUnauthorized: false, ...(net.isIP(host) === 0 ? { servername: host } : {}) })
        : net.connect({ host: address, port });
    let settled = false;
    const done = (p: Probe): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      socket.destroy();
      resolve(p);
    };
    const deadline = setTimeout(() => done({ outcome: 'blocked', ms: null }), t.timeoutMs);
    socket.once(transport === 'tls' ? 'secureConnect' : 'connect', () => socket.write(buildAllocate(null, { transactionId: tid })));
    const framer = new StreamFramer();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of framer.push(chunk)) {
        let msg: StunMessage;
        try {
          msg = decodeStun(frame);
        } catch {
          continue; // not STUN: keep reading until the timeout
        }
        if (msg.transactionId.equals(tid)) done({ outcome: outcomeOf(msg, 'challenge'), ms: performance.now() - startMs });
      }
    });
    socket.on('error', (err) => {
      const code = codeOf(err);
      done({ outcome: code === 'ECONNREFUSED' || code === 'ECONNRESET' ? 'refused' : 'failed', ms: null });
    });
    socket.on('close', () => done({ outcome: 'refused', ms: null }));
  });
}

/** One target's address (an IP literal as it is, a name looked up), or null when the name does not resolve. */
async function addressOf(host: string): Promise<string | null> {
  if (net.isIP(host) !== 0) return host;
  try {
    return (await lookup(host)).address;
  } catch (err) {
    const code = codeOf(err);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA') return null;
    throw err;
  }
}

async function probeOne(transport: ReachabilityTransport, host: string, port: number, t: ReachabilityTiming): Promise<ReachabilityAnswer> {
  const url = reachabilityUrl(transport, host, port);
  const address = await addressOf(host);
  if (address === null) return { url, transport, port, answer: 'unresolved', ms: null };
  const p = transport === 'udp' ? await probeUdp(address, port, t) : await probeStream(transport, host, address, port, t);
  return { url, transport, port, answer: p.outcome, ms: p.ms === null ? null : Math.round(p.ms * 10) / 10 };
}

/** Every port of every target at once; the answers in the list's order. */
export function probeReachability(targets: readonly ReachabilityTarget[], t: ReachabilityTiming): Promise<ReachabilityAnswer[]> {
  return Promise.all(targets.flatMap((target) => target.ports.map((port) => probeOne(target.transport, target.host, port, t))));
}
