/**
 * A real ReflectorSession (simple-peer over @roamhq/wrtc) driven by an in-process client peer
 * on 127.0.0.1 host candidates, through a real relay on loopback (the session's data-channel
 * leg is relay-only; the relay may reach the client's 127.0.0.1): no sockets outside loopback,
 * no sleeps.
 */
import { networkInterfaces } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SignalData } from '../../../src/protocol/api.js';
import { PROBE_CHANNEL_LABEL } from '../../../src/protocol/channels.js';
import { CONSTANTS } from '../../../src/protocol/defaults.js';
import {
  decodeEcho,
  decodeReceipts,
  encodeProbe,
  parseControlMessage,
  type ControlMessage,
  type ReceiptRecord,
  type RelayWitness,
} from '../../../src/protocol/wire.js';
import { ReflectorSession } from '../../../server/reflector/session.js';
import { ReflectorSessionError, type ReflectorLogger } from '../../../server/reflector/session-base.js';
import { parseCandidate } from '../../../server/reflector/candidates.js';
import { startRtcClient, type RtcClient } from '../../kit/rtc.js';
import { collector, waitFor, type Collector } from '../../kit/wait.js';
import type { Relay } from '../../../server/turn/index.js';
import { reflectorRelayOn, startTestRelay } from '../turn/helpers/relay.js';
import { metricsText } from '../../kit/metrics.js';

const PAYLOAD = 160;
const CONNECT_MS = 15_000;

interface Harness {
  session: ReflectorSession;
  client: RtcClient;
  /** What the session sent to the page, in order. */
  toPage: SignalData[];
  /** The control messages the session sent the page: JSON ones, binary ones (receipts). */
  controlText: Collector<string>;
  controlBinary: Collector<Uint8Array>;
  /** Every allowEndpoint call, and how often its undo ran. */
  allowed: { ip: string; port: number; undone: number }[];
  closed: string[];
  logs: { level: string; msg: string; obj: object }[];
}

const open: Harness[] = [];
const SECRET = 'session-test-secret';
let relay: Relay;

beforeAll(async () => {
  relay = await startTestRelay({ secret: SECRET, allowPeers: ['127.0.0.1/32'], internalUdp: true });
});

afterAll(async () => {
  await relay.close();
});

afterEach(() => {
  for (const h of open.splice(0)) {
    h.session.close('test over');
    h.client.close();
  }
});

function start(o: { maxSessionMs?: number; relayWitness?: (ip: string, port: number) => RelayWitness | null } = {}): Harness {
  const logs: Harness['logs'] = [];
  const logger: ReflectorLogger = {
    info: (obj, msg) => logs.push({ level: 'info', msg, obj }),
    warn: (obj, msg) => logs.push({ level: 'warn', msg, obj }),
    debug: (obj, msg) => logs.push({ level: 'debug', msg, obj }),
  };
  const toPage: SignalData[] = [];
  const controlText = collector<string>();
  const controlBinary = collector<Uint8Array>();
  const allowed: Harness['allowed'] = [];
  const closed: string[] = [];
  let client: RtcClient | null = null;
  const session = new ReflectorSession({
    id: 'test',
    peerAddress: '127.0.0.1',
    payloadBytes: PAYLOAD,
    receiptIntervalMs: 20,
    maxSessionMs: o.maxSessionMs ?? 60_000,
    offerTimeoutMs: CONSTANTS.signalling.offerTimeoutMs,
    connectTimeoutMs: CONSTANTS.signalling.connectTimeoutMs,
    maxCandidates: CONSTANTS.signalling.maxCandidatesPerSession,
    // The relay's relayed address; the kit's client signals loopback host candidates there too.
    relay: { addresses: ['127.0.0.1'], portRange: { min: 0, max: 0 } },
    onCandidateDropped: () => undefined,
    rtp: true,
    dataPath: 'native',
    logger,
    sendSignal: (data) => {
      toPage.push(data);
      client?.accept(data);
    },
    sendControl: (m) => {
      if (typeof m === 'string') controlText.push(m);
      else controlBinary.push(m);
    },
    relayServer: reflectorRelayOn(relay, SECRET)('test'),
    allowEndpoint: (ip, port) => {
      const entry = { ip, port, undone: 0 };
      allowed.push(entry);
      return () => entry.undone++;
    },
    onClose: (reason) => closed.push(reason),
    ...(o.relayWitness ? { relayWitness: o.relayWitness } : {}),
  });
  client = startRtcClient({ send: (data) => session.signal(data) });
  const h = { session, client, toPage, controlText, controlBinary, allowed, closed, logs };
  open.push(h);
  return h;
}

const probe = (seq: number, sendMs: number): Uint8Array => encodeProbe({ seq, sendMs }, new Uint8Array(PAYLOAD));

function sendProbe(h: Harness, bytes: Uint8Array): void {
  h.client.peer.send(bytes);
}

function controlMessages(h: Harness): ControlMessage[] {
  return h.controlText.items.map(parseControlMessage);
}

async function receipts(h: Harness, count: number): Promise<ReceiptRecord[]> {
  const all = (): ReceiptRecord[] => h.controlBinary.items.flatMap((b) => decodeReceipts(b));
  await waitFor(() => all().length >= count, { timeoutMs: 5000, what: `${count} receipts`, state: () => `${all().length} receipts` });
  return all();
}

async function finalTally(h: Harness): Promise<ControlMessage> {
  h.session.stop();
  return waitFor(() => controlMessages(h).find((m) => m.type === 'final'), {
    timeoutMs: 5000,
    what: 'the final tally',
    state: () => JSON.stringify(controlMessages(h)),
  });
}

describe('ReflectorSession', () => {
  it('answers an offer, trickles only its candidates on the relay and connects', async () => {
    const h = start();
    await h.client.connected(CONNECT_MS);
    expect(h.toPage[0]?.type).toBe('answer');
    expect(h.toPage[0]?.sdp).toMatch(/^v=0\r\n/);
    const trickled = h.toPage.flatMap((d) => (d.type === 'candidate' && d.candidate?.candidate ? [d.candidate.candidate] : []));
    expect(trickled.length).toBeGreaterThan(0);
    for (const line of trickled) expect(parseCandidate(line)).toMatchObject({ protocol: 'udp', address: '127.0.0.1', type: 'relay' });
    // Not the machine's other addresses either, as raddr (libwebrtc writes 0.0.0.0 there for a relay candidate).
    const others = Object.values(networkInterfaces())
      .flatMap((infos) => infos ?? [])
      .map((i) => i.address)
      .filter((a) => a !== '127.0.0.1');
    for (const line of trickled) for (const a of others) expect(`${line} `, a).not.toContain(` ${a} `);
    // The relayed addresses are the relay's own: it reaches them without an endpoint opened for them.
    expect(h.allowed).toEqual([]);
    // The leg reached the relay on its loopback listener, which no client is told of.
    const internal = relay.internalUdp;
    expect(internal?.address).toBe('127.0.0.1');
    expect(relay.listeners.some((l) => l.port === internal?.port)).toBe(false);
    expect(await metricsText((r) => relay.registerMetrics(r))).toMatch(
      new RegExp(`callprobe_turn_allocations_total\\{transport="udp",port="${internal?.port}"\\} [1-9]`),
    );
    // The session tells the page how it sees the probe channel.
    await h.controlText.atLeast(1, { timeoutMs: 5000, what: 'the channel message' });
    expect(controlMessages(h)[0]).toEqual({ type: 'channel', ordered: false, maxRetransmits: 0, label: PROBE_CHANNEL_LABEL });
  });

  it("answer SDP lists only UDP relay candidates on the relay's address, and none of the machine's other addresses", async () => {
    const h = start();
    await h.client.connected(CONNECT_MS);
    // simple-peer signals pc.localDescription, which lists the candidates gathered so far: the
    // session rebuilds it (signalled-sdp.test.ts has the rebuild of a description that lists them all).
    const sdp = h.toPage[0]?.sdp ?? '';
    const candidates = sdp.split('\r\n').filter((l) => l.startsWith('a=candidate:'));
    for (const line of candidates) expect(parseCandidate(line.slice(2))).toMatchObject({ protocol: 'udp', address: '127.0.0.1', type: 'relay' });
    const others = Object.values(networkInterfaces())
      .flatMap((infos) => infos ?? [])
      .map((i) => i.address)
      .filter((a) => a !== '127.0.0.1');
    for (const a of others) expect(sdp, a).not.toContain(` ${a}`);
    expect(sdp.split('\r\n').filter((l) => l.startsWith('c='))).toEqual(['c=IN IP4 0.0.0.0']);
  });

  it('echoes each probe with its own downstream numbering, reports receipts, and the tally after stop', async () => {
    const h = start();
    await h.client.connected(CONNECT_MS);
    const sent = [
      { seq: 5, sendMs: 1000.5 },
      { seq: 9, sendMs: 1020.25 },
      { seq: 9, sendMs: 1020.25 }, // a duplicate: echoed and counted again
      { seq: 12, sendMs: 1080 },
    ];
    for (const p of sent) sendProbe(h, probe(p.seq, p.sendMs));
    const echoes = (await h.client.data.atLeast(sent.length, { timeoutMs: 5000, what: 'four echoes' })).map(decodeEcho);
    // Downstream numbering is the reflector's own: 0..n-1 in the order it echoed.
    expect(echoes.map((e) => e.downSeq).sort()).toEqual([0, 1, 2, 3]);
    for (const e of echoes) {
      expect(e.upReceived).toBe(e.downSeq + 1);
      expect(e.reflectorSendMs).toBeGreaterThanOrEqual(e.reflectorRecvMs);
    }
    expect(echoes.map((e) => `${e.upSeq}@${e.clientSendMs}`).sort()).toEqual(sent.map((p) => `${p.seq}@${p.sendMs}`).sort());

    const records = await receipts(h, sent.length);
    expect(records).toHaveLength(sent.length);
    for (const e of echoes) {
      expect(records.find((r) => r.downSeq === e.downSeq)).toMatchObject({
        upSeq: e.upSeq,
        reflectorRecvMs: e.reflectorRecvMs,
        reflectorSendMs: e.reflectorSendMs,
      });
    }

    expect(await finalTally(h)).toEqual({ type: 'final', upReceived: 4, upDuplicates: 1, downSent: 4 });
    const types = controlMessages(h).map((m) => m.type);
    expect(types.slice(-2)).toEqual(['rtp-stats', 'final']);
    // Receipts are flushed before the tally on the ordered channel: nothing is reported after it.
    expect(h.controlBinary.items.flatMap((b) => decodeReceipts(b))).toHaveLength(sent.length);
  });

  it("asks the relay's witness only about the RTP leg's endpoints: a session without one has no witness in its tally", async () => {
    const asked: string[] = [];
    const h = start({
      relayWitness: (ip, port) => {
        asked.push(`${ip}:${port}`);
        return null;
      },
    });
    await h.client.connected(CONNECT_MS);
    sendProbe(h, probe(1, 10));
    await h.client.data.atLeast(1, { timeoutMs: 5000, what: 'one echo' });
    expect(await finalTally(h)).toEqual({ type: 'final', upReceived: 1, upDuplicates: 0, downSent: 1 });
    expect(asked).toEqual([]);
  });

  it('drops datagrams that are not probes, counts them, and echoes nothing for them', async () => {
    const h = start();
    await h.client.connected(CONNECT_MS);
    const echoKind = probe(1, 0).slice();
    echoKind[3] = 2; // an echo sent back at the reflector
    for (const junk of [new Uint8Array(PAYLOAD), new Uint8Array(4), echoKind]) sendProbe(h, junk);
    sendProbe(h, probe(77, 5));
    await waitFor(() => h.session.badProbeCount === 3, { timeoutMs: 5000, what: 'three dropped datagrams', state: () => `${h.session.badProbeCount} dropped` });
    const echoes = await h.client.data.atLeast(1, { timeoutMs: 5000, what: 'the echo of probe 77' });
    expect(decodeEcho(echoes[0] ?? new Uint8Array()).upSeq).toBe(77);
    expect(await finalTally(h)).toEqual({ type: 'final', upReceived: 1, upDuplicates: 0, downSent: 1 });
    expect(h.client.data.items).toHaveLength(1);
    expect(
      h.logs
        .filter((l) => l.msg === 'bad probe dropped')
        .map((l) => (l.obj as { reason: string }).reason)
        .sort(),
    ).toEqual(['too-short', 'bad-magic', 'unexpected-kind'].sort());
  });

  it('closes itself after maxSessionMs, once', async () => {
    const h = start({ maxSessionMs: 1000 });
    await waitFor(() => h.toPage.some((d) => d.type === 'answer'), { timeoutMs: 1000, what: 'the answer' });
    expect(h.closed).toEqual([]);
    await waitFor(() => h.closed.length > 0, { timeoutMs: 5000, what: 'the session to close at its maximum length' });
    expect(h.closed).toEqual(['session outlived its maximum length']);
    // Closing again (the signaling socket closes after) changes nothing.
    h.session.close('signaling closed');
    expect(h.closed).toHaveLength(1);
  });

  it('refuses a candidate message without a candidate and ignores signals once closed', () => {
    const h = start();
    expect(() => h.session.signal({ type: 'candidate' })).toThrow(ReflectorSessionError);
    h.session.close('test');
    expect(() => h.session.signal({ type: 'candidate' })).not.toThrow();
    expect(h.closed).toEqual(['test']);
  });
});
