/**
 * A small TURN client over UDP or TCP for tests, the benchmark and health checks.
 * Handles the 401/438 challenge (RFC 8489 §9.2.4), matches responses by transaction ID,
 * retransmits requests over UDP (RFC 8489 §6.2.1, simplified: fixed 250 ms, 6 tries).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import {
  Attr,
  CHANNEL_DATA_HEADER_BYTES,
  MessageClass,
  Method,
  channelDataLength,
  channelDataNumber,
  decodeStun,
  decodeXorAddress,
  findAttr,
  isChannelData,
  readData,
  readErrorCode,
  readText,
  type StunMessage,
  type TransportAddress,
} from '../codec/index.js';
import { StreamFramer } from '../codec/stream-framer.js';
import {
  buildAllocate,
  buildChannelBind,
  buildChannelData,
  buildCreatePermission,
  buildRefresh,
  buildSend,
  newTransactionId,
  type ClientAuth,
} from './requests.js';
import { TypedError } from '../../../src/protocol/typed-error.js';

/**
 * Why a request failed: `error-response` (the server answered with a STUN error), `no-response`
 * (every try timed out), `closed` (the connection closed with the request pending),
 * `bad-response` (a success answer without what it must carry), `not-ready` (the client cannot
 * do this yet or on this transport).
 */
export type TurnClientErrorReason = 'error-response' | 'no-response' | 'closed' | 'bad-response' | 'not-ready';

/** A request that ended in an error response or no response. */
export class TurnClientError extends TypedError<TurnClientErrorReason> {
  override readonly name = 'TurnClientError';
  constructor(
    reason: TurnClientErrorReason,
    message: string,
    /** STUN error code, or 0 when no error response came. */
    readonly code: number,
  ) {
    super(reason, message);
  }
}

export interface ClientOptions {
  host: string;
  port: number;
  /** 'tls' skips certificate verification unless `verify` is given: tests and loopback health checks only. */
  transport?: 'udp' | 'tcp' | 'tls';
  /**
   * With 'tls': verify the server's certificate chain (RFC 8656 §3.1, RFC 9325) against `ca`
   * (PEM; absent: Node's bundled roots) and its name against `servername` (sent as SNI; absent:
   * `host` is checked, as an IP address SAN when it is one).
   */
  verify?: { ca?: string; servername?: string };
  username: string;
  password: string;
  /** Per-try timeout in ms (UDP retransmits), default 250. */
  rtoMs?: number;
  /** The local address to send from (tests and benchmarks with many source addresses). */
  localAddress?: string;
  /** TCP/TLS: give up connecting after this long (TurnClientError `no-response`); absent: the system's own timeout. */
  connectTimeoutMs?: number;
}

type Pending = { resolve: (m: StunMessage) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

export class TurnClient {
  private auth: ClientAuth | null = null;
  private readonly pending = new Map<string, Pending>();
  private udp: dgram.Socket | null = null;
  private tcp: net.Socket | null = null;
  /** Data from peers: `channel` is -1 for Data indications. */
  onData: (data: Buffer, channel: number, from: TransportAddress | null) => void = () => undefined;

  private constructor(private readonly opts: ClientOptions) {}

  static async connect(opts: ClientOptions): Promise<TurnClient> {
    const c = new TurnClient(opts);
    if ((opts.transport ?? 'udp') === 'udp') {
      const s = dgram.createSocket(net.isIPv6(opts.host) ? 'udp6' : 'udp4');
      if (opts.localAddress !== undefined) {
        const address = opts.localAddress;
        await new Promise<void>((resolve, reject) => {
          s.once('error', reject);
          s.bind({ address, port: 0 }, () => {
            s.removeListener('error', reject);
            resolve();
          });
        });
      }
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.connect(opts.port, opts.host, () => {
          s.removeListener('error', reject);
          resolve();
        });
      });
      s.on('message', (m: Buffer) => c.onPacket(m));
      // A connected UDP socket hears an ICMP port unreachable as ECONNREFUSED: the requests in flight fail now, in those words.
      s.on('error', (err: NodeJS.ErrnoException) =>
        c.failPending(err.code === 'ECONNREFUSED' ? 'refused (nothing listens on that port)' : `the socket failed (${err.code ?? err.message})`),
      );
      c.udp = s;
    } else {
      const secure = opts.transport === 'tls';
      const local = opts.localAddress !== undefined ? { localAddress: opts.localAddress } : {};
      const s = secure
        ? tls.connect(
            opts.verify
              ? {
                  host: opts.host,
                  port: opts.port,
                  ...local,
                  rejectUnauthorized: true,
                  ...(opts.verify.ca !== undefined ? { ca: opts.verify.ca } : {}),
                  ...(opts.verify.servername !== undefined ? { servername: opts.verify.servername } : {}),
                }
              : { host: opts.host, port: opts.port, ...local, rejectUnauthorized: false },
          )
        : net.connect({ host: opts.host, port: opts.port, ...local });
      await new Promise<void>((resolve, reject) => {
        const timer =
          opts.connectTimeoutMs === undefined
            ? null
            : setTimeout(() => s.destroy(new TurnClientError('no-response', `no connection within ${opts.connectTimeoutMs} ms`, 0)), opts.connectTimeoutMs);
        s.once('error', (err) => {
          if (timer !== null) clearTimeout(timer);
          reject(err);
        });
        s.once(secure ? 'secureConnect' : 'connect', () => {
          if (timer !== null) clearTimeout(timer);
          s.removeAllListeners('error');
          resolve();
        });
      });
      s.setNoDelay(true);
      const framer = new StreamFramer();
      s.on('data', (chunk: Buffer) => {
        for (const f of framer.push(chunk)) c.onPacket(f);
      });
      s.on('error', () => s.destroy());
      // A request in flight when the server closes the connection fails now, not at its timeout.
      s.once('close', () => c.failPending('the server closed the connection'));
      c.tcp = s;
    }
    return c;
  }

  /** Raw bytes to the server (fuzzing, benchmarks). */
  sendRaw(buf: Buffer): void {
    if (this.udp) this.udp.send(buf);
    else this.tcp?.write(buf);
  }

  private onPacket(m: Buffer): void {
    if (isChannelData(m[0])) {
      const len = channelDataLength(m);
      if (len < 0) return; // malformed ChannelData: not something this client can deliver
      this.onData(m.subarray(CHANNEL_DATA_HEADER_BYTES, CHANNEL_DATA_HEADER_BYTES + len), channelDataNumber(m), null);
      return;
    }
    let msg: StunMessage;
    try {
      msg = decodeStun(m);
    } catch {
      return; // not for us
    }
    if (msg.cls === MessageClass.Indication && msg.method === Method.Data) {
      const peerAttr = findAttr(msg, Attr.XorPeerAddress);
      const data = readData(msg);
      if (peerAttr && data) this.onData(data, -1, decodeXorAddress(msg, peerAttr));
      return;
    }
    const p = this.pending.get(msg.transactionId.toString('hex'));
    if (!p) return;
    this.pending.delete(msg.transactionId.toString('hex'));
    clearTimeout(p.timer);
    p.resolve(msg);
  }

  /** Sends a request built by `build(auth, tid)`; on 401/438 retries with the server's realm and nonce (at most twice). */
  async request(build: (auth: ClientAuth | null, tid: Buffer) => Buffer): Promise<StunMessage> {
    for (let attempt = 0; ; attempt++) {
      const res = await this.transact(build, this.auth);
      if (res.cls === MessageClass.Success) return res;
      const err = readErrorCode(res);
      const realm = readText(res, Attr.Realm);
      const nonce = readText(res, Attr.Nonce);
      if ((err?.code === 401 || err?.code === 438) && attempt < 2 && realm !== undefined && nonce !== undefined) {
        this.auth = { username: this.opts.username, password: this.opts.password, realm, nonce };
        continue;
      }
      throw new TurnClientError('error-response', `TURN error ${err?.code ?? '?'} ${err?.reason ?? ''}`.trim(), err?.code ?? 0);
    }
  }

  private transact(build: (auth: ClientAuth | null, tid: Buffer) => Buffer, auth: ClientAuth | null): Promise<StunMessage> {
    if (this.tcp?.destroyed === true) return Promise.reject(new TurnClientError('closed', 'the server closed the connection', 0));
    const tid = newTransactionId();
    const buf = build(auth, tid);
    const key = tid.toString('hex');
    const rto = this.opts.rtoMs ?? 250;
    const tries = this.udp ? 6 : 1;
    return new Promise((resolve, reject) => {
      let sent = 0;
      const fire = (): void => {
        if (sent >= tries) {
          this.pending.delete(key);
          reject(new TurnClientError('no-response', 'no response', 0));
          return;
        }
        sent++;
        this.sendRaw(buf);
        const p = this.pending.get(key);
        if (p) p.timer = setTimeout(fire, this.udp ? rto : rto * 8);
      };
      this.pending.set(key, { resolve, reject, timer: setTimeout(() => undefined, 0) });
      fire();
    });
  }

  /** RFC 8656 §7.1: allocates; returns the relayed and mapped addresses and the lifetime. */
  async allocate(opts: { lifetimeS?: number; family?: 4 | 6 } = {}): Promise<{ relayed: TransportAddress; mapped: TransportAddress; lifetimeS: number }> {
    const res = await this.request((auth, tid) => buildAllocate(auth, { ...opts, transactionId: tid }));
    const relayed = findAttr(res, Attr.XorRelayedAddress);
    const mapped = findAttr(res, Attr.XorMappedAddress);
    const life = findAttr(res, Attr.Lifetime);
    if (!relayed || !mapped || !life) throw new TurnClientError('bad-response', 'Allocate success without addresses', 0);
    return { relayed: decodeXorAddress(res, relayed), mapped: decodeXorAddress(res, mapped), lifetimeS: res.raw.readUInt32BE(life.valueOffset) };
  }

  private authed(): ClientAuth {
    if (!this.auth) throw new TurnClientError('not-ready', 'allocate first', 0);
    return this.auth;
  }

  async createPermission(peers: TransportAddress[]): Promise<void> {
    await this.request((auth, tid) => buildCreatePermission(auth ?? this.authed(), peers, { transactionId: tid }));
  }

  async channelBind(channel: number, peer: TransportAddress): Promise<void> {
    await this.request((auth, tid) => buildChannelBind(auth ?? this.authed(), channel, peer, { transactionId: tid }));
  }

  async refresh(lifetimeS: number): Promise<void> {
    await this.request((auth, tid) => buildRefresh(auth ?? this.authed(), lifetimeS, { transactionId: tid }));
  }

  /**
   * TCP/TLS only: stops reading from the connection (frames stay in the kernel), as a client
   * that stalls does; the server's write queue for it then grows.
   */
  pauseReading(): void {
    if (!this.tcp) throw new TurnClientError('not-ready', 'pauseReading needs a TCP or TLS connection', 0);
    this.tcp.pause();
  }

  sendChannelData(channel: number, data: Uint8Array): void {
    this.sendRaw(buildChannelData(channel, data, this.tcp !== null));
  }

  sendIndication(peer: TransportAddress, data: Uint8Array): void {
    this.sendRaw(buildSend(peer, data));
  }

  private failPending(why: string): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new TurnClientError('closed', why, 0));
    }
    this.pending.clear();
  }

  close(): Promise<void> {
    this.failPending('closed');
    if (this.udp) {
      const s = this.udp;
      this.udp = null;
      return new Promise((resolve) => s.close(() => resolve()));
    }
    const t = this.tcp;
    this.tcp = null;
    if (!t || t.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      t.once('close', () => resolve());
      t.destroy();
    });
  }
}
