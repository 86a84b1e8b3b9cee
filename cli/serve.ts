/** `callprobe serve`: its flags, resolved into one ServeOptions (server/config/options.ts) and handed to `act`. */
import { Option, type Command } from 'commander';
import { BOUNDS, CONSTANTS, DEFAULTS } from '../src/protocol/defaults.js';
import { parseAdminToken, parseEdgeId, parseEdgeToken } from '../src/protocol/values.js';
import { parseAdvertise, parseEmbedOrigins, parseHostPort, parseOriginUrl, parseTrustProxy } from '../server/config/parse.js';
import { parseAzureRegion } from '../server/edges/azure-region.js';
import { parseDbTarget } from '../server/store/target.js';
import { serveOptionsFromFlags, type ServeFlags, type ServeOptions } from '../server/config/options.js';
import { readAlertsConfig } from '../server/alerts/config.js';
import { parseResultWebhook, type ResultWebhook } from '../server/alerts/result-webhook.js';
import { readUsersFile } from '../server/console/auth.js';
import { parseOidcClientId, parseOidcIssuer, readOidcGroupsFile, readOidcSecretFile } from '../server/console/oidc-config.js';
import { readReachabilityFile } from '../client/options.js';
import { arg, intArg, intOption, listArg, portsArg, portsText, rangeArg, rangeText, turnUrisArg, workersArg } from './args.js';

export function defineServe(program: Command, act: (opts: ServeOptions) => Promise<void>): void {
  program
    .command('serve')
    .description('serve the test page and its API over HTTP, with the embedded TURN relay and the reflector')
    .option('--host <ip>', 'address for HTTP, TURN and the reflector', DEFAULTS.host)
    .addOption(intOption('--http-port <port>', 'HTTP port', BOUNDS.listenPort, DEFAULTS.httpPort))
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
    .addOption(intOption('--credential-ttl <seconds>', 'lifetime of the TURN credentials handed to pages', BOUNDS.credentialTtlS, DEFAULTS.credentialTtlS))
    .option('--advertise <host[:ports]>', 'host and UDP ports handed to clients when they differ from where the relay listens', arg(parseAdvertise))
    .option('--allow-peers <cidrs>', 'extra peer addresses the relay may send to (comma-separated CIDRs)', listArg, [])
    .option('--external-turn <uris>', 'hand out this relay instead of the embedded one (comma-separated TURN URIs, e.g. coturn)', turnUrisArg)
    .option('--no-reflector', 'run without the server-side reflector (pages fall back to the in-page loop)')
    .option('--no-rtp', 'run the reflector without its RTP probe leg (pages probe over the data channel only)')
    .addOption(
      new Option(
        '--workers <n>',
        'where the data plane (the relay and the reflector) runs: 1, in one process beside the HTTP process, restarted if it exits; 0, in the HTTP process. One plane per host: to scale, add hosts as edges of a hub (--hub)',
      )
        .argParser(workersArg)
        .default(DEFAULTS.dataPlane.workers),
    )
    .addOption(
      new Option(
        '--data-path <path>',
        "what the relay and the reflector run on: native, our C addons (npm run build makes them where a C compiler is; about a third of portable's CPU per test); portable, Node alone (wherever Node 20 runs); auto, native when both addons load, else portable",
      )
        .choices(['auto', 'native', 'portable'])
        .default(DEFAULTS.dataPath),
    )
    .addOption(
      intOption(
        '--max-allocations-per-user <n>',
        'relay allocations one TURN credential (one page test) may hold',
        BOUNDS.allocations,
        DEFAULTS.relayQuotas.maxAllocationsPerUsername,
      ),
    )
    .addOption(
      intOption(
        '--max-allocations-per-ip <n>',
        'relay allocations, and TURN TCP/TLS connections, one client address may hold (IPv6: one /64; an office behind one NAT: about 8 per simultaneous test)',
        BOUNDS.allocations,
        DEFAULTS.relayQuotas.maxAllocationsPerSourceIp,
      ),
    )
    .addOption(intOption('--max-allocations <n>', 'relay allocations in total', BOUNDS.allocations, DEFAULTS.relayQuotas.maxAllocationsTotal))
    .addOption(
      intOption(
        '--max-tests <n>',
        "tests at once: the server's capacity (set it from npm run bench:load -- --capacity); the next is told the server is busy, before it measures",
        BOUNDS.maxTests,
        DEFAULTS.maxSessions,
      ),
    )
    .addOption(
      intOption(
        '--refuse-late-ms <ms>',
        "a new test is told the server is busy while the data plane's event loop ran this many ms late or more in 60 % of its last 10 s; 0 turns this off (the tests already running then take the lateness)",
        BOUNDS.refuseLateMs,
        CONSTANTS.admission.busyLateMs,
      ),
    )
    .addOption(
      intOption(
        '--max-sessions-per-ip <n>',
        'reflector tests open at once from one address (IPv6: one /64)',
        BOUNDS.perSourceLimit,
        DEFAULTS.signalling.maxSessionsPerSource,
      ),
    )
    .addOption(
      intOption(
        '--sessions-per-minute <n>',
        'reflector tests started per minute from one address (IPv6: one /64)',
        BOUNDS.perSourceLimit,
        DEFAULTS.signalling.newSessionsPerMinutePerSource,
      ),
    )
    .addOption(
      intOption(
        '--config-per-minute <n>',
        'TURN credentials (/api/config) per minute for one address (IPv6: one /64)',
        BOUNDS.perSourceLimit,
        DEFAULTS.signalling.configPerMinutePerSource,
      ),
    )
    .addOption(
      intOption(
        '--max-connections <n>',
        'HTTP connections open at once, all clients together (lowered at start to fit the open-file limit minus --fd-reserve)',
        BOUNDS.connections,
        DEFAULTS.http.maxConnections,
      ),
    )
    .addOption(
      intOption(
        '--max-connections-per-ip <n>',
        'HTTP connections open at once from one address (IPv6: one /64; one test holds about 20, so the default lets an office behind one NAT run 12 at once)',
        BOUNDS.connections,
        DEFAULTS.http.maxConnectionsPerSource,
      ),
    )
    .addOption(
      intOption(
        '--fd-reserve <n>',
        'file descriptors HTTP connections never take, kept for the TURN relay, the reflector and the store',
        BOUNDS.fdReserve,
        DEFAULTS.http.fdReserve,
      ),
    )
    .option(
      '--metrics-listen <host:port>',
      'serve Prometheus /metrics there (default: nowhere; never on the public port)',
      arg((t) => parseHostPort(t, '--metrics-listen')),
    )
    .addOption(
      intOption(
        '--metrics-max-sites <n>',
        'sites with quality series of their own on /metrics (those with most samples; the others summed as site="_other")',
        BOUNDS.metricsMaxSites,
        DEFAULTS.siteSeries.maxSites,
      ),
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
    .addOption(
      intOption(
        '--upload-bytes-per-day <bytes>',
        'bytes of results one address (IPv6: one /64) may have stored per day without the operator token (then 429)',
        BOUNDS.uploadBytesPerDay,
        DEFAULTS.results.storedBytesPerDayPerSource,
      ),
    )
    .addOption(intOption('--retain-days <days>', 'keep address-free reports this long', BOUNDS.retainDays, DEFAULTS.results.retainDays))
    .addOption(intOption('--retain-ip-days <days>', "keep results' client addresses this long", BOUNDS.retainIpDays, DEFAULTS.results.retainIpDays))
    .option('--alerts <file>', 'site alert rules and their webhooks (JSON; see docs/assess-a-site.md)', arg(readAlertsConfig))
    .option(
      '--result-webhook <url[;filter]>',
      'post every stored result (code, ticket, site, verdict, its one-line answer, share link, time: JSON) to this URL, repeatable; filters after ";": ticket=PREFIX, site=NAME, verdicts=pass,fail,insufficient,could-not-test (see docs/console.md)',
      (v: string, earlier: ResultWebhook[] | undefined) => [...(earlier ?? []), arg(parseResultWebhook)(v)],
    )
    .option(
      '--teams-reachability <file>',
      'pages try the media relays this file lists (one per line: udp|tcp|tls host ports) after their test and say per port whether it answered and how fast: reachability, not call quality (the server hands the list to the page and never contacts them itself)',
      arg(readReachabilityFile),
    )
    .option(
      '--users <file>',
      'open the help desk console (/console) to these users: JSON [{ name, role: tier1|tier2, passwordHash }] (see hash-password)',
      arg(readUsersFile),
    )
    .option(
      '--oidc-issuer <url>',
      "open the help desk console to your company's identity provider (OpenID Connect): its issuer URL, with --oidc-client-id and --oidc-groups (see docs/console.md)",
      arg(parseOidcIssuer),
    )
    .option('--oidc-client-id <id>', 'the client id the identity provider gave callprobe', arg(parseOidcClientId))
    .option('--oidc-secret-file <file>', "a file holding the client's secret, one line (default: a public client, PKCE alone)", arg(readOidcSecretFile))
    .option(
      '--oidc-groups <file>',
      'which groups of the identity provider open the console at which tier: JSON { "claim": "groups", "tier1": [...], "tier2": [...] }',
      arg(readOidcGroupsFile),
    )
    .option('--no-load', 'do not offer the busy-line test (pages that ask get "not offered")')
    .addOption(
      intOption(
        '--load-max-bytes <bytes>',
        'most bytes one busy-line test may move in each direction (pages show it before they start)',
        BOUNDS.loadMaxBytes,
        DEFAULTS.load.maxBytesPerDirection,
      ),
    )
    .addOption(
      intOption(
        '--load-max-flows-per-source <n>',
        'busy-line load flows one address may hold open at once (IPv6: one /64; one test opens 6)',
        BOUNDS.loadFlows,
        DEFAULTS.load.maxFlowsPerSource,
      ),
    )
    .addOption(intOption('--load-max-flows <n>', 'busy-line load flows open at once in total', BOUNDS.loadFlows, DEFAULTS.load.maxFlows))
    .addOption(
      intOption(
        '--load-tests-per-hour <n>',
        'busy-line tests one address may start per hour (IPv6: one /64)',
        BOUNDS.loadPhasesPerHour,
        DEFAULTS.load.phasesPerHourPerSource,
      ),
    )
    .addOption(
      intOption(
        '--load-bytes-per-hour <bytes>',
        'most bytes busy-line tests may move per hour, all addresses and both directions together (then refused until the hour is over)',
        BOUNDS.loadBytesPerHour,
        DEFAULTS.load.maxBytesPerHour,
      ),
    )
    .option(
      '--embed-origins <origins>',
      'origins whose pages may show the test page in a frame and receive its result, comma-separated exact origins (default: none may)',
      arg(parseEmbedOrigins),
    )
    .option('--trust-proxy <cidrs>', 'reverse proxies whose X-Forwarded-For gives the client address (comma-separated IPs/CIDRs)', arg(parseTrustProxy))
    .option(
      '--hub <url>',
      "run as an edge of this hub: the relay, the reflectors and signalling for the hub's pages, nothing stored (with --edge-id, --azure-region, --edge-token)",
      arg((v) => parseOriginUrl(v, '--hub')),
    )
    .option(
      '--edge-id <id>',
      "this edge's id at its hub, e.g. weu-1 (the one its edge token names)",
      arg((v) => parseEdgeId(v)),
    )
    .option('--azure-region <name>', 'where this edge stands: a region of the Azure RTT table, e.g. "West Europe"', arg(parseAzureRegion))
    .addOption(
      new Option('--edge-token <token>', 'the edge token `edge-token create` printed on the hub').env('CALLPROBE_EDGE_TOKEN').argParser(arg(parseEdgeToken)),
    )
    .option(
      '--public-url <url>',
      "where people reach this server, e.g. https://callprobe.example.org: an edge's HTTP and signalling (with --hub), a hub's own origin (on a special-purpose address, a lab: its edges may stand on one too), the share links of --result-webhook posts (default: the address it listens on)",
      arg((v) => parseOriginUrl(v, '--public-url')),
    )
    .action(async (_opts: unknown, cmd: Command) => {
      await act(serveOptionsFromFlags(cmd.opts<ServeFlags>()));
    });
}
