import { DEFAULT_PAYLOAD_BYTES, encodeProbe, parseControlMessage } from '../probe/wire.js';
import type { ServerConfig, SignalData, TurnServerEntry } from '../probe/api.js';
import type { AnalysisInput, ProfileSelection, TestMode, TestTimings } from '../report/input.js';
import type { Report } from '../report/schema.js';
import { analyze } from '../report/analyze.js';
import { fetchServerConfig, iceServerFor } from '../net/config.js';
import { SetupError } from '../net/errors.js';
import { createPeer, type PeerLink } from '../net/peer.js';
import { SignalingClient } from '../net/signaling.js';
import { loadSimplePeer } from '../net/simple-peer.js';
import { Pacer } from '../pacer/pacer.js';
import { SentLog } from '../collect/sent-log.js';
import { ReflectorCollector } from '../collect/reflector-collector.js';
import { LoopCollector } from '../collect/loop-collector.js';
import type { LiveFigures } from '../collect/live.js';
import { StatsSampler } from '../stats/sampler.js';
import { lossTimeoutMs, pickTurnEntry, probeRatePps } from './plan.js';
import { checkPorts, type PortCheck } from '../net/port-check.js';
import { openAudio, type AudioChoice } from './audio.js';
import { PageWatch } from './visibility.js';

export type Phase = 'config' | 'connecting' | 'streaming' | 'draining' | 'analyzing' | 'done';

export interface RunOptions {
  /** Origin of the callprobe server (the page's own origin by default). */
  baseUrl: string;
  durationS: number;
  profile: ProfileSelection;
  mode: 'auto' | TestMode;
  /** Relay transport/port to test through (`?turn=udp:3479`), null = UDP first. */
  turnPick: { transport: TurnServerEntry['transport']; port: number | null } | null;
  /** A TURN server that is not callprobe's (`callprobe run --turn`): loopback mode. */
  override: Pick<ServerConfig, 'turn' | 'username' | 'credential'> | null;
  audio: AudioChoice;
  signal: AbortSignal;
  version: string;
}

export interface RunEvents {
  phase(phase: Phase, detail: string): void;
  live(figures: LiveFigures): void;
}

/** Probes are dropped at the sender (and counted) rather than queued behind a full SCTP buffer. */
const MAX_BUFFERED_BYTES = 64 * 1024;
const CONNECT_TIMEOUT_MS = 15_000;
const FINAL_TIMEOUT_MS = 5_000;

/** Runs one test end to end and returns its graded report. Throws SetupError when it cannot test. */
export async function runTest(opts: RunOptions, events: RunEvents): Promise<Report> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const timings: TestTimings = { config: null, relayChosen: null, connected: null, firstPacket: null, streamEnd: null, verdict: null };
  const mark = (step: keyof TestTimings): void => {
    timings[step] ??= performance.now() - t0;
  };
  events.phase('config', 'asking the server for a relay');
  const cfg = opts.override ?? (await fetchServerConfig(opts.baseUrl));
  mark('config');
  events.phase('config', `checking relay ports ${cfg.turn.map((t) => `${t.transport}/${t.port}`).join(', ')}`);
  const portChecks = cfg.turn.map((t) => checkPorts([t], cfg).then((r) => r[0] as PortCheck));
  const entry = await chooseEntry(cfg.turn, portChecks, opts.turnPick);
  mark('relayChosen');
  const reflectorPath = opts.override ? null : (cfg as ServerConfig).reflectorPath;
  const mode: TestMode = opts.mode === 'loopback' || !reflectorPath ? 'loopback' : 'reflector';
  if (opts.mode === 'reflector' && mode !== 'reflector') throw new SetupError('reflector-error', 'this server has no reflector');

  const ratePps = probeRatePps(opts.profile);
  const intervalMs = 1000 / ratePps;
  const count = Math.round(opts.durationS * ratePps);
  const payloadBytes = DEFAULT_PAYLOAD_BYTES;
  const iceServers = [iceServerFor(entry, cfg)];

  events.phase('connecting', `${mode === 'reflector' ? 'reflector' : 'in-page loop'} via ${entry.url}`);
  const [SimplePeer, audio] = await Promise.all([loadSimplePeer(), openAudio(opts.audio)]);
  const stream = audio.stream ?? undefined;
  const links: PeerLink[] = [];
  let signaling: SignalingClient | null = null;
  try {
    let sender: PeerLink;
    let receiver: PeerLink;
    if (mode === 'reflector' && reflectorPath) {
      let accept: (d: SignalData) => void = () => undefined;
      let signalingError: SetupError | null = null;
      signaling = new SignalingClient(
        wsUrl(opts.baseUrl, reflectorPath),
        (d) => accept(d),
        (err) => {
          signalingError = err;
        },
      );
      const sc = signaling;
      const p = createPeer({ SimplePeer, initiator: true, iceServers, sendSignal: (d) => sc.send(d), withControl: true, stream, timeoutMs: CONNECT_TIMEOUT_MS, signal: opts.signal });
      accept = p.accept;
      try {
        sender = await p.ready;
      } catch (err) {
        throw signalingError ?? err;
      }
      receiver = sender;
      links.push(sender);
    } else {
      let accept1: (d: SignalData) => void = () => undefined;
      let accept2: (d: SignalData) => void = () => undefined;
      const p1 = createPeer({ SimplePeer, initiator: true, iceServers, sendSignal: (d) => accept2(d), withControl: false, stream, timeoutMs: CONNECT_TIMEOUT_MS, signal: opts.signal });
      const p2 = createPeer({ SimplePeer, initiator: false, iceServers, sendSignal: (d) => accept1(d), withControl: false, timeoutMs: CONNECT_TIMEOUT_MS, signal: opts.signal });
      accept1 = p1.accept;
      accept2 = p2.accept;
      [sender, receiver] = await Promise.all([p1.ready, p2.ready]);
      links.push(sender, receiver);
    }

    mark('connected');
    const sent = new SentLog(count);
    const reflector = mode === 'reflector' ? new ReflectorCollector(sent) : null;
    const loop = mode === 'loopback' ? new LoopCollector(sent) : null;
    let channelSeenByReflector: { ordered: boolean; maxRetransmits: number | null } | null = null;
    let finalArrived: () => void = () => undefined;
    const final = new Promise<void>((resolve) => {
      finalArrived = resolve;
    });
    let controlError: string | null = null;
    if (reflector) {
      receiver.peer.on('data', (chunk: Uint8Array) => {
        reflector.onEcho(chunk, performance.now());
        mark('firstPacket');
      });
      receiver.control?.addEventListener('message', (ev: MessageEvent<string | ArrayBuffer>) => {
        try {
          if (typeof ev.data === 'string') {
            const msg = parseControlMessage(ev.data);
            if (msg.type === 'final') {
              reflector.onFinal(msg);
              finalArrived();
            } else if (msg.type === 'channel') channelSeenByReflector = msg;
          } else {
            reflector.onReceipts(new Uint8Array(ev.data));
          }
        } catch (err) {
          controlError = (err as Error).message;
        }
      });
    } else if (loop) {
      receiver.peer.on('data', (chunk: Uint8Array) => {
        loop.onProbe(chunk, performance.now());
        mark('firstPacket');
      });
    }

    const stats = new StatsSampler(sender.pc, audio.source, mode === 'loopback' ? receiver.pc : null);
    stats.start();
    const watch = new PageWatch();
    watch.start();

    events.phase('streaming', `${ratePps} probes/s of ${payloadBytes} bytes for ${opts.durationS} s`);
    const probeBuf = new Uint8Array(payloadBytes);
    const channel = sender.probe;
    const streamStartMs = performance.now();
    const collector = reflector ?? loop;
    if (!collector) throw new Error('no collector');
    let timeoutMs = 1000;
    const liveTimer = setInterval(() => {
      events.live(collector.liveFigures(performance.now(), streamStartMs, timeoutMs));
    }, 500);
    const pacer = new Pacer({
      intervalMs,
      count,
      onTick: (index, scheduledMs, missedBefore) => {
        if (missedBefore > 0) sent.recordMissed(missedBefore);
        const buffered = channel.bufferedAmount;
        if (buffered > MAX_BUFFERED_BYTES || channel.readyState !== 'open') {
          sent.recordDropped(buffered);
          return;
        }
        const sendMs = performance.now();
        encodeProbe({ seq: sent.wireSeq(index), sendMs }, probeBuf);
        channel.send(probeBuf);
        sent.recordSent(index, sendMs, scheduledMs, buffered);
      },
    });
    const abort = (): void => pacer.stop();
    opts.signal.addEventListener('abort', abort);
    const pacing = await pacer.done;
    mark('streamEnd');
    opts.signal.removeEventListener('abort', abort);
    if (opts.signal.aborted) throw new SetupError('cancelled', 'test cancelled');

    timeoutMs = lossTimeoutMs(collector.rttValues());
    events.phase('draining', `waiting ${Math.round(timeoutMs)} ms for late packets`);
    const waitUntil = (Number.isNaN(sent.lastSendMs) ? performance.now() : sent.lastSendMs) + timeoutMs;
    await delay(Math.max(0, waitUntil - performance.now()), opts.signal);
    if (reflector) {
      receiver.control?.send(JSON.stringify({ type: 'stop' }));
      await Promise.race([final, delay(FINAL_TIMEOUT_MS, opts.signal)]);
    }
    clearInterval(liveTimer);
    events.live(collector.liveFigures(performance.now(), streamStartMs, timeoutMs));
    await stats.stop();
    // A change of the selected path marks one second either side of it.
    const suspect = [
      ...watch.stop(),
      ...stats.pathChangeTimesMs.map((t) => ({ startMs: t - 1000, endMs: t + 1000, reason: 'path-change' as const })),
    ];

    events.phase('analyzing', 'grading');
    const notes: string[] = [];
    if (controlError) notes.push(`control channel: ${controlError}`);
    notes.push(`pacing by ${pacing.method}`);
    const base: Omit<AnalysisInput, 'up' | 'down' | 'loop' | 'roundTrip'> = {
      meta: {
        callprobeVersion: opts.version,
        browser: navigator.userAgent,
        startedAt,
        server: opts.override ? entry.url : opts.baseUrl,
        mode,
        profile: opts.profile,
        ratePps,
        payloadBytes,
        durationS: opts.durationS,
        path: stats.path(),
        ports: await Promise.all(portChecks),
        timingsMs: timings,
        channel: { ordered: channel.ordered, maxRetransmits: channel.maxRetransmits },
      },
      lossTimeoutMs: timeoutMs,
      sender: sent.diagnostics(),
      stats: stats.opinion(),
      pageHidden: watch.everHidden,
    };
    const channelNote = channelSeenByReflector as { ordered: boolean; maxRetransmits: number | null } | null;
    if (channelNote && (channelNote.ordered || channelNote.maxRetransmits !== 0)) {
      notes.push(`the reflector saw the probe channel as ordered=${channelNote.ordered} maxRetransmits=${channelNote.maxRetransmits}`);
    }
    let input: AnalysisInput;
    if (reflector) {
      const b = reflector.build(suspect, intervalMs);
      notes.push(...b.notes);
      input = { ...base, up: b.up, down: b.down, loop: null, roundTrip: b.roundTrip };
    } else if (loop) {
      const b = loop.build(suspect, intervalMs);
      notes.push(...b.notes);
      input = { ...base, up: null, down: null, loop: b.loop, roundTrip: b.roundTrip };
    } else {
      throw new Error('no collector');
    }
    const report = analyze(input);
    mark('verdict');
    report.meta.timingsMs = { ...timings };
    report.diagnostics.notes = [...(report.diagnostics.notes ?? []), ...notes];
    events.phase('done', report.summary.verdict);
    return report;
  } finally {
    for (const l of links) l.close();
    signaling?.close();
    audio.stop();
  }
}

/**
 * The relay entry to test through: the one asked for, else the first reachable of UDP, TCP,
 * TLS in that order. Waits only as long as needed: a reachable UDP port ends the wait.
 */
async function chooseEntry(
  entries: readonly TurnServerEntry[],
  checks: Promise<PortCheck>[],
  wanted: RunOptions['turnPick'],
): Promise<TurnServerEntry> {
  const picked = pickTurnEntry(entries, wanted);
  if (wanted) {
    if (!picked) throw new SetupError('relay-unreachable', `the server offers no relay on ${wanted.transport}${wanted.port ? `/${wanted.port}` : ''}`);
    const check = await checks[entries.indexOf(picked)];
    if (check && !check.reachable) throw new SetupError('relay-unreachable', `the relay on ${picked.url} is not reachable: ${check.error}`);
    return picked;
  }
  for (const transport of ['udp', 'tcp', 'tls'] as const) {
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e?.transport !== transport) continue;
      const check = await checks[i];
      if (check?.reachable) return e;
    }
  }
  const results = await Promise.all(checks);
  throw new SetupError('relay-unreachable', `no relay port answered: ${results.map((r) => `${r.transport}/${r.port} ${r.error}`).join('; ')}`);
}

function wsUrl(baseUrl: string, path: string): string {
  const u = new URL(path, baseUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
