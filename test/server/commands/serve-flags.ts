/** `callprobe serve`'s flags at their defaults, as commander hands them to serveOptionsFromFlags (tests spread over it). */
import type { ServeFlags } from '../../../server/commands/serve.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';

export const serveFlags: ServeFlags = {
  host: DEFAULTS.host,
  httpPort: DEFAULTS.httpPort,
  turnPorts: DEFAULTS.turnUdpPorts,
  relayPorts: DEFAULTS.relayPortRange,
  credentialTtl: DEFAULTS.credentialTtlS,
  allowPeers: [],
  reflector: true,
  rtp: true,
  logLevel: 'info',
  maxAllocationsPerUser: DEFAULTS.relayQuotas.maxAllocationsPerUsername,
  maxAllocationsPerIp: DEFAULTS.relayQuotas.maxAllocationsPerSourceIp,
  maxAllocations: DEFAULTS.relayQuotas.maxAllocationsTotal,
  db: { kind: 'sqlite', path: DEFAULTS.results.dbPath },
  store: true,
  retainDays: DEFAULTS.results.retainDays,
  retainIpDays: DEFAULTS.results.retainIpDays,
  maxSessionsPerIp: DEFAULTS.signalling.maxSessionsPerSource,
  sessionsPerMinute: DEFAULTS.signalling.newSessionsPerMinutePerSource,
  configPerMinute: DEFAULTS.signalling.configPerMinutePerSource,
  allowedOrigins: [],
};
