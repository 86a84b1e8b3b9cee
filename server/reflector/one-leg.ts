/**
 * The page's signals of a session with one media leg and nothing else (the echo test's, the
 * video phase's): one offer of exactly one section of the session's kind, then at most
 * `maxCandidates` candidates (those in the offer included), each checked as a test's
 * (./signalled-sdp.ts). The leg is made by the session when the offer passes.
 */
import type { SignalData, SignalLeg } from '../../src/protocol/api.js';
import { mediaKinds } from './rtp/sdp.js';
import { ReflectorSessionError, refusing } from './session-base.js';
import { checkRemoteOffer } from './signalled-sdp.js';
import type { RelayEndpoints } from './candidates.js';

/** What the signals reach: the leg's answer to the offer, and its candidates. */
interface OneLeg {
  offer(sdp: string): Promise<void>;
  candidate(c: NonNullable<SignalData['candidate']>): void;
}

export interface OneLegRules<L extends OneLeg> {
  /** The one media section the offer holds. */
  kind: 'audio' | 'video';
  /** The session's name in its refusals ("an echo session", "a video session"). */
  session: string;
  /** The offer's name in its refusals ("RTP", "video"). */
  offer: string;
  relay: RelayEndpoints;
  maxCandidates: number;
  /** Makes the leg, once the offer passed. */
  make(): L;
}

export class OneLegSignals<L extends OneLeg> {
  private made: L | null = null;
  private candidates = 0;

  constructor(private readonly rules: OneLegRules<L>) {}

  get leg(): L | null {
    return this.made;
  }

  /** A signal of the page; throws ReflectorSessionError with the reason for anything else. */
  signal(data: SignalData, leg: SignalLeg | undefined): void {
    const r = this.rules;
    if (leg !== 'rtp') throw new ReflectorSessionError('bad-signal', `${r.session} has only the RTP leg`);
    if (data.type === 'offer') {
      if (this.made !== null) throw new ReflectorSessionError('duplicate-offer', `one ${r.offer} offer per session`);
      const offer = refusing(() => checkRemoteOffer(data.sdp ?? '', r.relay, r.maxCandidates));
      const kinds = mediaKinds(offer.lines);
      if (kinds.length !== 1 || kinds[0] !== r.kind) {
        throw new ReflectorSessionError('bad-signal', `the ${r.offer} offer must have exactly one ${r.kind} section, not ${JSON.stringify(kinds)}`);
      }
      this.candidates = offer.candidates;
      const made = r.make();
      this.made = made;
      void made.offer(offer.sdp);
      return;
    }
    if (data.type === 'candidate') {
      if (data.candidate === undefined) throw new ReflectorSessionError('bad-signal', 'candidate message without a candidate');
      if (this.made === null) throw new ReflectorSessionError('candidate-before-offer', `a candidate before the ${r.offer} offer is refused`);
      if (this.candidates >= r.maxCandidates) throw new ReflectorSessionError('too-many-candidates', `at most ${r.maxCandidates} candidates per session`);
      this.candidates++;
      const c = data.candidate;
      const made = this.made;
      refusing(() => made.candidate(c));
      return;
    }
    throw new ReflectorSessionError('unexpected-answer', 'the reflector answers; it takes no answer');
  }
}
