/**
 * Standalone relay process (benchmarks, manual tests):
 *   node dist/server/turn/main.js --host 127.0.0.1 --udp-ports 3478,3479,3480,3481 --secret S \
 *     [--tcp-ports 3478] [--tls-port 443 --tls-cert c.pem --tls-key k.pem] [--relay-ip 127.0.0.1]
 *     [--relay-range 49152-65535] [--allow-peers 127.0.0.1/32,...] [--realm callprobe]
 *     [--max-allocations-per-user N] [--max-allocations-per-ip N] [--max-allocations N]
 *     [--log-level info]
 * Prints one line "READY {json}" on stdout once listening; stops on SIGINT/SIGTERM;
 * on SIGUSR2 prints "CPU {json}" with process.cpuUsage() and the metrics text on stderr.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { startRelay, type RelayQuotas } from './index.js';

function list(v: string | undefined, fallback: string[]): string[] {
  return v === undefined ? fallback : v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function ports(v: string | undefined, fallback: number[]): number[] {
  return list(v, fallback.map(String)).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`bad port "${s}"`);
    return n;
  });
}

function positive(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      'udp-ports': { type: 'string' },
      'tcp-ports': { type: 'string' },
      'tls-port': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      secret: { type: 'string' },
      'relay-ip': { type: 'string' },
      'relay-range': { type: 'string', default: '49152-65535' },
      'allow-peers': { type: 'string' },
      realm: { type: 'string', default: 'callprobe' },
      'max-allocations-per-user': { type: 'string' },
      'max-allocations-per-ip': { type: 'string' },
      'max-allocations': { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
    },
    strict: true,
  });
  if (!values.secret) throw new Error('--secret is required');
  const hosts = list(values.host, ['127.0.0.1']);
  const range = /^(\d+)-(\d+)$/.exec(values['relay-range'] ?? '');
  if (!range) throw new Error('--relay-range must look like 49152-65535');
  const tlsPort = values['tls-port'] === undefined ? null : ports(values['tls-port'], [])[0];
  if (tlsPort !== null && tlsPort !== undefined && (!values['tls-cert'] || !values['tls-key'])) {
    throw new Error('--tls-port needs --tls-cert and --tls-key');
  }
  const quotas: Partial<RelayQuotas> = {};
  const perUser = positive(values['max-allocations-per-user'], 'max-allocations-per-user');
  const perIp = positive(values['max-allocations-per-ip'], 'max-allocations-per-ip');
  const total = positive(values['max-allocations'], 'max-allocations');
  if (perUser !== undefined) quotas.maxAllocationsPerUsername = perUser;
  if (perIp !== undefined) quotas.maxAllocationsPerSourceIp = perIp;
  if (total !== undefined) quotas.maxAllocationsTotal = total;
  const logger = pino({ level: values['log-level'] ?? 'info' }, pino.destination(2));
  const relay = await startRelay({
    listenHosts: hosts,
    relayIp: values['relay-ip'] ?? hosts[0] ?? '127.0.0.1',
    udpPorts: ports(values['udp-ports'], [3478, 3479, 3480, 3481]),
    tcpPorts: ports(values['tcp-ports'], []),
    tls:
      tlsPort !== null && tlsPort !== undefined
        ? { port: tlsPort, certPem: readFileSync(values['tls-cert'] ?? '', 'utf8'), keyPem: readFileSync(values['tls-key'] ?? '', 'utf8') }
        : null,
    relayPortRange: { min: Number(range[1]), max: Number(range[2]) },
    realm: values.realm ?? 'callprobe',
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
