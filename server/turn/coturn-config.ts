/**
 * Renders coturn (4.6) configuration that serves the same job as our relay: TURN on
 * UDP 3478-3481 with the TURN REST API secret (`use-auth-secret`), so one minted credential
 * works against either server.
 *
 * Layout choice: ONE coturn INSTANCE PER PORT, each with its own `listening-port` and a
 * disjoint slice of the relay port range. A single coturn can only cover four UDP ports with
 * `alt-listening-port` (needs a second listening IP) plus `tls-listening-port` /
 * `alt-tls-listening-port` (needs a certificate and DTLS enabled): more moving parts for the
 * same result. Four instances need only one IP and no certificate.
 */
import { ConfigError } from '../../src/protocol/config-error.js';
import { DEFAULTS } from '../../src/protocol/defaults.js';
import { IPV4_SPECIAL, IPV6_SPECIAL } from './policy/special-purpose.js';
import { formatIp, parseIp, parsePrefix, type IpPrefix } from '../../src/protocol/ip.js';

export interface CoturnConfigOptions {
  /** Address coturn listens on (one). */
  listeningIp: string;
  /** Address put in XOR-RELAYED-ADDRESS. */
  relayIp: string;
  /** UDP (and TCP) listening ports, one instance each. Default DEFAULTS.turnUdpPorts (3478-3481). */
  ports?: number[];
  /** Relay port range shared out between the instances. Default DEFAULTS.relayPortRange (49152-65535). */
  relayPortRange?: { min: number; max: number };
  realm: string;
  secret: string;
  /** Extra peer CIDRs (coturn `allowed-peer-ip`), e.g. the reflector's address. */
  allowPeers?: string[];
  /** coturn `log-file`; default "stdout". */
  logFile?: string;
  /** Per-username allocation quota (`user-quota`); default DEFAULTS.relayQuotas.maxAllocationsPerUsername. */
  userQuota?: number;
  /** Total allocation quota over all instances (`total-quota`, shared out); default DEFAULTS.relayQuotas.maxAllocationsTotal. */
  totalQuota?: number;
  /** Bandwidth per session in bytes/s (`max-bps`); default DEFAULTS.relayQuotas.maxBandwidthBytesPerS. */
  maxBytesPerS?: number;
}

export interface CoturnInstanceConfig {
  port: number;
  relayPortRange: { min: number; max: number };
  /** Text of a turnserver.conf; run with `turnserver -c <file>`. */
  text: string;
}

function isLoopback(ip: string): boolean {
  const a = parseIp(ip);
  return a.family === 4 ? a.bytes[0] === 127 : formatIp(a) === '::1';
}

/** coturn wants ranges as "first-last", not CIDR. */
function prefixRange(p: IpPrefix): string {
  const last = new Uint8Array(p.bytes);
  const bits = p.family === 4 ? 32 : 128;
  for (let bit = p.prefixLen; bit < bits; bit++) {
    const i = bit >> 3;
    last[i] = (last[i] ?? 0) | (0x80 >> (bit & 7));
  }
  const first = formatIp({ family: p.family, bytes: p.bytes });
  const lastText = formatIp({ family: p.family, bytes: last });
  return first === lastText ? first : `${first}-${lastText}`;
}

/** Splits [min, max] into `n` disjoint slices, in order. */
function slices(min: number, max: number, n: number): { min: number; max: number }[] {
  const size = Math.floor((max - min + 1) / n);
  if (size < 2) throw new ConfigError('bad-port-range', `relay port range ${min}-${max} too small for ${n} instances (2 ports each at least)`);
  return Array.from({ length: n }, (_, i) => ({ min: min + i * size, max: i === n - 1 ? max : min + (i + 1) * size - 1 }));
}

/** One turnserver.conf per port. */
export function renderCoturnConfig(opts: CoturnConfigOptions): CoturnInstanceConfig[] {
  const ports = opts.ports ?? DEFAULTS.turnUdpPorts;
  const range = opts.relayPortRange ?? DEFAULTS.relayPortRange;
  const loopbackRelay = isLoopback(opts.relayIp);
  const allowed = (opts.allowPeers ?? []).map((c) => parsePrefix(c));
  if (/[\r\n]/.test(opts.secret + opts.realm)) throw new ConfigError('bad-value', 'secret and realm must be single-line');
  return slices(range.min, range.max, ports.length).map((slice, i) => {
    const port = ports[i] ?? 0;
    const lines = [
      `# callprobe coturn instance for port ${port} (one instance per port, see coturn-config.ts)`,
      `listening-ip=${opts.listeningIp}`,
      `listening-port=${port}`,
      `relay-ip=${opts.relayIp}`,
      `min-port=${slice.min}`,
      `max-port=${slice.max}`,
      `realm=${opts.realm}`,
      'use-auth-secret',
      `static-auth-secret=${opts.secret}`,
      'fingerprint',
      'stale-nonce=600',
      'no-tls',
      'no-dtls',
      'no-cli',
      'no-multicast-peers',
      'no-rfc5780',
      'no-stun-backward-compatibility',
      'no-software-attribute',
      `log-file=${opts.logFile ?? 'stdout'}`,
      'simple-log',
      // As strict as the embedded relay. UDP relaying only; the quotas and bandwidth it enforces.
      'no-tcp-relay',
      `user-quota=${opts.userQuota ?? DEFAULTS.relayQuotas.maxAllocationsPerUsername}`,
      `total-quota=${Math.ceil((opts.totalQuota ?? DEFAULTS.relayQuotas.maxAllocationsTotal) / ports.length)}`,
      `max-bps=${opts.maxBytesPerS ?? DEFAULTS.relayQuotas.maxBandwidthBytesPerS}`,
      // coturn refuses loopback peers unless told otherwise; needed only when the relay itself is on loopback.
      ...(loopbackRelay ? ['allow-loopback-peers'] : []),
      '# IANA special-purpose ranges (same table as our peer policy)',
      ...[...IPV4_SPECIAL, ...IPV6_SPECIAL].map((r) => `denied-peer-ip=${prefixRange(r.prefix)}`),
      // Every other peer is denied too: coturn cannot filter by port, so it may reach only its own
      // relayed address (the reflector's data-channel leg takes its candidate there, relay-only;
      // and the page's loopback mode) and the reflector's address (--allow-peers, for its RTP
      // leg; give the reflector an address of its own). Exact-port filtering is an embedded-relay
      // feature.
      '# every other peer: denied; allowed only:',
      'denied-peer-ip=0.0.0.0-255.255.255.255',
      'denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      `allowed-peer-ip=${formatIp(parseIp(opts.relayIp))}`,
      ...allowed.map((p) => `allowed-peer-ip=${prefixRange(p)}`),
    ];
    return { port, relayPortRange: slice, text: lines.join('\n') + '\n' };
  });
}
