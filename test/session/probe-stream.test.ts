/**
 * The probe stream in reflector mode against the server's own Sans-IO reflector core, in this
 * process: the page's probe channel and control port are fakes that hand datagrams and control
 * messages to a ReflectorCore and back. A page that cannot send the final `stop` or whose
 * browser refuses a probe's send must never turn the stream's evidence into an error: the tally
 * is cut at the last receipt and graded, the probe counts as dropped at the sender.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/report/analyze.js';
import { encodeControlMessage } from '../../src/protocol/wire.js';
import type { PeerLink } from '../../src/session/net/peer.js';
import type { ControlData, ControlPort } from '../../src/session/net/signaling.js';
import type { SimplePeerInstance } from '../../src/session/net/simple-peer.js';
import type { PacerLike, PacerOptions, PacerResult } from '../../src/session/pacer/types.js';
import { streamProbes, type StreamOutcome } from '../../src/session/probe-stream.js';
import { ReflectorCore } from '../../server/reflector/core.js';

/** Every tick in order, one per macrotask: the stream's logic is under test, not the machine's timers. */
class StepPacer implements PacerLike {
  readonly done: Promise<PacerResult>;
  constructor(o: PacerOptions) {
    this.done = (async () => {
      for (let i = 0; i < o.count; i++) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        o.onTick(i, performance.now(), 0);
      }
      return { method: 'timer' as const, missedTicks: 0 };
    })();
  }
  stop(): void {}
}

interface Refusals {
  /** The control port throws on the `stop`. */
  stop?: boolean;
  /** These probe indexes' sends throw. */
  probes?: ReadonlySet<number>;
}

/** The page's link to a ReflectorCore: probes echo at once, receipts follow every 10 probes, `stop` gets `final`. */
function linkToReflector(refuse: Refusals): { link: PeerLink; control: ControlPort } {
  const core = new ReflectorCore();
  const dataListeners: Array<(chunk: Uint8Array) => void> = [];
  let listener: (data: ControlData) => void = () => undefined;
  const toPage = (data: ControlData): void => listener(data);
  const receipts = (): void => {
    const batch = core.flush();
    if (batch) toPage(batch.slice());
  };
  const control: ControlPort = {
    ended: false,
    onMessage: (l) => {
      listener = l;
    },
    stop: () => {
      if (refuse.stop) throw new Error('the signalling socket is closed: the stop cannot be sent');
      receipts();
      toPage(encodeControlMessage(core.final()));
    },
  };
  let sent = 0;
  const probe = {
    readyState: 'open',
    ordered: false,
    maxRetransmits: 0,
    bufferedAmount: 0,
    send: (bytes: Uint8Array) => {
      const index = sent++;
      if (refuse.probes?.has(index)) throw new DOMException('Failure to send data', 'OperationError');
      const echo = core.onProbe(bytes, performance.now(), () => performance.now()).slice();
      for (const l of dataListeners) l(echo);
      if (sent % 10 === 0) receipts();
    },
  };
  const peer = {
    on: (event: string, listener: (chunk: Uint8Array) => void) => {
      if (event === 'data') dataListeners.push(listener);
      return peer;
    },
  } as unknown as SimplePeerInstance;
  return {
    link: { peer, pc: {} as RTCPeerConnection, probe: probe as unknown as RTCDataChannel, close: () => undefined },
    control,
  };
}

async function stream(refuse: Refusals, count = 50): Promise<StreamOutcome> {
  const { link, control } = linkToReflector(refuse);
  return streamProbes({
    mode: 'reflector',
    sender: link,
    receiver: link,
    control,
    count,
    intervalMs: 10,
    payloadBytes: 100,
    createPacer: (o) => new StepPacer(o),
    signal: new AbortController().signal,
    phase: () => undefined,
    live: () => undefined,
    mark: () => undefined,
  });
}

const meta = {
  callprobeVersion: 'test',
  browser: 'test',
  startedAt: new Date(0).toISOString(),
  server: 'http://reflector.test',
  mode: 'reflector' as const,
  profile: { id: 'client-to-edge' as const },
  ratePps: 100,
  payloadBytes: 100,
  durationS: 0.5,
  channel: { ordered: false, maxRetransmits: 0 },
  site: null,
  ticket: null,
};

describe('streamProbes in reflector mode, against the reflector core', () => {
  it('with the final tally: every probe echoed, nothing cut', async () => {
    const out = await stream({});
    expect(out.connectionLost).toBeNull();
    const r = out.build([]);
    expect(r.up?.sent).toHaveLength(50);
    expect(r.up?.arrivals).toHaveLength(50);
    expect(r.notes.join(' ')).not.toMatch(/evidence cut/);
    // The views outside the page: every probe's hold, every arrival in a bin; a data-channel echo has no receiveTime.
    expect(r.views.reflectorHoldMs).toHaveLength(50);
    expect(r.views.upArrivalBins?.reduce((n, b) => n + b.packets, 0)).toBe(50);
    expect(r.views.receiveLagMs).toEqual([]);
  });

  it('a stop the browser refuses: no connection-lost, the evidence cut at the last receipt and graded, said in a note', async () => {
    const out = await stream({ stop: true }, 55);
    expect(out.connectionLost).toBeNull();
    expect(out.notes).toContain(
      "the browser could not send the stop on the signalling socket (Error: the signalling socket is closed: the stop cannot be sent): no final tally, so the evidence ends at the reflector's last receipt",
    );
    const r = out.build([]);
    // Receipts came every 10 probes: the last five were never receipted, so they are left out, not lost.
    expect(r.up?.sent).toHaveLength(50);
    expect(r.up?.arrivals).toHaveLength(50);
    expect(r.notes).toContain("evidence cut at the reflector's last receipt: after probe 49 and echo 49");
    const report = analyze({
      meta,
      connectivity: [],
      path: { transport: 'udp', port: 3478, candidateType: 'relay', family: 'ipv4', changes: 0 },
      setupMs: { config: null, allocation: null, iceConnected: null, dtls: null, channelOpen: null, firstEcho: null },
      lastProbeMs: null,
      outcome: out.connectionLost,
      probe: { path: 'datachannel', reason: 'test' },
      compare: null,
      nat: null,
      witness: null,
      up: r.up,
      down: r.down,
      loop: null,
      roundTrip: r.roundTrip,
      lossTimeoutMs: out.lossTimeoutMs,
      sender: out.sender,
      stats: null,
      pageHidden: false,
      notes: [...out.notes, ...r.notes],
    });
    expect(report.outcome).toBeNull();
    expect(report.summary.upstream?.lossPct).toBe(0);
    expect(report.grades.find((g) => g.target === 'latency-rtt')?.status).toBe('pass');
  });

  it('a probe send the browser refuses is dropped at the sender, counted, said once, never network loss', async () => {
    const out = await stream({ probes: new Set([3, 4, 20]) });
    expect(out.sender.droppedAtSender).toBe(3);
    expect(out.notes.filter((n) => n.startsWith('the browser refused to send a probe'))).toEqual([
      'the browser refused to send a probe (OperationError: Failure to send data): such probes count as dropped at the sender',
    ]);
    const r = out.build([]);
    expect(r.up?.sent).toHaveLength(47);
    expect(r.up?.arrivals).toHaveLength(47);
  });
});
