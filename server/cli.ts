#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  BOUNDS,
  ConfigError,
  DEFAULTS,
  parseAdminToken,
  parseAdvertise,
  parseDbTarget,
  parseDurationMs,
  parseHostPort,
  parseIntInRange,
  parsePassword,
  parseTrustProxy,
  parsePortList,
  parseRelayPortRange,
  parseSinceSpan,
  parseTimeZone,
  parseTurnUri,
} from '../src/protocol/defaults.js';
import { serve, serveOptionsFromFlags, type ServeFlags } from './commands/serve.js';
import { checkRunFlags, checkScheduleFlags, runCommand, type RunCommandOptions, type ScheduleFlags } from './commands/run.js';
import { callprobeVersion } from './version.js';
import { aggregateCommand } from './commands/aggregate.js';
import { reportCommand, type ReportCommandOptions } from './commands/report.js';
import { errorText, exitCodeFor } from './commands/exit.js';
import { renderCoturnConfig } from './turn/coturn-config.js';
import { readAlertsConfig } from './alerts/config.js';
import { hashPassword, readUsersFile } from './console/auth.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A commander argument parser from one of protocol/defaults' parsers (ConfigError -> commander's usage error). */
function arg<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (err) {
      if (err instanceof ConfigError) throw new InvalidArgumentError(err.message);
      throw err;
    }
  };
}

const intArg = (name: string, bounds: { readonly min: number; readonly max: number }): ((v: string) => number) => arg((v) => parseIntInRange(v, name, bounds));
const portsArg = arg(parsePortList);
const rangeArg = (name: string): ((v: string) => { min: number; max: number }) => arg((v) => parseRelayPortRange(v, name));
const rangeText = `${DEFAULTS.relayPortRange.min}-${DEFAULTS.relayPortRange.max}`;
const portsText = (ports: readonly number[]): string => ports.join(',');

function listArg(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const turnUrisArg = arg((v: string) => listArg(v).map(parseTurnUri));

const serverUrlArg = arg((v: string): string => {
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConfigError(`not a URL: "${v}" (e.g. http://127.0.0.1:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`not an http(s) URL: "${v}"`);
  return v;
});

const program = new Command('callprobe')
  .description('WebRTC media-path tester: probe streams through a TURN relay, graded against Teams network targets')
  .version(callprobeVersion())
  .exitOverride()
  // Errors are printed once, as one line, by the catch below.
  .configureOutput({ outputError: () => undefined });

program
  .command('serve')
  .description('serve the test page and its API over HTTP, with the embedded TURN relay and the reflector')
  .option('--host <ip>', 'address for HTTP, TURN and the reflector', DEFAULTS.host)
  .option('--http-port <port>', 'HTTP port', intArg('--http-port', BOUNDS.listenPort), DEFAULTS.httpPort)
  .addOption(
    new Option('--turn-ports <ports>', 'TURN UDP ports (TURN over TCP listens on the first)')
      .argParser(portsArg)
      .default(DEFAULTS.turnUdpPorts, portsText(DEFAULTS.turnUdpPorts)),
  )
  .option('--tcp-ports <ports>', 'extra TURN-over-TCP ports, e.g. 443', portsArg)
  .option('--tls-port <port>', 'TURN-over-TLS port (needs --tls-cert and --tls-key)', intArg('--tls-port', BOUNDS.port))
  .option('--tls-cert <file>', 'PEM certificate for TURN over TLS')
  .option('--tls-key <file>', 'PEM private key for TURN over TLS')
  .option('--relay-ip <ip[,ipv6]>', 'address put in XOR-RELAYED-ADDRESS (default: --host); dual stack with --host ::: one IPv4 and one IPv6 address')
  .addOption(new Option('--relay-ports <range>', 'relay socket port range').argParser(rangeArg('--relay-ports')).default(DEFAULTS.relayPortRange, rangeText))
  .option('--secret <secret>', 'TURN REST-API shared secret (default: random per start)')
  .option(
    '--credential-ttl <seconds>',
    'lifetime of the TURN credentials handed to pages',
    intArg('--credential-ttl', BOUNDS.credentialTtlS),
    DEFAULTS.credentialTtlS,
  )
  .option('--advertise <host[:ports]>', 'host and UDP ports handed to clients when they differ from where the relay listens', arg(parseAdvertise))
  .option('--allow-peers <cidrs>', 'extra peer addresses the relay may send to (comma-separated CIDRs)', listArg, [])
  .option('--external-turn <uris>', 'hand out this relay instead of the embedded one (comma-separated TURN URIs, e.g. coturn)', turnUrisArg)
  .option('--no-reflector', 'run without the server-side reflector (pages fall back to the in-page loop)')
  .option('--no-rtp', 'run the reflector without its RTP probe leg (pages probe over the data channel only)')
  .option(
    '--max-allocations-per-user <n>',
    'relay allocations one TURN credential (one page test) may hold',
    intArg('--max-allocations-per-user', BOUNDS.allocations),
    DEFAULTS.relayQuotas.maxAllocationsPerUsername,
  )
  .option(
    '--max-allocations-per-ip <n>',
    'relay allocations one client address may hold (an office behind one NAT: about 8 per simultaneous test)',
    intArg('--max-allocations-per-ip', BOUNDS.allocations),
    DEFAULTS.relayQuotas.maxAllocationsPerSourceIp,
  )
  .option('--max-allocations <n>', 'relay allocations in total', intArg('--max-allocations', BOUNDS.allocations), DEFAULTS.relayQuotas.maxAllocationsTotal)
  .option(
    '--max-sessions-per-ip <n>',
    'reflector tests open at once from one address (IPv6: one /64)',
    intArg('--max-sessions-per-ip', BOUNDS.perSourceLimit),
    DEFAULTS.signalling.maxSessionsPerSource,
  )
  .option(
    '--sessions-per-minute <n>',
    'reflector tests started per minute from one address (IPv6: one /64)',
    intArg('--sessions-per-minute', BOUNDS.perSourceLimit),
    DEFAULTS.signalling.newSessionsPerMinutePerSource,
  )
  .option(
    '--config-per-minute <n>',
    'TURN credentials (/api/config) per minute for one address (IPv6: one /64)',
    intArg('--config-per-minute', BOUNDS.perSourceLimit),
    DEFAULTS.signalling.configPerMinutePerSource,
  )
  .option(
    '--metrics-listen <host:port>',
    'serve Prometheus /metrics there (default: nowhere; never on the public port)',
    arg((t) => parseHostPort(t, '--metrics-listen')),
  )
  .option('--allowed-origins <origins>', 'origins whose pages may use the reflector, comma-separated (default: same origin only)', listArg, [])
  .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug']).default(DEFAULTS.logLevel))
  .addOption(
    new Option('--db <file|url>', 'where results are stored: an SQLite file (created on first start) or postgres://user@host/db')
      .argParser(arg(parseDbTarget))
      .default(parseDbTarget(DEFAULTS.results.dbPath), DEFAULTS.results.dbPath),
  )
  .option('--no-store', 'store no results (pages and `run` then get no code)')
  .addOption(
    new Option('--admin-token <token>', 'operator token (Bearer) for listing, exports and results with a site')
      .env('CALLPROBE_ADMIN_TOKEN')
      .argParser(arg(parseAdminToken)),
  )
  .option('--retain-days <days>', 'keep address-free reports this long', intArg('--retain-days', BOUNDS.retainDays), DEFAULTS.results.retainDays)
  .option('--retain-ip-days <days>', "keep results' client addresses this long", intArg('--retain-ip-days', BOUNDS.retainIpDays), DEFAULTS.results.retainIpDays)
  .option('--alerts <file>', 'site alert rules and their webhook (JSON; see the README)', arg(readAlertsConfig))
  .option(
    '--users <file>',
    'open the help desk console (/console) to these users: JSON [{ name, role: tier1|tier2, passwordHash }] (see hash-password)',
    arg(readUsersFile),
  )
  .option('--trust-proxy <cidrs>', 'reverse proxies whose X-Forwarded-For gives the client address (comma-separated IPs/CIDRs)', arg(parseTrustProxy))
  .action(async (_opts: unknown, cmd: Command) => {
    const opts = serveOptionsFromFlags(cmd.opts<ServeFlags>());
    const server = await serve(opts, (msg) => process.stderr.write(`${msg}\n`));
    if (server.metricsUrl) process.stderr.write(`metrics on ${server.metricsUrl}\n`);
    process.stderr.write(
      `callprobe serving ${server.url} (TURN ${server.relay ? server.relay.listeners.map((l) => `${l.transport}/${l.port}`).join(' ') : 'external'})\n`,
    );
    let closing = false;
    const shutdown = (signal: string): void => {
      if (closing) return;
      closing = true;
      process.stderr.write(`${signal}: shutting down\n`);
      server.close().then(
        () => process.exit(0),
        (err: Error) => {
          process.stderr.write(`shutdown failed: ${err.message}\n`);
          process.exit(1);
        },
      );
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });

program
  .command('run')
  .description(
    'run one test in headless Chromium and print the result (exit 0 pass, 1 fail, 2 too little evidence, 3 usage, 4 could not test); with --every, sample a site on a schedule (exit 0 every sample stored, else 4)',
  )
  .option('--server <url>', 'callprobe server to test against, e.g. http://127.0.0.1:8080', serverUrlArg)
  .option('--duration <seconds>', `test length (default: the page default, ${DEFAULTS.testDurationS} s)`, intArg('--duration', BOUNDS.testDurationS))
  .addOption(
    new Option('--profile <profile>', 'targets to grade against').choices(['client-to-edge', 'edge-to-edge', 'azure-region']).default('client-to-edge'),
  )
  .option('--azure-region <name>', 'with --profile azure-region: the Azure region, e.g. "West Europe"')
  .addOption(new Option('--from <where>', 'with --profile azure-region: measured from the site or the network edge').choices(['site', 'edge']).default('site'))
  .option('--turn <uri>', "someone else's TURN server (no reflector: in-page loop mode)", arg(parseTurnUri))
  .option('--turn-user <user>', 'username for --turn')
  .option('--turn-credential <password>', 'credential for --turn')
  .option('--relay <transport[:port]>', 'relay transport to test through, e.g. udp:3479, tcp, tls')
  .option('--compare', 'after the test, a short stream on every reachable relay port and transport; the report names the worst', false)
  .option(
    '--compare-seconds <seconds>',
    `with --compare: seconds per rung (default ${DEFAULTS.compareSecondsPerRung})`,
    intArg('--compare-seconds', BOUNDS.compareSecondsPerRung),
  )
  .option('--json', 'print exactly one JSON document, the report (or a could-not-test record)', false)
  .option('--csv', "print the export's CSV header and this test's row instead of the summary", false)
  .option('--browser <path>', 'Chromium executable', DEFAULTS.browserPath)
  .option('--no-save', 'do not store the result on the server (by default it is saved once and its code printed on stderr)')
  .option('--site <name>', 'the site this test is for (meta.site; saving it needs --admin-token)')
  .option('--ticket <ref>', 'a help-desk ticket reference (meta.ticket)')
  .addOption(
    new Option('--admin-token <token>', "the server's operator token, to save a result with --site")
      .env('CALLPROBE_ADMIN_TOKEN')
      .argParser(arg(parseAdminToken)),
  )
  .addOption(new Option('--token <token>', 'the same as --admin-token').env('CALLPROBE_TOKEN').argParser(arg(parseAdminToken)))
  .option(
    '--every <duration>',
    'sample the site on this schedule, e.g. 10m (one process, one browser; needs --site and the token)',
    arg((v) => parseDurationMs(v, '--every', BOUNDS.scheduleEveryMs)),
  )
  .option('--count <n>', 'with --every: stop after this many samples', intArg('--count', BOUNDS.scheduleCount))
  .option(
    '--for <duration>',
    'with --every: start no sample after this long, e.g. 7d',
    arg((v) => parseDurationMs(v, '--for', BOUNDS.scheduleForMs)),
  )
  .option('--spool <dir>', 'with --every: samples wait here until the server stored them', DEFAULTS.schedule.spoolDir)
  .action(async (_opts: unknown, cmd: Command) => {
    const o = checkRunFlags(cmd.opts<RunCommandOptions>());
    const schedule = checkScheduleFlags(o, cmd.opts<ScheduleFlags>());
    if (schedule === null) {
      process.exitCode = await runCommand(o);
      return;
    }
    const { scheduleCommand } = await import('./schedule/scheduler.js');
    process.exitCode = await scheduleCommand(o, schedule);
  });

program
  .command('aggregate')
  .description('grade the 90th percentile of many reports of one site, as Microsoft advises (exit codes as run)')
  .argument('<files...>', 'report files written by `callprobe run --json`')
  .option('--json', 'print the aggregate as JSON', false)
  .action(async (files: string[], _opts: unknown, cmd: Command) => {
    process.exitCode = await aggregateCommand(files, cmd.opts<{ json: boolean }>().json);
  });

/** --since: a span back from now (7d, 36h) or an ISO 8601 time or date, checked here, sent as given. */
const sinceArg = arg((v: string): string => {
  if (/^\s*\d+\s*[dhm]\s*$/.test(v)) {
    parseSinceSpan(v);
    return v.replace(/\s+/g, '');
  }
  if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/.test(v) && Number.isFinite(Date.parse(v))) return v;
  throw new ConfigError(`--since must be a span like 7d, 36h or 90m, or an ISO 8601 time such as 2026-01-31 or 2026-01-31T08:00:00Z, not "${v}"`);
});

program
  .command('report')
  .description("a site's report over its stored samples: P50/P90/P99 per target graded at the 90th percentile, misses, worst hours (exit codes as run)")
  .requiredOption('--server <url>', 'callprobe server holding the results, e.g. http://127.0.0.1:8080', serverUrlArg)
  .requiredOption(
    '--site <name>',
    'the site, as its samples were stored (run --site)',
    arg((v: string): string => {
      if (v.length === 0 || v.length > BOUNDS.siteChars) throw new ConfigError(`--site is 1 to ${BOUNDS.siteChars} characters`);
      return v;
    }),
  )
  .option(
    '--since <span|time>',
    `samples started since: a span back from now (7d, 36h) or an ISO 8601 time (default ${DEFAULTS.siteReport.sinceMs / 86_400_000}d)`,
    sinceArg,
  )
  .addOption(
    new Option('--profile <profile>', 'targets to grade against (default: the profile most samples used)').choices([
      'client-to-edge',
      'edge-to-edge',
      'azure-region',
    ]),
  )
  .option('--azure-region <name>', 'with --profile azure-region: the Azure region, e.g. "West Europe"')
  .addOption(new Option('--from <where>', 'with --profile azure-region: measured from the site or the network edge').choices(['site', 'edge']))
  .addOption(new Option('--path <path>', 'probe path to pool (default: the one most samples used)').choices(['rtp', 'datachannel']))
  .option(
    '--tz <zone>',
    `IANA time zone of the worst hours, e.g. Europe/Paris (default ${DEFAULTS.siteReport.timeZone})`,
    arg((v) => parseTimeZone(v)),
  )
  .option('--json', 'print the site report as JSON', false)
  .option('--csv', 'print one CSV row per target and direction', false)
  .addOption(new Option('--token <token>', "the server's operator token (else CALLPROBE_ADMIN_TOKEN)").env('CALLPROBE_TOKEN').argParser(arg(parseAdminToken)))
  .action(async (_opts: unknown, cmd: Command) => {
    const o = cmd.opts<ReportCommandOptions>();
    // The token `run --admin-token` reads from the environment works here too.
    const fallback = process.env['CALLPROBE_ADMIN_TOKEN'];
    const token = o.token ?? (fallback === undefined || fallback === '' ? undefined : parseAdminToken(fallback));
    process.exitCode = await reportCommand({ ...o, ...(token === undefined ? {} : { token }) });
  });

interface CoturnConfigFlags {
  listeningIp: string;
  relayIp?: string;
  ports: number[];
  relayPorts: { min: number; max: number };
  secret: string;
  realm: string;
  allowPeers: string[];
  outDir?: string;
}

program
  .command('hash-password')
  .description('read a password from stdin (one line) and print its scrypt hash (scrypt$N$r$p$salt$hash) for a serve --users file')
  .action(async () => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > BOUNDS.passwordChars.max * 4 + 2) throw new ConfigError(`the password is over ${BOUNDS.passwordChars.max} characters`, 'bad-value');
      chunks.push(chunk);
      // One line: typed at a terminal, Enter ends it.
      if (chunk.includes(10)) break;
    }
    const password = parsePassword(Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '');
    process.stdout.write(`${await hashPassword(password)}\n`);
  });

program
  .command('coturn-config')
  .description('print turnserver.conf files that make coturn serve what the embedded relay serves (one instance per port)')
  .option('--listening-ip <ip>', 'address coturn listens on', DEFAULTS.host)
  .option('--relay-ip <ip>', 'address put in XOR-RELAYED-ADDRESS (default: --listening-ip)')
  .addOption(
    new Option('--ports <ports>', 'UDP/TCP ports, one coturn instance each')
      .argParser(portsArg)
      .default(DEFAULTS.turnUdpPorts, portsText(DEFAULTS.turnUdpPorts)),
  )
  .addOption(
    new Option('--relay-ports <range>', 'relay port range shared by the instances')
      .argParser(rangeArg('--relay-ports'))
      .default(DEFAULTS.relayPortRange, rangeText),
  )
  .requiredOption('--secret <secret>', 'TURN REST-API shared secret (give the same to callprobe serve --secret)')
  .option('--realm <realm>', 'realm', DEFAULTS.realm)
  .option('--allow-peers <cidrs>', 'extra peer addresses (e.g. the reflector)', listArg, [])
  .option('--out-dir <dir>', 'write turnserver-<port>.conf files there instead of printing')
  .action(async (_opts: unknown, cmd: Command) => {
    const o = cmd.opts<CoturnConfigFlags>();
    const confs = renderCoturnConfig({
      listeningIp: o.listeningIp,
      relayIp: o.relayIp ?? o.listeningIp,
      ports: o.ports,
      relayPortRange: o.relayPorts,
      realm: o.realm,
      secret: o.secret,
      allowPeers: o.allowPeers,
    });
    if (o.outDir) {
      await mkdir(o.outDir, { recursive: true });
      for (const c of confs) {
        const file = join(o.outDir, `turnserver-${c.port}.conf`);
        await writeFile(file, c.text, { mode: 0o600 });
        process.stderr.write(`wrote ${file} (run: turnserver -c ${file})\n`);
      }
    } else {
      process.stdout.write(confs.map((c) => `# ---- turnserver-${c.port}.conf: turnserver -c turnserver-${c.port}.conf\n${c.text}`).join('\n'));
    }
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const code = exitCodeFor({ error: err });
  // Help and version print themselves and end with code 0; "help instead of an error" (no command) too.
  const printed =
    err instanceof Error && 'code' in err && (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help');
  if (!printed) process.stderr.write(`${errorText(err)}\n`);
  process.exit(code);
}
