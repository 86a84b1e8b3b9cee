/**
 * The relay's client-facing UDP sockets on the native addon (./native/udp.c; built by `npm run
 * build` into dist/native/callprobe-udp.node). Why a socket of our own: see the addon's header;
 * in short, Node's dgram spends more per datagram than the relay itself does.
 *
 * A send is synchronous and never queued in memory: a datagram the kernel cannot take at once
 * (its send buffer, 4 MiB asked for, full) is dropped and counted, as a router's full queue
 * drops; the relay's memory stays bounded whatever a client makes it send.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { TypedError } from '../../../src/protocol/typed-error.js';
import { nativeAddonPath } from '../../../host/package.js';
import { monotonicOriginMs } from './monotonic-origin.js';
import type { FastDatagram } from '../core/types.js';

/** The addon's functions (./native/udp.c). */
interface UdpAddon {
  open(family: 4 | 6, address: string, port: number, bufferBytes: number): [UdpHandle, number];
  start(handle: UdpHandle, onMessage: (msg: Buffer, address: string, port: number, tos: number) => void, onError: (code: string) => void): void;
  connect(handle: UdpHandle, ip: string, port: number): void;
  disconnect(handle: UdpHandle): void;
  send(handle: UdpHandle, data: Buffer, offset: number, length: number, ip: string | null, port: number, tos: number): number;
  close(handle: UdpHandle): void;
  takeDatagramWaits(out: Float64Array): void;
  samplerStart(
    busyPeriodMs: number,
    idlePeriodMs: number,
    batchTicks: number,
    busy: boolean,
    withWaits: boolean,
    /** CLOCK_MONOTONIC in ms where performance.now() reads 0 (monotonicOriginMs). */
    originMs: number,
    onBatch: () => boolean,
  ): SamplerHandle;
  samplerTake(handle: SamplerHandle, out: Float64Array): number;
  samplerStop(handle: SamplerHandle): void;
  fastAttach(
    handle: UdpHandle,
    ip: string,
    port: number,
    channel: number,
    ssrc: number,
    payloadType: number,
    functions: FastPeerFunctions,
    state: FastPeerState,
    perSecond: number,
    burst: number,
    /** CLOCK_MONOTONIC in ms where performance.now() reads 0 (monotonicOriginMs). */
    originMs: number,
    /** The traffic class of the answers, 0-255 (-1: the socket's own). */
    answerTos: number,
  ): number;
  fastTake(handle: UdpHandle, entry: number, out: Float64Array): number;
  fastDetach(handle: UdpHandle, entry: number): void;
}

/** A peer's C function for the relay's fast path (./native/fast-peer.h), made by the peer's own addon. */
declare const fastPeerFunctions: unique symbol;
export type FastPeerFunctions = { readonly [fastPeerFunctions]: true };
/** The state a fast peer's function works on: an opaque handle of the peer's addon. */
declare const fastPeerState: unique symbol;
export type FastPeerState = { readonly [fastPeerState]: true };

/** A peer in this process that answers a relayed datagram in C (./native/fast-peer.h). */
export interface FastPeer {
  readonly functions: FastPeerFunctions;
  readonly state: FastPeerState;
}

/**
 * The stream a fast entry takes: ChannelData on `channel` from the client at `ip`:`port`,
 * carrying RTP of `ssrc` with `payloadType`. Past `perSecond` datagrams a second (`burst` at
 * once), its datagrams go to JavaScript as any other, and the relay's own quotas apply.
 */
export interface FastStream {
  ip: string;
  port: number;
  channel: number;
  ssrc: number;
  payloadType: number;
  perSecond: number;
  burst: number;
  /** The traffic class the answers leave with, 0-255 (its DSCP in the upper six bits); absent or -1: the socket's own. */
  answerTos?: number;
}

/** One datagram a fast entry took (reused between calls: copy what is kept). */
export interface FastRecord extends FastDatagram {
  /** Why the answer was not sent, or null (sent, or none). */
  sendFailure: SendFailure | null;
}

/** A socket with the fast path (the addon's: ./native/udp.c). */
export interface FastSocket {
  fastAttach(stream: FastStream, peer: FastPeer): number;
  fastDrain(entry: number, each: (r: Readonly<FastRecord>) => void): number;
  fastDetach(entry: number): void;
}

/** Numbers a fast record holds (udp.c FAST_SLOTS), and records taken at once. */
const FAST_SLOTS = 11;
const FAST_AT_ONCE = 128;

/** An opaque event-loop sampler of the addon. */
declare const samplerHandle: unique symbol;
type SamplerHandle = { readonly [samplerHandle]: true };

/** An opaque socket of the addon. */
declare const udpHandle: unique symbol;
type UdpHandle = { readonly [udpHandle]: true };

type NativeUdpReason = 'not-built' | 'not-loadable';

/** The addon is missing or could not be loaded (the message says which file and how to build it). */
export class NativeUdpError extends TypedError<NativeUdpReason> {}

/** Where the addon is: dist/native/ under the package's root (host/package.ts, as the SRTP addon). */
export function nativeUdpPath(): string {
  return nativeAddonPath('callprobe-udp.node');
}

const FUNCTIONS = [
  'open',
  'start',
  'connect',
  'disconnect',
  'send',
  'close',
  'takeDatagramWaits',
  'samplerStart',
  'samplerTake',
  'samplerStop',
  'fastAttach',
  'fastTake',
  'fastDetach',
] as const;

let addon: UdpAddon | null = null;

/** Loads the addon (once): a NativeUdpError saying how to build it when it is not there (`serve --data-path` asks before it starts). */
export function loadNativeUdp(): void {
  nativeUdp();
}

/** The addon, loaded once; a NativeUdpError saying how to build it when it is not there. */
function nativeUdp(): UdpAddon {
  if (addon !== null) return addon;
  const path = nativeUdpPath();
  if (!existsSync(path))
    throw new NativeUdpError('not-built', `the relay's UDP socket addon is not built (${path}): run npm run build with a C compiler (Debian's gcc)`);
  let loaded: unknown;
  try {
    loaded = createRequire(import.meta.url)(path);
  } catch (err) {
    throw new NativeUdpError('not-loadable', `the relay's UDP socket addon ${path} could not be loaded (${(err as Error).message}): run npm run build again`, {
      cause: err,
    });
  }
  const fns = loaded as Record<string, unknown>;
  if (typeof loaded !== 'object' || loaded === null || FUNCTIONS.some((f) => typeof fns[f] !== 'function'))
    throw new NativeUdpError('not-loadable', `${path} is not this version's UDP socket addon: run npm run build again`);
  addon = loaded as UdpAddon;
  return addon;
}

/** The longest wait of a datagram read since the last reading, and when its handler was called (ms, performance.now()). */
export interface DatagramWait {
  worstMs: number;
  atMs: number;
}

const waits = new Float64Array(3);

/**
 * How long the datagrams read since the last call waited between the kernel's receiving them and
 * their handlers' calls, over every socket of the addon in this thread: the longest, or null when
 * none was read (or no socket of the addon was ever opened here). The event loop was busy, or
 * not yet awake, that long: a probe arriving then waited as long before the relay read it.
 */
export function takeDatagramWaits(): DatagramWait | null {
  if (addon === null) return null;
  addon.takeDatagramWaits(waits);
  if (waits[0] === 0) return null;
  return { worstMs: waits[1] as number, atMs: (waits[2] as number) - monotonicOriginMs };
}

/** What the addon's event-loop sampler is told (NativeLoopTicks). */
export interface NativeLoopTicksOptions {
  busyPeriodMs: number;
  idlePeriodMs: number;
  /** While busy, the ticks are handed to `onTick` every this many ticks (at each tick while idle). */
  batchTicks: number;
  /** Read at each hand-over: the next period follows it. */
  busy(): boolean;
  /** Whether each tick also notes the longest wait of a datagram the addon's sockets read since the last (this thread's relay). */
  withWaits: boolean;
  /** Each record, in time order: when (ms, performance.now()) and how late (ms). */
  onTick(atMs: number, lateMs: number): void;
}

/** Records the addon hands over at most at once (udp.c SAMPLER_RECORDS). */
const SAMPLER_RECORDS = 256;

/**
 * The event loop's sampler on the addon (./native/udp.c `samplerStart`): a libuv timer that notes
 * how late it fires, and the datagrams' longest waits, with no JavaScript call per tick; its
 * records reach `onTick` in batches, and at once on `flush()`.
 */
export class NativeLoopTicks {
  private readonly out = new Float64Array(2 * SAMPLER_RECORDS);
  private readonly udp: UdpAddon;
  private readonly handle: SamplerHandle;
  private stopped = false;

  constructor(private readonly o: NativeLoopTicksOptions) {
    this.udp = nativeUdp();
    this.handle = this.udp.samplerStart(o.busyPeriodMs, o.idlePeriodMs, o.batchTicks, o.busy(), o.withWaits, monotonicOriginMs, () => {
      this.flush();
      return o.busy();
    });
  }

  /** Hands every record noted so far to `onTick`. */
  flush(): void {
    if (this.stopped) return;
    const n = this.udp.samplerTake(this.handle, this.out);
    for (let i = 0; i < n; i++) this.o.onTick(this.out[2 * i] as number, this.out[2 * i + 1] as number);
  }

  /** Hands over what is noted and stops; a call after it does nothing. */
  stop(): void {
    if (this.stopped) return;
    this.flush();
    this.stopped = true;
    this.udp.samplerStop(this.handle);
  }
}

/** Why a datagram was not sent: the kernel's send buffer was full, or another error (its code). */
export type SendFailure = 'full' | 'error';

const EAGAIN = 11;
const ENOBUFS = 105;

const failureOf = (errno: number): SendFailure => (errno === EAGAIN || errno === ENOBUFS ? 'full' : 'error');

/** A bound UDP socket of the addon. */
export class NativeUdpSocket implements FastSocket {
  private closed = false;
  /** The fast path's records, made at the first drain (a relay has a socket per allocation, most never on the fast path). */
  private fastOut: Float64Array | null = null;
  private readonly fastRecord: FastRecord = {
    recvMs: 0,
    dataBytes: 0,
    answerBytes: 0,
    sendFailure: null,
    upSeq: 0,
    upTimestamp: 0,
    upPadding: false,
    answerSsrc: 0,
    answerSeq: 0,
    answerTimestamp: 0,
    tos: -1,
  };

  private constructor(
    private readonly udp: UdpAddon,
    private readonly handle: UdpHandle,
    readonly family: 4 | 6,
    readonly address: string,
    readonly port: number,
  ) {}

  /** Binds `address`:`port` (0: any free port). Throws the bind's error with its `code` (EADDRINUSE, EADDRNOTAVAIL, ...). */
  static bind(family: 4 | 6, address: string, port: number, bufferBytes: number): NativeUdpSocket {
    const udp = nativeUdp();
    let opened: [UdpHandle, number];
    try {
      opened = udp.open(family, address, port, bufferBytes);
    } catch (err) {
      // The address and port beside the code, as Node's own bind errors carry them.
      if (err instanceof Error && 'code' in err) Object.assign(err, { address, port });
      throw err;
    }
    return new NativeUdpSocket(udp, opened[0], family, address, opened[1]);
  }

  /**
   * Starts reading: `onMessage` for every datagram (with its traffic class as it arrived, the
   * IPv4 TOS byte or the IPv6 traffic class, -1 when none was read), `onError` with the code of a
   * receive error (an ICMP error on a connected socket).
   */
  start(onMessage: (msg: Buffer, address: string, port: number, tos: number) => void, onError: (code: string) => void): void {
    if (!this.closed) this.udp.start(this.handle, onMessage, onError);
  }

  /**
   * Connects to one peer: it sends without an address, hears only that peer, and the kernel gives
   * it that peer's datagrams before an unconnected socket's on the same port. Throws the error (its `code`).
   */
  connect(ip: string, port: number): void {
    if (!this.closed) this.udp.connect(this.handle, ip, port);
  }

  /** Undoes `connect`. */
  disconnect(): void {
    if (!this.closed) this.udp.disconnect(this.handle);
  }

  /**
   * Sends `data[offset, offset + length)` to `ip`:`port`, or to the connected peer when `ip` is
   * null, with traffic class `tos` (0-255, this datagram alone; -1: the socket's own, 0). Null
   * when sent, else why not (the datagram is dropped: never queued).
   */
  send(data: Buffer, ip: string | null, port: number, offset = 0, length = data.length - offset, tos = -1): SendFailure | null {
    if (this.closed) return 'error';
    const r = this.udp.send(this.handle, data, offset, length, ip, port, tos);
    return r === 0 ? null : failureOf(-r);
  }

  /**
   * The fast path (./native/fast-peer.h): from now on the datagrams of `stream` go to `peer`'s C
   * function before any JavaScript, and what it takes is kept for `fastDrain`. Returns the entry
   * (for `fastDrain` and `fastDetach`). Throws when the socket is closed or its 8 entries are in use.
   */
  fastAttach(stream: FastStream, peer: FastPeer): number {
    return this.udp.fastAttach(
      this.handle,
      stream.ip,
      stream.port,
      stream.channel,
      stream.ssrc,
      stream.payloadType,
      peer.functions,
      peer.state,
      stream.perSecond,
      stream.burst,
      monotonicOriginMs,
      stream.answerTos ?? -1,
    );
  }

  /** Hands `each` every datagram entry `entry` took since the last call, oldest first; returns how many. */
  fastDrain(entry: number, each: (r: Readonly<FastRecord>) => void): number {
    if (this.closed) return 0;
    const o = (this.fastOut ??= new Float64Array(FAST_SLOTS * FAST_AT_ONCE));
    const r = this.fastRecord;
    let total = 0;
    for (let n = this.udp.fastTake(this.handle, entry, o); n > 0; n = this.udp.fastTake(this.handle, entry, o)) {
      for (let i = 0; i < n; i++) {
        const b = i * FAST_SLOTS;
        r.recvMs = o[b] as number;
        r.dataBytes = o[b + 1] as number;
        r.answerBytes = o[b + 2] as number;
        const errno = o[b + 3] as number;
        r.sendFailure = errno === 0 ? null : failureOf(errno);
        r.upSeq = o[b + 4] as number;
        r.upTimestamp = o[b + 5] as number;
        r.upPadding = o[b + 6] === 1;
        r.answerSsrc = o[b + 7] as number;
        r.answerSeq = o[b + 8] as number;
        r.answerTimestamp = o[b + 9] as number;
        r.tos = o[b + 10] as number;
        each(r);
      }
      total += n;
    }
    return total;
  }

  /** Undoes `fastAttach`: the stream's datagrams go to JavaScript again (drain it first: what it holds is let go). */
  fastDetach(entry: number): void {
    if (!this.closed) this.udp.fastDetach(this.handle, entry);
  }

  /** Stops reading and closes the socket; a call after it does nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.udp.close(this.handle);
  }
}
