/** The operator's tools: `hash-password` (for a serve --users file) and `coturn-config` (coturn serving what the embedded relay serves). */
import { Option, type Command } from 'commander';
import { DEFAULTS } from '../src/protocol/defaults.js';
import { listArg, portsArg, portsText, rangeArg, rangeText } from './args.js';

/** `coturn-config`'s flags as commander parses them. */
export interface CoturnConfigFlags {
  listeningIp: string;
  relayIp?: string;
  ports: number[];
  relayPorts: { min: number; max: number };
  secret: string;
  realm: string;
  allowPeers: string[];
  outDir?: string;
}

export function defineHashPassword(program: Command, act: () => Promise<void>): void {
  program
    .command('hash-password')
    .description('read a password from stdin (one line) and print its scrypt hash (scrypt$N$r$p$salt$hash) for a serve --users file')
    .action(async () => {
      await act();
    });
}

export function defineCoturnConfig(program: Command, act: (o: CoturnConfigFlags) => Promise<void>): void {
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
      await act(cmd.opts<CoturnConfigFlags>());
    });
}
