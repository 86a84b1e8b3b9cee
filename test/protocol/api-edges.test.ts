/**
 * The hub <-> edge messages round-trip: a beat as an edge builds it (server/edges/beats.ts), sent
 * as JSON, is what the hub's schema check accepts and reads back unchanged, in each state; the
 * hub's answer too. A beat with a field more, or a secret too short, is refused.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { describe, expect, it } from 'vitest';
import { EdgeHeartbeatAckSchema, EdgeHeartbeatSchema, edgeHeartbeatPath } from '../../src/protocol/api-edges.js';
import { edgeBeat, type EdgeParts } from '../../server/edges/beats.js';

const beatCheck = TypeCompiler.Compile(EdgeHeartbeatSchema);

const parts = (over: Partial<EdgeParts> = {}): EdgeParts => ({
  httpUrl: 'https://weu-1.example.org',
  version: '0.1.0',
  startedAtMs: 1_768_000_000_000,
  turn: [
    { url: 'turn:203.0.113.10:3478?transport=udp', transport: 'udp', port: 3478 },
    { url: 'turns:weu-1.example.org:443?transport=tcp', transport: 'tls', port: 443 },
  ],
  notOffered: [],
  relay: 'embedded',
  secret: 'a-secret-of-thirty-two-characters',
  reflector: true,
  rtpReflector: true,
  sessionsOpen: () => 3,
  sessionsStarted: () => 7,
  maxSessions: 50,
  busyLine: { maxBytesPerDirection: 50_000_000, maxFlowsPerSource: 4 },
  checkRelay: () => Promise.reject(new Error('not in this test')),
  ...over,
});

/** A relay check 2 s before the beat: the TLS port answered; the UDP one as given. */
const check = (udpOk: boolean) => ({
  atMs: 1_768_000_100_000,
  ports: [
    { transport: 'udp' as const, port: 3478, ok: udpOk, ...(udpOk ? {} : { error: 'no answer' }) },
    { transport: 'tls' as const, port: 443, ok: true },
  ],
});

describe('the hub <-> edge messages', () => {
  it('a beat the edge builds is one the hub reads back as sent, in every state', () => {
    const cases = [
      [edgeBeat({ azureRegion: 'West Europe' }, parts(), false), 'ready'],
      [edgeBeat({ azureRegion: 'West Europe' }, parts({ sessionsOpen: () => 50 }), false), 'full'],
      [edgeBeat({ azureRegion: 'West Europe' }, parts(), true), 'draining'],
      [edgeBeat({ azureRegion: 'West Europe' }, parts({ reflector: false, sessionsOpen: () => 0 }), false), 'ready'],
      [edgeBeat({ azureRegion: 'West Europe' }, parts({ busyLine: null }), false, check(false), 1_768_000_102_000), 'relay-down'],
      [edgeBeat({ azureRegion: 'West Europe' }, parts(), false, check(true), 1_768_000_102_000), 'ready'],
    ] as const;
    for (const [beat, state] of cases) {
      const wire: unknown = JSON.parse(JSON.stringify(beat));
      expect(beatCheck.Check(wire), JSON.stringify([...beatCheck.Errors(wire)].slice(0, 2))).toBe(true);
      expect(wire).toEqual(beat);
      expect(beat.state).toBe(state);
    }
    expect(cases[0][0].urls.signal).toBe('https://weu-1.example.org/api/signal');
    expect(cases[3][0]).toMatchObject({ urls: { signal: null }, load: { sessions: 0, maxSessions: 0, started: 7 } });
    // A UDP port that did not answer its check is relay-down, whatever else answered; the check's age is the beat's to tell.
    expect(cases[4][0]).toMatchObject({ relayCheck: { ageMs: 2000, ports: [{ ok: false, error: 'no answer' }, { ok: true }] }, busyLine: null });
    expect(cases[0][0].relayCheck).toBeUndefined();
  });

  it('refuses a beat with a field more or a secret too short, and the answer round-trips', () => {
    const beat = edgeBeat({ azureRegion: 'West Europe' }, parts(), false);
    expect(beatCheck.Check({ ...beat, extra: true })).toBe(false);
    expect(beatCheck.Check({ ...beat, turnSecret: 'short' })).toBe(false);
    expect(beatCheck.Check({ ...beat, urls: { ...beat.urls, http: 'ftp://x.example' } })).toBe(false);
    const ack = { heartbeatMs: 5_000, silentAfterMs: 30_000 };
    expect(TypeCompiler.Compile(EdgeHeartbeatAckSchema).Check(JSON.parse(JSON.stringify(ack)))).toBe(true);
    expect(edgeHeartbeatPath('weu-1')).toBe('/api/edges/weu-1/heartbeat');
  });
});
