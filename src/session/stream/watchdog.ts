/**
 * The probe stream's connection watchdog: signs that the server side went away (its signaling
 * closed, ICE failed or closed, a peer connection closed); whether the test is cut is decided
 * by the data, and at the end whether the connection was lost.
 */
import { DEFAULTS } from '../../protocol/defaults.js';
import type { ConnectionLoss, StreamSetup } from './types.js';

/** When the reflector was last heard from, on this side's clock (NaN: never): the Receiving of a test on a reflector. */
interface Heard {
  readonly lastHeardAtMs: number;
}

/**
 * After a sign that the server is gone (its signaling connection closed, the peer connection
 * failed or closed), this long without a datagram from the reflector ends the probe stream
 * early: a test does not keep sending into a dead relay for the rest of its duration.
 */
const SILENCE_AFTER_LOSS_MS = DEFAULTS.silenceAfterLossMs;

export class ConnectionWatchdog {
  /** The first sign that the server side went away, in words. */
  private lossSign: string | null = null;
  private streaming = true;
  /** The stream was ended early: the reflector went silent after a sign. */
  cutShort = false;

  constructor(s: Pick<StreamSetup, 'signalingClosed' | 'sender' | 'rtp'>) {
    void s.signalingClosed?.then((why) => this.sign(`the server closed the signaling connection (${why})`));
    // After the stream `sign` does nothing, so these listeners need no removal.
    s.sender?.peer.on('iceStateChange', (ice) => {
      if (ice === 'failed' || ice === 'closed') this.sign(`ICE ${ice}`);
    });
    s.sender?.peer.on('close', () => this.sign('the peer connection closed'));
    const rtpPc = s.rtp?.link.pc;
    rtpPc?.addEventListener('connectionstatechange', () => {
      const state = rtpPc.connectionState;
      if (state === 'failed' || state === 'closed') this.sign(`the RTP leg's connection ${state}`);
    });
  }

  private sign(what: string): void {
    if (this.streaming && this.lossSign === null) this.lossSign = what;
  }

  /** The stream is over: later signs are not about it. */
  end(): void {
    this.streaming = false;
  }

  /** On each tick: true when the stream is to be cut now (a sign, then the reflector silent too long); `reflector` null: no reflector (loopback). */
  shouldCut(reflector: Heard | null, nowMs: number): boolean {
    if (!reflector || this.lossSign === null || this.cutShort) return false;
    const heard = reflector.lastHeardAtMs;
    if (Number.isNaN(heard) || nowMs - heard > SILENCE_AFTER_LOSS_MS) this.cutShort = true;
    return this.cutShort;
  }

  /**
   * The reflector's final tally is the proof that the session lived to the end; without it,
   * the connection was lost at the last datagram heard, and later probes prove nothing.
   * When the page itself could not ask for it, nothing says the server went: the evidence is
   * cut at the last receipt all the same, and graded.
   */
  connectionLost(reflector: Heard | null, finalCame: boolean, stopRefused: string | null, streamStartMs: number): ConnectionLoss | null {
    if (!reflector || finalCame || (stopRefused !== null && this.lossSign === null && !this.cutShort)) return null;
    const heard = reflector.lastHeardAtMs;
    return {
      reason: 'connection-lost',
      atMs: Number.isNaN(heard) ? null : Math.max(0, heard - streamStartMs),
      detail: this.lossSign ?? 'the reflector stopped answering and never sent its final tally',
    };
  }
}
