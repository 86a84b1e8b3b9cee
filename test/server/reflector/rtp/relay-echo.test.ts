/**
 * The RTP probe leg end to end through a real `callprobe serve` (its relay and its
 * werift reflector): a Node client plays the page, with the data-channel leg (simple-peer over
 * @roamhq/wrtc: control channel) and the RTP leg (a werift RTCPeerConnection, relay-only ICE
 * through our TURN relay) on one signalling WebSocket. It sends stamped probe frames at
 * 100/s for 3 s; every probe must be echoed, the RTP receipts and `rtp-final` must arrive
 * on the control channel, and a decoy candidate the page signals outside the relay gets no
 * datagram. The serve process's CPU over the probe run is printed (docs/operate.md, The RTP probe leg).
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { RtpHeader, RtpPacket } from 'werift';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNAL_PROTOCOL_QUERY, type ServerConfig } from '../../../../src/protocol/api.js';
import type { ServerSignalMessage } from '../../../../src/protocol/api-signal.js';
import { decodeRtpEcho, encodeRtpProbe, type RtpEcho } from '../../../../src/protocol/rtp-probe.js';
import { openPageLegs } from '../../../../bench/lib/page-legs.js';
import { parseCandidate } from '../../../../server/reflector/candidates.js';
import { freePorts, processTree, udpSocketsOfTree } from '../../../kit/net.js';
import { nextEvent, waitFor } from '../../../kit/wait.js';
import { paced } from '../../../kit/pace.js';
import { serveProcess, type ServeProcess } from '../../../kit/callprobe.js';

// Outside the kit's freePorts (20000-29999) and the OS ephemeral range (32768-60999).
const RELAY_RANGE = { min: 31500, max: 31999 };
const PROBES = 300;
const INTERVAL_MS = 10;
const CLK_TCK = 100;
/** RTP sequence numbers the page skips halfway (its probes stay numbered without a gap). */
const GAP = 3; // USER_HZ on Linux (sysconf(_SC_CLK_TCK)), the unit of /proc/<pid>/stat times

let server: ServeProcess;
let decoy: { socket: dgram.Socket; port: number; hits: number };
const closers: (() => void)[] = [];

/** The local addresses of the UDP sockets of serve and its data plane, "ip:port" (/proc/<pid>/fd, /proc/net/udp and udp6). */
function udpSockets(pid: number): string[] {
  return udpSocketsOfTree(pid).map((u) => `${u.address}:${u.port}`);
}

/** utime + stime of serve and its data plane, in ms (proc(5)). */
function cpuMs(pid: number): number {
  return processTree(pid).reduce((sum, p) => {
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return sum + ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  }, 0);
}

beforeAll(async () => {
  const [turnPort = 0] = await freePorts(1);
  // At info, so the RTP leg's line says whose SRTP it ran.
  server = await serveProcess({ turnPorts: turnPort, relayPorts: `${RELAY_RANGE.min}-${RELAY_RANGE.max}`, secret: 's', logLevel: 'info' });
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  decoy = { socket, port: (socket.address() as { port: number }).port, hits: 0 };
  socket.on('message', () => decoy.hits++);
}, 30_000);

afterAll(async () => {
  for (const c of closers.splice(0)) c();
  decoy?.socket.close();
  await server?.stop();
});

describe('the RTP probe leg through the relay', () => {
  it('echoes every probe, reports RTP receipts and rtp-final on the control channel, and sends only to the relay', async () => {
    const cfg = (await (await fetch(`${server.url}/api/config`)).json()) as ServerConfig;
    expect(cfg.rtpReflector).toBe(true);
    const iceServers = cfg.turn.filter((e) => e.transport === 'udp').map((e) => ({ urls: e.url, username: cfg.username, credential: cfg.credential }));

    // The page's RTP leg, as a test graded on RTP opens it alone: werift playing its audio transceiver, relay-only.
    const echoes: RtpEcho[] = [];
    const echoSeqs: number[] = [];
    let notEcho = 0;
    const legs = await openPageLegs(server.url, iceServers, (rtp) => {
      try {
        echoes.push(decodeRtpEcho(rtp.payload));
        echoSeqs.push(rtp.header.sequenceNumber);
      } catch {
        notEcho++;
      }
    });
    closers.push(() => legs.close());
    const { send, errors, toRtp, pc, transceiver, controlText, rtpReceipts } = legs;

    // The sockets serve has before the RTP leg (the page opens no data-channel leg beside it), so that the leg's can be told apart.
    const socketsBefore = new Set(udpSockets(server.pid));

    await pc.setLocalDescription(await pc.createOffer());
    // A decoy host candidate outside the relay: in an offer, which is refused, then trickled, which is dropped.
    const decoyLine = `candidate:9999 1 udp 2130706431 127.0.0.1 ${decoy.port} typ host generation 0`;
    const offer = pc.localDescription?.sdp ?? '';
    send({ type: 'offer', sdp: offer.replace(/(a=mid:[^\r\n]*\r\n)/, `$1a=${decoyLine}\r\n`) }, 'rtp');
    await waitFor(() => errors.length > 0, { timeoutMs: 10_000, what: 'the refusal of the offer with the decoy' });
    expect(errors.map((e) => e.reason)).toEqual(['candidate-not-relay']);
    legs.offerRtp(offer);
    send({ type: 'candidate', candidate: { candidate: decoyLine, sdpMid: '0', sdpMLineIndex: 0 } }, 'rtp');

    await waitFor(() => pc.connectionState === 'connected', {
      timeoutMs: 20_000,
      what: 'the RTP leg connected through the relay',
      state: () => `rtp ${pc.connectionState}, errors ${JSON.stringify(errors)}`,
    });

    // The answer asks for 10 ms packets; the server signals only its one UDP host candidate.
    const answer = toRtp.find((d) => d.type === 'answer');
    expect(answer?.sdp).toMatch(/m=audio [^\r]*\r\n(?:[^m][^\r]*\r\n)*a=ptime:10\r\n/);
    const serverCandidates = [
      ...(answer?.sdp ?? '')
        .split('\r\n')
        .filter((l) => l.startsWith('a=candidate:'))
        .map((l) => l.slice(2)),
      ...toRtp.flatMap((d) => (d.candidate ? [d.candidate.candidate] : [])),
    ];
    expect(serverCandidates.length).toBeGreaterThan(0);
    for (const line of serverCandidates) expect(parseCandidate(line)).toMatchObject({ protocol: 'udp', address: '127.0.0.1', type: 'host' });
    // The RTP leg opened one UDP socket in serve's data plane, on the reflector address, the one it signalled
    // (beside it: the relay allocation of the page's RTP leg, in the relay range).
    const opened = udpSockets(server.pid).filter((s) => !socketsBefore.has(s));
    const relayAllocation = (s: string): boolean =>
      s.startsWith('127.0.0.1:') && Number(s.split(':')[1]) >= RELAY_RANGE.min && Number(s.split(':')[1]) <= RELAY_RANGE.max;
    expect(opened.filter((s) => !relayAllocation(s))).toEqual([...new Set(serverCandidates.map((l) => `127.0.0.1:${parseCandidate(l)?.port}`))]);

    // 100 probes/s for 3 s, stamped like the page's sender transform does it; the RTP sequence
    // numbers skip GAP halfway, which the reflector's receiver reports must count as lost.
    const pt = transceiver.sender.codec?.payloadType ?? 111;
    const opus = Uint8Array.of(0xfc, 0xff, 0xfe); // an Opus 10 ms CELT frame's TOC and filler (RFC 6716 §3.1)
    const cpu0 = cpuMs(server.pid);
    const t0 = performance.now();
    await paced(PROBES, INTERVAL_MS, (i) => {
      const payload = encodeRtpProbe({ probeSeq: i, sendMs: performance.now(), opus });
      void transceiver.sender.sendRtp(
        new RtpPacket(
          new RtpHeader({ payloadType: pt, sequenceNumber: (1000 + i + (i >= PROBES / 2 ? GAP : 0)) & 0xffff, timestamp: i * 480 }),
          Buffer.from(payload),
        ),
      );
    });
    await waitFor(() => echoes.length >= PROBES, { timeoutMs: 10_000, what: `${PROBES} echoes`, state: () => `${echoes.length} echoes, ${notEcho} other` });
    const runS = (performance.now() - t0) / 1000;
    const cpuPct = ((cpuMs(server.pid) - cpu0) / 1000 / runS) * 100;
    console.log(
      `rtp leg: ${PROBES} probes in ${runS.toFixed(2)} s, serve's processes (HTTP and the data plane: relay + reflector) CPU ${cpuPct.toFixed(1)} % of a core (Node ${process.version})`,
    );

    // Every probe echoed once, in the reflector's own numbering and RTP stream.
    expect(echoes.map((e) => e.upSeq).sort((a, b) => a - b)).toEqual([...Array(PROBES).keys()]);
    expect(echoes.map((e) => e.downSeq).sort((a, b) => a - b)).toEqual([...Array(PROBES).keys()]);
    for (const e of echoes) {
      expect([...e.opus]).toEqual([...opus]);
      expect(e.reflectorSendMs).toBeGreaterThanOrEqual(e.reflectorRecvMs);
      expect(e.recent.length).toBe(Math.min(4, e.downSeq));
    }
    // Consecutive RTP sequence numbers (mod 2^16) in the reflector's stream.
    for (let i = 1; i < echoSeqs.length; i++) expect(((echoSeqs[i] ?? 0) - (echoSeqs[i - 1] ?? 0) + 0x10000) & 0xffff).toBe(1);

    // stop: the data-channel tally (with the relay's witness) and the RTP tally, every RTP receipt before it.
    legs.stop();
    await waitFor(() => controlText.some((m) => m.type === 'final') && controlText.some((m) => m.type === 'rtp-final'), {
      timeoutMs: 10_000,
      what: 'final and rtp-final',
      state: () => JSON.stringify(controlText),
    });
    expect(controlText.find((m) => m.type === 'rtp-final')).toEqual({
      type: 'rtp-final',
      upReceived: PROBES,
      upDuplicates: 0,
      downSent: PROBES,
      upFrames: PROBES,
    });
    expect(rtpReceipts.map((r) => r.upSeq).sort((a, b) => a - b)).toEqual([...Array(PROBES).keys()]);
    for (const e of echoes)
      expect(rtpReceipts.find((r) => r.downSeq === e.downSeq)).toMatchObject({
        upSeq: e.upSeq,
        reflectorRecvMs: e.reflectorRecvMs,
        reflectorSendMs: e.reflectorSendMs,
      });

    // The leg ran our SRTP (server/reflector/rtp/srtp.ts) in werift's DTLS transport, not werift's own.
    expect(await server.proc.waitForLine(/"msg":"rtp leg connected"/, { timeoutMs: 5000, what: "the RTP leg's connected line" })).toContain('"srtp":"ours"');

    // The reflector's RTCP as werift's sender and receiver would send it, though the short path
    // (server/reflector/rtp/short-path.ts) carried the stream: its sender reports count every echo
    // (RFC 3550 §6.4.1), its receiver reports the GAP skipped numbers as lost (§6.4.2).
    const weriftRtcp = transceiver as unknown as {
      receiver: { remotePacketCountBySsrc: Record<number, number> };
      sender: { remotePacketsLost?: number };
    };
    await waitFor(() => Object.values(weriftRtcp.receiver.remotePacketCountBySsrc).includes(PROBES) && weriftRtcp.sender.remotePacketsLost === GAP, {
      timeoutMs: 5000,
      what: `a sender report counting ${PROBES} echoes and a receiver report of ${GAP} lost`,
      state: () => `${JSON.stringify(weriftRtcp.receiver.remotePacketCountBySsrc)}, lost ${weriftRtcp.sender.remotePacketsLost}`,
    });

    // The decoy was signalled twice, refused and dropped: not one datagram went there.
    expect(decoy.hits).toBe(0);
    expect(errors).toHaveLength(1);

    // The leg is closed with the session: once the page hangs up, its socket is gone from serve.
    const legSockets = opened.filter((s) => !relayAllocation(s));
    legs.ws.close();
    await waitFor(() => !udpSockets(server.pid).some((s) => legSockets.includes(s)), {
      timeoutMs: 10_000,
      what: "the RTP leg's socket to close with the session",
      state: () => JSON.stringify(udpSockets(server.pid)),
    });
    // Every probe went by the short path, all but werift's first packet or two, and every echo,
    // each packet taken whole by the addon's probe core.
    const closed = JSON.parse(await server.proc.waitForLine(/"msg":"rtp leg closed"/, { timeoutMs: 5000, what: "the RTP leg's closing line" })) as {
      rtpPath?: string;
      shortTaken?: number;
      shortSent?: number;
      shortCore?: string;
      fastTaken?: number;
    };
    expect(closed.rtpPath).toBe('short');
    expect(closed.shortCore).toBe('native');
    // And all but the first few by the relay's fast path: answered in C before any JavaScript, counted in batches.
    expect(closed.fastTaken, JSON.stringify(closed)).toBeGreaterThanOrEqual(PROBES - 5);
    expect(closed.shortTaken).toBeGreaterThanOrEqual(PROBES - 5);
    expect(closed.shortSent).toBeGreaterThanOrEqual(PROBES - 5);
  }, 60_000);
  it('is off with serve --no-rtp: /api/config says so and an rtp offer is refused', async () => {
    const [turnPort = 0] = await freePorts(1);
    const off = await serveProcess({ turnPorts: turnPort, secret: 's', extra: ['--no-rtp'] });
    try {
      const cfg = (await (await fetch(`${off.url}/api/config`)).json()) as ServerConfig;
      expect(cfg).toMatchObject({ reflectorPath: '/api/signal', rtpReflector: false });
      const ws = new WebSocket(off.url.replace(/^http/, 'ws') + '/api/signal' + SIGNAL_PROTOCOL_QUERY, { origin: off.url });
      closers.push(() => ws.close());
      const incoming: ServerSignalMessage[] = [];
      ws.on('message', (raw: Buffer) => incoming.push(JSON.parse(raw.toString('utf8')) as ServerSignalMessage));
      await nextEvent(ws, 'open', { timeoutMs: 10_000, what: 'signalling socket open' });
      ws.send(JSON.stringify({ type: 'signal', leg: 'rtp', data: { type: 'offer', sdp: 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n' } }));
      const refusal = await waitFor(() => incoming.find((m) => m.type === 'error'), { timeoutMs: 10_000, what: 'the refusal' });
      expect(refusal).toMatchObject({ type: 'error', reason: 'no-rtp-leg' });
    } finally {
      await off.stop();
    }
  }, 30_000);
});
