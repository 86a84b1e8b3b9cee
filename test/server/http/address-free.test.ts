/**
 * No client address in what is stored or served as a result (property, seeded, random IPv4 and
 * IPv6 addresses): the client's own address (the uploader), a local socket and a reflexive
 * address go into every place a report can pick one up (the NAT classification's candidates,
 * notes, the outcome's detail, the probe path's reason, the ticket), then into the free texts of
 * an older client's body and of a could-not-test record; the stored body, GET /api/r/<code> (what
 * the share page renders) and a tier 1 console view hold none of them. The one place the
 * address lives is the store's address table: a tier 2 view shows it from there.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/http/app.js';
import { hashPassword } from '../../../server/console/auth.js';
import type { ResultStore } from '../../../server/store/index.js';
import { classifyNat } from '../../../src/analysis/grade/nat.js';
import { analyze } from '../../../src/analysis/report/analyze.js';
import type { ResultAck } from '../../../src/protocol/api.js';
import { CONSTANTS, DEFAULTS } from '../../../src/protocol/defaults.js';
import { reflectorInput } from '../../analysis/report/inputs.js';
import { anyIpv4, anyIpv6 } from '../../kit/addresses.js';
import { appOptionsWithoutRelay, resultsOptions } from '../../kit/app-options.js';
import { open, sqliteKind, storeOptions, testClock } from '../store/store-kit.js';

const CHEAP = { ...CONSTANTS.console.scrypt, N: 16_384 };
const kind = sqliteKind();
let webRoot: string;
let app: FastifyInstance;
let store: ResultStore;
let tier1 = '';
let tier2 = '';

beforeAll(async () => {
  await kind.setup();
  webRoot = mkdtempSync(join(tmpdir(), 'callprobe-address-free-'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>callprobe page</title>');
  const clock = testClock();
  store = await open(await kind.freshTarget(), storeOptions(clock, 11));
  app = await buildApp({
    ...appOptionsWithoutRelay(webRoot),
    results: resultsOptions(store, null),
    console: {
      users: [
        { name: 'ana', role: 'tier1', passwordHash: await hashPassword('tier-one-password', CHEAP) },
        { name: 'bo', role: 'tier2', passwordHash: await hashPassword('tier-two-password', CHEAP) },
      ],
      nowMs: clock.nowMs,
      idleMs: DEFAULTS.console.sessionIdleMs,
      absoluteMs: DEFAULTS.console.sessionAbsoluteMs,
      loginsPerMinutePerAddress: 1000,
      loginThrottle: DEFAULTS.console.loginThrottle,
    },
  });
  await app.ready();
  const cookie = async (name: string, password: string): Promise<string> => {
    const res = await app.inject({ method: 'POST', url: '/api/console/login', remoteAddress: '192.0.2.1', payload: { name, password } });
    expect(res.statusCode).toBe(200);
    return String(res.headers['set-cookie']).split(';')[0] ?? '';
  };
  tier1 = await cookie('ana', 'tier-one-password');
  tier2 = await cookie('bo', 'tier-two-password');
}, 60_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
  rmSync(webRoot, { recursive: true, force: true });
  await kind.teardown();
});

const srflx = (mapped: string, port: number, base: string): { candidate: string; url: string } => ({
  candidate: `candidate:1310287946 1 udp 1686052607 ${mapped} ${port} typ srflx raddr ${base} rport 40133 generation 0 ufrag Qx3b network-id 1`,
  url: `stun:relay.example.test:${port === 50001 ? 3478 : 3479}`,
});

/** A report whose test saw `local` (a socket) and `reflexive` (its mapping), built by the analysis as the page builds it. */
function reportSeeing(local: string, reflexive: string, ticket: string): Record<string, unknown> {
  const input = reflectorInput({ count: 300, meta: { ticket } });
  const nat = classifyNat({
    serverPorts: [3478, 3479],
    // Two mappings of one socket: endpoint-dependent, whose reason used to name the socket.
    candidates: [srflx(reflexive, 50001, local), srflx(reflexive, 50002, local)],
    errors: [],
    complete: true,
    timeoutMs: 3000,
  });
  const report = analyze({
    ...input,
    nat,
    notes: [`control channel: connection to ${local}:40133 reset`],
    outcome: { reason: 'connection-lost', atMs: 2_000, detail: `ICE to ${reflexive} failed` },
    probe: { path: 'datachannel', reason: `the RTP leg failed: no route to ${reflexive}` },
  });
  expect(report.nat?.reason).toContain('2 mappings from one local socket');
  return JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
}

/** The same report as an older client sent it: the NAT reason naming the socket, addresses in other free texts. */
function asOlderClientSent(report: Record<string, unknown>, local: string, client: string): Record<string, unknown> {
  const r = structuredClone(report) as Record<string, Record<string, unknown> & { notes?: string[] }>;
  if (r.nat) r.nat.reason = `one local socket got a different mapped port from each server port (2 mappings from ${local}:40133): the NAT maps per destination`;
  if (r.diagnostics) r.diagnostics.notes = [...(r.diagnostics.notes ?? []), `seen from ${client}`, `[${local}]:3478 and ${local}%eth0`];
  return r;
}

describe('no client address in a stored or served result (property, random IPv4 and IPv6)', () => {
  it('report, older client report and could-not-test record: stored, /api/r/<code>, tier 1 view; tier 2 sees the address', async () => {
    const address = fc.oneof(anyIpv4, anyIpv6);
    await fc.assert(
      fc.asyncProperty(address, address, address, async (client, local, reflexive) => {
        const secrets = [client, local, reflexive];
        const report = reportSeeing(local, reflexive, `call from ${client}`);
        const bodies = [
          report,
          asOlderClientSent(report, local, client),
          {
            kind: 'could-not-test',
            reason: 'connect-timeout',
            message: `no answer from ${reflexive} to ${local}`,
            atMs: 1,
            meta: { note: `client ${client}` },
          },
        ];
        for (const body of bodies) {
          const post = await app.inject({ method: 'POST', url: '/api/results', remoteAddress: client, payload: body });
          expect(post.statusCode).toBe(201);
          const ack = post.json<ResultAck>();
          const stored = (await store.results.getByCode(ack.code))?.reportJson ?? '';
          const served = (await app.inject({ method: 'GET', url: `/api/r/${ack.code}`, remoteAddress: '192.0.2.9' })).body;
          const seenByTier1 = (await app.inject({ method: 'GET', url: `/api/console/results/${ack.code}`, headers: { cookie: tier1 } })).body;
          expect(stored.length).toBeGreaterThan(0);
          for (const text of [stored, served, seenByTier1]) for (const s of secrets) expect(text.toLowerCase()).not.toContain(s.toLowerCase());
          // The address table keeps the uploader's address (purged after --retain-ip-days): tier 2 sees it.
          const seenByTier2 = (await app.inject({ method: 'GET', url: `/api/console/results/${ack.code}`, headers: { cookie: tier2 } })).body;
          expect(seenByTier2).toContain(client);
        }
      }),
      { seed: 1864, numRuns: 25 },
    );
  }, 60_000);
});
