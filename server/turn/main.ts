/**
 * Standalone relay process (benchmarks, manual tests):
 *   node dist/server/turn/main.js --host 127.0.0.1 --udp-ports 3478,3479,3480,3481 --secret S \
 *     [--tcp-ports 3478] [--tls-port 443 --tls-cert c.pem --tls-key k.pem] [--relay-ip 127.0.0.1]
 *     [--relay-range 49152-65535] [--allow-peers 127.0.0.1/32,...] [--realm callprobe]
 *     [--max-allocations-per-user N] [--max-allocations-per-ip N] [--max-allocations N]
 *     [--data-path native|portable] [--log-level info]
 * --max-allocations-per-ip counts by source (IPv6: one /64), TCP/TLS connections too.
 * --data-path: the UDP sockets of `serve`'s data path of that name (native: our addon's, the
 * default; portable: Node's dgram).
 * Prints one line "READY {json}" on stdout once listening; stops on SIGINT/SIGTERM;
 * on SIGUSR2 prints "CPU {json}" with process.cpuUsage() and the metrics text on stderr.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { BOUNDS, DEFAULTS } from '../../src/protocol/defaults.js';
import { parseIntInRange, parsePortList, parseRelayPortRange } from '../../src/protocol/values.js';
import { startRelay, type RelayQuotas } from './index.js';

function list(v: string | undefined, fallback: string[]): string[] {
  return v === undefined
    ? fallback
    : v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
}

function ports(v: string | undefined, fallback: number[]): number[] {
  return v === undefined ? fallback : parsePortList(v);
}

function allocations(v: string | undefined, name: string): number | undefined {
  return v === undefined ? undefined : parseIntInRange(v, `--${name}`, BOUNDS.allocations);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: DEFAULTS.host },
      'udp-ports': { type: 'string' },
      'tcp-ports': { type: 'string' },
      'tls-port': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      secret: { type: 'string' },
      'relay-ip': { type: 'string' },
      'relay-range': { type: 'string', default: `${DEFAULTS.relayPortRange.min}-${DEFAULTS.relayPortRange.max}` },
      'allow-peers': { type: 'string' },
      realm: { type: 'string', default: DEFAULTS.realm },
      'max-allocations-per-user': { type: 'string' },
      'max-allocations-per-ip': { type: 'string' },
      'max-allocations': { type: 'string' },
      'data-path': { type: 'string', default: 'native' },
      'log-level': { type: 'string', default: DEFAULTS.logLevel },
    },
    strict: true,
  });
  if (!values.secret) throw new Error('--secret is required');
  const dataPath = values['data-path'];
  if (dataPath !== 'native' && dataPath !== 'portable') throw new Error(`--data-path must be native or portable, not ${JSON.stringify(dataPath)}`);
  const hosts = list(values.host, [DEFAULTS.host]);
  const relayPortRange = parseRelayPortRange(values['relay-range'] ?? '', '--relay-range');
  const tlsPort = values['tls-port'] === undefined ? null : parseIntInRange(values['tls-port'], '--tls-port', BOUNDS.listenPort);
  if (tlsPort !== null && (!values['tls-cert'] || !values['tls-key'])) {
    throw new Error('--tls-port needs --tls-cert and --tls-key');
  }
  const quotas: Partial<RelayQuotas> = {};
  const perUser = allocations(values['max-allocations-per-user'], 'max-allocations-per-user');
  const perIp = allocations(values['max-allocations-per-ip'], 'max-allocations-per-ip');
  const total = allocations(values['max-allocations'], 'max-allocations');
  if (perUser !== undefined) quotas.maxAllocationsPerUsername = perUser;
  if (perIp !== undefined) quotas.maxAllocationsPerSourceIp = perIp;
  if (total !== undefined) quotas.maxAllocationsTotal = total;
  const logger = pino({ level: values['log-level'] ?? DEFAULTS.logLevel }, pino.destination(2));
  const relay = await startRelay({
    udp: dataPath === 'native' ? 'native' : 'dgram',
    listenHosts: hosts,
    relayIp: values['relay-ip'] ?? hosts[0] ?? DEFAULTS.host,
    udpPorts: ports(values['udp-ports'], DEFAULTS.turnUdpPorts),
    tcpPorts: ports(values['tcp-ports'], []),
    tls:
      tlsPort !== null
        ? { port: tlsPort, certPem: readFileSync(values['tls-cert'] ?? '', 'utf8'), keyPem: readFileSync(values['tls-key'] ?? '', 'utf8') }
        : null,
    relayPortRange,
    realm: values.realm ?? DEFAULTS.realm,
    secret: values.secret,
    allowPeers: list(values['allow-peers'], []),
    quotas,
    logger,
  });
  process.stdout.write(`READY ${JSON.stringify({ pid: process.pid, listeners: relay.listeners })}\n`);
  process.on('SIGUSR2', () => {
    process.stdout.write(`CPU ${JSON.stringify(process.cpuUsage())}\n`);
    process.stderr.write(relay.metricsText());
  });
  const stop = (): void => {
    void relay.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`turn relay: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
