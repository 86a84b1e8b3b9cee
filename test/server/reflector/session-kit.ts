/**
 * A real ReflectorSession for signalling tests, quiet and unattached: what it sends the page is
 * collected, relay endpoints are opened nowhere, and the relay it checks candidates against is
 * 127.0.0.1 ports 31000-31999 (`relay` says otherwise). Its data-channel leg has no relay to
 * gather on unless `relayServer` names a real one.
 */
import type { SignalData, SignalLeg } from '../../../src/protocol/api.js';
import { CONSTANTS } from '../../../src/protocol/defaults.js';
import { ReflectorSession } from '../../../server/reflector/session.js';
import type { ReflectorRelayServer } from '../../../server/reflector/channel-leg.js';
import type { RelayEndpoints } from '../../../server/reflector/candidates.js';
import { unusedRelay } from '../../kit/app-options.js';

export interface QuietSession {
  session: ReflectorSession;
  /** What the session sent the page, in order, with its leg. */
  toPage: { data: SignalData; leg?: SignalLeg }[];
  /** The control messages it sent the page, in order (binary ones are receipts). */
  control: (string | Uint8Array)[];
  /** Each onCandidateDropped count. */
  dropped: number[];
  /** How it ended (onClose), when it did. */
  closed: { reason: string; code?: string }[];
  /** Data-channel legs it opened (onChannelLeg: a wrtc peer each). */
  channelLegs: number;
}

export function quietSession(
  o: {
    id?: string;
    rtp?: boolean;
    maxCandidates?: number;
    relay?: RelayEndpoints;
    relayServer?: ReflectorRelayServer;
    iceTrafficTimeoutMs?: number;
    allowRelayPair?: (username: string, ip: string, port: number) => () => void;
  } = {},
): QuietSession {
  const toPage: QuietSession['toPage'] = [];
  const control: QuietSession['control'] = [];
  const dropped: number[] = [];
  const closed: QuietSession['closed'] = [];
  const quiet = (): void => undefined;
  const session = new ReflectorSession({
    id: o.id ?? 'test',
    peerAddress: '127.0.0.1',
    payloadBytes: 160,
    receiptIntervalMs: 50,
    maxSessionMs: 60_000,
    offerTimeoutMs: CONSTANTS.signalling.offerTimeoutMs,
    connectTimeoutMs: CONSTANTS.signalling.connectTimeoutMs,
    maxCandidates: o.maxCandidates ?? CONSTANTS.signalling.maxCandidatesPerSession,
    relay: o.relay ?? { addresses: ['127.0.0.1'], portRange: { min: 31000, max: 31999 } },
    onCandidateDropped: (n) => dropped.push(n),
    rtp: o.rtp ?? true,
    dataPath: 'native',
    logger: { info: quiet, warn: quiet, debug: quiet },
    sendSignal: (data, leg) => toPage.push(leg ? { data, leg } : { data }),
    sendControl: (m) => control.push(m),
    allowEndpoint: () => () => undefined,
    relayServer: o.relayServer ?? unusedRelay(o.id ?? 'test'),
    ...(o.allowRelayPair ? { allowRelayPair: o.allowRelayPair } : {}),
    ...(o.iceTrafficTimeoutMs !== undefined ? { iceTrafficTimeoutMs: o.iceTrafficTimeoutMs } : {}),
    onChannelLeg: () => {
      h.channelLegs++;
    },
    onClose: (reason, code) => void closed.push(code ? { reason, code } : { reason }),
  });
  const h: QuietSession = { session, toPage, control, dropped, closed, channelLegs: 0 };
  return h;
}
