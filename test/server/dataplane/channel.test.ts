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

  it("carries the plane's lateness report with its CPU, and drops one whose CPU is negative", async () => {
    const [hostSide, planeSide] = carrierPair();
    const events: PlaneEvent[] = [];
    const bad: string[] = [];
    hostEnd(
      hostSide,
      (e) => events.push(e),
      (p) => bad.push(p),
    );
    planeSide.send?.({ type: 'loop-late', lateMs: [1], cpuMs: 12.5 });
    planeSide.send?.({ type: 'loop-late', lateMs: [1], cpuMs: -1 });
    await settle();
    expect(events).toEqual([{ type: 'loop-late', lateMs: [1], cpuMs: 12.5 }]);
    expect(bad).toEqual([expect.stringMatching(/^loop-late: \/cpuMs/)]);
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

  it("keeps the plane's CPU of its last report (/metrics: callprobe_dataplane_cpu_ms_per_second)", () => {
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
  });
});
