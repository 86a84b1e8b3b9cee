/**
 * runSession in Node with an injected environment and no network: a loopback-mode test
 * through a fake simple-peer whose two ends hand datagrams to each other in this process.
 * What the environment leaves out (audio, page watch, port check, getStats) and what it
 * injects (port checks choosing the relay, getStats, suspect intervals) shows in the report.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SIGNAL_PROTOCOL, SIGNAL_PROTOCOL_REFUSALS, type ServerConfig, type TurnServerEntry } from '../../src/protocol/api.js';
import type { GradedPath, StatsSecondOpinion } from '../../src/analysis/schema/input.js';
import type { PortCheck } from '../../src/session/net/port-check.js';
import { runSession } from '../../src/session/run-session.js';
import type { SessionEnv, StatsSource } from '../../src/session/env.js';
import { probeCount } from '../../src/session/plan/rates.js';
import { schemaErrors } from '../kit/report-validator.js';
import { ENTRIES, FakePeer, minimalEnv, options, recorder } from './fake-env.js';

describe('runSession with an injected environment', () => {
  it('runs a whole test on the minimal environment: no ports, no second opinion, the chosen relay as the path', async () => {
    const { phases, evidence, events } = recorder();
    FakePeer.all.length = 0;
    const report = await runSession(options(), minimalEnv(), events);
    expect(schemaErrors(report)).toEqual([]);
    // The evidence it was graded from was handed over once, every probe in it.
    expect(evidence).toHaveLength(1);
    expect(evidence[0]?.loop?.sent).toHaveLength(report.summary.packetsSent);
    expect(report.meta.browser).toBe('fake env');
    expect(report.meta.callprobeVersion).toBe('test');
    expect(report.meta.mode).toBe('loopback');
    expect(report.meta.server).toBe(ENTRIES[0]?.url);
    // No port check: every standard rung is listed, none tried.
    expect(report.connectivity.map((r) => [r.transport, r.error])).toEqual([
      ['udp', 'not-offered'],
      ['udp', 'not-offered'],
      ['udp', 'not-offered'],
      ['udp', 'not-offered'],
      ['tcp', 'not-offered'],
      ['tls', 'not-offered'],
    ]);
    expect(report.path).toEqual({ transport: 'udp', port: 3478, family: 'ipv4', relayed: true, candidateType: 'relay', changes: 0, changed: false });
    expect(report.meta.channel).toEqual({ ordered: false, maxRetransmits: 0 });
    // 1 s at 100 probes/s plus two, every one delivered.
    expect(report.summary.packetsSent).toBe(probeCount(1, 100));
    expect(report.summary.packetsReceived).toBe(probeCount(1, 100));
    expect(report.summary.lossPct).toBe(0);
    expect(report.secondOpinion.available).toBe(false);
    expect(report.diagnostics.pageHidden).toBe(false);
    // Both ends were relay-only, on the one relay entry chosen, and were closed at the end.
    expect(FakePeer.all).toHaveLength(2);
    for (const p of FakePeer.all) {
      expect(p.options.config).toEqual({ iceServers: [{ urls: ENTRIES[0]?.url, username: 'u', credential: 'c' }], iceTransportPolicy: 'relay' });
      expect(p.destroyed).toBe(true);
    }
    expect(phases).toEqual(['config', 'connecting', 'streaming', 'draining', 'analyzing', 'done']);
  });

  it('chooses the relay by the injected port check and reports every check', async () => {
    const checked: string[] = [];
    const env: SessionEnv = {
      ...minimalEnv(),
      checkPort: (entry, cred) => {
        checked.push(`${entry.transport}/${entry.port} as ${cred.username}`);
        const reachable = entry.transport === 'tcp';
        const check: PortCheck = {
          transport: entry.transport,
          port: entry.port,
          url: entry.url,
          reachable,
          allocateMs: reachable ? 3 : null,
          error: reachable ? null : 'timeout',
        };
        return Promise.resolve(check);
      },
    };
    const { phases, events } = recorder();
    FakePeer.all.length = 0;
    const report = await runSession(options(), env, events);
    expect(checked).toEqual(['udp/3478 as u', 'tcp/3478 as u']);
    expect(report.connectivity.map((p) => [p.transport, p.port, p.reachable])).toEqual([
      ['udp', 3478, false],
      ['udp', 3479, false],
      ['udp', 3480, false],
      ['udp', 3481, false],
      ['tcp', 3478, true],
      ['tls', 443, false],
    ]);
    expect(report.path.transport).toBe('tcp');
    expect(FakePeer.all[0]?.options.config.iceServers?.[0]?.urls).toBe(ENTRIES[1]?.url);
    // The port check has a phase message of its own.
    expect(phases.slice(0, 3)).toEqual(['config', 'config', 'connecting']);
  });

  it('fails with could-not-connect when the relay asked for does not answer', async () => {
    const env: SessionEnv = {
      ...minimalEnv(),
      checkPort: (entry) =>
        Promise.resolve({ transport: entry.transport, port: entry.port, url: entry.url, reachable: false, allocateMs: null, error: '701 timeout' }),
    };
    await expect(runSession(options({ turnPick: { transport: 'udp', port: 3478 } }), env, recorder().events)).rejects.toMatchObject({
      reason: 'could-not-connect',
    });
    await expect(runSession(options({ turnPick: { transport: 'tls', port: null } }), minimalEnv(), recorder().events)).rejects.toMatchObject({
      reason: 'could-not-connect',
    });
  });

  it("fails with relay-refused, the server's fact, when our relay refused every port that answered", async () => {
    const env: SessionEnv = {
      ...minimalEnv(),
      checkPort: (entry) =>
        Promise.resolve({
          transport: entry.transport,
          port: entry.port,
          url: entry.url,
          reachable: false,
          allocateMs: null,
          error: entry.transport === 'udp' ? '486 Allocation Quota Reached' : 'timeout',
        }),
    };
    await expect(runSession(options(), env, recorder().events)).rejects.toMatchObject({
      reason: 'relay-refused',
      message: "the test server's relay refused this test on every port that answered: udp/3478 486 Allocation Quota Reached; tcp/3478 timeout",
    });
  });

  it('takes getStats, the audio track and the evidence watch from the environment when it has them', async () => {
    const statsPath: GradedPath = { transport: 'udp', port: 3478, candidateType: 'relay', family: 'ipv4', changes: 1 };
    const calls: string[] = [];
    let inboundGiven = false;
    const env: SessionEnv = {
      ...minimalEnv(),
      openAudio: (choice) => {
        calls.push(`audio ${choice}`);
        return Promise.resolve({ stream: null, source: 'webaudio', stop: () => calls.push('audio stopped') });
      },
      createWatch: () => ({
        everHidden: true,
        start: () => calls.push('watch started'),
        stop: () => {
          calls.push('watch stopped');
          return [];
        },
      }),
      createStats: (_pc, audioSource, inboundPc): StatsSource => {
        inboundGiven = inboundPc !== null;
        const opinion: StatsSecondOpinion = {
          iceRttMs: [2],
          rtcpRttMs: [],
          rtcpFractionLost: null,
          inboundJitterMs: [],
          inboundJitterDirection: null,
          concealedRatio: null,
          audioSource,
        };
        return {
          start: () => calls.push('stats started'),
          stop: () => {
            calls.push('stats stopped');
            return Promise.resolve();
          },
          freezeOpinion: () => Promise.resolve(),
          rttViews: () => ({ iceRttMs: [{ atMs: 500, valueMs: 2 }], rtcpRttMs: [] }),
          halt: () => calls.push('stats halted'),
          pathChangeTimesMs: [],
          path: () => statsPath,
          opinion: () => opinion,
        };
      },
    };
    const report = await runSession(options({ audio: 'webaudio' }), env, recorder().events);
    expect(calls).toEqual(['audio webaudio', 'stats started', 'watch started', 'stats stopped', 'watch stopped', 'audio stopped']);
    expect(inboundGiven).toBe(true); // loopback: the receiving peer's getStats too
    expect(report.path).toEqual({ ...statsPath, relayed: true, changed: true });
    expect(report.secondOpinion.audioSource).toBe('webaudio');
    expect(report.secondOpinion.iceSamples).toBe(1);
    expect(report.diagnostics.pageHidden).toBe(true);
    expect(schemaErrors(report)).toEqual([]);
  });
});

describe('runSession: the NAT check from the environment', () => {
  const NAT_ENTRIES: TurnServerEntry[] = [
    { url: 'turn:127.0.0.1:3478?transport=udp', transport: 'udp', port: 3478 },
    { url: 'turn:127.0.0.1:3479?transport=udp', transport: 'udp', port: 3479 },
    { url: 'turn:127.0.0.1:3478?transport=tcp', transport: 'tcp', port: 3478 },
  ];
  /** A callprobe-like /api/config on loopback: the session asks it for the relay as the page does. */
  async function withConfigServer<T>(body: (baseUrl: string, stop: () => void) => Promise<T>, over: Partial<ServerConfig> = {}): Promise<T> {
    const config: ServerConfig = {
      callprobeVersion: 'test',
      username: 'u',
      credential: 'c',
      credentialExpiresAtMs: 0,
      turn: NAT_ENTRIES,
      notOffered: [],
      reflectorPath: null,
      rtpReflector: false,
      relay: 'embedded',
      signalProtocol: SIGNAL_PROTOCOL,
      ...over,
    };
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(config)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const closed = new Promise((resolve) => server.once('close', resolve));
    // The server gone: no new connection, and the open ones cut.
    const stop = (): void => {
      if (server.listening) server.close();
      server.closeAllConnections();
    };
    try {
      return await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, stop);
    } finally {
      stop();
      await closed;
    }
  }
  // As Chromium emitted them behind `masquerade random` (e2e/nat.spec.ts), base hidden by mDNS obfuscation.
  const symmetric = [
    {
      candidate: 'candidate:1310287946 1 udp 1686052607 10.231.2.1 13560 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag Qx3b network-id 1',
      url: 'stun:127.0.0.1:3478',
    },
    {
      candidate: 'candidate:1310287946 1 udp 1686052607 10.231.2.1 1615 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag Qx3b network-id 1',
      url: 'stun:127.0.0.1:3479',
    },
  ];

  it('asks two UDP ports of the relay host and reports the classification and its hint', async () => {
    const asked: string[][] = [];
    const env: SessionEnv = {
      ...minimalEnv(),
      gatherNat: (stun) => {
        asked.push(stun.urls);
        return Promise.resolve({ serverPorts: stun.ports, candidates: symmetric, errors: [], complete: false, timeoutMs: 3000 });
      },
    };
    const report = await withConfigServer((baseUrl) => runSession(options({ baseUrl, override: null }), env, recorder().events));
    expect(asked).toEqual([['stun:127.0.0.1:3478', 'stun:127.0.0.1:3479']]);
    expect(report.nat?.mapping).toBe('endpoint-dependent');
    expect(report.nat?.observations.map((o) => [o.serverPort, o.mappedPort])).toEqual([
      [3478, 13560],
      [3479, 1615],
    ]);
    expect(report.hints.map((h) => h.code)).toContain('symmetric-nat');
    expect(schemaErrors(report)).toEqual([]);
  });

  it('no relay port connected: the network’s answer while the server answers, and no answer at all once it stopped answering', async () => {
    const none = (entry: TurnServerEntry): Promise<PortCheck> =>
      Promise.resolve({ transport: entry.transport, port: entry.port, url: entry.url, reachable: false, allocateMs: null, error: '701 timeout' });
    const report = await withConfigServer((baseUrl) =>
      runSession(options({ baseUrl, override: null }), { ...minimalEnv(), checkPort: none }, recorder().events),
    );
    expect(report.outcome?.reason).toBe('could-not-connect');
    // The server stopped answering during the port checks: that is said as such, never as this network blocking the relay.
    const lost = withConfigServer((baseUrl, stop) =>
      runSession(
        options({ baseUrl, override: null }),
        {
          ...minimalEnv(),
          checkPort: (entry) => {
            stop();
            return none(entry);
          },
        },
        recorder().events,
      ),
    );
    await expect(lost).rejects.toMatchObject({ reason: 'config-unavailable' });
  });

  it('a gathering the browser could not start is an unknown mapping with its reason, and the test still runs', async () => {
    const env: SessionEnv = { ...minimalEnv(), gatherNat: () => Promise.reject(new Error('RTCPeerConnection is not defined')) };
    const report = await withConfigServer((baseUrl) => runSession(options({ baseUrl, override: null }), env, recorder().events));
    expect(report.nat).toEqual({ mapping: 'unknown', reason: 'the browser could not gather candidates: RTCPeerConnection is not defined', observations: [] });
    expect(report.summary.packetsSent).toBe(probeCount(1, 100));
  });

  it('refuses a reflector of another signalling protocol before connecting, in the sentence the page shows', async () => {
    const older = { reflectorPath: '/api/signal', signalProtocol: undefined } as unknown as Partial<ServerConfig>;
    await expect(
      withConfigServer((baseUrl) => runSession(options({ baseUrl, override: null, mode: 'auto' }), minimalEnv(), recorder().events), older),
    ).rejects.toMatchObject({
      reason: 'version-mismatch',
      message: SIGNAL_PROTOCOL_REFUSALS['server-outdated'],
    });
    const newer = { reflectorPath: '/api/signal', signalProtocol: SIGNAL_PROTOCOL + 1 };
    await expect(
      withConfigServer((baseUrl) => runSession(options({ baseUrl, override: null, mode: 'auto' }), minimalEnv(), recorder().events), newer),
    ).rejects.toMatchObject({
      reason: 'version-mismatch',
      message: SIGNAL_PROTOCOL_REFUSALS['page-outdated'],
    });
  });

  it("is skipped against someone else's TURN server (--turn) and without the environment part", async () => {
    let called = false;
    const env: SessionEnv = {
      ...minimalEnv(),
      gatherNat: () => {
        called = true;
        return Promise.reject(new Error('not expected'));
      },
    };
    expect((await runSession(options(), env, recorder().events)).nat).toBeNull();
    expect(called).toBe(false);
    expect((await withConfigServer((baseUrl) => runSession(options({ baseUrl, override: null }), minimalEnv(), recorder().events))).nat).toBeNull();
  });
});
