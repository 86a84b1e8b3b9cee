/**
 * Every command and flag spelling the command line accepted before it moved to cli/ still
 * parses, into the options its program gets. test/cli/old-help/ holds the old CLI's --help
 * output (dist/server/cli.js, captured before the move; site-token's, and the flags added later, since they were added): every flag named there has a case
 * below, the help printed now is the same text, and each case parses the flag through the whole
 * program (recorded actions: nothing starts) and checks what the server or the client receives.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Command } from 'commander';
import { callprobeProgram, type CommandActions } from '../../cli/program.js';
import type { ServeOptions } from '../../server/config/options.js';
import type { ReportCommandOptions, RunCommandOptions, ScheduleOptions } from '../../client/options.js';
import type { CoturnConfigFlags } from '../../cli/tools.js';
import type { SiteTokenCommandOptions } from '../../client/commands/site-token.js';
import type { AlertsCommandOptions } from '../../client/commands/alerts-test.js';
import type { SpoolCommandOptions } from '../../client/commands/spool.js';
import type { EdgeTokenCommandOptions } from '../../client/commands/edge-token.js';
import { hashPassword } from '../../server/console/auth.js';
import { CONSTANTS, DEFAULTS } from '../../src/protocol/defaults.js';
import { repoRoot } from '../kit/paths.js';

const COMMANDS = ['serve', 'run', 'aggregate', 'report', 'site-token', 'edge-token', 'alerts', 'spool', 'hash-password', 'coturn-config'] as const;
type CommandName = (typeof COMMANDS)[number];

const oldHelp = (name: CommandName | 'callprobe'): string => readFileSync(join(repoRoot, 'test/cli/old-help', `${name}.txt`), 'utf8');

/** The flag spellings a --help text lists: `-V, --version` gives -V and --version. */
function spellingsIn(help: string): string[] {
  const options = help.split('\nOptions:\n')[1]?.split('\n\n')[0] ?? '';
  return [...options.matchAll(/^ {2}(-\w, )?(--[\w-]+)/gm)].flatMap((m) => [...(m[1] ? [m[1].slice(0, 2)] : []), m[2] ?? '']);
}

/** What the program handed its actions: one entry per parse. */
type Received =
  | { command: 'serve'; opts: ServeOptions }
  | { command: 'run'; o: RunCommandOptions; schedule: ScheduleOptions | null }
  | { command: 'aggregate'; files: string[]; json: boolean }
  | { command: 'report'; o: ReportCommandOptions }
  | { command: 'site-token'; o: SiteTokenCommandOptions }
  | { command: 'alerts'; o: AlertsCommandOptions }
  | { command: 'spool'; o: SpoolCommandOptions }
  | { command: 'edge-token'; o: EdgeTokenCommandOptions }
  | { command: 'hash-password' }
  | { command: 'coturn-config'; o: CoturnConfigFlags };

function recorder(into: Received[]): CommandActions {
  return {
    serve: async (opts) => void into.push({ command: 'serve', opts }),
    run: async (o, schedule) => void into.push({ command: 'run', o, schedule }),
    aggregate: async (files, json) => void into.push({ command: 'aggregate', files, json }),
    report: async (o) => void into.push({ command: 'report', o }),
    siteToken: async (o) => void into.push({ command: 'site-token', o }),
    alerts: async (o) => void into.push({ command: 'alerts', o }),
    spool: async (o) => void into.push({ command: 'spool', o }),
    edgeToken: async (o) => void into.push({ command: 'edge-token', o }),
    hashPassword: async () => void into.push({ command: 'hash-password' }),
    coturnConfig: async (o) => void into.push({ command: 'coturn-config', o }),
  };
}

/** Parses `argv` (after `callprobe`) through a fresh program; returns what its action received. */
async function parse(argv: string[]): Promise<Received> {
  const got: Received[] = [];
  await callprobeProgram('9.9.9', recorder(got)).parseAsync(argv, { from: 'user' });
  const [one] = got;
  if (got.length !== 1 || one === undefined) throw new Error(`${argv.join(' ')}: ${got.length} actions ran`);
  return one;
}

const serveOf = async (argv: string[]): Promise<ServeOptions> => {
  const r = await parse(['serve', ...argv]);
  if (r.command !== 'serve') throw new Error(r.command);
  return r.opts;
};
const SERVER = ['--server', 'http://127.0.0.1:8080'];
const runOf = async (argv: string[]): Promise<{ o: RunCommandOptions; schedule: ScheduleOptions | null }> => {
  const r = await parse(['run', ...argv]);
  if (r.command !== 'run') throw new Error(r.command);
  return r;
};
const reportOf = async (argv: string[]): Promise<ReportCommandOptions> => {
  const r = await parse(['report', ...SERVER, ...argv]);
  if (r.command !== 'report') throw new Error(r.command);
  return r.o;
};
const siteTokenOf = async (argv: string[]): Promise<SiteTokenCommandOptions> => {
  const r = await parse(['site-token', ...argv, ...SERVER]);
  if (r.command !== 'site-token') throw new Error(r.command);
  return r.o;
};
const alertsOf = async (argv: string[]): Promise<AlertsCommandOptions> => {
  const r = await parse(['alerts', ...argv, ...SERVER]);
  if (r.command !== 'alerts') throw new Error(r.command);
  return r.o;
};
const spoolOf = async (argv: string[]): Promise<SpoolCommandOptions> => {
  const r = await parse(['spool', ...argv]);
  if (r.command !== 'spool') throw new Error(r.command);
  return r.o;
};
const edgeTokenOf = async (argv: string[]): Promise<EdgeTokenCommandOptions> => {
  const r = await parse(['edge-token', ...argv, ...SERVER]);
  if (r.command !== 'edge-token') throw new Error(r.command);
  return r.o;
};
const coturnOf = async (argv: string[]): Promise<CoturnConfigFlags> => {
  const r = await parse(['coturn-config', '--secret', 's', ...argv]);
  if (r.command !== 'coturn-config') throw new Error(r.command);
  return r.o;
};

const dir = mkdtempSync(join(tmpdir(), 'callprobe-cli-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TOKEN = 'a'.repeat(24);
const OTHER_TOKEN = 'b'.repeat(24);
/** An edge's four flags. */
const EDGE = ['--hub', 'https://hub.example', '--edge-id', 'weu-1', '--azure-region', 'West Europe', '--edge-token', TOKEN];
/** A company sign-in's flags: the issuer, the client id and a groups file. */
const OIDC_GROUPS = join(dir, 'oidc-groups.json');
writeFileSync(OIDC_GROUPS, JSON.stringify({ tier1: ['hd-1'], tier2: ['hd-2'] }));
const OIDC = ['--oidc-issuer', 'https://login.example/tenant/v2.0', '--oidc-client-id', 'callprobe', '--oidc-groups', OIDC_GROUPS];

/** The environment the program may read (commander's .env and report's fallback), cleared for each case. */
const ENV = ['CALLPROBE_ADMIN_TOKEN', 'CALLPROBE_TOKEN', 'CALLPROBE_TURN_CREDENTIAL', 'CALLPROBE_EDGE_TOKEN'] as const;
beforeEach(() => {
  for (const k of ENV) vi.stubEnv(k, undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** One case per flag spelling: it parses, and the program gets what the flag says. */
const CASES: Record<CommandName, Record<string, () => Promise<void>>> = {
  serve: {
    '--host': async () => expect((await serveOf(['--host', '127.0.0.2'])).host).toBe('127.0.0.2'),
    '--http-port': async () => expect((await serveOf(['--http-port', '8081'])).httpPort).toBe(8081),
    '--turn-ports': async () => {
      expect((await serveOf(['--turn-ports', '3478-3481'])).turnUdpPorts).toEqual([3478, 3479, 3480, 3481]);
      expect((await serveOf(['--turn-ports', '3478,3480'])).turnUdpPorts).toEqual([3478, 3480]);
      expect((await serveOf(['--turn-ports', '13478'])).turnUdpPorts).toEqual([13478]);
      expect((await serveOf([])).turnUdpPorts).toEqual(DEFAULTS.turnUdpPorts);
    },
    '--tcp-ports': async () => expect((await serveOf(['--tcp-ports', '443,8443'])).tcpPorts).toEqual([443, 8443]),
    '--tls-port': async () =>
      expect((await serveOf(['--tls-port', '5349', '--tls-cert', 'c.pem', '--tls-key', 'k.pem'])).tls).toEqual({
        port: 5349,
        certPath: 'c.pem',
        keyPath: 'k.pem',
      }),
    '--tls-cert': async () => expect((await serveOf(['--tls-port', '443', '--tls-cert', '/etc/c.pem', '--tls-key', 'k.pem'])).tls?.certPath).toBe('/etc/c.pem'),
    '--tls-key': async () => expect((await serveOf(['--tls-port', '443', '--tls-cert', 'c.pem', '--tls-key', '/etc/k.pem'])).tls?.keyPath).toBe('/etc/k.pem'),
    '--relay-ip': async () => {
      expect((await serveOf(['--relay-ip', '192.0.2.10'])).relayIp).toBe('192.0.2.10');
      expect(await serveOf(['--host', '::', '--relay-ip', '192.0.2.10,2001:db8::10'])).toMatchObject({ relayIp: '192.0.2.10', relayIpV6: '2001:db8::10' });
    },
    '--relay-ports': async () => expect((await serveOf(['--relay-ports', '40000-40999'])).relayPortRange).toEqual({ min: 40000, max: 40999 }),
    '--secret': async () => expect((await serveOf(['--secret', 'shared'])).secret).toBe('shared'),
    '--credential-ttl': async () => expect((await serveOf(['--credential-ttl', '600'])).credentialTtlS).toBe(600),
    '--advertise': async () => {
      expect((await serveOf(['--advertise', 'turn.example.org'])).advertise).toEqual({ host: 'turn.example.org', udpPorts: null });
      expect((await serveOf(['--advertise', '203.0.113.7:3478-3479'])).advertise).toEqual({ host: '203.0.113.7', udpPorts: [3478, 3479] });
    },
    '--allow-peers': async () => expect((await serveOf(['--allow-peers', '10.0.0.0/8, 192.0.2.1/32'])).allowPeers).toEqual(['10.0.0.0/8', '192.0.2.1/32']),
    '--external-turn': async () =>
      expect((await serveOf(['--external-turn', 'turn:127.0.0.1:3478?transport=udp,turns:relay.example.org:443?transport=tcp'])).externalTurn).toEqual([
        { url: 'turn:127.0.0.1:3478?transport=udp', transport: 'udp', port: 3478 },
        { url: 'turns:relay.example.org:443?transport=tcp', transport: 'tls', port: 443 },
      ]),
    '--no-reflector': async () => {
      expect((await serveOf(['--no-reflector'])).reflector).toBe(false);
      expect((await serveOf([])).reflector).toBe(true);
    },
    '--no-rtp': async () => {
      expect((await serveOf(['--no-rtp'])).rtp).toBe(false);
      expect((await serveOf([])).rtp).toBe(true);
    },
    '--workers': async () => {
      expect((await serveOf(['--workers', '0'])).workers).toBe(0);
      expect((await serveOf([])).workers).toBe(DEFAULTS.dataPlane.workers);
      expect((await serveOf(['--workers', '1'])).workers).toBe(1);
      // One data plane per host: more is refused, naming the way to scale.
      await expect(serveOf(['--workers', '2'])).rejects.toThrow(/--workers must be 0 or 1, not "2": .*edges of a hub/);
      await expect(serveOf(['--workers', 'x'])).rejects.toThrow(/--workers must be an integer/);
    },
    '--data-path': async () => {
      expect((await serveOf([])).dataPath).toBe('auto');
      expect((await serveOf(['--data-path', 'native'])).dataPath).toBe('native');
      expect((await serveOf(['--data-path', 'portable'])).dataPath).toBe('portable');
      await expect(serveOf(['--data-path', 'fast'])).rejects.toThrow(/--data-path <path>' argument 'fast' is invalid/);
    },
    '--max-allocations-per-user': async () => expect((await serveOf(['--max-allocations-per-user', '4'])).quotas.maxAllocationsPerUsername).toBe(4),
    '--max-allocations-per-ip': async () => expect((await serveOf(['--max-allocations-per-ip', '64'])).quotas.maxAllocationsPerSourceIp).toBe(64),
    '--max-allocations': async () => expect((await serveOf(['--max-allocations', '500'])).quotas.maxAllocationsTotal).toBe(500),
    '--max-tests': async () => {
      expect((await serveOf(['--max-tests', '12'])).sessions.max).toBe(12);
      expect((await serveOf([])).sessions.max).toBe(DEFAULTS.maxSessions);
    },
    '--refuse-late-ms': async () => {
      expect((await serveOf(['--refuse-late-ms', '0'])).refuseLateMs).toBe(0);
      expect((await serveOf([])).refuseLateMs).toBe(CONSTANTS.admission.busyLateMs);
      await expect(serveOf(['--refuse-late-ms', '10001'])).rejects.toThrow(/--refuse-late-ms/);
    },
    '--max-sessions-per-ip': async () => expect((await serveOf(['--max-sessions-per-ip', '3'])).signalLimits.maxSessionsPerSource).toBe(3),
    '--sessions-per-minute': async () => expect((await serveOf(['--sessions-per-minute', '7'])).signalLimits.newSessionsPerMinutePerSource).toBe(7),
    '--config-per-minute': async () => expect((await serveOf(['--config-per-minute', '9'])).configPerMinutePerSource).toBe(9),
    '--max-connections': async () => expect((await serveOf(['--max-connections', '500'])).connections.maxConnections).toBe(500),
    '--max-connections-per-ip': async () => expect((await serveOf(['--max-connections-per-ip', '40'])).connections.maxConnectionsPerSource).toBe(40),
    '--fd-reserve': async () => {
      expect((await serveOf(['--fd-reserve', '4000'])).connections.fdReserve).toBe(4000);
      expect((await serveOf([])).connections).toEqual(DEFAULTS.http);
    },
    '--upload-bytes-per-day': async () =>
      expect((await serveOf(['--upload-bytes-per-day', '1048576'])).resultsLimits.storedBytesPerDayPerSource).toBe(1_048_576),
    '--metrics-listen': async () => expect((await serveOf(['--metrics-listen', '[::1]:9100'])).metricsListen).toEqual({ host: '::1', port: 9100 }),
    '--metrics-max-sites': async () => {
      expect((await serveOf(['--metrics-max-sites', '50'])).siteSeries.maxSites).toBe(50);
      expect((await serveOf([])).siteSeries).toEqual(DEFAULTS.siteSeries);
      await expect(serveOf(['--metrics-max-sites', '0'])).rejects.toThrow(/--metrics-max-sites must be an integer 1\.\.10000/);
    },
    '--allowed-origins': async () =>
      expect((await serveOf(['--allowed-origins', 'https://a.example,https://b.example'])).allowedOrigins).toEqual(['https://a.example', 'https://b.example']),
    '--log-level': async () => expect((await serveOf(['--log-level', 'debug'])).logLevel).toBe('debug'),
    '--db': async () => {
      expect((await serveOf(['--db', '/var/lib/callprobe/r.db'])).results?.db).toEqual({ kind: 'sqlite', path: '/var/lib/callprobe/r.db' });
      expect((await serveOf(['--db', 'postgres://u@h/db'])).results?.db).toEqual({ kind: 'postgres', url: 'postgres://u@h/db' });
      expect((await serveOf([])).results?.db).toEqual({ kind: 'sqlite', path: DEFAULTS.results.dbPath });
    },
    '--no-store': async () => expect((await serveOf(['--no-store'])).results).toBeNull(),
    '--admin-token': async () => {
      expect((await serveOf(['--admin-token', TOKEN])).adminToken).toBe(TOKEN);
      vi.stubEnv('CALLPROBE_ADMIN_TOKEN', OTHER_TOKEN);
      expect((await serveOf([])).adminToken).toBe(OTHER_TOKEN);
    },
    '--retain-days': async () => expect((await serveOf(['--retain-days', '30'])).results?.retainDays).toBe(30),
    '--retain-ip-days': async () => expect((await serveOf(['--retain-ip-days', '7'])).results?.retainIpDays).toBe(7),
    '--alerts': async () => {
      const file = join(dir, 'alerts.json');
      writeFileSync(file, JSON.stringify({ webhook: { url: 'https://hooks.example/x' }, rules: [{ metric: 'loss-15s' }] }));
      expect((await serveOf(['--alerts', file])).alerts?.webhooks).toEqual([
        { id: expect.stringMatching(/^alert:[0-9a-f]{16}$/) as string, url: 'https://hooks.example/x', format: 'json', siteKeys: null, kinds: null },
      ]);
    },
    '--teams-reachability': async () => {
      const file = join(dir, 'page-relays.txt');
      writeFileSync(file, 'udp relay.example 3478,3479\ntls 52.112.0.1 443\n');
      expect((await serveOf(['--teams-reachability', file])).teamsReachability).toEqual([
        { transport: 'udp', host: 'relay.example', ports: [3478, 3479] },
        { transport: 'tls', host: '52.112.0.1', ports: [443] },
      ]);
      expect((await serveOf([])).teamsReachability).toBeNull();
      writeFileSync(file, 'udp relay.example 0\n');
      await expect(serveOf(['--teams-reachability', file])).rejects.toThrow(/line 1: "0" is not a port/);
    },
    '--users': async () => {
      const file = join(dir, 'users.json');
      const passwordHash = await hashPassword('a good password', { ...CONSTANTS.console.scrypt, N: 16_384 });
      writeFileSync(file, JSON.stringify([{ name: 'ann', role: 'tier1', passwordHash }]));
      expect((await serveOf(['--users', file])).users?.map((u) => [u.name, u.role])).toEqual([['ann', 'tier1']]);
    },
    '--oidc-issuer': async () => {
      const o = await serveOf(OIDC);
      expect(o.console.oidc).toMatchObject({ issuer: 'https://login.example/tenant/v2.0', clientId: 'callprobe', clientSecret: null });
      expect((await serveOf([])).console.oidc).toBeNull();
      await expect(serveOf([...OIDC, '--oidc-issuer', 'http://idp.example'])).rejects.toThrow(/must be https \(plain http only on this machine's loopback\)/);
      await expect(serveOf(['--oidc-issuer', 'https://idp.example', '--oidc-client-id', 'c'])).rejects.toThrow(/needs --oidc-client-id and --oidc-groups/);
      await expect(serveOf([...OIDC, '--no-store'])).rejects.toThrow(/drop --no-store/);
    },
    '--oidc-client-id': async () => {
      expect((await serveOf(OIDC)).console.oidc?.clientId).toBe('callprobe');
      await expect(serveOf([...OIDC, '--oidc-client-id', 'a b'])).rejects.toThrow(/--oidc-client-id must be/);
      await expect(serveOf(['--oidc-client-id', 'callprobe'])).rejects.toThrow(/--oidc-client-id belongs to --oidc-issuer/);
    },
    '--oidc-secret-file': async () => {
      const file = join(dir, 'oidc-secret');
      writeFileSync(file, 'the-provider-given-secret\n');
      expect((await serveOf([...OIDC, '--oidc-secret-file', file])).console.oidc?.clientSecret).toBe('the-provider-given-secret');
    },
    '--oidc-groups': async () => {
      expect((await serveOf(OIDC)).console.oidc?.groups).toEqual({ claim: 'groups', tier1: ['hd-1'], tier2: ['hd-2'], scopes: [] });
      const file = join(dir, 'oidc-groups-bad.json');
      writeFileSync(file, JSON.stringify({ tier1: ['hd'], tier2: ['hd'] }));
      await expect(serveOf([...OIDC, '--oidc-groups', file])).rejects.toThrow(/"hd" is in tier1 and tier2/);
    },
    '--no-load': async () => {
      expect((await serveOf(['--no-load'])).load.offered).toBe(false);
      expect((await serveOf([])).load.offered).toBe(true);
    },
    '--load-max-bytes': async () => {
      expect((await serveOf(['--load-max-bytes', '5000000'])).load.limits.maxBytesPerDirection).toBe(5_000_000);
      expect((await serveOf([])).load.limits.maxBytesPerDirection).toBe(DEFAULTS.load.maxBytesPerDirection);
      await expect(serveOf(['--load-max-bytes', '10'])).rejects.toThrow(/--load-max-bytes/);
    },
    '--load-max-flows-per-source': async () => expect((await serveOf(['--load-max-flows-per-source', '3'])).load.limits.maxFlowsPerSource).toBe(3),
    '--load-max-flows': async () => expect((await serveOf(['--load-max-flows', '7'])).load.limits.maxFlows).toBe(7),
    '--load-tests-per-hour': async () => {
      const o = await serveOf(['--load-tests-per-hour', '4']);
      expect(o.load.limits.phasesPerHourPerSource).toBe(4);
      // A network (IPv6 /48) may start as many as DEFAULTS.load.sourcesPerNetwork sources.
      expect(o.load.limits.phasesPerHourPerNetwork).toBe(4 * DEFAULTS.load.sourcesPerNetwork);
    },
    '--load-bytes-per-hour': async () => {
      expect((await serveOf(['--load-bytes-per-hour', '5000000000'])).load.limits.maxBytesPerHour).toBe(5_000_000_000);
      expect((await serveOf([])).load.limits.maxBytesPerHour).toBe(DEFAULTS.load.maxBytesPerHour);
      await expect(serveOf(['--load-bytes-per-hour', '10'])).rejects.toThrow(/--load-bytes-per-hour/);
    },
    '--trust-proxy': async () => expect((await serveOf(['--trust-proxy', '127.0.0.1,10.0.0.0/8'])).trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8']),
    '--embed-origins': async () => {
      expect((await serveOf(['--embed-origins', 'https://help.example.com,http://127.0.0.1:8081'])).embedOrigins).toEqual([
        'https://help.example.com',
        'http://127.0.0.1:8081',
      ]);
      expect((await serveOf([])).embedOrigins).toEqual([]);
    },
    '--hub': async () => {
      const o = await serveOf([...EDGE, '--allowed-origins', 'https://b.example']);
      expect(o.edge).toMatchObject({ hub: 'https://hub.example', id: 'weu-1', azureRegion: 'West Europe', token: TOKEN, publicUrl: null });
      // An edge stores nothing, and signals only with its hub's pages (and the origins given beside).
      expect(o.results).toBeNull();
      expect(o.allowedOrigins).toEqual(['https://hub.example', 'https://b.example']);
      expect((await serveOf([])).edge).toBeNull();
      await expect(serveOf(['--hub', 'https://hub.example'])).rejects.toThrow(/give --edge-id, --azure-region, --edge-token/);
      await expect(serveOf(['--hub', 'http://hub.example'])).rejects.toThrow(/use https \(plain http only on loopback\)/);
      await expect(serveOf(['--hub', 'https://hub.example/path'])).rejects.toThrow(/origin only/);
      expect((await serveOf(['--hub', 'http://127.0.0.1:8080', '--edge-id', 'a', '--azure-region', 'East US', '--edge-token', TOKEN])).edge?.hub).toBe(
        'http://127.0.0.1:8080',
      );
    },
    '--edge-id': async () => {
      expect((await serveOf(EDGE)).edge?.id).toBe('weu-1');
      await expect(serveOf([...EDGE, '--edge-id', 'West-1'])).rejects.toThrow(/lower-case letters, digits and hyphens/);
    },
    '--azure-region': async () => {
      // The region column's spelling, whatever the case given.
      expect((await serveOf([...EDGE, '--azure-region', 'north europe'])).edge?.azureRegion).toBe('North Europe');
      // A customer region of the table that is no Azure region of it (Hawaii US is tested against West US).
      await expect(serveOf([...EDGE, '--azure-region', 'Hawaii US'])).rejects.toThrow(/not a region of the Azure table; one of: Central US, East US/);
    },
    '--edge-token': async () => {
      vi.stubEnv('CALLPROBE_EDGE_TOKEN', OTHER_TOKEN);
      expect((await serveOf(['--hub', 'https://hub.example', '--edge-id', 'weu-1', '--azure-region', 'West Europe'])).edge?.token).toBe(OTHER_TOKEN);
      await expect(serveOf([...EDGE, '--edge-token', 'short'])).rejects.toThrow(/--edge-token must be/);
    },
    '--public-url': async () => {
      expect((await serveOf([...EDGE, '--public-url', 'https://weu-1.example:8443'])).edge?.publicUrl).toBe('https://weu-1.example:8443');
      // A hub's own origin: whether it stands on a special-purpose address (a lab), where its edges may too.
      expect((await serveOf(['--public-url', 'https://hub.example'])).edges.ownHost).toBe('hub.example');
      expect((await serveOf([])).edges.ownHost).toBe(DEFAULTS.host);
      await expect(serveOf([...EDGE, '--host', '0.0.0.0', '--relay-ip', '192.0.2.1'])).rejects.toThrow(/give --public-url/);
      // The share links of result posts.
      const hook = ['--result-webhook', 'https://tickets.example/hook'];
      expect((await serveOf([...hook, '--public-url', 'https://callprobe.example'])).publicUrl).toBe('https://callprobe.example');
      await expect(serveOf([...hook, '--host', '0.0.0.0', '--relay-ip', '192.0.2.1'])).rejects.toThrow(/with --host 0\.0\.0\.0 give --public-url/);
    },
    '--result-webhook': async () => {
      const o = await serveOf(['--result-webhook', 'https://tickets.example/a;ticket=INC-;verdicts=fail', '--result-webhook', 'https://bi.example/b']);
      expect(o.resultWebhooks.map((w) => [w.url, w.ticketPrefix, w.verdicts])).toEqual([
        ['https://tickets.example/a', 'INC-', ['fail']],
        ['https://bi.example/b', null, null],
      ]);
      expect((await serveOf([])).resultWebhooks).toEqual([]);
      await expect(serveOf(['--result-webhook', 'https://t.example;colour=red'])).rejects.toThrow(/unknown filter "colour"/);
      await expect(serveOf(['--result-webhook', 'https://t.example', '--no-store'])).rejects.toThrow(/drop --no-store/);
      await expect(serveOf(['--result-webhook', 'https://t.example', '--result-webhook', 'https://t.example;ticket=A'])).rejects.toThrow(/twice/);
      await expect(serveOf([...EDGE, '--result-webhook', 'https://t.example'])).rejects.toThrow(/its hub posts the results/);
    },
  },
  run: {
    '--server': async () => expect((await runOf(SERVER)).o.server).toBe('http://127.0.0.1:8080'),
    '--duration': async () => expect((await runOf([...SERVER, '--duration', '30'])).o.duration).toBe(30),
    '--profile': async () => expect((await runOf([...SERVER, '--profile', 'edge-to-edge'])).o.profile).toBe('edge-to-edge'),
    '--azure-region': async () =>
      expect((await runOf([...SERVER, '--profile', 'azure-region', '--azure-region', 'West Europe'])).o.azureRegion).toBe('West Europe'),
    '--from': async () => expect((await runOf([...SERVER, '--profile', 'azure-region', '--azure-region', 'x', '--from', 'edge'])).o.from).toBe('edge'),
    '--turn': async () =>
      expect((await runOf(['--turn', 'turn:127.0.0.1:3590?transport=udp', '--turn-user', 'u', '--turn-credential', 'p'])).o.turn).toEqual({
        url: 'turn:127.0.0.1:3590?transport=udp',
        transport: 'udp',
        port: 3590,
      }),
    '--turn-user': async () => expect((await runOf(['--turn', 'turn:h', '--turn-user', 'user1', '--turn-credential', 'p'])).o.turnUser).toBe('user1'),
    '--turn-credential': async () =>
      expect((await runOf(['--turn', 'turn:h', '--turn-user', 'u', '--turn-credential', 'secret1'])).o.turnCredential).toBe('secret1'),
    '--turn-credential-file': async () => {
      const file = join(dir, 'turn-credential');
      writeFileSync(file, 'from-a-file\nsecond line ignored\n');
      expect((await runOf(['--turn', 'turn:h', '--turn-user', 'u', '--turn-credential-file', file])).o.turnCredential).toBe('from-a-file');
      // Kept out of the process list: the variable works as well, and two sources are refused.
      vi.stubEnv('CALLPROBE_TURN_CREDENTIAL', 'from-the-env');
      expect((await runOf(['--turn', 'turn:h', '--turn-user', 'u'])).o.turnCredential).toBe('from-the-env');
      await expect(runOf(['--turn', 'turn:h', '--turn-user', 'u', '--turn-credential-file', file])).rejects.toThrow(/not both/);
      await expect(runOf(['--turn', 'turn:h', '--turn-user', 'u', '--turn-credential-file', join(dir, 'missing')])).rejects.toThrow(/ENOENT/);
    },
    '--relay': async () => {
      expect((await runOf([...SERVER, '--relay', 'udp:3479'])).o.relay).toBe('udp:3479');
      expect((await runOf([...SERVER, '--relay', 'tls'])).o.relay).toBe('tls');
      // A malformed relay is a usage error at once, before anything starts.
      await expect(runOf([...SERVER, '--relay', 'udp:99999'])).rejects.toThrow(/--relay must be udp, tcp or tls/);
      await expect(runOf([...SERVER, '--relay', 'sctp'])).rejects.toThrow(/--relay must be udp, tcp or tls/);
    },
    '--compare': async () => expect((await runOf([...SERVER, '--compare'])).o.compare).toBe(true),
    '--compare-seconds': async () => expect((await runOf([...SERVER, '--compare', '--compare-seconds', '4'])).o.compareSeconds).toBe(4),
    '--load': async () => {
      expect((await runOf([...SERVER, '--load'])).o.load).toBe(true);
      expect((await runOf([...SERVER])).o.load).toBe(false);
      await expect(runOf(['--turn', 'turn:127.0.0.1:3478', '--turn-user', 'u', '--turn-credential', 'c', '--load'])).rejects.toThrow(
        /--load needs a callprobe server/,
      );
    },
    '--video': async () => {
      expect((await runOf([...SERVER, '--video'])).o.video).toBe(true);
      expect((await runOf([...SERVER])).o.video).toBe(false);
      await expect(runOf(['--turn', 'turn:127.0.0.1:3478', '--turn-user', 'u', '--turn-credential', 'c', '--video'])).rejects.toThrow(
        /--video needs a callprobe server/,
      );
    },
    '--devices': async () => {
      const r = await runOf([...SERVER, '--devices']);
      expect(r.o.devices).toBe(true);
      expect(r.schedule).toBeNull();
      expect((await runOf([...SERVER])).o.devices).toBe(false);
      // A schedule samples the network: it never checks devices.
      await expect(runOf([...SERVER, '--site', 'P', '--token', TOKEN, '--every', '10m', '--devices'])).rejects.toThrow(/--every never checks devices/);
    },
    '--network': async () => {
      expect((await runOf([...SERVER, '--network'])).o.network).toBe(true);
      expect((await runOf([...SERVER])).o.network).toBe(false);
    },
    '--qos': async () => {
      expect((await runOf([...SERVER, '--qos'])).o.qos).toBe(true);
      expect((await runOf([...SERVER])).o.qos ?? false).toBe(false);
    },
    '--teams-reachability': async () => {
      const file = join(dir, 'relays.txt');
      writeFileSync(file, '# Teams media relays\nudp relay.example 3478-3481\ntcp relay.example 443\n');
      expect((await runOf([...SERVER, '--teams-reachability', file])).o.teamsReachability).toEqual([
        { transport: 'udp', host: 'relay.example', ports: [3478, 3479, 3480, 3481] },
        { transport: 'tcp', host: 'relay.example', ports: [443] },
      ]);
      writeFileSync(file, 'quic relay.example 443\n');
      await expect(runOf([...SERVER, '--teams-reachability', file])).rejects.toThrow(/line 1: a target starts with udp, tcp or tls/);
      await expect(runOf([...SERVER, '--teams-reachability', join(dir, 'missing')])).rejects.toThrow(/ENOENT/);
      writeFileSync(file, 'udp relay.example 3478\n');
      await expect(runOf([...SERVER, '--site', 'P', '--token', TOKEN, '--every', '10m', '--teams-reachability', file])).rejects.toThrow(
        /--teams-reachability is for one test/,
      );
    },
    '--json': async () => expect((await runOf([...SERVER, '--json'])).o.json).toBe(true),
    '--csv': async () => expect((await runOf([...SERVER, '--csv'])).o.csv).toBe(true),
    '--csv-sep': async () => {
      expect((await runOf([...SERVER, '--csv', '--csv-sep', 'semicolon'])).o.csvSep).toBe(';');
      expect((await runOf([...SERVER, '--csv', '--csv-sep', 'comma'])).o.csvSep).toBe(',');
      await expect(runOf([...SERVER, '--csv', '--csv-sep', 'tab'])).rejects.toThrow(/--csv-sep is comma or semicolon/);
      await expect(runOf([...SERVER, '--csv-sep', 'semicolon'])).rejects.toThrow(/--csv-sep needs --csv/);
    },
    '--lang': async () => {
      expect((await runOf([...SERVER, '--lang', 'de'])).o.lang).toBe('de');
      expect((await runOf([...SERVER, '--lang', 'zh-CN'])).o.lang).toBe('zh-Hans');
      expect((await runOf([...SERVER])).o.lang).toBeUndefined();
      await expect(runOf([...SERVER, '--lang', 'it'])).rejects.toThrow(/--lang is one of en, de, fr, es, ja, zh-Hans, not "it"/);
    },
    '--evidence': async () => {
      expect((await runOf([...SERVER, '--evidence', '/tmp/e.json'])).o.evidence).toBe('/tmp/e.json');
      expect((await runOf([...SERVER])).o.evidence).toBeUndefined();
    },
    '--browser': async () => {
      expect((await runOf([...SERVER, '--browser', '/opt/chromium'])).o.browser).toBe('/opt/chromium');
      expect((await runOf(SERVER)).o.browser).toBe(DEFAULTS.browserPath);
    },
    '--no-save': async () => {
      expect((await runOf([...SERVER, '--no-save'])).o.save).toBe(false);
      expect((await runOf(SERVER)).o.save).toBe(true);
    },
    '--site': async () => expect((await runOf([...SERVER, '--site', 'Paris', '--no-save'])).o.site).toBe('Paris'),
    '--ticket': async () => expect((await runOf([...SERVER, '--ticket', 'T-1'])).o.ticket).toBe('T-1'),
    '--admin-token': async () => {
      expect((await runOf([...SERVER, '--admin-token', TOKEN])).o.adminToken).toBe(TOKEN);
      vi.stubEnv('CALLPROBE_ADMIN_TOKEN', OTHER_TOKEN);
      expect((await runOf(SERVER)).o.adminToken).toBe(OTHER_TOKEN);
    },
    '--token': async () => {
      expect((await runOf([...SERVER, '--token', TOKEN])).o.adminToken).toBe(TOKEN);
      vi.stubEnv('CALLPROBE_TOKEN', OTHER_TOKEN);
      expect((await runOf(SERVER)).o.adminToken).toBe(OTHER_TOKEN);
    },
    '--every': async () =>
      expect((await runOf([...SERVER, '--site', 'Paris', '--token', TOKEN, '--every', '10m'])).schedule).toEqual({
        everyMs: 600_000,
        count: null,
        forMs: null,
        untilMs: null,
        spoolDir: DEFAULTS.schedule.spoolDir,
        sampleDurationS: DEFAULTS.schedule.sampleDurationS,
      }),
    '--count': async () => expect((await runOf([...SERVER, '--site', 'P', '--token', TOKEN, '--every', '5s', '--count', '3'])).schedule?.count).toBe(3),
    '--for': async () =>
      expect((await runOf([...SERVER, '--site', 'P', '--token', TOKEN, '--every', '1h', '--for', '7d'])).schedule?.forMs).toBe(7 * 86_400_000),
    '--until': async () => {
      expect((await runOf([...SERVER, '--site', 'P', '--token', TOKEN, '--every', '1h', '--until', '2026-02-09T18:00:00+01:00'])).schedule?.untilMs).toBe(
        Date.UTC(2026, 1, 9, 17),
      );
      // A local time (no offset) is refused, and --until goes without --for.
      await expect(runOf([...SERVER, '--site', 'P', '--token', TOKEN, '--every', '1h', '--until', '2026-02-09T18:00:00'])).rejects.toThrow(/with its offset/);
      await expect(runOf([...SERVER, '--site', 'P', '--token', TOKEN, '--every', '1h', '--for', '7d', '--until', '2026-02-09T18:00:00Z'])).rejects.toThrow(
        /--for or --until, not both/,
      );
    },
    '--spool': async () =>
      expect((await runOf([...SERVER, '--site', 'P', '--token', TOKEN, '--every', '1h', '--spool', '/tmp/s'])).schedule?.spoolDir).toBe('/tmp/s'),
  },
  aggregate: {
    '--json': async () => {
      expect(await parse(['aggregate', 'a.json', 'b.json', '--json'])).toEqual({ command: 'aggregate', files: ['a.json', 'b.json'], json: true });
      expect(await parse(['aggregate', 'a.json'])).toEqual({ command: 'aggregate', files: ['a.json'], json: false });
    },
  },
  report: {
    '--server': async () => expect((await reportOf(['--all'])).server).toBe('http://127.0.0.1:8080'),
    '--site': async () => expect((await reportOf(['--site', 'Paris office'])).site).toBe('Paris office'),
    '--since': async () => {
      expect((await reportOf(['--all', '--since', ' 36h '])).since).toBe('36h');
      expect((await reportOf(['--all', '--since', '2026-01-31T08:00:00Z'])).since).toBe('2026-01-31T08:00:00Z');
    },
    '--profile': async () => expect((await reportOf(['--all', '--profile', 'azure-region'])).profile).toBe('azure-region'),
    '--azure-region': async () => expect((await reportOf(['--all', '--azure-region', 'West Europe'])).azureRegion).toBe('West Europe'),
    '--from': async () => expect((await reportOf(['--all', '--from', 'site'])).from).toBe('site'),
    '--path': async () => expect((await reportOf(['--all', '--path', 'datachannel'])).path).toBe('datachannel'),
    '--tz': async () => expect((await reportOf(['--all', '--tz', 'Europe/Paris'])).tz).toBe('Europe/Paris'),
    '--all': async () => expect((await reportOf(['--all'])).all).toBe(true),
    '--json': async () => expect((await reportOf(['--all', '--json'])).json).toBe(true),
    '--csv': async () => expect((await reportOf(['--all', '--csv'])).csv).toBe(true),
    '--csv-sep': async () => {
      expect((await reportOf(['--all', '--csv', '--csv-sep', 'semicolon'])).csvSep).toBe(';');
      expect((await reportOf(['--site', 'Paris', '--csv', '--csv-sep', 'comma'])).csvSep).toBe(',');
      await expect(reportOf(['--all', '--csv', '--csv-sep', 'tab'])).rejects.toThrow(/--csv-sep is comma or semicolon/);
      await expect(reportOf(['--all', '--csv-sep', 'semicolon'])).rejects.toThrow(/--csv-sep needs --csv/);
    },
    '--token': async () => {
      expect((await reportOf(['--all', '--token', TOKEN])).token).toBe(TOKEN);
      vi.stubEnv('CALLPROBE_TOKEN', TOKEN);
      expect((await reportOf(['--all'])).token).toBe(TOKEN);
      vi.stubEnv('CALLPROBE_TOKEN', undefined);
      vi.stubEnv('CALLPROBE_ADMIN_TOKEN', OTHER_TOKEN);
      expect((await reportOf(['--all'])).token).toBe(OTHER_TOKEN);
    },
  },
  'site-token': {
    '--server': async () => expect(await siteTokenOf(['list'])).toEqual({ action: 'list', server: 'http://127.0.0.1:8080' }),
    '--site': async () => expect(await siteTokenOf(['create', '--site', 'Paris office'])).toMatchObject({ action: 'create', site: 'Paris office' }),
    '--id': async () => expect(await siteTokenOf(['revoke', '--id', '0123456789abcdef'])).toMatchObject({ action: 'revoke', id: '0123456789abcdef' }),
    '--await-first-sample': async () => {
      expect(await siteTokenOf(['create', '--site', 'Quimper', '--await-first-sample'])).toMatchObject({ action: 'create', awaitFirstSample: true });
      expect((await siteTokenOf(['create', '--site', 'Quimper'])).awaitFirstSample).toBeUndefined();
    },
    '--token': async () => {
      expect((await siteTokenOf(['list', '--token', TOKEN])).token).toBe(TOKEN);
      vi.stubEnv('CALLPROBE_ADMIN_TOKEN', OTHER_TOKEN);
      expect((await siteTokenOf(['list'])).token).toBe(OTHER_TOKEN);
      await expect(siteTokenOf(['rotate'])).rejects.toThrow(/Allowed choices are create, list, revoke/);
    },
  },
  alerts: {
    '--server': async () => expect(await alertsOf(['test'])).toEqual({ action: 'test', server: 'http://127.0.0.1:8080' }),
    '--token': async () => {
      expect((await alertsOf(['test', '--token', TOKEN])).token).toBe(TOKEN);
      vi.stubEnv('CALLPROBE_TOKEN', TOKEN);
      expect((await alertsOf(['test'])).token).toBe(TOKEN);
      vi.stubEnv('CALLPROBE_TOKEN', undefined);
      vi.stubEnv('CALLPROBE_ADMIN_TOKEN', OTHER_TOKEN);
      expect((await alertsOf(['test'])).token).toBe(OTHER_TOKEN);
      await expect(alertsOf(['send'])).rejects.toThrow(/Allowed choices are test/);
    },
  },
  spool: {
    '--spool': async () => {
      expect(await spoolOf(['send', '--spool', '/var/lib/callprobe/spool'])).toEqual({ action: 'send', spool: '/var/lib/callprobe/spool' });
      await expect(spoolOf(['send'])).rejects.toThrow(/--spool <dir>/);
    },
    '--server': async () => expect((await spoolOf(['send', '--spool', 'd', ...SERVER])).server).toBe('http://127.0.0.1:8080'),
    '--token': async () => {
      const site = `cpsite_${'c'.repeat(43)}`;
      expect((await spoolOf(['send', '--spool', 'd', '--token', site])).token).toBe(site);
      vi.stubEnv('CALLPROBE_TOKEN', TOKEN);
      expect((await spoolOf(['send', '--spool', 'd'])).token).toBe(TOKEN);
    },
  },
  'edge-token': {
    '--server': async () => expect(await edgeTokenOf(['list'])).toEqual({ action: 'list', server: 'http://127.0.0.1:8080' }),
    '--edge': async () => {
      expect(await edgeTokenOf(['create', '--edge', 'weu-1'])).toMatchObject({ action: 'create', edge: 'weu-1' });
      await expect(edgeTokenOf(['create', '--edge', 'West Europe'])).rejects.toThrow(/--edge must be/);
    },
    '--azure-region': async () => {
      expect(await edgeTokenOf(['create', '--edge', 'weu-1', '--azure-region', 'west europe'])).toMatchObject({ azureRegion: 'West Europe' });
      await expect(edgeTokenOf(['create', '--azure-region', 'Atlantis'])).rejects.toThrow(/not a region of the Azure table/);
    },
    '--host': async () => {
      expect((await edgeTokenOf(['create', '--host', 'weu-1.example.org', '--host', '203.0.113.5'])).host).toEqual(['weu-1.example.org', '203.0.113.5']);
    },
    '--id': async () => expect(await edgeTokenOf(['revoke', '--id', '0123456789abcdef'])).toMatchObject({ action: 'revoke', id: '0123456789abcdef' }),
    '--token': async () => {
      expect((await edgeTokenOf(['list', '--token', TOKEN])).token).toBe(TOKEN);
      vi.stubEnv('CALLPROBE_ADMIN_TOKEN', OTHER_TOKEN);
      expect((await edgeTokenOf(['list'])).token).toBe(OTHER_TOKEN);
    },
  },
  'hash-password': {},
  'coturn-config': {
    '--listening-ip': async () => expect((await coturnOf(['--listening-ip', '192.0.2.1'])).listeningIp).toBe('192.0.2.1'),
    '--relay-ip': async () => expect((await coturnOf(['--relay-ip', '203.0.113.1'])).relayIp).toBe('203.0.113.1'),
    '--ports': async () => {
      expect((await coturnOf(['--ports', '3478-3479'])).ports).toEqual([3478, 3479]);
      expect((await coturnOf(['--ports', '3478,3480'])).ports).toEqual([3478, 3480]);
    },
    '--relay-ports': async () => expect((await coturnOf(['--relay-ports', '50000-50999'])).relayPorts).toEqual({ min: 50000, max: 50999 }),
    '--secret': async () => expect((await coturnOf([])).secret).toBe('s'),
    '--realm': async () => expect((await coturnOf(['--realm', 'example'])).realm).toBe('example'),
    '--allow-peers': async () => expect((await coturnOf(['--allow-peers', '10.0.0.1/32'])).allowPeers).toEqual(['10.0.0.1/32']),
    '--out-dir': async () => expect((await coturnOf(['--out-dir', '/tmp/conf'])).outDir).toBe('/tmp/conf'),
  },
};

/** The program's commands with help at the old text's width (80 columns), output captured. */
function programForHelp(out: string[]): Command {
  const program = callprobeProgram('0.1.0', recorder([]));
  for (const c of [program, ...program.commands]) {
    c.configureHelp({ helpWidth: 80 });
    c.configureOutput({ writeOut: (s) => void out.push(s), writeErr: (s) => void out.push(s), outputError: () => undefined });
  }
  return program;
}

describe('the command line keeps every command and flag of the old CLI', () => {
  it('prints the same --help for the program and every command', () => {
    const program = programForHelp([]);
    expect(program.helpInformation()).toBe(oldHelp('callprobe'));
    expect(program.commands.map((c) => c.name())).toEqual([...COMMANDS]);
    for (const name of COMMANDS) {
      const cmd = program.commands.find((c) => c.name() === name);
      expect(cmd?.helpInformation(), name).toBe(oldHelp(name));
    }
  });

  it('callprobe --help lists every exit code of every command; each command --help its own', () => {
    const out: string[] = [];
    const program = programForHelp(out);
    program.outputHelp();
    const codes = out.join('').split('\nExit codes:\n')[1] ?? '';
    // One entry per command, and run --every apart (a service manager acts on its codes).
    expect([...codes.matchAll(/^ {2}(\S+(?: --every)?) +\d/gm)].map((m) => m[1])).toEqual([
      'serve',
      'run',
      'run --every',
      ...COMMANDS.filter((c) => c !== 'serve' && c !== 'run'),
    ]);
    // The scheduler's exit 3 (the site unit's RestartPreventExitStatus=3) is there.
    expect(codes.replace(/\s+/g, ' ')).toContain(
      'run --every 0 every sample stored, whatever its verdict; 3 a usage error (a flag, a token the server refused',
    );
    const run = program.commands.find((c) => c.name() === 'run');
    out.length = 0;
    run?.outputHelp();
    const own = out.join('').replace(/\s+/g, ' ');
    expect(own).toContain(
      ' Exit codes: 0 pass; 1 fail (or calls cannot connect: the network blocks every port Teams uses); 2 too little evidence; 3 a usage error',
    );
    expect(own).toContain(' --every: 0 every sample stored');
  });

  it('has a case for exactly the flags each old --help lists', () => {
    for (const name of COMMANDS) {
      const listed = spellingsIn(oldHelp(name)).filter((f) => f !== '-h' && f !== '--help');
      expect(Object.keys(CASES[name]).sort(), name).toEqual(listed.sort());
    }
    expect(spellingsIn(oldHelp('callprobe'))).toEqual(['-V', '--version', '-h', '--help']);
  });

  for (const name of COMMANDS) {
    for (const [flag, check] of Object.entries(CASES[name])) {
      it(`${name} ${flag}`, check);
    }
  }

  it('hash-password takes no flag and runs its action', async () => {
    expect(await parse(['hash-password'])).toEqual({ command: 'hash-password' });
  });

  it('-h and --help, -V and --version print and end without running a command', async () => {
    for (const argv of [['-h'], ['--help'], ['serve', '-h'], ['run', '--help'], ['coturn-config', '-h']]) {
      const out: string[] = [];
      await expect(programForHelp(out).parseAsync(argv, { from: 'user' }), argv.join(' ')).rejects.toMatchObject({
        code: 'commander.helpDisplayed',
        exitCode: 0,
      });
      expect(out.join('')).toMatch(/^Usage: callprobe/);
    }
    for (const flag of ['-V', '--version']) {
      const out: string[] = [];
      await expect(programForHelp(out).parseAsync([flag], { from: 'user' })).rejects.toMatchObject({ code: 'commander.version', exitCode: 0 });
      expect(out.join('')).toBe('0.1.0\n');
    }
  });

  it('refuses a flag it never had, as a usage error', async () => {
    await expect(parse(['serve', '--turn-port', '3478'])).rejects.toMatchObject({ code: 'commander.unknownOption', exitCode: 1 });
    await expect(parse(['run', ...SERVER, '--duration', '0'])).rejects.toMatchObject({ code: 'commander.invalidArgument' });
  });
});
