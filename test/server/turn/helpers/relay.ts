/** The embedded relay as the transport tests start it: on loopback, OS-chosen ports, quiet. */
import { startRelay, type Relay, type RelayConfig } from '../../../../server/turn/index.js';
import { silentLogger } from '../../../../server/turn/transport/logger.js';

/**
 * startRelay with the tests' defaults: listening on 127.0.0.1 (one UDP and one TCP port the OS
 * picks), relaying from 127.0.0.1 on OS-chosen ports, no TLS, no allowed peers, realm
 * "callprobe", no logs. `config` overrides any of them; the secret is the test's.
 */
export function startTestRelay(config: Partial<RelayConfig> & Pick<RelayConfig, 'secret'>): Promise<Relay> {
  return startRelay({
    listenHosts: ['127.0.0.1'],
    relayIp: '127.0.0.1',
    udpPorts: [0],
    tcpPorts: [0],
    tls: null,
    relayPortRange: { min: 0, max: 0 },
    realm: 'callprobe',
    allowPeers: [],
    logger: silentLogger,
    ...config,
  });
}
