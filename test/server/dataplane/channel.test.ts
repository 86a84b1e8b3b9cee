/**
 * The data plane's channel and its session router, without processes: every message is checked
 * against its schema on receipt (a mismatch is named and never delivered), sessions' events go
 * to their session by id, and a plane that stops ends every session it held as the server's
 * failure. And a restart binds the ports the first start was given by the OS.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { hostEnd, planeEnd, type IpcCarrier } from '../../../server/dataplane/channel.js';
import { SessionRouter, type SessionEvents } from '../../../server/dataplane/sessions.js';
import { boundPorts } from '../../../server/dataplane/host.js';
import type { PlaneCommand, PlaneEvent, RelayStart, SessionTally } from '../../../server/common/data-plane.js';

/** Two ends of one in-memory carrier: what one sends, the other receives (as Node's IPC, JSON in between). */
function carrierPair(): [IpcCarrier, IpcCarrier] {
  const a = new EventEmitter();
  const b = new EventEmitter();
  const side = (me: EventEmitter, other: EventEmitter): IpcCarrier => ({
    connected: true,
    send: (m, cb) => {
      const copy: unknown = JSON.parse(JSON.stringify(m));
      queueMicrotask(() => other.emit('message', copy));
      cb?.(null);
      return true;
    },
    on: (e, l) => me.on(e, l),
    off: (e, l) => me.off(e, l),
  });
  return [side(a, b), side(b, a)];
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const TALLY: SessionTally = { probes: 3, rtpProbes: 0, badProbes: 0, witnessed: false };

describe('the channel', () => {
  it('delivers what matches its schema and names what does not, never delivering it', async () => {
    const [hostSide, planeSide] = carrierPair();
    const commands: PlaneCommand[] = [];
    const bad: string[] = [];
    planeEnd(
      planeSide,
      (c) => commands.push(c),
      (p) => bad.push(p),
    );
    const events: PlaneEvent[] = [];
    const host = hostEnd(
      hostSide,
      (e) => events.push(e),
      (p) => bad.push(p),
    );
    host.send({ type: 'open', session: 'a1b2c3d4' });
    host.send({ type: 'signal', session: 'a1b2c3d4', data: { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' } } });
    // Not a command: an unknown type, a signal without its data, a session id over its bound.
    hostSide.send?.({ type: 'reboot' });
    hostSide.send?.({ type: 'signal', session: 'a1b2c3d4' });
    hostSide.send?.({ type: 'close', session: 'x'.repeat(65), reason: 'r' });
    await settle();
    expect(commands.map((c) => c.type)).toEqual(['open', 'signal']);
    expect(bad).toEqual(['unknown message type "reboot"', expect.stringMatching(/^signal: \/data: /), expect.stringMatching(/^close: \/session: /)]);
    // And the other way: an event whose tally is missing is dropped.
    planeSide.send?.({ type: 'closed', session: 'a1b2c3d4', reason: 'over' });
    planeSide.send?.({ type: 'closed', session: 'a1b2c3d4', reason: 'over', tally: TALLY });
    await settle();
    expect(events).toEqual([{ type: 'closed', session: 'a1b2c3d4', reason: 'over', tally: TALLY }]);
    expect(bad).toHaveLength(4);
  });

  it("carries the relay's grants and witness between planes (serve --workers 2), checked as every message is", async () => {
    const [hostSide, planeSide] = carrierPair();
    const commands: PlaneCommand[] = [];
    const events: PlaneEvent[] = [];
    const bad: string[] = [];
    planeEnd(
      planeSide,
      (c) => commands.push(c),
      (p) => bad.push(p),
    );
    const host = hostEnd(
      hostSide,
      (e) => events.push(e),
      (p) => bad.push(p),
    );
    const stream = {
      ssrc: 7,
      packets: 300,
      paddingPackets: 0,
      expected: 300,
      lost: 0,
      lossPct: 0,
      duplicates: 0,
      reordered: 0,
      jitterMs: 0.2,
      ipdvMeanAbsMs: 0.1,
      maxIpdvMs: 3,
      ssrcs: 1,
    };
    const witness = { source: 'relay' as const, upstream: stream, downstream: null };
    const loop = { binMs: 200, bins: [[1_795_000_000_000.5, 12] as [number, number]] };
    host.send({ type: 'relay-grant', owner: 1, grant: 0, ip: '127.0.0.1', port: 40000 });
    host.send({ type: 'relay-ungrant', owner: 1, grant: null });
    host.send({ type: 'relay-witness?', id: 3, endpoints: [{ ip: '127.0.0.1', port: 40000 }], fromEpochMs: 1, toEpochMs: 2 });
    host.send({ type: 'relay-answer', id: 4, witness, loop });
    planeSide.send?.({ type: 'relay-witness', id: 3, witness, loop: null });
    planeSide.send?.({ type: 'relay-ask', id: 4, endpoints: [], fromEpochMs: 1, toEpochMs: 2 });
    planeSide.send?.({ type: 'loop-late', lateMs: [1], cpuMs: 12.5 });
    // A witness without its counts, and a grant of another plane's index out of range, are not carried.
    planeSide.send?.({ type: 'relay-witness', id: 5, witness: { source: 'relay', upstream: {}, downstream: null }, loop: null });
    hostSide.send?.({ type: 'relay-grant', owner: 99, grant: 0, ip: '127.0.0.1', port: 1 });
    // An allocation moved between planes, its answer and its port given back; one with a channel number out of range is not carried.
    const allocation = {
      clientIp: '192.0.2.7',
      clientPort: 40001,
      listenerAddress: '0.0.0.0',
      listenerPort: 3478,
      username: '1795000000:ab12cd34',
      keyHex: '00112233445566778899aabbccddeeff',
      integrity: 'sha1' as const,
      family: 4 as const,
      relayIp: '198.51.100.1',
      relayPort: 50000,
      allocateTid: '0123456789abcdef01234567',
      lifetimeS: 600,
      expiresInMs: 599_000,
      responseHex: '0103',
      permissions: [{ ip: '198.51.100.1', expiresInMs: 299_000, cidrAllowed: false }],
      channels: [{ channel: 0x4001, peerIp: '198.51.100.1', peerPort: 60000, expiresInMs: 599_000 }],
    };
    planeSide.send?.({ type: 'relay-move', id: 1, to: 1, allocation });
    host.send({ type: 'relay-adopt', id: 1, allocation });
    planeSide.send?.({ type: 'relay-adopted', id: 1, ok: true });
    host.send({ type: 'relay-moved', id: 1, ok: true });
    planeSide.send?.({ type: 'relay-returned', family: 4, port: 50000 });
    host.send({ type: 'relay-return', owner: 1, family: null, port: null });
    host.send({ type: 'relay-forget' });
    planeSide.send?.({ type: 'relay-address', ip: '198.51.100.1', port: 60000, open: true });
    host.send({ type: 'relay-sibling', owner: 1, ip: '198.51.100.1', port: 60000, open: true });
    host.send({ type: 'relay-sibling', owner: 1, ip: null, port: null, open: false });
    hostSide.send?.({ type: 'relay-adopt', id: 2, allocation: { ...allocation, channels: [{ ...allocation.channels[0], channel: 0x8000 }] } });
    await settle();
    expect(commands.map((c) => c.type)).toEqual([
      'relay-grant',
      'relay-ungrant',
      'relay-witness?',
      'relay-answer',
      'relay-adopt',
      'relay-moved',
      'relay-return',
      'relay-forget',
      'relay-sibling',
      'relay-sibling',
    ]);
    expect(commands[3]).toEqual({ type: 'relay-answer', id: 4, witness, loop });
    expect(commands[4]).toEqual({ type: 'relay-adopt', id: 1, allocation });
    expect(events.map((e) => e.type)).toEqual(['relay-witness', 'relay-ask', 'loop-late', 'relay-move', 'relay-adopted', 'relay-returned', 'relay-address']);
    expect(bad).toEqual([
      expect.stringMatching(/^relay-witness: \/witness/),
      expect.stringMatching(/^relay-grant: \/owner/),
      expect.stringMatching(/^relay-adopt: \/allocation\/channels\/0\/channel/),
    ]);
  });
});

/** A session's events, recorded. */
function recorder(): SessionEvents & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    signal: (d) => void seen.push(`signal ${d.type}`),
    control: (text, binary) => void seen.push(`control ${binary ? 'binary' : text}`),
    refused: (reason) => void seen.push(`refused ${reason}`),
    dropped: (n) => void seen.push(`dropped ${n}`),
    closed: (reason, code) => void seen.push(`closed ${code ?? '-'} ${reason}`),
  };
}

describe('the session router', () => {
  it("sends a session's commands and hands each event to its own session, once it ended to none", () => {
    const sent: PlaneCommand[] = [];
    const router = new SessionRouter(
      (c) => sent.push(c) > 0,
      () => true,
    );
    const a = recorder();
    const b = recorder();
    const ha = router.open('a', a);
    router.open('b', b);
    ha?.signal({ type: 'offer', sdp: 'v=0' });
    expect(sent).toEqual([
      { type: 'open', session: 'a' },
      { type: 'open', session: 'b' },
      { type: 'signal', session: 'a', data: { type: 'offer', sdp: 'v=0' } },
    ]);
    router.receive({ type: 'signal', session: 'a', data: { type: 'answer', sdp: 'v=0' } });
    router.receive({ type: 'refused', session: 'b', reason: 'duplicate-offer', message: 'one offer per session' });
    router.receive({ type: 'dropped', session: 'a', count: 2 });
    router.receive({ type: 'closed', session: 'a', reason: 'peer closed', tally: TALLY });
    router.receive({ type: 'signal', session: 'a', data: { type: 'answer', sdp: 'v=0' } });
    expect(a.seen).toEqual(['signal answer', 'dropped 2', 'closed - peer closed']);
    expect(b.seen).toEqual(['refused duplicate-offer']);
    // A command for a session that ended is not sent.
    ha?.close('signaling closed');
    expect(sent).toHaveLength(3);
    expect(router.size).toBe(1);
  });

  it("ends every session as the server's failure when the plane stops, and opens none while no plane is there", () => {
    let up = true;
    const router = new SessionRouter(
      () => true,
      () => up,
    );
    const a = recorder();
    const b = recorder();
    router.open('a', a);
    router.open('b', b);
    up = false;
    expect(router.planeStopped("the server's data plane stopped")).toBe(2);
    expect(a.seen).toEqual(["closed plane-stopped the server's data plane stopped"]);
    expect(b.seen).toEqual(["closed plane-stopped the server's data plane stopped"]);
    expect(router.open('c', recorder())).toBeNull();
    expect(router.size).toBe(0);
  });

  it("keeps the plane's CPU of its last report (serve --workers 2 breaks ties with it)", () => {
    const router = new SessionRouter(
      () => true,
      () => true,
    );
    expect(router.cpuMs()).toBeNull();
    router.receive({ type: 'loop-late', lateMs: [0, 3], cpuMs: 41.5 });
    expect(router.cpuMs()).toBe(41.5);
    expect(router.loopLate()?.lateMs).toEqual([0, 3]);
    router.receive({ type: 'loop-late', lateMs: [0] });
    expect(router.cpuMs()).toBeNull();
  });

  it("closes every session in its plane and ends it as the server's failure when the relay's plane stops", () => {
    const sent: PlaneCommand[] = [];
    const router = new SessionRouter(
      (c) => sent.push(c) > 0,
      () => true,
    );
    const a = recorder();
    router.open('a', a);
    expect(router.relayStopped("the server's data plane stopped")).toBe(1);
    expect(sent.at(-1)).toEqual({ type: 'close', session: 'a', reason: "the server's data plane stopped" });
    expect(a.seen).toEqual(["closed plane-stopped the server's data plane stopped"]);
    // Its plane's `closed` afterwards reaches nobody; the plane still takes new sessions.
    router.receive({ type: 'closed', session: 'a', reason: 'x', tally: TALLY });
    expect(a.seen).toHaveLength(1);
    expect(router.open('b', recorder())).not.toBeNull();
  });
});

describe('a restart', () => {
  const relay: RelayStart = {
    listenHosts: ['127.0.0.1'],
    relayIp: '127.0.0.1',
    udpPorts: [0],
    tcpPorts: [0],
    tls: { port: 0, certPem: 'c', keyPem: 'k' },
    relayPortRange: { min: 0, max: 0 },
    realm: 'callprobe',
    secret: 's',
    allowPeers: [],
    quotas: { maxAllocationsPerUsername: 10, maxAllocationsPerSourceIp: 256, maxAllocationsTotal: 1000 },
    maxCredentialLifetimeS: null,
    internalUdp: true,
  };

  it('asks for the ports the first start was given by the OS, and keeps ports that were asked for by number', () => {
    const bound = [
      { transport: 'udp' as const, address: '127.0.0.1', port: 40001 },
      { transport: 'tcp' as const, address: '127.0.0.1', port: 40002 },
      { transport: 'tls' as const, address: '127.0.0.1', port: 40003 },
    ];
    expect(boundPorts(relay, bound)).toMatchObject({ udpPorts: [40001], tcpPorts: [40002], tls: { port: 40003, certPem: 'c' } });
    const fixed = { ...relay, udpPorts: [3478, 3479], tcpPorts: [3478], tls: null };
    expect(boundPorts(fixed, bound)).toBe(fixed);
    // The reflector's loopback listener too: the other planes reach the relay there (serve --workers 2).
    expect(boundPorts(relay, bound, { address: '127.0.0.1', port: 40004 })).toMatchObject({ udpPorts: [40001], internalUdpPort: 40004 });
    expect(boundPorts(fixed, bound, { address: '127.0.0.1', port: 40004 })).toEqual({ ...fixed, internalUdpPort: 40004 });
    expect(boundPorts({ ...fixed, internalUdp: false }, bound, null)).toEqual({ ...fixed, internalUdp: false });
  });
});
