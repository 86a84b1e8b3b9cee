/**
 * The capacity bench's load client on the fast path: many tests in one process, each the page's
 * RTP leg as the server sees it, at less CPU per test than the server spends carrying it.
 *
 * Each test sets itself up exactly as the page does (../lib/page-legs.ts: config, signalling,
 * TURN through the relay, ICE and the DTLS-SRTP handshake, all werift's), so the server does all
 * of its per-test work. Once the leg is connected the stream is handed to the addon
 * (./native/load-client.c, through ./native-load-client.ts: this client needs it and says so when
 * it is not built): the SRTP keys read from werift's DTLS session (RFC 5764 §4.2: the exporter's
 * keying material) into the project's native SRTP directions, werift's own channel to the
 * reflector, and werift's own TURN socket, whose reading Node stops and the addon takes over. The
 * addon paces every test on one timer (the tests on 10 phases of the 10 ms interval; a probe its
 * loop made late is sent late, up to 5 intervals, its round trip left out of the figures; one later
 * still is skipped and counted, never loss), gives each probe frame its RTP header (the sender's
 * negotiated SSRC and payload type), protects it and frames it as ChannelData (RFC 8656 §12.4),
 * and reads the echoes; everything else it reads (STUN, the TURN refreshes, DTLS, RTCP) goes to
 * werift as if werift had read it. The round trip is read from the echo's own copy of the send
 * stamp on one monotonic clock, so a timer's lateness never enters it.
 */
import { percentile } from '../../src/analysis/measure/percentile.js';
import type { ServerConfig } from '../../src/protocol/api.js';
import { CONSTANTS, DEFAULTS } from '../../src/protocol/defaults.js';
import { SrtpDirection } from '../../server/reflector/rtp/srtp.js';
import { openPageLegs, type PageLegs } from '../lib/page-legs.js';
import { ownCpuS } from '../lib/test-cost.js';
import { noFigures, type ClientResult } from './load-kit.js';
import { loadClientAddon, type LoadClientAddon, type LoadClientHandle, type NativeStreamCounts } from './native-load-client.js';

/** SRTP_AES128_CM_HMAC_SHA1_80 (RFC 5764 §4.1.2: profile 0x0001): 128-bit master key, 112-bit master salt. */
const SRTP_AES128_CM_HMAC_SHA1_80 = 0x0001;
const MASTER_KEY_BYTES = 16;
const MASTER_SALT_BYTES = 14;
/** Beyond the reflector's own wait for a leg's first RTP, how long a leg may take to answer, ms. */
const LIVE_SLACK_MS = 1_000;
/** Why a set-up found its leg gone at the take-over (werift's ICE closed the TURN socket it had nominated): opened again, as the page opens a leg again. */
const LEG_CLOSED = "werift closed the leg's TURN socket before the take-over";
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
  /** Node's socket under werift's UDP transport; gone once werift closed the transport (a leg its ICE gave up on). */
  socket?: object;
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
/** Node's UDP handle under a dgram socket (its descriptor; its reading stopped and started). */
interface UdpHandle {
  fd: number;
  recvStop(): number;
}

/** Node's handle of dgram socket `socket`: werift's socket is read by the addon from the take-over on. */
function udpHandle(socket: object): UdpHandle {
  const state = Object.getOwnPropertySymbols(socket).find((k) => k.description === 'state symbol');
  const handle = state === undefined ? undefined : (socket as Record<symbol, { handle?: Partial<UdpHandle> } | undefined>)[state]?.handle;
  if (handle === undefined || typeof handle.fd !== 'number' || handle.fd < 0 || typeof handle.recvStop !== 'function')
    throw new Error("werift's TURN socket has no UDP handle with a descriptor to take over (Node's dgram internals changed)");
  return handle as UdpHandle;
}

/** A connected leg's stream, handed to the addon: werift keeps its ICE, TURN refreshes, DTLS and RTCP. */
interface TakenStream {
  index: number;
  /** Whether werift has closed the leg's TURN socket. */
  closed(): boolean;
}

/** Takes the connected leg's stream from werift into the addon (see the file's comment); throws when werift's members are not as expected. */
async function takeStream(legs: PageLegs, client: LoadClientHandle, addon: LoadClientAddon): Promise<TakenStream> {
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
  const up = new SrtpDirection(keys.localKey, keys.localSalt).nativeRtp;
  const down = new SrtpDirection(keys.remoteKey, keys.remoteSalt).nativeRtp;
  if (up === null || down === null) throw new Error('the native SRTP is not loaded');
  const channel = (await turn.getChannel([pair.remoteCandidate.host, pair.remoteCandidate.port])).number;
  const socket = turn.transport;
  if (socket.closed || socket.socket === undefined) throw new Error(LEG_CLOSED);
  const handle = udpHandle(socket.socket);
  const [host, port] = turn.server;
  const werift = socket.onData;
  // Everything but the reflector's echoes goes to werift as if it had read it; Node's own reading stops.
  const index = addon.add(client, handle.fd, host, port, channel, legs.transceiver.sender.ssrc, payloadType, up, down, (datagram) =>
    werift(datagram, turn.server),
  );
  handle.recvStop();
  return { index, closed: () => socket.closed };
}

/** One open test: its legs and its stream in the addon. */
interface OpenTest {
  legs: PageLegs;
  stream: TakenStream;
}

/** An open test's result from the addon's counts. */
function resultOf(counts: NativeStreamCounts, lostLeg: string | null): FastTestResult {
  const rtt = counts.rttMs;
  const sorted = Float64Array.from(rtt).sort();
  let dSum = 0;
  for (let i = 1; i < rtt.length; i++) dSum += Math.abs((rtt[i] ?? 0) - (rtt[i - 1] ?? 0));
  const refused = counts.sendFailed > 0 ? `the client's socket refused ${counts.sendFailed} probes (first errno ${counts.firstSendErrno})` : null;
  const error = [lostLeg, refused].filter((e) => e !== null).join('; ');
  return {
    ok: error === '',
    rttMsP50: sorted.length > 0 ? (sorted[sorted.length >> 1] ?? null) : null,
    // RFC 3550 §6.4.1's D between consecutive round trips, unsmoothed: the RTP load client's figure.
    jitterMs: rtt.length > 1 ? dSum / (rtt.length - 1) : null,
    lossPct: counts.sent > 0 ? (100 * (counts.sent - counts.echoes)) / counts.sent : null,
    verdict: null,
    missedTicks: counts.missedTicks,
    error: error === '' ? null : error,
    refusedBusy: false,
    probesSent: counts.sent,
    sentLate: counts.sentLate,
    echoes: counts.echoes,
    badEchoes: counts.badEchoes,
    firstBadEcho: counts.firstBadEcho,
  };
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

/** The addon and its one client: every test of this process streams from it. */
interface Native {
  addon: LoadClientAddon;
  client: LoadClientHandle;
}

/** One test's set-up, as the page's: its config, its legs connected and its stream taken; the server's refusal said as such. */
async function openTest(baseUrl: string, native: Native): Promise<OpenTest | FastTestResult> {
  let legs: PageLegs | null = null;
  try {
    const iceServers = await relayFor(baseUrl);
    // werift's own path never sees one of our echoes: the addon reads its socket from the take-over on.
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
    return { legs, stream: await takeStream(legs, native.client, native.addon) };
  } catch (err) {
    legs?.close();
    if (!(err instanceof Error)) throw err;
    return failed(err.message, false);
  }
}

/** Whether a test's leg ended before it was measured: the reflector gave it up (`rtp-retry`), or werift closed it. */
function legBroken(o: OpenTest): string | null {
  const retry = o.legs.controlText.find((m) => m.type === 'rtp-retry');
  if (retry?.type === 'rtp-retry') return `rtp-retry: ${retry.reason}`;
  if (o.stream.closed()) return "werift closed the leg's TURN socket";
  const state = o.legs.pc.connectionState;
  return state === 'failed' || state === 'closed' ? `werift's leg is ${state}` : null;
}

/**
 * Before the measured span, every test's leg must carry its stream (an echo came back), as the
 * page waits for its leg to be live. A leg that ended instead is opened again, as the page does
 * (CONSTANTS.rtp.legAttempts in all); one still broken after that is a failed test. Returns how
 * many legs were opened again.
 */
async function untilLive(opened: Array<OpenTest | FastTestResult>, native: Native, reopen: () => Promise<OpenTest | FastTestResult>): Promise<number> {
  let retries = 0;
  const warm = (o: OpenTest): number => native.addon.counts(native.client, o.stream.index).warmEchoes;
  for (let attempt = 1; attempt <= CONSTANTS.rtp.legAttempts; attempt++) {
    const waiting = (): OpenTest[] => opened.filter((o): o is OpenTest => 'legs' in o && warm(o) === 0 && legBroken(o) === null);
    const deadline = performance.now() + CONSTANTS.rtp.mediaAfterDtlsMs + LIVE_SLACK_MS;
    while (waiting().length > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const [i, o] of opened.entries()) {
      if (!('legs' in o)) continue;
      const broken = legBroken(o) ?? (warm(o) === 0 ? 'no echo came back before the measured span' : null);
      if (broken === null) continue;
      native.addon.remove(native.client, o.stream.index);
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
  const addon = loadClientAddon();
  const native: Native = { addon, client: addon.create(Math.min(n, PACER_SLOTS), CATCH_UP_INTERVALS, CONSTANTS.rtp.ptimeMs, CONSTANTS.rtp.frameBytes) };
  // At most SETUPS_AT_ONCE set-ups in flight, each `staggerMs` after the one before: tests arrive
  // as fast as the server takes them on, never a pile of handshakes timing out in its queue.
  const opened: Array<OpenTest | FastTestResult> = [];
  const setupMs: number[] = [];
  let nextIndex = 0;
  let setupRetries = 0;
  const opener = async (): Promise<void> => {
    for (let i = nextIndex++; i < n; i = nextIndex++) {
      const setupFrom = performance.now();
      let o = await openTest(baseUrl, native);
      for (let attempt = 1; attempt < CONSTANTS.rtp.legAttempts && !('legs' in o) && o.error === LEG_CLOSED; attempt++) {
        setupRetries++;
        o = await openTest(baseUrl, native);
      }
      opened[i] = o;
      setupMs.push(performance.now() - setupFrom);
      await new Promise((resolve) => setTimeout(resolve, staggerMs));
    }
  };
  let streaming: FastClientRun['streaming'] = null;
  try {
    await Promise.all(Array.from({ length: Math.min(SETUPS_AT_ONCE, n) }, (_, k) => new Promise((resolve) => setTimeout(resolve, k * staggerMs)).then(opener)));
    setupRetries += await untilLive(opened, native, () => openTest(baseUrl, native));
    const live = opened.filter((o): o is OpenTest => 'legs' in o);
    if (live.length > 0) {
      const from = { unixMs: Date.now(), cpuS: ownCpuS() };
      addon.measure(native.client, durationS * 1000);
      await until(() => addon.over(native.client), durationS * 1000 + DRAIN_MS * 10, 'the measured span to end');
      const span = addon.span(native.client);
      const stalls: { atMs: number; lateMs: number }[] = [];
      for (let i = 0; i + 1 < span.stalls.length; i += 2) stalls.push({ atMs: span.stalls[i] ?? 0, lateMs: span.stalls[i + 1] ?? 0 });
      streaming = {
        fromUnixMs: from.unixMs,
        toUnixMs: Date.now(),
        clientCpuS: ownCpuS() - from.cpuS,
        clientLoopMsP99: span.lateMs.length > 0 ? percentile([...span.lateMs], 99) : 0,
        clientStalls: stalls,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, DRAIN_MS));
    for (const l of live) l.legs.stop();
    // The reflector's final tally ends a test as it ends the page's; a test whose tally never came is said to have failed.
    const finalCame = (l: OpenTest): boolean => l.legs.controlText.some((m) => m.type === 'rtp-final');
    const deadline = performance.now() + DEFAULTS.finalTallyTimeoutMs;
    while (!live.every(finalCame) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const tests = opened.map((o) => {
      if (!('legs' in o)) return o;
      const r = resultOf(addon.counts(native.client, o.stream.index), legBroken(o));
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
  } finally {
    addon.close(native.client);
    for (const o of opened) if ('legs' in o) o.legs.close();
  }
}
