/** The embedded relay as the transport tests start it: on loopback, OS-chosen ports, quiet. */
import { REFLECTOR_USERNAME_PREFIX, mintRestCredential, startRelay, type Relay, type RelayConfig } from '../../../../server/turn/index.js';
import type { ReflectorRelayServer } from '../../../../server/reflector/channel-leg.js';
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

/** The reflector's relay on `relay` (its internal listener, else its first UDP listener), with a credential minted under `secret` per session, as serve mints it. */
export function reflectorRelayOn(relay: Relay, secret: string): (sessionId: string) => ReflectorRelayServer {
  const udp = relay.internalUdp ?? relay.listeners.find((l) => l.transport === 'udp');
  if (udp === undefined) throw new Error('the test relay has no UDP listener');
  return (sessionId) => {
    const c = mintRestCredential(secret, `${REFLECTOR_USERNAME_PREFIX}${sessionId}`, 600, Date.now());
    return { url: `turn:${udp.address}:${udp.port}?transport=udp`, username: c.username, credential: c.credential };
  };
}
