/** The client's commands (`run`, `aggregate`, `report`, `site-token`, `edge-token`, `alerts`, `spool`): their flags, checked and handed to the client (client/). */
import { Argument, Option, type Command } from 'commander';
import { BOUNDS, CONSTANTS, DEFAULTS } from '../src/protocol/defaults.js';
import { parseAdminToken, parseDurationMs, parseEdgeId, parseInstant, parseTimeZone } from '../src/protocol/values.js';
import { parseTurnUri } from '../src/protocol/turn-uri.js';
import { ConfigError } from '../src/protocol/config-error.js';
import {
  checkRunFlags,
  checkScheduleFlags,
  parseCsvSep,
  parseLang,
  parseRelayPick,
  parseServerUrl,
  parseSince,
  parseSiteName,
  type ReportCommandOptions,
  type RunCommandOptions,
  type ScheduleFlags,
  type ScheduleOptions,
  readReachabilityFile,
  readSecretFile,
} from '../client/options.js';
import type { SiteTokenCommandOptions } from '../client/commands/site-token.js';
import type { AlertsCommandOptions } from '../client/commands/alerts-test.js';
import type { SpoolCommandOptions } from '../client/commands/spool.js';
import type { EdgeTokenCommandOptions } from '../client/commands/edge-token.js';
import { arg, intArg } from './args.js';
import { parseAzureRegion } from '../server/edges/azure-region.js';

const serverUrlArg = arg(parseServerUrl);

export function defineRun(program: Command, act: (o: RunCommandOptions, schedule: ScheduleOptions | null) => Promise<void>): void {
  program
    .command('run')
    .description('run one test in headless Chromium and print the result; with --every, sample a site on a schedule (the exit codes of each: below)')
    .option('--server <url>', 'callprobe server to test against, e.g. http://127.0.0.1:8080', serverUrlArg)
    .option(
      '--duration <seconds>',
      `test length (default: the page default, ${DEFAULTS.testDurationS} s; with --every ${DEFAULTS.schedule.sampleDurationS} s)`,
      intArg('--duration', BOUNDS.testDurationS),
    )
    .addOption(
      new Option('--profile <profile>', 'targets to grade against').choices(['client-to-edge', 'edge-to-edge', 'azure-region']).default('client-to-edge'),
    )
    .option('--azure-region <name>', 'with --profile azure-region: the Azure region, e.g. "West Europe"')
    .addOption(
      new Option('--from <where>', 'with --profile azure-region: measured from the site or the network edge').choices(['site', 'edge']).default('site'),
    )
    .option('--turn <uri>', "someone else's TURN server (no reflector: in-page loop mode)", arg(parseTurnUri))
    .option('--turn-user <user>', 'username for --turn')
    .addOption(
      new Option('--turn-credential <password>', 'credential for --turn (seen by anyone who lists processes: prefer the variable or the file)').env(
        'CALLPROBE_TURN_CREDENTIAL',
      ),
    )
    .option(
      '--turn-credential-file <path>',
      "credential for --turn, the file's first line",
      arg((v) => readSecretFile(v, '--turn-credential-file')),
    )
    .option('--relay <transport[:port]>', 'relay transport to test through, e.g. udp:3479, tcp, tls (one the server offers)', arg(parseRelayPick))
    .option('--compare', 'after the test, a short stream on every reachable relay port and transport; the report names the worst', false)
    .option(
      '--compare-seconds <seconds>',
      `with --compare: seconds per rung (default ${DEFAULTS.compareSecondsPerRung})`,
      intArg('--compare-seconds', BOUNDS.compareSecondsPerRung),
    )
    .option(
      '--load',
      `after the idle window, test again with the line busy: uploads then downloads to the server (adds up to ${Math.ceil(DEFAULTS.load.phaseMaxMs / 1000)} s and at most ${DEFAULTS.load.maxBytesPerDirection / 1e6} MB each way unless the server says less; never changes the exit code)`,
      false,
    )
    .option(
      '--video',
      `after the probes, send video through the relay each way for ${CONSTANTS.video.seconds} s (at most ${CONSTANTS.video.maxUpKbps / 1000} Mbit/s each way): the report's video section says what fits (audio, screen sharing, video up to 1080p); never changes the verdict or the exit code`,
      false,
    )
    .option(
      '--devices',
      "first check the microphone, speaker and camera with the browser's fake devices (the report's devices section; never changes the verdict or the exit code; not with --every)",
      false,
    )
    .option(
      '--network',
      'after the test, read the network this machine is on: the connection the browser names, whether web and call traffic leave from different addresses (a split path: a VPN or proxy), and, when the server offers both, round trip and loss over IPv4 and over IPv6; never changes the verdict or the exit code',
      false,
    )
    .option(
      '--qos',
      "also count the QoS marks the server's answers arrive with (the report's qos.downstream: kept, remarked or cleared), with an nftables counter in this machine's own network namespace, set up before the test and removed after it; needs root on Linux (else not measured); the way out is read by the server on every test; never changes the verdict or the exit code",
      false,
    )
    .option(
      '--teams-reachability <file>',
      "first try the media relays this file lists (one per line: udp|tcp|tls host ports) and say per port whether it answered and how fast: reachability, not call quality (the report's teamsReachability; never changes the verdict or the exit code)",
      arg(readReachabilityFile),
    )
    .option('--json', 'print exactly one JSON document, the report (or a could-not-test record)', false)
    .option('--csv', "print the export's CSV header and this test's row instead of the summary (figures rounded as the page shows them)", false)
    .option('--csv-sep <sep>', 'with --csv: comma (default) or semicolon, for spreadsheets whose list separator is ;', arg(parseCsvSep))
    .option(
      '--lang <lang>',
      'the summary in this language: en (default), de, fr, es, ja or zh-Hans; with --csv, de, fr and es write decimal commas',
      arg(parseLang),
    )
    .option('--browser <path>', 'Chromium executable', DEFAULTS.browserPath)
    .option('--evidence <file>', 'also write the evidence the report was graded from (every probe and the views outside the page, JSON) to this file')
    .option('--no-save', 'do not store the result on the server (by default it is saved once and its code printed on stderr)')
    .option(
      '--site <name>',
      "the site this test is for (meta.site; saving it needs the site's upload-only token or the operator token, checked before the test)",
    )
    .option('--ticket <ref>', 'a help-desk ticket reference (meta.ticket)')
    .addOption(
      new Option(
        '--admin-token <token>',
        "the site's upload-only token (callprobe site-token create) or the server's operator token, to save a result with --site",
      )
        .env('CALLPROBE_ADMIN_TOKEN')
        .argParser(arg(parseAdminToken)),
    )
    .addOption(new Option('--token <token>', 'the same as --admin-token').env('CALLPROBE_TOKEN').argParser(arg(parseAdminToken)))
    .option(
      '--every <duration>',
      "sample the site on this schedule, e.g. 10m (one process, one browser; needs --site and the site's token)",
      arg((v) => parseDurationMs(v, '--every', BOUNDS.scheduleEveryMs)),
    )
    .option(
      '--count <n>',
      'with --every: stop after this many samples taken, those that could not test included (for a week, prefer --for or --until)',
      intArg('--count', BOUNDS.scheduleCount),
    )
    .option(
      '--for <duration>',
      'with --every: start no sample after this long, e.g. 7d (from the first start: a restart keeps the end)',
      arg((v) => parseDurationMs(v, '--for', BOUNDS.scheduleForMs)),
    )
    .option(
      '--until <time>',
      'with --every: start no sample at or after this ISO 8601 time with its offset, e.g. 2026-02-09T18:00:00+01:00 (not with --for)',
      arg((v) => parseInstant(v, '--until')),
    )
    .option('--spool <dir>', 'with --every: samples wait here until the server stored them; the schedule is kept there too', DEFAULTS.schedule.spoolDir)
    .action(async (_opts: unknown, cmd: Command) => {
      const o = checkRunFlags(cmd.opts<RunCommandOptions>());
      await act(o, checkScheduleFlags(o, cmd.opts<ScheduleFlags>()));
    });
}

export function defineAggregate(program: Command, act: (files: string[], json: boolean) => Promise<void>): void {
  program
    .command('aggregate')
    .description('grade the 90th percentile of many reports of one site, as Microsoft advises (exit code by its verdict, as run)')
    .argument('<files...>', 'report files written by `callprobe run --json`')
    .option('--json', 'print the aggregate as JSON', false)
    .action(async (files: string[], _opts: unknown, cmd: Command) => {
      await act(files, cmd.opts<{ json: boolean }>().json);
    });
}

export function defineReport(program: Command, act: (o: ReportCommandOptions) => Promise<void>): void {
  program
    .command('report')
    .description(
      "a site's report over its stored samples: P50/P90/P99 per target graded at the 90th percentile, misses, worst hours; or --all sites' P90s (exit code by its verdict, as run)",
    )
    .requiredOption('--server <url>', 'callprobe server holding the results, e.g. http://127.0.0.1:8080', serverUrlArg)
    .option('--site <name>', 'the site, as its samples were stored (run --site); or --all', arg(parseSiteName))
    .option(
      '--since <span|time>',
      `samples started since: a span back from now (7d, 36h) or an ISO 8601 time (default ${CONSTANTS.siteReport.sinceMs / 86_400_000}d)`,
      arg(parseSince),
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
      `IANA time zone of the worst hours, e.g. Europe/Paris (default ${CONSTANTS.siteReport.timeZone})`,
      arg((v) => parseTimeZone(v)),
    )
    .option('--all', 'instead of --site: every site, its P90 per target with its grade (the all-sites overview)', false)
    .option('--json', 'print the site report as JSON', false)
    .option('--csv', 'print one CSV row per target and direction', false)
    .option('--csv-sep <sep>', 'with --csv: comma (default) or semicolon, for spreadsheets whose list separator is ;', arg(parseCsvSep))
    .addOption(new Option('--token <token>', "the server's operator token (else CALLPROBE_ADMIN_TOKEN)").env('CALLPROBE_TOKEN').argParser(arg(parseAdminToken)))
    .action(async (_opts: unknown, cmd: Command) => {
      const o = cmd.opts<ReportCommandOptions>();
      if (o.csvSep !== undefined && !o.csv) throw new ConfigError('missing-option', '--csv-sep needs --csv');
      // The token `run --admin-token` reads from the environment works here too.
      const fallback = process.env['CALLPROBE_ADMIN_TOKEN'];
      const token = o.token ?? (fallback === undefined || fallback === '' ? undefined : parseAdminToken(fallback));
      await act({ ...o, ...(token === undefined ? {} : { token }) });
    });
}

export function defineSiteToken(program: Command, act: (o: SiteTokenCommandOptions) => Promise<void>): void {
  program
    .command('site-token')
    .description('upload-only site tokens for probe machines: create one (printed alone on the last line), list them, revoke them')
    .addArgument(new Argument('<action>', 'what to do').choices(['create', 'list', 'revoke']))
    .requiredOption('--server <url>', 'the callprobe server, e.g. https://callprobe.example.org', serverUrlArg)
    .option('--site <name>', 'the site the token uploads for (create), lists (list) or revokes (revoke: every live token of it)', arg(parseSiteName))
    .option('--id <id>', 'revoke: this token only (the id list shows)')
    .option(
      '--await-first-sample',
      'create: for a probe not installed yet: the site\'s silence is counted from its first stored sample, not from now (the overview says "not yet installed")',
    )
    .addOption(new Option('--token <token>', "the server's operator token (else CALLPROBE_ADMIN_TOKEN)").env('CALLPROBE_TOKEN').argParser(arg(parseAdminToken)))
    .action(async (action: SiteTokenCommandOptions['action'], _opts: unknown, cmd: Command) => {
      const o = cmd.opts<Omit<SiteTokenCommandOptions, 'action'>>();
      const fallback = process.env['CALLPROBE_ADMIN_TOKEN'];
      const token = o.token ?? (fallback === undefined || fallback === '' ? undefined : parseAdminToken(fallback));
      await act({ ...o, action, ...(token === undefined ? {} : { token }) });
    });
}

/** The operator token of a command that takes one: --token or CALLPROBE_TOKEN, else CALLPROBE_ADMIN_TOKEN as `run` reads it. */
function operatorToken(given: string | undefined): string | undefined {
  const fallback = process.env['CALLPROBE_ADMIN_TOKEN'];
  return given ?? (fallback === undefined || fallback === '' ? undefined : parseAdminToken(fallback));
}

export function defineAlerts(program: Command, act: (o: AlertsCommandOptions) => Promise<void>): void {
  program
    .command('alerts')
    .description(
      'test: post a test event ("test": true) to every webhook of serve\'s alerts file and every --result-webhook, and print each receiver\'s answer',
    )
    .addArgument(new Argument('<action>', 'what to do').choices(['test']))
    .requiredOption('--server <url>', 'the callprobe server, e.g. https://callprobe.example.org', serverUrlArg)
    .addOption(new Option('--token <token>', "the server's operator token (else CALLPROBE_ADMIN_TOKEN)").env('CALLPROBE_TOKEN').argParser(arg(parseAdminToken)))
    .action(async (action: AlertsCommandOptions['action'], _opts: unknown, cmd: Command) => {
      const o = cmd.opts<Omit<AlertsCommandOptions, 'action'>>();
      const token = operatorToken(o.token);
      await act({ ...o, action, ...(token === undefined ? {} : { token }) });
    });
}

export function defineSpool(program: Command, act: (o: SpoolCommandOptions) => Promise<void>): void {
  program
    .command('spool')
    .description('send: send what waits in a spool of run --every (one left behind, or samples that waited for a good token), each to its server')
    .addArgument(new Argument('<action>', 'what to do').choices(['send']))
    .requiredOption('--spool <dir>', 'the spool folder (run --every --spool)')
    .option('--server <url>', 'only the samples for this server (default: each to the server it was taken for)', serverUrlArg)
    .addOption(
      new Option('--token <token>', "the site's upload-only token or the operator token (else CALLPROBE_ADMIN_TOKEN)")
        .env('CALLPROBE_TOKEN')
        .argParser(arg(parseAdminToken)),
    )
    .action(async (action: SpoolCommandOptions['action'], _opts: unknown, cmd: Command) => {
      const o = cmd.opts<Omit<SpoolCommandOptions, 'action'>>();
      const token = operatorToken(o.token);
      await act({ ...o, action, ...(token === undefined ? {} : { token }) });
    });
}

export function defineEdgeToken(program: Command, act: (o: EdgeTokenCommandOptions) => Promise<void>): void {
  program
    .command('edge-token')
    .description("a hub's edge tokens: create one for an edge (printed alone on the last line), list them, revoke them")
    .addArgument(new Argument('<action>', 'what to do').choices(['create', 'list', 'revoke']))
    .requiredOption('--server <url>', 'the hub, e.g. https://callprobe.example.org', serverUrlArg)
    .option(
      '--edge <id>',
      'the edge the token registers (create), lists (list) or revokes (revoke: every live token of it)',
      arg((v) => parseEdgeId(v, '--edge')),
    )
    .option('--azure-region <name>', 'create: the region the edge stands in, a region of the Azure RTT table (its beats must name it)', arg(parseAzureRegion))
    .option(
      '--host <host>',
      "create: what the edge advertises, the host of its --public-url and of its TURN entries (--advertise): a DNS name, or one address per family; repeat it for a name and addresses (not serve --host's listen address)",
      (v: string, before: string[] = []) => [...before, v],
    )
    .option('--id <id>', 'revoke: this token only (the id list shows)')
    .addOption(new Option('--token <token>', "the hub's operator token (else CALLPROBE_ADMIN_TOKEN)").env('CALLPROBE_TOKEN').argParser(arg(parseAdminToken)))
    .action(async (action: EdgeTokenCommandOptions['action'], _opts: unknown, cmd: Command) => {
      const o = cmd.opts<Omit<EdgeTokenCommandOptions, 'action'>>();
      const token = operatorToken(o.token);
      await act({ ...o, action, ...(token === undefined ? {} : { token }) });
    });
}
