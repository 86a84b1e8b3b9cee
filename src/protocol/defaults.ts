/**
 * Every default of callprobe's server and CLI, in one place (like irtt's defaults.go).
 */
export const DEFAULTS = {
  host: '127.0.0.1',
  httpPort: 8080,
  /** Teams/ACS media ports (seed 004): UDP 3478-3481. TURN over TCP listens on the first. */
  turnUdpPorts: [3478, 3479, 3480, 3481] as number[],
  relayPortRange: { min: 49152, max: 65535 },
  credentialTtlS: 3600,
  realm: 'callprobe',
  /** The reflector stops a session that outlives this (a 10-minute test plus margin). */
  maxSessionMs: 12 * 60_000,
  maxSessions: 50,
  /** Default test length: 15 s fills exactly one 15 s window at 100 packets/s. */
  testDurationS: 15,
  payloadBytes: 160,
  browserPath: '/usr/bin/chromium',
} as const;

/** Parses "3478-3481" or "3478,3480" or "3478" into a list of ports. */
export function parsePortList(text: string): number[] {
  const ports: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!m) throw new ConfigError(`not a port or port range: "${part}"`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 0 || hi > 65535 || hi < lo) throw new ConfigError(`bad port range: "${part}"`);
    if (hi - lo > 64) throw new ConfigError(`port range too long (max 65 ports): "${part}"`);
    for (let p = lo; p <= hi; p++) ports.push(p);
  }
  if (ports.length === 0) throw new ConfigError('empty port list');
  return ports;
}

/** Parses `--advertise HOST[:PORTS]`; IPv6 hosts in brackets: `[::1]:3478-3481`. */
export function parseAdvertise(text: string): { host: string; udpPorts: number[] | null } {
  const v6 = /^\[([^\]]+)\](?::(.+))?$/.exec(text);
  if (v6) return { host: v6[1] ?? '', udpPorts: v6[2] ? parsePortList(v6[2]) : null };
  const idx = text.lastIndexOf(':');
  if (idx > 0 && text.indexOf(':') === idx) {
    return { host: text.slice(0, idx), udpPorts: parsePortList(text.slice(idx + 1)) };
  }
  if (text.length === 0) throw new ConfigError('empty --advertise');
  return { host: text, udpPorts: null };
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
