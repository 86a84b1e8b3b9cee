#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, DEFAULTS, parseAdvertise, parsePortList } from '../src/protocol/defaults.js';
import { serve, parseTurnUri } from './commands/serve.js';
import { runCommand, type RunCommandOptions } from './commands/run.js';
import { callprobeVersion } from './version.js';
import { aggregateCommand } from './commands/aggregate.js';
import { renderCoturnConfig } from './turn/coturn-config.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Exit codes of `callprobe run` (and usage errors of every command). */
export const EXIT = { pass: 0, fail: 1, cannotTest: 2, usage: 3 } as const;

function intArg(name: string, min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer ${min}..${max}`);
    return n;
  };
}

function portsArg(v: string): number[] {
  try {
    return parsePortList(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function listArg(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

const program = new Command('callprobe')
  .description('WebRTC media-path tester: probe streams through a TURN relay, graded against Teams network targets')
  .version(callprobeVersion())
  .exitOverride()
  .showHelpAfterError();

program
  .command('serve')
  .description('serve the test page and its API over HTTP, with the embedded TURN relay and the reflector')
  .option('--host <ip>', 'address for HTTP, TURN and the reflector', DEFAULTS.host)
  .option('--http-port <port>', 'HTTP port', intArg('--http-port', 0, 65535), DEFAULTS.httpPort)
  .option('--turn-ports <ports>', 'TURN UDP ports (TURN over TCP listens on the first)', portsArg, DEFAULTS.turnUdpPorts)
  .option('--tcp-ports <ports>', 'extra TURN-over-TCP ports, e.g. 443', portsArg)
  .option('--tls-port <port>', 'TURN-over-TLS port (needs --tls-cert and --tls-key)', intArg('--tls-port', 1, 65535))
  .option('--tls-cert <file>', 'PEM certificate for TURN over TLS')
  .option('--tls-key <file>', 'PEM private key for TURN over TLS')
  .option('--relay-ip <ip>', 'address put in XOR-RELAYED-ADDRESS (default: --host)')
  .option('--relay-ports <range>', 'relay socket port range', `${DEFAULTS.relayPortRange.min}-${DEFAULTS.relayPortRange.max}`)
  .option('--secret <secret>', 'TURN REST-API shared secret (default: random per start)')
  .option('--credential-ttl <seconds>', 'lifetime of the TURN credentials handed to pages', intArg('--credential-ttl', 60, 7 * 86400), DEFAULTS.credentialTtlS)
  .option('--advertise <host[:ports]>', 'host and UDP ports handed to clients when they differ from where the relay listens')
  .option('--allow-peers <cidrs>', 'extra peer addresses the relay may send to (comma-separated CIDRs)', listArg, [])
  .option('--external-turn <uris>', 'hand out this relay instead of the embedded one (comma-separated TURN URIs, e.g. coturn)', listArg)
  .option('--no-reflector', 'run without the server-side reflector (pages fall back to the in-page loop)')
  .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug']).default('info'))
  .action(async (o: Record<string, unknown>) => {
    const host = o['host'] as string;
    const relayRange = /^(\d+)-(\d+)$/.exec(o['relayPorts'] as string);
    if (!relayRange) throw new ConfigError('--relay-ports must look like 49152-65535');
    const tlsPort = o['tlsPort'] as number | undefined;
    if (tlsPort !== undefined && (!o['tlsCert'] || !o['tlsKey'])) throw new ConfigError('--tls-port needs --tls-cert and --tls-key');
    if ((host === '0.0.0.0' || host === '::') && !o['relayIp']) {
      throw new ConfigError(`--host ${host} listens everywhere: give --relay-ip, the one address peers and the reflector use`);
    }
    const external = o['externalTurn'] as string[] | undefined;
    external?.forEach(parseTurnUri);
    const server = await serve(
      {
        host,
        httpPort: o['httpPort'] as number,
        turnUdpPorts: o['turnPorts'] as number[],
        tcpPorts: (o['tcpPorts'] as number[] | undefined) ?? [],
        tls: tlsPort !== undefined ? { port: tlsPort, certPath: o['tlsCert'] as string, keyPath: o['tlsKey'] as string } : null,
        relayIp: (o['relayIp'] as string | undefined) ?? host,
        relayPortRange: { min: Number(relayRange[1]), max: Number(relayRange[2]) },
        secret: (o['secret'] as string | undefined) ?? null,
        credentialTtlS: o['credentialTtl'] as number,
        advertise: o['advertise'] ? parseAdvertise(o['advertise'] as string) : null,
        allowPeers: o['allowPeers'] as string[],
        externalTurn: external ?? null,
        reflector: o['reflector'] as boolean,
        logLevel: o['logLevel'] as string,
      },
      (msg) => process.stderr.write(`${msg}\n`),
    );
    process.stderr.write(`callprobe serving ${server.url} (TURN ${server.relay ? server.relay.listeners.map((l) => `${l.transport}/${l.port}`).join(' ') : 'external'})\n`);
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
  .description('run one test in headless Chromium and print the result (exit 0 pass, 1 fail, 2 could not test, 3 usage)')
  .option('--server <url>', 'callprobe server to test against, e.g. http://127.0.0.1:8080')
  .option('--duration <seconds>', 'test length (default: the page default, 15 s)', intArg('--duration', 1, 600))
  .addOption(new Option('--profile <profile>', 'targets to grade against').choices(['client-to-edge', 'edge-to-edge', 'azure-region']).default('client-to-edge'))
  .option('--azure-region <name>', 'with --profile azure-region: the Azure region, e.g. "West Europe"')
  .addOption(new Option('--from <where>', 'with --profile azure-region: measured from the site or the network edge').choices(['site', 'edge']).default('site'))
  .option('--turn <uri>', "someone else's TURN server (no reflector: in-page loop mode)")
  .option('--turn-user <user>', 'username for --turn')
  .option('--turn-credential <password>', 'credential for --turn')
  .option('--relay <transport[:port]>', 'relay transport to test through, e.g. udp:3479, tcp, tls')
  .option('--json', 'print exactly one JSON document, the report', false)
  .option('--browser <path>', 'Chromium executable', DEFAULTS.browserPath)
  .action(async (o: RunCommandOptions) => {
    if (o.profile === 'azure-region' && !o.azureRegion) throw new ConfigError('--profile azure-region needs --azure-region');
    if (!o.server && !o.turn) throw new ConfigError('give --server URL (or --turn URI for a TURN server without callprobe)');
    if (o.turn && (!o.turnUser || !o.turnCredential)) throw new ConfigError('--turn needs --turn-user and --turn-credential');
    process.exitCode = await runCommand(o);
  });

program
  .command('aggregate')
  .description('grade the 90th percentile of many reports of one site, as Microsoft advises (exit codes as run)')
  .argument('<files...>', 'report files written by `callprobe run --json`')
  .option('--json', 'print the aggregate as JSON', false)
  .action(async (files: string[], o: { json: boolean }) => {
    process.exitCode = await aggregateCommand(files, o.json);
  });

program
  .command('coturn-config')
  .description('print turnserver.conf files that make coturn serve what the embedded relay serves (one instance per port)')
  .option('--listening-ip <ip>', 'address coturn listens on', DEFAULTS.host)
  .option('--relay-ip <ip>', 'address put in XOR-RELAYED-ADDRESS (default: --listening-ip)')
  .option('--ports <ports>', 'UDP/TCP ports, one coturn instance each', portsArg, DEFAULTS.turnUdpPorts)
  .option('--relay-ports <range>', 'relay port range shared by the instances', `${DEFAULTS.relayPortRange.min}-${DEFAULTS.relayPortRange.max}`)
  .requiredOption('--secret <secret>', 'TURN REST-API shared secret (give the same to callprobe serve --secret)')
  .option('--realm <realm>', 'realm', DEFAULTS.realm)
  .option('--allow-peers <cidrs>', 'extra peer addresses (e.g. the reflector)', listArg, [])
  .option('--out-dir <dir>', 'write turnserver-<port>.conf files there instead of printing')
  .action(async (o: { listeningIp: string; relayIp?: string; ports: number[]; relayPorts: string; secret: string; realm: string; allowPeers: string[]; outDir?: string }) => {
    const range = /^(\d+)-(\d+)$/.exec(o.relayPorts);
    if (!range) throw new ConfigError('--relay-ports must look like 49152-65535');
    const confs = renderCoturnConfig({
      listeningIp: o.listeningIp,
      relayIp: o.relayIp ?? o.listeningIp,
      ports: o.ports,
      relayPortRange: { min: Number(range[1]), max: Number(range[2]) },
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
  if (err instanceof CommanderError) {
    process.exit(err.exitCode === 0 ? 0 : EXIT.usage);
  }
  if (err instanceof ConfigError || err instanceof InvalidArgumentError) {
    process.stderr.write(`callprobe: ${err.message}\n`);
    process.exit(EXIT.usage);
  }
  process.stderr.write(`callprobe: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(EXIT.cannotTest);
}
