/** `callprobe serve`'s flags at their defaults, as commander hands them to serveOptionsFromFlags (tests spread over it), and options resolved from them. */
import { serveOptionsFromFlags, type ServeFlags, type ServeOptions } from '../../../server/config/options.js';
import { CONSTANTS, DEFAULTS } from '../../../src/protocol/defaults.js';

export const serveFlags: ServeFlags = {
  host: DEFAULTS.host,
  httpPort: DEFAULTS.httpPort,
  turnPorts: DEFAULTS.turnUdpPorts,
  relayPorts: DEFAULTS.relayPortRange,
  credentialTtl: DEFAULTS.credentialTtlS,
  allowPeers: [],
  reflector: true,
  rtp: true,
  workers: DEFAULTS.dataPlane.workers,
  dataPath: DEFAULTS.dataPath,
  logLevel: 'info',
  maxAllocationsPerUser: DEFAULTS.relayQuotas.maxAllocationsPerUsername,
  maxAllocationsPerIp: DEFAULTS.relayQuotas.maxAllocationsPerSourceIp,
  maxAllocations: DEFAULTS.relayQuotas.maxAllocationsTotal,
  db: { kind: 'sqlite', path: DEFAULTS.results.dbPath },
  store: true,
  retainDays: DEFAULTS.results.retainDays,
  retainIpDays: DEFAULTS.results.retainIpDays,
  maxTests: DEFAULTS.maxSessions,
  refuseLateMs: CONSTANTS.admission.busyLateMs,
  maxSessionsPerIp: DEFAULTS.signalling.maxSessionsPerSource,
  sessionsPerMinute: DEFAULTS.signalling.newSessionsPerMinutePerSource,
  configPerMinute: DEFAULTS.signalling.configPerMinutePerSource,
  maxConnections: DEFAULTS.http.maxConnections,
  maxConnectionsPerIp: DEFAULTS.http.maxConnectionsPerSource,
  fdReserve: DEFAULTS.http.fdReserve,
  metricsMaxSites: DEFAULTS.siteSeries.maxSites,
  uploadBytesPerDay: DEFAULTS.results.storedBytesPerDayPerSource,
  allowedOrigins: [],
  load: true,
  loadMaxBytes: DEFAULTS.load.maxBytesPerDirection,
  loadMaxFlowsPerSource: DEFAULTS.load.maxFlowsPerSource,
  loadMaxFlows: DEFAULTS.load.maxFlows,
  loadTestsPerHour: DEFAULTS.load.phasesPerHourPerSource,
  loadBytesPerHour: DEFAULTS.load.maxBytesPerHour,
};

/**
 * ServeOptions for an in-process `serve` on loopback: an ephemeral HTTP port, no relay (an
 * empty external list), no reflector, no store, quiet logs, `webRoot` as the page.
 */
export function serveOptionsForTests(webRoot: string): ServeOptions {
  return {
    ...serveOptionsFromFlags({ ...serveFlags, httpPort: 0, secret: 's', reflector: false, store: false, logLevel: 'fatal' }),
    externalTurn: [],
    webRoot,
  };
}
