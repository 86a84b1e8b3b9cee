import SimplePeer from 'simple-peer';
import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';
import { DEFAULT_PAYLOAD_BYTES } from '../../src/protocol/wire.js';
import type { ServerConfig } from '../../src/protocol/api.js';
import type { AnalysisInput, ProfileSelection, TestTimings } from '../../src/analysis/schema/input.js';
import type { Report } from '../../src/analysis/schema/report-schema.js';
import { analyze } from '../../src/analysis/report/analyze.js';
import { iceServerFor } from '../../src/session/net/config.js';
import type { SimplePeerCtor, WrtcImpl } from '../../src/session/net/simple-peer.js';
import type { WebSocketCtor } from '../../src/session/net/signaling.js';
import { pickTurnEntry, probeCount, probeRatePps } from '../../src/session/plan.js';
import { connectLinks, wsUrl } from '../../src/session/connect.js';
import { streamProbes } from '../../src/session/probe-stream.js';
import { TimerPacer } from './timer-pacer.js';

export interface NodeClientOptions {
  baseUrl: string;
  durationS: number;
  profile: ProfileSelection;
  signal: AbortSignal;
}

/**
 * A light test client for load tests: the page's probe protocol (same connection, stream,
 * collectors and analysis) run in Node over @roamhq/wrtc, with no browser and no getStats.
 */
export async function runNodeClient(o: NodeClientOptions): Promise<Report> {
  const t0 = performance.now();
  const timings: TestTimings = { config: null, relayChosen: null, connected: null, firstPacket: null, streamEnd: null, verdict: null };
  const mark = (step: keyof TestTimings): void => {
    timings[step] ??= performance.now() - t0;
  };
  const startedAt = new Date().toISOString();
  const res = await fetch(new URL('/api/config', o.baseUrl));
  if (!res.ok) throw new Error(`GET /api/config answered ${res.status}`);
  const cfg = (await res.json()) as ServerConfig;
  mark('config');
  const entry = pickTurnEntry(cfg.turn, { transport: 'udp', port: null });
  if (!entry || !cfg.reflectorPath) throw new Error('the server offers no UDP relay or no reflector');
  mark('relayChosen');
  const ratePps = probeRatePps(o.profile);
  const intervalMs = 1000 / ratePps;
  const links = await connectLinks({
    mode: 'reflector',
    SimplePeer: SimplePeer as unknown as SimplePeerCtor,
    iceServers: [iceServerFor(entry, cfg)],
    signalingUrl: wsUrl(o.baseUrl, cfg.reflectorPath),
    timeoutMs: 15_000,
    signal: o.signal,
    wrtc: wrtc as unknown as WrtcImpl,
    WebSocketImpl: WebSocket as unknown as WebSocketCtor,
  });
  try {
    mark('connected');
    const outcome = await streamProbes({
      mode: 'reflector',
      sender: links.sender,
      receiver: links.receiver,
      count: probeCount(o.durationS, ratePps),
      intervalMs,
      payloadBytes: DEFAULT_PAYLOAD_BYTES,
      createPacer: (p) => new TimerPacer(p),
      signal: o.signal,
      phase: () => undefined,
      live: () => undefined,
      mark,
    });
    const records = outcome.build([]);
    const input: AnalysisInput = {
      meta: {
        callprobeVersion: 'node-client',
        browser: `node ${process.version} @roamhq/wrtc`,
        startedAt,
        server: o.baseUrl,
        mode: 'reflector',
        profile: o.profile,
        ratePps,
        payloadBytes: DEFAULT_PAYLOAD_BYTES,
        durationS: o.durationS,
        path: { transport: entry.transport, port: entry.port, candidateType: 'relay', changes: 0 },
        ports: [],
        timingsMs: timings,
        channel: { ordered: links.sender.probe.ordered, maxRetransmits: links.sender.probe.maxRetransmits },
      },
      up: records.up,
      down: records.down,
      loop: null,
      roundTrip: records.roundTrip,
      lossTimeoutMs: outcome.lossTimeoutMs,
      sender: outcome.sender,
      stats: null,
      pageHidden: false,
      notes: [...outcome.notes, ...records.notes],
    };
    const report = analyze(input);
    mark('verdict');
    report.meta.timingsMs = { ...timings };
    return report;
  } finally {
    links.close();
  }
}
