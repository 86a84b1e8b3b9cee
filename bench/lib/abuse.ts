/**
 * Abusive clients, shared by the security tests (test/server/http/security-limits,
 * test/server/reflector/security-candidates, security-spellings) and `bench:load --soak`
 * (bench/load/soak.ts): signalling sockets that stay idle or send junk, candidate floods before
 * an offer, offers spelled to slip candidates past the reflector (the LF offer), /api/config
 * bursts, TURN/TCP connections that only send Bindings, and Allocates without credentials.
 * Stalled TCP readers are in stalled-readers.ts, the HTTP connection flood in http-flood.ts. Each is bounded: it ends by itself.
 */
import http from 'node:http';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { SIGNAL_PROTOCOL_QUERY } from '../../src/protocol/api.js';
import type { ServerSignalMessage } from '../../src/protocol/api-signal.js';
import dgram from 'node:dgram';
import { buildAllocate, buildRequest } from '../../server/turn/client/requests.js';
import { Method } from '../../server/turn/codec/constants.js';
import { Attr, MessageClass, StunWriter, appendFingerprint, appendIntegrity } from '../../server/turn/codec/index.js';
import { performance } from 'node:perf_hooks';
import { udpSocketsOfTree } from './process.js';
import { parseCandidate } from '../../server/reflector/candidates.js';

export class AbuseError extends Error {
  override readonly name = 'AbuseError';
}

/** Resolves on the first `event` of `emitter`, rejects after `timeoutMs` or on 'error'. */
function nextEventOf(emitter: NodeJS.EventEmitter, event: string, timeoutMs: number, what: string): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new AbuseError(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const onEvent = (...args: unknown[]): void => {
      cleanup();
      resolve(args);
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      emitter.removeListener(event, onEvent);
      emitter.removeListener('error', onError);
    };
    emitter.once(event, onEvent);
    emitter.once('error', onError);
  });
}

/** Resolves with the first of `events` that `emitter` emits, or null when none came within `timeoutMs`. */
function eventWithin(emitter: NodeJS.EventEmitter, events: readonly string[], timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const handlers = events.map((e) => [e, (): void => done(e)] as const);
    const timer = setTimeout(() => done(null), timeoutMs);
    const done = (e: string | null): void => {
      clearTimeout(timer);
      for (const [name, h] of handlers) emitter.removeListener(name, h);
      resolve(e);
    };
    for (const [name, h] of handlers) emitter.once(name, h);
  });
}

/** A signalling WebSocket and what the server said on it. */
export interface Sig {
  ws: WebSocket;
  incoming: ServerSignalMessage[];
  /** Messages from the server that were not JSON (a server bug), first 200 characters. */
  notJson: string[];
  closed: boolean;
  closeCode: number | null;
}

/** Opens /api/signal from `localAddress` with `origin` (default: the server's own); resolves once open. */
export async function openSignalling(baseUrl: string, opts: { origin?: string; localAddress?: string } = {}): Promise<Sig> {
  const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + '/api/signal' + SIGNAL_PROTOCOL_QUERY, {
    origin: opts.origin ?? baseUrl,
    ...(opts.localAddress !== undefined ? { localAddress: opts.localAddress } : {}),
  });
  const sig: Sig = { ws, incoming: [], notJson: [], closed: false, closeCode: null };
  ws.on('message', (raw: Buffer) => {
    const text = raw.toString('utf8');
    try {
      sig.incoming.push(JSON.parse(text) as ServerSignalMessage);
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      sig.notJson.push(text.slice(0, 200));
    }
  });
  ws.on('close', (code: number) => {
    sig.closed = true;
    sig.closeCode = code;
  });
  await nextEventOf(ws, 'open', 10_000, 'signalling socket open');
  return sig;
}

/** GET /api/config from `localAddress`; resolves with the status code. */
export function getConfig(baseUrl: string, localAddress?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${baseUrl}/api/config`, localAddress !== undefined ? { localAddress } : {}, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
}

/** A trickled ICE candidate message whose line carries `bytes` of padding. */
export const candidateMessage = (bytes: number): string =>
  JSON.stringify({
    type: 'signal',
    data: {
      type: 'candidate',
      candidate: { candidate: `candidate:1 1 udp 2122260223 127.0.0.2 9 typ host ${'x'.repeat(bytes)}`, sdpMLineIndex: 0, sdpMid: '0' },
    },
  });

/**
 * Writes `count` copies of `msg` on one new signalling socket (bursts of 50, each awaited), then
 * waits for a refusal or a close from the server; returns what it said.
 */
export async function floodSignalling(
  baseUrl: string,
  msg: string,
  count: number,
  localAddress?: string,
): Promise<{ written: number; refusals: number; closeCode: number | null }> {
  const sig = await openSignalling(baseUrl, localAddress !== undefined ? { localAddress } : {});
  const { ws } = sig;
  let written = 0;
  for (let sent = 0; sent < count && !sig.closed; sent += 50) {
    const done: Promise<number>[] = [];
    for (let i = 0; i < Math.min(50, count - sent); i++) done.push(new Promise((resolve) => ws.send(msg, (err) => resolve(err ? 0 : 1))));
    written += (await Promise.all(done)).reduce((x, y) => x + y, 0);
  }
  if (sig.incoming.length + sig.notJson.length === 0 && !sig.closed) {
    const e = await eventWithin(ws, ['message', 'close'], 10_000);
    if (e === null) {
      ws.terminate();
      throw new AbuseError('no refusal and no close from the server within 10 s of the flood');
    }
  }
  ws.terminate();
  return { written, refusals: sig.incoming.length + sig.notJson.length, closeCode: sig.closeCode };
}

/**
 * How an offer is spelled (RFC 8866 §5: lines end with CRLF, parsers SHOULD accept LF):
 * `crlf` and `lf` are the two legal endings, `mixed` alternates them; `cr` ends lines with a
 * bare CR; `joined` is a CRLF offer whose first inserted candidate line carries the others
 * joined by bare LFs; `trailing-space` ends each inserted candidate line with a space; and
 * `huge-line` pads the first inserted candidate with 20 KB of extension before the others,
 * joined by bare LFs.
 */
export const OFFER_SPELLINGS = ['crlf', 'lf', 'mixed', 'cr', 'joined', 'trailing-space', 'huge-line'] as const;
export type OfferSpelling = (typeof OFFER_SPELLINGS)[number];

/**
 * `sdp` (a CRLF offer) with `candidates` (attribute text, "candidate:...") inserted after its
 * first a=mid line, the whole spelled as `spelling`.
 */
export function spellOffer(sdp: string, candidates: readonly string[], spelling: OfferSpelling): string {
  const lines = sdp.split('\r\n');
  if (lines.at(-1) === '') lines.pop();
  const at = lines.findIndex((l) => l.startsWith('a=mid:')) + 1;
  const inserted = candidates.map((c) => `a=${c}`);
  const [first = '', ...rest] = inserted;
  let added: string[];
  if (spelling === 'joined') added = [[first, ...rest].join('\n')];
  else if (spelling === 'huge-line') added = [[`${first} pad ${'x'.repeat(20_000)}`, ...rest].join('\n')];
  else if (spelling === 'trailing-space') added = inserted.map((l) => `${l} `);
  else added = inserted;
  const all = [...lines.slice(0, at), ...added, ...lines.slice(at)];
  if (spelling === 'lf') return all.map((l) => `${l}\n`).join('');
  if (spelling === 'cr') return all.map((l) => `${l}\r`).join('');
  if (spelling === 'mixed') return all.map((l, i) => `${l}${i % 2 === 0 ? '\r\n' : '\n'}`).join('');
  return all.map((l) => `${l}\r\n`).join('');
}

/** A data-channel offer as a page makes it (trickle ICE: no candidates yet), CRLF. */
export const DATA_CHANNEL_OFFER = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=msid-semantic: WMS',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:Lf0f',
  'a=ice-pwd:lfofferlfofferlfofferlf',
  'a=ice-options:trickle',
  `a=fingerprint:sha-256 ${Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':')}`,
  'a=setup:actpass',
  'a=mid:0',
  'a=sctp-port:5000',
  'a=max-message-size:262144',
  '',
].join('\r\n');

/** A host candidate line (attribute text) towards `address`:`port`, `priority` high first. */
export const hostCandidate = (foundation: number, transport: 'udp' | 'tcp', address: string, port: number, priority: number): string =>
  `candidate:${foundation} 1 ${transport} ${priority} ${address} ${port} typ host${transport === 'tcp' ? ' tcptype passive' : ''} generation 0`;

/**
 * The LF offer: one signalling session sends a data-channel offer with LF line endings whose
 * candidates point at loopback addresses other than the relay (UDP and ICE-TCP). Resolves with
 * what the server said: 'refused' (a signalling error, the fixed server), 'answered' (it took
 * the offer) or 'silent' (nothing within 5 s).
 */
export async function lfOffer(baseUrl: string, localAddress?: string): Promise<'refused' | 'answered' | 'silent'> {
  const targets = ['127.0.0.2', '127.0.0.3', '127.0.0.4'].flatMap((a, i) => [
    hostCandidate(i, 'udp', a, 9, 2_000_000_000 - i),
    hostCandidate(10 + i, 'tcp', a, 9, 1_500_000_000 - i),
  ]);
  const sig = await openSignalling(baseUrl, localAddress !== undefined ? { localAddress } : {});
  try {
    sig.ws.send(JSON.stringify({ type: 'signal', data: { type: 'offer', sdp: spellOffer(DATA_CHANNEL_OFFER, targets, 'lf') } }));
    // The server's first word on it is the answer or the refusal.
    if (sig.incoming.length === 0 && !sig.closed) await eventWithin(sig.ws, ['message', 'close'], 5_000);
    if (sig.incoming.some((m) => m.type === 'error')) return 'refused';
    return sig.incoming.some((m) => m.type === 'signal' && m.data.type === 'answer') ? 'answered' : 'silent';
  } finally {
    sig.ws.terminate();
  }
}

/** What the peer-reflexive attack drew: sockets tried, and datagrams back besides the relay's answer. */
export interface PrflxResult {
  targets: number;
  answered: number;
}

/**
 * The peer-reflexive attack (SECURITY.md): a page sends its data-channel offer from
 * `localAddress`, reads the answer's ICE credentials and the leg's first relayed candidate,
 * then from `from` sends a Binding request keyed with that password (RFC 8445 §7.2.2) to the
 * relayed candidate and to every UDP socket of process `serverPid` (and its data plane) on 127.0.0.1 but the relay's
 * listener `turnPort`. A plain Binding to `turnPort` follows, from the same socket: once the
 * relay's answer is back, the sockets have read the checks. A leg that learned the third address
 * would answer and check it: `answered` counts every datagram but the relay's answer.
 */
export async function prflxChecks(baseUrl: string, serverPid: number, turnPort: number, localAddress: string, from: string): Promise<PrflxResult> {
  const sig = await openSignalling(baseUrl, { localAddress });
  const socket = dgram.createSocket('udp4');
  try {
    sig.ws.send(JSON.stringify({ type: 'signal', data: { type: 'offer', sdp: DATA_CHANNEL_OFFER } }));
    const lines = (): string[] =>
      sig.incoming.flatMap((m) =>
        m.type !== 'signal' ? [] : m.data.type === 'candidate' ? [`a=${m.data.candidate?.candidate ?? ''}`] : (m.data.sdp ?? '').split(/\r?\n/),
      );
    const value = (name: string): string | undefined =>
      lines()
        .find((l) => l.startsWith(`a=${name}:`))
        ?.slice(name.length + 3);
    const deadline = performance.now() + 10_000;
    while ((value('candidate') === undefined || value('ice-pwd') === undefined) && !sig.closed && performance.now() < deadline) {
      await eventWithin(sig.ws, ['message', 'close'], 1_000);
    }
    const relayed = parseCandidate(`candidate:${value('candidate') ?? ''}`);
    const ufrag = value('ice-ufrag');
    const pwd = value('ice-pwd');
    if (ufrag === undefined || pwd === undefined || relayed?.type !== 'relay') {
      throw new AbuseError(`no answer with a relayed candidate within 10 s (said: ${JSON.stringify(sig.incoming).slice(0, 300)})`);
    }
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, from, () => resolve());
    });
    const received: Buffer[] = [];
    socket.on('message', (msg) => received.push(msg));
    const w = new StunWriter(Method.Binding, MessageClass.Request, randomBytes(12));
    w.addString(Attr.Username, `${ufrag}:Lf0f`);
    w.addUint32(Attr.Priority, 1_853_824_767);
    w.add(Attr.IceControlling, randomBytes(8));
    appendIntegrity(w, Buffer.from(pwd, 'utf8'));
    appendFingerprint(w);
    const check = w.build();
    const targets = [
      { address: relayed.address, port: relayed.port },
      ...udpSocketsOfTree(serverPid).filter(
        (u) => u.address === '127.0.0.1' && u.port !== turnPort && !(u.address === relayed.address && u.port === relayed.port),
      ),
    ];
    const send = (data: Buffer, to: string, toPort: number): Promise<void> =>
      new Promise((resolve, reject) => socket.send(data, toPort, to, (err) => (err ? reject(err) : resolve())));
    for (const t of targets) await send(check, t.address, t.port);
    await send(new StunWriter(Method.Binding, MessageClass.Request, randomBytes(12)).build(), '127.0.0.1', turnPort);
    if (received.length === 0) await eventWithin(socket, ['message'], 5_000);
    if (received.length === 0) throw new AbuseError('the relay did not answer the Binding after the checks within 5 s');
    return { targets: targets.length, answered: received.length - 1 };
  } finally {
    sig.ws.terminate();
    socket.close();
  }
}

/** Junk on a signalling socket: not JSON, unknown types, a signal without data. Returns the messages the server answered with. */
export async function junkSignalling(baseUrl: string, count: number, localAddress?: string): Promise<number> {
  const junk = ['{', 'null', '[]', JSON.stringify({ type: 'nope' }), JSON.stringify({ type: 'signal' }), randomBytes(64).toString('base64')];
  const sig = await openSignalling(baseUrl, localAddress !== undefined ? { localAddress } : {});
  for (let i = 0; i < count && !sig.closed; i++) sig.ws.send(junk[i % junk.length] ?? '{');
  // The server answers junk with an error or closes; either way, at most 2 s.
  await eventWithin(sig.ws, ['close', 'message'], 2_000);
  sig.ws.terminate();
  return sig.incoming.length;
}

/**
 * `count` signalling sockets that open and say nothing, held `holdMs` (the server closes them at
 * its offer timeout). Returns how many the server closed first, and how many it refused to open.
 */
export async function idleSignalling(
  baseUrl: string,
  count: number,
  holdMs: number,
  localAddress?: string,
): Promise<{ closedByServer: number; refused: number }> {
  const opened = await Promise.allSettled(Array.from({ length: count }, () => openSignalling(baseUrl, localAddress !== undefined ? { localAddress } : {})));
  await new Promise((resolve) => setTimeout(resolve, holdMs));
  let closedByServer = 0;
  let refused = 0;
  for (const o of opened) {
    if (o.status === 'rejected') {
      refused++;
      continue;
    }
    if (o.value.closed) closedByServer++;
    o.value.ws.terminate();
  }
  return { closedByServer, refused };
}

/**
 * `count` TURN/TCP connections that send a Binding every `everyMs` and never allocate, for at
 * most `holdMs`. Returns how many the server closed first.
 */
export async function bindingOnlyTcp(host: string, port: number, count: number, everyMs: number, holdMs: number): Promise<number> {
  const socks = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Socket | null>((resolve) => {
          const s = net.connect({ host, port }, () => resolve(s));
          s.on('error', () => resolve(null));
        }),
    ),
  );
  let closedByServer = 0;
  const live = socks.filter((s): s is net.Socket => s !== null);
  for (const s of live) s.once('close', () => closedByServer++);
  const ping = (): void => {
    for (const s of live) if (!s.destroyed) s.write(buildRequest(Method.Binding, null, () => undefined));
  };
  ping();
  const timer = setInterval(ping, everyMs);
  await new Promise((resolve) => setTimeout(resolve, holdMs));
  clearInterval(timer);
  const closedFirst = closedByServer;
  for (const s of live) s.destroy();
  return closedFirst;
}

/** `count` Allocate requests without credentials over UDP (each gets a 401 challenge). Returns the answers received. */
export async function unauthenticatedAllocates(host: string, port: number, count: number): Promise<number> {
  const s = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  let answers = 0;
  s.on('message', () => answers++);
  await new Promise<void>((resolve) => s.bind(0, resolve));
  let all: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => (all = resolve));
  s.on('message', () => {
    if (answers >= count) all();
  });
  for (let i = 0; i < count; i++) s.send(buildAllocate(null), port, host);
  // Challenges may be lost (UDP) or rate-limited: wait for all of them, at most 2 s.
  await Promise.race([answered, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return answers;
}

/**
 * A busy-line abuser from one address: grants until the per-hour limit refuses, then more flows
 * than the per-source limit (downloads opened and never read, uploads that declare more than
 * the budget, a forged grant), every one cut after `holdMs`. Returns how each was answered.
 */
export async function loadAbuse(baseUrl: string, localAddress: string, holdMs: number): Promise<{ grants: number; refusals: Record<string, number> }> {
  const refusals: Record<string, number> = {};
  const count = (reason: string): void => {
    refusals[reason] = (refusals[reason] ?? 0) + 1;
  };
  const ask = (
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: Buffer,
  ): Promise<{ status: number; text: string; req: http.ClientRequest }> =>
    new Promise((resolve, reject) => {
      const req = http.request(new URL(path, baseUrl), { method, localAddress, headers }, (res) => {
        if (res.statusCode === 200 && path.includes('/down')) {
          // A download: held open, never read.
          res.pause();
          resolve({ status: 200, text: '', req });
          return;
        }
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, req }));
      });
      req.on('error', reject);
      // A refused upload is answered before its body; the body is never sent.
      req.end(body);
    });
  const reasonOf = (text: string): string => {
    try {
      return (JSON.parse(text) as { reason?: string }).reason ?? 'unknown';
    } catch {
      return 'not-json';
    }
  };
  let grant: string | null = null;
  let grants = 0;
  for (let i = 0; i < 40; i++) {
    const r = await ask('POST', '/api/load/grant');
    if (r.status === 201) {
      grants++;
      grant ??= (JSON.parse(r.text) as { grant: string }).grant;
    } else count(reasonOf(r.text));
  }
  const held: http.ClientRequest[] = [];
  if (grant !== null) {
    for (let i = 0; i < 20; i++) {
      const r = await ask('GET', `/api/load/down?grant=${grant}&bytes=16000000`);
      if (r.status === 200) held.push(r.req);
      else count(reasonOf(r.text));
    }
    const over = await ask('POST', `/api/load/up?grant=${grant}`, { 'content-length': '60000000' });
    count(reasonOf(over.text));
  }
  const forged = await ask('GET', '/api/load/down?grant=forged&bytes=10');
  count(reasonOf(forged.text));
  await new Promise((r) => setTimeout(r, holdMs));
  for (const req of held) req.destroy();
  return { grants, refusals };
}

/** What a trickling-upload attack met: how the server ended its flows, and whether a legitimate phase beside it was served. */
export interface TrickleResult {
  /** Uploads opened (each declares 4,000,000 bytes and sends 1 byte a second). */
  opened: number;
  /** How each upload ended: the server's refusal reason, `closed` (closed without an answer), or `held` (still open at the end). */
  ended: Record<string, number>;
  /** Grants refused, by reason. */
  grantRefusals: Record<string, number>;
  /** A legitimate phase from another address while the trickles ran: granted, and its 2 MB upload answered 200. */
  legitServed: boolean;
}

/**
 * The red team's trickle: from each of `from` (e.g. 4 /64s of one /48), a grant and `flowsPerSource`
 * uploads that declare 4,000,000 bytes and send 1 byte a second, held for at most `holdMs`; after
 * 3 s (past the sink's 2 s before its floor rate applies), a legitimate phase from `legitFrom`
 * asks for a grant and uploads 2 MB at full speed. Everything is closed by `holdMs`.
 */
export async function trickleUploads(
  baseUrl: { 4: string; 6: string },
  from: readonly string[],
  legitFrom: string,
  flowsPerSource: number,
  holdMs: number,
): Promise<TrickleResult> {
  const ended: Record<string, number> = {};
  const grantRefusals: Record<string, number> = {};
  const add = (t: Record<string, number>, k: string): void => {
    t[k] = (t[k] ?? 0) + 1;
  };
  const urlFor = (address: string): string => (address.includes(':') ? baseUrl[6] : baseUrl[4]);
  const reasonOf = (text: string): string => {
    try {
      return (JSON.parse(text) as { reason?: string }).reason ?? 'unknown';
    } catch {
      return 'not-json';
    }
  };
  const call = (address: string, path: string, headers: Record<string, string>, body: Uint8Array | null): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const req = http.request(new URL(path, urlFor(address)), { method: 'POST', localAddress: address, headers }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body ?? undefined);
    });
  const grantFor = async (address: string): Promise<string | null> => {
    const r = await call(address, '/api/load/grant', {}, null);
    if (r.status === 201) return (JSON.parse(r.text) as { grant: string }).grant;
    add(grantRefusals, reasonOf(r.text));
    return null;
  };
  const deadline = Date.now() + holdMs;
  const trickle = (address: string, grant: string): Promise<void> =>
    new Promise((resolve) => {
      const req = http.request(new URL(`/api/load/up?grant=${grant}`, urlFor(address)), {
        method: 'POST',
        localAddress: address,
        headers: { 'content-length': '4000000', 'content-type': 'application/octet-stream' },
      });
      let done = false;
      const end = (why: string): void => {
        if (done) return;
        done = true;
        clearInterval(tick);
        clearTimeout(stop);
        add(ended, why);
        req.destroy();
        resolve();
      };
      const tick = setInterval(() => req.write(new Uint8Array(1)), 1000);
      const stop = setTimeout(() => end('held'), Math.max(0, deadline - Date.now()));
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => end(reasonOf(text)));
        res.on('error', () => end('closed'));
      });
      req.on('error', () => end('closed'));
      req.on('close', () => end('closed'));
      req.write(new Uint8Array(1));
    });
  const flows: Promise<void>[] = [];
  for (const address of from) {
    const grant = await grantFor(address);
    if (grant === null) continue;
    for (let i = 0; i < flowsPerSource; i++) flows.push(trickle(address, grant));
  }
  await new Promise((r) => setTimeout(r, Math.min(3_000, holdMs)));
  let legitServed = false;
  const legitGrant = await grantFor(legitFrom);
  if (legitGrant !== null) {
    const body = new Uint8Array(2_000_000);
    const r = await call(
      legitFrom,
      `/api/load/up?grant=${legitGrant}`,
      { 'content-length': String(body.length), 'content-type': 'application/octet-stream' },
      body,
    );
    legitServed = r.status === 200;
  }
  await Promise.all(flows);
  return { opened: flows.length, ended, grantRefusals, legitServed };
}
