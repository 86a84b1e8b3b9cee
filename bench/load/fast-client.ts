/**
 * The capacity bench's load client on the fast path: many tests in one process, each the page's
 * RTP leg as the server sees it, at a fraction of the CPU one werift client costs.
 *
 * Each test sets itself up exactly as the page does (../lib/page-legs.ts: config, signalling,
 * TURN through the relay, ICE and the DTLS-SRTP handshake, all werift's), so the server does all
 * of its per-test work. Once the leg is connected the client takes the stream over from werift:
 * the SRTP keys are read from werift's DTLS session (RFC 5764 §4.2: the exporter's keying
 * material), each probe frame is given its RTP header (the sender's negotiated SSRC and payload
 * type), protected by the project's native SRTP (server/reflector/rtp/srtp.ts, the addon: this
 * client needs it and says so when it is not built) and framed as ChannelData (RFC 8656 §12.4)
 * on werift's own channel to the reflector, sent from werift's own TURN socket. The echoes are
 * taken off that socket before werift sees them and unprotected the same way; everything else
 * (STUN, the TURN refreshes, DTLS, RTCP) still goes to werift.
 *
 * Pacing is one timer loop for every test (drift-free, the tests on 10 phases of the 10 ms
 * interval; a probe the loop made late is sent late, up to 5 intervals, its round trip left out of
 * the figures; one later still is skipped and counted, never loss: see SharedPacer). The round
 * trip is read from the echo's own copy of the send stamp, so a timer's lateness never enters it.
 */
import { randomInt } from 'node:crypto';
import { percentile } from '../../src/analysis/measure/percentile.js';
import type { ServerConfig } from '../../src/protocol/api.js';
import { CONSTANTS, DEFAULTS } from '../../src/protocol/defaults.js';
import { decodeRtpEcho, encodeRtpProbe } from '../../src/protocol/rtp-probe.js';
import { RTP_HEADER_BYTES, SrtpDirection, rtpHeaderLength, writeRtpHeader } from '../../server/reflector/rtp/srtp.js';
import { CHANNEL_DATA_HEADER_BYTES, channelDataLength, encodeChannelData, isChannelData } from '../../server/turn/codec/channel-data.js';
import { openPageLegs, type PageLegs } from '../lib/page-legs.js';
import { ownCpuS } from '../lib/test-cost.js';
import { noFigures, type ClientResult } from './load-kit.js';

/** An Opus 10 ms CELT frame's TOC and filler (RFC 6716 §3.1), as the RTP load client sends. */
const OPUS = Uint8Array.of(0xfc, 0xff, 0xfe);
/** SRTP_AES128_CM_HMAC_SHA1_80 (RFC 5764 §4.1.2: profile 0x0001): 128-bit master key, 112-bit master salt. */
const SRTP_AES128_CM_HMAC_SHA1_80 = 0x0001;
const MASTER_KEY_BYTES = 16;
const MASTER_SALT_BYTES = 14;
/** Beyond the reflector's own wait for a leg's first RTP, how long a leg may take to answer, ms. */
const LIVE_SLACK_MS = 1_000;
/** Set-ups in flight at once. */
const SETUPS_AT_ONCE = 4;
/** Late echoes: a second is far beyond any loopback round trip. */
const DRAIN_MS = 1_000;
/**
 * The pacer's phases: the tests spread over this many slots of the 10 ms interval, so one wake-up
 * sends a slot's probes (a wake-up per probe costs the client more than the probe itself at 100 tests).
 */
const PACER_SLOTS = 10;
/**
 * A probe due this many intervals ago is still sent, late, as a browser's audio sender sends the
 * frames its capture queued while its thread was held up, so the server carries the load it was
 * offered; one due longer ago is skipped and counted as a missed tick. A probe sent over one
 * interval late is counted (`sentLate`) and its round trip left out of the test's figures: every
 * test's held-back probes leave together, a burst no set of independent callers sends.
 */
const CATCH_UP_INTERVALS = 5;

/** One test of a fast run: its result, whether the server refused it as busy, and its stream's counts. */
export interface FastTestResult extends ClientResult {
  refusedBusy: boolean;
  probesSent: number;
  /** Probes of the measured span the client's loop sent more than one interval late: counted, their round trips left out of the figures. */
  sentLate: number;
  echoes: number;
  /** Echoes whose tag, decryption or frame was wrong (never counted as echoes), and why the first was. */
  badEchoes: number;
  firstBadEcho: string | null;
}

/** What one fast client process said of its run. */
export interface FastClientRun {
  tests: FastTestResult[];
  /** The client's CPU seconds over the whole run, and its wall seconds. */
  clientCpuS: number;
  wallS: number;
  /**
   * The span every admitted test was streaming at once (wall clock, ms since the epoch), the
   * client's CPU seconds over it, and its pacing loop's lateness p99 (ms).
   */
  streaming: { fromUnixMs: number; toUnixMs: number; clientCpuS: number; clientLoopMsP99: number; clientStalls: { atMs: number; lateMs: number }[] } | null;
  /** How long a test's set-up took (signalling to its stream taken over), the median, ms. */
  setupMsP50: number | null;
  /** Legs opened again before the measured span because the first carried nothing (the page does the same). */
  setupRetries: number;
}

/** werift's members the take-over reads: kept out of its public types, so read at run time and checked. */
interface TurnSocket {
  /** Gone once werift closed the transport (a leg its ICE gave up on). */
  socket?: { send(buf: Buffer, port: number, host: string): void };
  closed: boolean;
  onData: (data: Buffer, addr: readonly [string, number]) => void;
}
interface WeriftTurn {
  server: readonly [string, number];
  transport: TurnSocket;
  getChannel(addr: readonly [string, number]): Promise<{ number: number }>;
}
interface WeriftPair {
  protocol: { turn?: WeriftTurn };
  remoteCandidate: { host: string; port: number };
}
interface WeriftDtls {
  dtls?: {
    srtp: { srtpProfile?: number };
    extractSessionKeys(keyLength: number, saltLength: number): { localKey: Buffer; localSalt: Buffer; remoteKey: Buffer; remoteSalt: Buffer };
  };
  iceTransport: { connection: { nominated?: WeriftPair } };
}

/** The stream a connected leg hands over: where to send, and the keys both ways. */
interface TakenStream {
  /** False when werift has closed the leg's TURN socket: the datagram was not sent. */
  send(datagram: Buffer): boolean;
  channel: number;
  /** Every datagram of the reflector's channel is given here first; `false` hands it on to werift. */
  intercept(take: (data: Buffer) => boolean): void;
  up: SrtpDirection;
  down: SrtpDirection;
  ssrc: number;
  payloadType: number;
}

/** Takes the connected leg's stream from werift (see the file's comment); throws when werift's members are not as expected. */
async function takeStream(legs: PageLegs): Promise<TakenStream> {
  const dtls = legs.transceiver.dtlsTransport as unknown as WeriftDtls;
  const pair = dtls.iceTransport.connection.nominated;
  const turn = pair?.protocol.turn;
  if (!dtls.dtls || !pair || !turn || typeof turn.getChannel !== 'function')
    throw new Error("werift's connected leg has no DTLS session or no TURN pair to take over");
  if (dtls.dtls.srtp.srtpProfile !== SRTP_AES128_CM_HMAC_SHA1_80)
    throw new Error(`werift negotiated SRTP profile ${dtls.dtls.srtp.srtpProfile ?? 'none'}: the native SRTP takes SRTP_AES128_CM_HMAC_SHA1_80 only`);
  const payloadType = legs.transceiver.sender.codec?.payloadType;
  if (payloadType === undefined) throw new Error("werift's connected leg negotiated no codec");
  const keys = dtls.dtls.extractSessionKeys(MASTER_KEY_BYTES, MASTER_SALT_BYTES);
  const channel = (await turn.getChannel([pair.remoteCandidate.host, pair.remoteCandidate.port])).number;
  const [host, port] = turn.server;
  const socket = turn.transport;
  return {
    send: (datagram) => {
      if (socket.closed || socket.socket === undefined) return false;
      socket.socket.send(datagram, port, host);
      return true;
    },
    channel,
    intercept: (take) => {
      const werift = socket.onData;
      socket.onData = (data, addr) => {
        if (!take(data)) werift(data, addr);
      };
    },
    up: new SrtpDirection(keys.localKey, keys.localSalt),
    down: new SrtpDirection(keys.remoteKey, keys.remoteSalt),
    ssrc: legs.transceiver.sender.ssrc,
    payloadType,
  };
}

/** Whether the bytes after a ChannelData header are an RTP packet (RFC 7983 §7: 128-191; RFC 5761 §4: not RTCP's 192-223 second byte). */
function isRtp(data: Buffer): boolean {
  const first = data[CHANNEL_DATA_HEADER_BYTES];
  const second = data[CHANNEL_DATA_HEADER_BYTES + 1];
  return first !== undefined && second !== undefined && first >= 128 && first <= 191 && (second < 192 || second > 223);
}

/** One test's stream once taken: its probes, its echoes checked, its round trips. */
class FastStream {
  private readonly header = Buffer.alloc(RTP_HEADER_BYTES);
  private readonly firstSeq = randomInt(0, 0x8000);
  private readonly seen = new Set<number>();
  readonly rttMs: number[] = [];
  /** Probes sent in the measured span, and the next probe number (ticks skipped by the pacer are numbered, never sent). */
  sent = 0;
  /** Measured probes the client's loop sent late (more than one interval), by number: their echoes count as arrived, never as round trips. */
  private readonly late = new Set<number>();
  private nextSeq = 0;
  /** The first probe of the measured span: earlier ones kept the leg alive while the other tests were set up. */
  private firstCounted: number | null = null;
  missedTicks = 0;
  bad = 0;
  firstBad: string | null = null;
  /** Why the stream stopped before its end, when it did. */
  lostLeg: string | null = null;
  /** Echoes before the measured span: the leg carries the stream. */
  warmEchoes = 0;

  constructor(private readonly s: TakenStream) {
    s.intercept((data) => {
      if (!isChannelData(data[0]) || data.readUInt16BE(0) !== s.channel || !isRtp(data)) return false;
      this.echo(data);
      return true;
    });
  }

  /** Sends probe `probeSeq`; `counted` when it is due in the measured span; `late` when the client's loop sent it over one interval after it was due. */
  probe(probeSeq: number, counted: boolean, late: boolean): void {
    if (this.lostLeg !== null) return;
    this.nextSeq = probeSeq + 1;
    const seq = (this.firstSeq + probeSeq) & 0xffff;
    writeRtpHeader(this.header, false, this.s.payloadType, seq, (probeSeq * 480) >>> 0, this.s.ssrc);
    const frame = encodeRtpProbe({ probeSeq, sendMs: performance.now(), opus: OPUS }, CONSTANTS.rtp.frameBytes);
    if (!this.s.send(encodeChannelData(this.s.channel, this.s.up.protectRtpParts(this.header, frame), 'datagram'))) {
      this.lostLeg = `werift closed the leg's TURN socket after ${this.sent} measured probes`;
      return;
    }
    if (!counted) return;
    this.firstCounted ??= probeSeq;
    this.sent++;
    if (late) this.late.add(probeSeq);
  }

  private echo(datagram: Buffer): void {
    const now = performance.now();
    try {
      const length = channelDataLength(datagram);
      if (length < 0) throw new Error('a short ChannelData message');
      const rtp = this.s.down.unprotectRtp(datagram.subarray(CHANNEL_DATA_HEADER_BYTES, CHANNEL_DATA_HEADER_BYTES + length));
      const headerBytes = rtpHeaderLength(rtp, rtp.length);
      if (headerBytes < 0) throw new Error('a short RTP header');
      const e = decodeRtpEcho(rtp.subarray(headerBytes));
      if (e.upSeq >= this.nextSeq || this.seen.has(e.upSeq)) throw new Error(`an echo of probe ${e.upSeq}, not sent or seen twice`);
      // An echo of a probe sent before the measured span is not measured: it says the leg is live.
      if (this.firstCounted === null || e.upSeq < this.firstCounted) {
        this.warmEchoes++;
        return;
      }
      this.seen.add(e.upSeq);
      // A probe the client's loop held back went out in a burst with the others it held: the server
      // saw a burst no set of independent callers sends, so its round trip is the client's, not one to grade.
      if (!this.late.has(e.upSeq)) this.rttMs.push(now - e.clientSendMs);
    } catch (err) {
      // Counted, never thrown: the run says how many echoes were wrong.
      if (!(err instanceof Error)) throw err;
      this.bad++;
      this.firstBad ??= err.message;
    }
  }

  result(): FastTestResult {
    const sorted = [...this.rttMs].sort((a, b) => a - b);
    let dSum = 0;
    for (let i = 1; i < this.rttMs.length; i++) dSum += Math.abs((this.rttMs[i] ?? 0) - (this.rttMs[i - 1] ?? 0));
    return {
      ok: this.lostLeg === null,
      rttMsP50: sorted.length > 0 ? (sorted[sorted.length >> 1] ?? null) : null,
      // RFC 3550 §6.4.1's D between consecutive round trips, unsmoothed: the RTP load client's figure.
      jitterMs: this.rttMs.length > 1 ? dSum / (this.rttMs.length - 1) : null,
      lossPct: this.sent > 0 ? (100 * (this.sent - this.seen.size)) / this.sent : null,
      verdict: null,
      missedTicks: this.missedTicks,
      error: this.lostLeg,
      refusedBusy: false,
      probesSent: this.sent,
      sentLate: this.late.size,
      echoes: this.seen.size,
      badEchoes: this.bad,
      firstBadEcho: this.firstBad,
    };
  }
}

/** A test that did not get to measure. */
function failed(error: string, refusedBusy: boolean): FastTestResult {
  return {
    ...noFigures(error),
    refusedBusy,
    probesSent: 0,
    sentLate: 0,
    echoes: 0,
    badEchoes: 0,
    firstBadEcho: null,
  };
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The relay as the page is given it for one test: its own config, so its own TURN credential (the relay's quotas are per credential). */
async function relayFor(baseUrl: string): Promise<RTCIceServer[]> {
  const cfg = (await (await fetch(`${baseUrl}/api/config`)).json()) as ServerConfig;
  if (!cfg.rtpReflector) throw new Error('this server has no RTP reflector');
  const entry = cfg.turn.find((e) => e.transport === 'udp');
  if (!entry) throw new Error('the server offers no UDP relay');
  return [{ urls: entry.url, username: cfg.username, credential: cfg.credential }];
}

/** One test's set-up, as the page's: its config, its legs connected and its stream taken; the server's refusal said as such. */
async function openTest(baseUrl: string): Promise<{ legs: PageLegs; stream: FastStream } | FastTestResult> {
  let legs: PageLegs | null = null;
  try {
    const iceServers = await relayFor(baseUrl);
    // werift's own path never sees one of our echoes: they are taken off its socket first.
    legs = await openPageLegs(baseUrl, iceServers, () => undefined);
    const { pc, errors } = legs;
    await pc.setLocalDescription(await pc.createOffer());
    legs.offerRtp(pc.localDescription?.sdp ?? '');
    await until(() => pc.connectionState === 'connected' || errors.length > 0, DEFAULTS.connectTimeoutMs, 'the RTP leg to connect');
    const refusal = errors[0];
    if (refusal) {
      legs.close();
      return failed(`${refusal.reason}: ${refusal.message}`, refusal.reason === 'server-busy');
    }
    return { legs, stream: new FastStream(await takeStream(legs)) };
  } catch (err) {
    legs?.close();
    if (!(err instanceof Error)) throw err;
    return failed(err.message, false);
  }
}

/** One stream on the pacer: its first tick's time and the next probe number. */
interface Paced {
  stream: FastStream;
  startMs: number;
  next: number;
}

/**
 * The one pacer of every test: a test added at t sends probe k at its first grid point after t +
 * its phase + k x ptime (the phases, PACER_SLOTS of them, spread the tests over the 10 ms interval),
 * from the moment it is added until the measured span ends. A probe more than CATCH_UP_INTERVALS
 * late is skipped and counted; a later one is sent late. Only what is due in the
 * measured span counts (`measure`): the span every test streams at once. It notes how late each
 * wake-up in the span came after the probe it woke for was due (ms): the client's own event-loop
 * lateness, which an echo waits out too.
 */
class SharedPacer {
  private readonly intervalMs = CONSTANTS.rtp.ptimeMs;
  private readonly paced: Paced[] = [];
  private added = 0;
  /** Every test's probes fall on one grid from here: a slot's tests share their wake-ups. */
  private readonly originMs = performance.now();
  private timer: NodeJS.Timeout | null = null;
  private dueMs = 0;
  private span: { fromMs: number; toMs: number; over: () => void } | null = null;
  readonly lateMs: number[] = [];
  /** Wake-ups in the span that came more than one interval late: where in the span (ms from its start) and how late. */
  readonly stalls: { atMs: number; lateMs: number }[] = [];

  constructor(private readonly phases: number) {}

  /** Paces `stream` from now until the measured span ends. */
  add(stream: FastStream): void {
    const phaseMs = ((this.added++ % this.phases) * this.intervalMs) / this.phases;
    const startMs = this.originMs + Math.ceil((performance.now() - this.originMs) / this.intervalMs) * this.intervalMs + phaseMs;
    this.paced.push({ stream, startMs, next: 0 });
    if (this.timer === null) this.wake(startMs);
    else if (startMs < this.dueMs) {
      clearTimeout(this.timer);
      this.wake(startMs);
    }
  }

  /** Stops pacing `stream` (a leg opened again). */
  remove(stream: FastStream): void {
    const i = this.paced.findIndex((p) => p.stream === stream);
    if (i >= 0) this.paced.splice(i, 1);
  }

  /** Counts what is due from now for `spanMs`; resolves when the span is over (then nothing more is sent). */
  measure(spanMs: number): Promise<void> {
    const fromMs = performance.now();
    return new Promise((over) => (this.span = { fromMs, toMs: fromMs + spanMs, over }));
  }

  private wake(dueMs: number): void {
    this.dueMs = dueMs;
    this.timer = setTimeout(() => this.tick(), Math.max(0, dueMs - performance.now()));
  }

  private tick(): void {
    const now = performance.now();
    const span = this.span;
    if (span !== null && this.dueMs >= span.fromMs) {
      const lateMs = Math.max(0, now - this.dueMs);
      this.lateMs.push(lateMs);
      if (lateMs > this.intervalMs) this.stalls.push({ atMs: this.dueMs - span.fromMs, lateMs });
    }
    const endMs = span?.toMs ?? Number.POSITIVE_INFINITY;
    for (const p of this.paced) {
      for (let due = p.startMs + p.next * this.intervalMs; due <= now && due < endMs; due = p.startMs + p.next * this.intervalMs) {
        const counted = span !== null && due >= span.fromMs;
        if (now - due <= this.intervalMs * CATCH_UP_INTERVALS) p.stream.probe(p.next, counted, now - due > this.intervalMs);
        else if (counted) p.stream.missedTicks++;
        p.next++;
      }
    }
    this.timer = null;
    if (span !== null && now >= span.toMs) {
      span.over();
      return;
    }
    // The next wake-up: the earliest probe due (or the span's end), at most one timer a probe (fewer where phases meet).
    if (this.paced.length > 0) this.wake(Math.min(endMs, ...this.paced.map((p) => p.startMs + p.next * this.intervalMs)));
  }
}

/** An open test: its legs and its stream. */
interface OpenTest {
  legs: PageLegs;
  stream: FastStream;
}

/** Whether a test's leg ended before it was measured: the reflector gave it up (`rtp-retry`), or werift closed it. */
function legBroken(o: OpenTest): string | null {
  const retry = o.legs.controlText.find((m) => m.type === 'rtp-retry');
  if (retry?.type === 'rtp-retry') return `rtp-retry: ${retry.reason}`;
  if (o.stream.lostLeg !== null) return o.stream.lostLeg;
  const state = o.legs.pc.connectionState;
  return state === 'failed' || state === 'closed' ? `werift's leg is ${state}` : null;
}

/**
 * Before the measured span, every test's leg must carry its stream (an echo came back), as the
 * page waits for its leg to be live. A leg that ended instead is opened again, as the page does
 * (CONSTANTS.rtp.legAttempts in all); one still broken after that is a failed test. Returns how
 * many legs were opened again.
 */
async function untilLive(opened: Array<OpenTest | FastTestResult>, pacer: SharedPacer, reopen: () => Promise<OpenTest | FastTestResult>): Promise<number> {
  let retries = 0;
  for (let attempt = 1; attempt <= CONSTANTS.rtp.legAttempts; attempt++) {
    const waiting = (): OpenTest[] => opened.filter((o): o is OpenTest => 'legs' in o && o.stream.warmEchoes === 0 && legBroken(o) === null);
    const deadline = performance.now() + CONSTANTS.rtp.mediaAfterDtlsMs + LIVE_SLACK_MS;
    while (waiting().length > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const [i, o] of opened.entries()) {
      if (!('legs' in o)) continue;
      const broken = legBroken(o) ?? (o.stream.warmEchoes === 0 ? 'no echo came back before the measured span' : null);
      if (broken === null) continue;
      pacer.remove(o.stream);
      o.legs.close();
      if (attempt === CONSTANTS.rtp.legAttempts) {
        opened[i] = failed(`the leg carried nothing after ${attempt} attempts (${broken})`, false);
        continue;
      }
      retries++;
      opened[i] = await reopen();
    }
  }
  return retries;
}

/**
 * `n` tests against `baseUrl` in this process, set up four at a time, `staggerMs` apart. Each streams from the
 * moment it is connected, as the page does (the reflector ends a leg that carries nothing for
 * CONSTANTS.rtp.mediaAfterDtlsMs); once every test is set up, `durationS` of all of them streaming
 * at once is measured. The set-ups (each a DTLS handshake in JavaScript on both sides) stay out of
 * the measured span: this is the server's load while it carries N tests, not while it takes them on.
 */
export async function runFast(baseUrl: string, durationS: number, n: number, staggerMs: number): Promise<FastClientRun> {
  const cpu0 = ownCpuS();
  const t0 = performance.now();
  const pacer = new SharedPacer(Math.min(n, PACER_SLOTS));
  // At most SETUPS_AT_ONCE set-ups in flight, each `staggerMs` after the one before: tests arrive
  // as fast as the server takes them on, never a pile of handshakes timing out in its queue.
  const opened: Array<OpenTest | FastTestResult> = [];
  const setupMs: number[] = [];
  let nextIndex = 0;
  const opener = async (): Promise<void> => {
    for (let i = nextIndex++; i < n; i = nextIndex++) {
      const setupFrom = performance.now();
      const o = await openTest(baseUrl);
      setupMs.push(performance.now() - setupFrom);
      if ('legs' in o) pacer.add(o.stream);
      opened[i] = o;
      await new Promise((resolve) => setTimeout(resolve, staggerMs));
    }
  };
  await Promise.all(Array.from({ length: Math.min(SETUPS_AT_ONCE, n) }, (_, k) => new Promise((resolve) => setTimeout(resolve, k * staggerMs)).then(opener)));
  const setupRetries = await untilLive(opened, pacer, async () => {
    const o = await openTest(baseUrl);
    if ('legs' in o) pacer.add(o.stream);
    return o;
  });
  const live = opened.filter((o): o is OpenTest => 'legs' in o);
  let streaming: FastClientRun['streaming'] = null;
  try {
    if (live.length > 0) {
      const from = { unixMs: Date.now(), cpuS: ownCpuS() };
      await pacer.measure(durationS * 1000);
      const late = pacer.lateMs;
      streaming = {
        fromUnixMs: from.unixMs,
        toUnixMs: Date.now(),
        clientCpuS: ownCpuS() - from.cpuS,
        clientLoopMsP99: late.length > 0 ? percentile(late, 99) : 0,
        clientStalls: pacer.stalls,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, DRAIN_MS));
    for (const l of live) l.legs.stop();
    // The reflector's final tally ends a test as it ends the page's; a test whose tally never came is said to have failed.
    const finalCame = (l: OpenTest): boolean => l.legs.controlText.some((m) => m.type === 'rtp-final');
    const deadline = performance.now() + DEFAULTS.finalTallyTimeoutMs;
    while (!live.every(finalCame) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    for (const l of live) l.legs.close();
  }
  const tests = opened.map((o) => {
    if (!('legs' in o)) return o;
    const r = o.stream.result();
    if (o.legs.controlText.some((m) => m.type === 'rtp-final')) return r;
    // What the server said instead, in its words: a leg it ended (rtp-retry) or an error it signalled.
    const said = [
      ...o.legs.controlText.flatMap((m) => (m.type === 'rtp-retry' ? [`rtp-retry: ${m.reason}`] : [])),
      ...o.legs.errors.map((e) => `${e.reason}: ${e.message}`),
    ];
    return {
      ...r,
      ok: false,
      error: `the reflector sent no final tally${said.length > 0 ? ` (it said ${said.join('; ')})` : ''}${r.error === null ? '' : `; ${r.error}`}`,
    };
  });
  return {
    tests,
    clientCpuS: ownCpuS() - cpu0,
    wallS: (performance.now() - t0) / 1000,
    streaming,
    setupMsP50: setupMs.length > 0 ? percentile(setupMs, 50) : null,
    setupRetries,
  };
}
