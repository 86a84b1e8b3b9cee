import { performance } from 'node:perf_hooks';
import type { SignalData, SignalLeg } from '../../../src/protocol/api.js';
import { encodeControlMessage } from '../../../src/protocol/wire.js';
import type { SessionTally } from '../../common/data-plane.js';
import type { ReflectorSessionOptions } from '../session.js';
import { OneLegSignals } from '../one-leg.js';
import { VideoLeg } from './leg.js';

/** What a video session takes: the reflector session's options it uses, and its own bound. */
export type VideoSessionOptions = Pick<
  ReflectorSessionOptions,
  | 'id'
  | 'peerAddress'
  | 'offerTimeoutMs'
  | 'connectTimeoutMs'
  | 'maxCandidates'
  | 'relay'
  | 'onCandidateDropped'
  | 'logger'
  | 'sendSignal'
  | 'sendControl'
  | 'allowEndpoint'
  | 'attachLocalPeer'
  | 'dataPath'
  | 'onClose'
> & {
  /** The session ends this long after it opened, whatever happened (CONSTANTS.video.maxSessionMs). */
  maxSessionMs: number;
};

/**
 * A test's video phase (src/protocol/api.ts SignalKind `video`): one video leg (./leg.ts), no
 * probes, nothing echoed. The page's `stop` ends the reflector's stream and asks for the tally
 * of what arrived (ControlMessage `video-tally`); the session closes after sending it. Bounded as
 * an echo session is: it counts as one of its source's sessions, it ends when no offer came within
 * the offer timeout, when its leg does not connect, and `maxSessionMs` after it opened.
 */
export class VideoSession {
  private readonly signals: OneLegSignals<VideoLeg>;
  private closed = false;
  private offerTimer: NodeJS.Timeout | null;
  private readonly maxTimer: NodeJS.Timeout;

  constructor(private readonly opts: VideoSessionOptions) {
    this.signals = new OneLegSignals({
      kind: 'video',
      session: 'a video session',
      offer: 'video',
      relay: opts.relay,
      maxCandidates: opts.maxCandidates,
      make: () => this.makeLeg(),
    });
    this.offerTimer = setTimeout(() => this.close(`no video offer within ${opts.offerTimeoutMs} ms`), opts.offerTimeoutMs);
    this.maxTimer = setTimeout(() => this.close('video session outlived its maximum length'), opts.maxSessionMs);
  }

  tally(): SessionTally {
    return { probes: 0, rtpProbes: 0, badProbes: 0, witnessed: false };
  }

  /** A signal of the page: its one offer (one video section), then at most `maxCandidates` candidates, checked as a test's (../one-leg.ts). */
  signal(data: SignalData, leg?: SignalLeg): void {
    if (this.closed) return;
    this.signals.signal(data, leg);
  }

  /** The offer passed: the leg answers it. */
  private makeLeg(): VideoLeg {
    if (this.offerTimer) clearTimeout(this.offerTimer);
    this.offerTimer = null;
    return new VideoLeg({
      id: this.opts.id,
      peerAddress: this.opts.peerAddress,
      relay: this.opts.relay,
      connectTimeoutMs: this.opts.connectTimeoutMs,
      logger: this.opts.logger,
      sendSignal: (d) => this.opts.sendSignal(d, 'rtp'),
      allowEndpoint: (ip, port) => this.opts.allowEndpoint(ip, port),
      onCandidateDropped: (n) => this.opts.onCandidateDropped(n),
      onClose: (reason) => this.close(reason),
      ...(this.opts.attachLocalPeer ? { attachLocalPeer: this.opts.attachLocalPeer } : {}),
      dataPath: this.opts.dataPath,
      nowMs: () => performance.now(),
    });
  }

  /** The page's `stop`: the reflector's stream ends, the tally of both directions goes to the page, and the session closes. */
  stop(): void {
    if (this.closed) return;
    const leg = this.signals.leg;
    if (leg !== null) {
      leg.stopDown();
      this.opts.sendControl(encodeControlMessage(leg.tally()));
    }
    this.close('the page ended its video phase');
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.maxTimer);
    if (this.offerTimer) clearTimeout(this.offerTimer);
    this.signals.leg?.close(`video session closed: ${reason}`);
    this.opts.logger.info({ session: this.opts.id, reason }, 'video session closed');
    this.opts.onClose(reason);
  }
}
