import { performance } from 'node:perf_hooks';
import type { SignalData, SignalLeg } from '../../../src/protocol/api.js';
import { encodeControlMessage } from '../../../src/protocol/wire.js';
import type { SessionTally } from '../../common/data-plane.js';
import { mediaKinds } from '../rtp/sdp.js';
import type { ReflectorSessionOptions } from '../session.js';
import { ReflectorSessionError, refusing } from '../session-base.js';
import { checkRemoteOffer } from '../signalled-sdp.js';
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
  private leg: VideoLeg | null = null;
  private candidates = 0;
  private closed = false;
  private offerTimer: NodeJS.Timeout | null;
  private readonly maxTimer: NodeJS.Timeout;

  constructor(private readonly opts: VideoSessionOptions) {
    this.offerTimer = setTimeout(() => this.close(`no video offer within ${opts.offerTimeoutMs} ms`), opts.offerTimeoutMs);
    this.maxTimer = setTimeout(() => this.close('video session outlived its maximum length'), opts.maxSessionMs);
  }

  tally(): SessionTally {
    return { probes: 0, rtpProbes: 0, badProbes: 0, witnessed: false };
  }

  /** A signal of the page: its one offer (one video section), then at most `maxCandidates` candidates, checked as a test's. */
  signal(data: SignalData, leg?: SignalLeg): void {
    if (this.closed) return;
    if (leg !== 'rtp') throw new ReflectorSessionError('bad-signal', 'a video session has only its media leg (leg rtp)');
    if (data.type === 'offer') {
      if (this.leg !== null) throw new ReflectorSessionError('duplicate-offer', 'one video offer per session');
      const offer = refusing(() => checkRemoteOffer(data.sdp ?? '', this.opts.relay, this.opts.maxCandidates));
      const kinds = mediaKinds(offer.lines);
      if (kinds.length !== 1 || kinds[0] !== 'video') {
        throw new ReflectorSessionError('bad-signal', `the video offer must have exactly one video section, not ${JSON.stringify(kinds)}`);
      }
      if (this.offerTimer) clearTimeout(this.offerTimer);
      this.offerTimer = null;
      this.candidates = offer.candidates;
      this.leg = new VideoLeg({
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
      void this.leg.offer(offer.sdp);
      return;
    }
    if (data.type === 'candidate') {
      if (data.candidate === undefined) throw new ReflectorSessionError('bad-signal', 'candidate message without a candidate');
      if (this.leg === null) throw new ReflectorSessionError('candidate-before-offer', 'a candidate before the video offer is refused');
      if (this.candidates >= this.opts.maxCandidates) {
        throw new ReflectorSessionError('too-many-candidates', `at most ${this.opts.maxCandidates} candidates per session`);
      }
      this.candidates++;
      const c = data.candidate;
      refusing(() => this.leg?.candidate(c));
      return;
    }
    throw new ReflectorSessionError('unexpected-answer', 'the reflector answers; it takes no answer');
  }

  /** The page's `stop`: the reflector's stream ends, the tally of both directions goes to the page, and the session closes. */
  stop(): void {
    if (this.closed) return;
    const leg = this.leg;
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
    this.leg?.close(`video session closed: ${reason}`);
    this.opts.logger.info({ session: this.opts.id, reason }, 'video session closed');
    this.opts.onClose(reason);
  }
}
