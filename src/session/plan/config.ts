/**
 * The configuration a test runs with, said by its kind rather than cast: the callprobe
 * server's (GET /api/config) or a TURN server that is not callprobe's (`callprobe run --turn`),
 * which offers only its relays and their credentials.
 */
import type { ServerConfig } from '../../protocol/api.js';

/** What any relay needs of a configuration: its entries and the credentials they share. */
export type RelayAccess = Pick<ServerConfig, 'turn' | 'username' | 'credential'>;

export type TestConfig = { kind: 'server'; server: ServerConfig } | { kind: 'override'; relay: RelayAccess };

/** The relays of either kind of configuration (the same object, for the port checks and the ICE servers). */
export function relayOf(config: TestConfig): RelayAccess {
  return config.kind === 'server' ? config.server : config.relay;
}
