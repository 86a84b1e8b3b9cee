import { performance } from 'node:perf_hooks';
import type { SignalData, SignalLeg } from '../../src/protocol/api.js';
import { CONSTANTS } from '../../src/protocol/defaults.js';
import type { SessionTally } from '../common/data-plane.js';
import { RtpReflectorCore, type RtpFrameOutcome } from './rtp/core.js';
import { RtpLeg } from './rtp/leg.js';
import type { ReflectorSessionOptions } from './session.js';
import { OneLegSignals } from './one-leg.js';

/** What an echo session takes: the reflector session's options it uses, and its own bounds. */
export type EchoSessionOptions = Pick<
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
  | 'allowEndpoint'
  | 'attachLocalPeer'
  | 'dataPath'
  | 'onClose'
> & {
  /** The session ends this long after its first echoed frame (CONSTANTS.echo.serverCutMs). */
  cutMs: number;
  /** The session ends this long after it opened, whatever happened (CONSTANTS.echo.maxSessionMs). */
  maxSessionMs: number;
};

/** The RTP core of an echo session: it says when the first frame was echoed, and keeps no receipts (nothing is measured from them). */
export class EchoCore extends RtpReflectorCore {
  constructor(private readonly onFirstEcho: () => void) {
    super({ recentRecords: 0, frameBytes: CONSTANTS.rtp.frameBytes });
  }

  override onFrame(payload: Uint8Array, recvMs: number, sendNowMs: () => number): RtpFrameOutcome {
    const out = super.onFrame(payload, recvMs, sendNowMs);
    if (out.kind === 'echo') {
      this.takeReceipts();
      if (this.received === 1) this.onFirstEcho();
    }
    return out;
  }
}

/**
 * The echo test's session (the page's microphone, through the relay and back, played to the
 * user): the RTP leg alone, no data channel, no receipts, nothing graded. The page's frames come
 * back as every RTP probe's do (the reflector echoes each probe's own Opus frame), so the page
 * plays what a call's other side would hear. Bounded like a test, and shorter: it counts as one
 * of its source's sessions (the signalling plugin's limits), it ends when no RTP offer came
 * within the offer timeout, when its leg does not connect, `cutMs` after its first echo, and
 * `maxSessionMs` after it opened whatever happened.
 */
export class EchoSession {
  private readonly core = new EchoCore(() => this.startCut());
  private readonly signals: OneLegSignals<RtpLeg>;
  private closed = false;
  private offerTimer: NodeJS.Timeout | null;
  private cutTimer: NodeJS.Timeout | null = null;
  private readonly maxTimer: NodeJS.Timeout;

  constructor(private readonly opts: EchoSessionOptions) {
    this.signals = new OneLegSignals({
      kind: 'audio',
      session: 'an echo session',
      offer: 'RTP',
      relay: opts.relay,
      maxCandidates: opts.maxCandidates,
      make: () => this.makeLeg(),
    });
    this.offerTimer = setTimeout(() => this.close(`no echo offer within ${opts.offerTimeoutMs} ms`), opts.offerTimeoutMs);
    this.maxTimer = setTimeout(() => this.close('echo session outlived its maximum length'), opts.maxSessionMs);
  }

  tally(): SessionTally {
    return { probes: 0, rtpProbes: this.core.received, badProbes: 0, witnessed: false };
  }

  /** A signal of the page: its one RTP offer (one audio section), then at most `maxCandidates` candidates, checked as a test's (../one-leg.ts). */
  signal(data: SignalData, leg?: SignalLeg): void {
    if (this.closed) return;
    this.signals.signal(data, leg);
  }

  /** The offer passed: the leg answers it. */
  private makeLeg(): RtpLeg {
    if (this.offerTimer) clearTimeout(this.offerTimer);
    this.offerTimer = null;
    return new RtpLeg({
      id: this.opts.id,
      peerAddress: this.opts.peerAddress,
      relay: this.opts.relay,
      connectTimeoutMs: this.opts.connectTimeoutMs,
      core: this.core,
      nowMs: () => performance.now(),
      logger: this.opts.logger,
      sendSignal: (d) => this.opts.sendSignal(d, 'rtp'),
      allowEndpoint: (ip, port) => this.opts.allowEndpoint(ip, port),
      onCandidateDropped: (n) => this.opts.onCandidateDropped(n),
      onClose: (reason) => this.close(reason),
      ...(this.opts.attachLocalPeer ? { attachLocalPeer: this.opts.attachLocalPeer } : {}),
      dataPath: this.opts.dataPath,
    });
  }

  private startCut(): void {
    this.cutTimer ??= setTimeout(() => this.close(`echo over ${this.opts.cutMs} ms after its first frame`), this.opts.cutMs);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.maxTimer);
    if (this.offerTimer) clearTimeout(this.offerTimer);
    if (this.cutTimer) clearTimeout(this.cutTimer);
    this.signals.leg?.close(`echo session closed: ${reason}`);
    this.opts.logger.info({ session: this.opts.id, reason, echoed: this.core.received }, 'echo session closed');
    this.opts.onClose(reason);
  }
}
