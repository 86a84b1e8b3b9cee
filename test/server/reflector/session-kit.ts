/**
 * A real ReflectorSession for signalling tests, quiet and unattached: what it sends the page is
 * collected, relay endpoints are opened nowhere, and the relay it checks candidates against is
 * 127.0.0.1 ports 31000-31999 (`relay` says otherwise). Its data-channel leg has no relay to
 * gather on unless `relayServer` names a real one.
 */
import type { SignalData, SignalLeg } from '../../../src/protocol/api.js';
import { DEFAULTS } from '../../../src/protocol/defaults.js';
import { ReflectorSession } from '../../../server/reflector/session.js';
import type { ReflectorRelayServer } from '../../../server/reflector/channel-leg.js';
import type { RelayEndpoints } from '../../../server/reflector/candidates.js';
import { unusedRelay } from '../../kit/app-options.js';

export interface QuietSession {
  session: ReflectorSession;
  /** What the session sent the page, in order, with its leg. */
  toPage: { data: SignalData; leg?: SignalLeg }[];
  /** Each onCandidateDropped count. */
  dropped: number[];
}

export function quietSession(
  o: { id?: string; rtp?: boolean; maxCandidates?: number; relay?: RelayEndpoints; relayServer?: ReflectorRelayServer } = {},
): QuietSession {
  const toPage: QuietSession['toPage'] = [];
  const dropped: number[] = [];
  const quiet = (): void => undefined;
  const session = new ReflectorSession({
    id: o.id ?? 'test',
    peerAddress: '127.0.0.1',
    payloadBytes: 160,
    receiptIntervalMs: 50,
    maxSessionMs: 60_000,
    offerTimeoutMs: DEFAULTS.signalling.offerTimeoutMs,
    connectTimeoutMs: DEFAULTS.signalling.connectTimeoutMs,
    maxCandidates: o.maxCandidates ?? DEFAULTS.signalling.maxCandidatesPerSession,
    relay: o.relay ?? { addresses: ['127.0.0.1'], portRange: { min: 31000, max: 31999 } },
    onCandidateDropped: (n) => dropped.push(n),
    rtp: o.rtp ?? true,
    logger: { info: quiet, warn: quiet, debug: quiet },
    sendSignal: (data, leg) => toPage.push(leg ? { data, leg } : { data }),
    allowEndpoint: () => () => undefined,
    relayServer: o.relayServer ?? unusedRelay(o.id ?? 'test'),
    onClose: quiet,
  });
  return { session, toPage, dropped };
}
