import { describe, expect, it } from 'vitest';
import { EchoCore, EchoSession, type EchoSessionOptions } from '../../../server/reflector/echo-session.js';
import { ReflectorSessionError } from '../../../server/reflector/session-base.js';
import { encodeRtpProbe } from '../../../src/protocol/rtp-probe.js';

const quiet = (): void => undefined;

/** An echo session with no relay behind it, and the reason it closed once it does. */
function echoSession(o: Partial<Pick<EchoSessionOptions, 'offerTimeoutMs' | 'maxSessionMs' | 'cutMs'>> = {}): {
  session: EchoSession;
  closed: Promise<string>;
} {
  let resolve: (reason: string) => void = quiet;
  const closed = new Promise<string>((r) => (resolve = r));
  const session = new EchoSession({
    id: 'echo',
    peerAddress: '127.0.0.1',
    offerTimeoutMs: o.offerTimeoutMs ?? 60_000,
    connectTimeoutMs: 60_000,
    maxCandidates: 8,
    relay: { addresses: ['127.0.0.1'], portRange: { min: 31000, max: 31999 } },
    onCandidateDropped: quiet,
    logger: { info: quiet, warn: quiet, debug: quiet },
    sendSignal: quiet,
    allowEndpoint: () => quiet,
    dataPath: 'native',
    cutMs: o.cutMs ?? 60_000,
    maxSessionMs: o.maxSessionMs ?? 60_000,
    onClose: (reason) => resolve(reason),
  });
  return { session, closed };
}

const refusal = (f: () => void): string | null => {
  try {
    f();
  } catch (err) {
    if (err instanceof ReflectorSessionError) return err.reason;
    throw err;
  }
  return null;
};

describe('EchoSession', () => {
  it('takes the RTP leg only, an offer first', () => {
    const { session } = echoSession();
    const candidate = { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 31000 typ relay' } };
    expect(refusal(() => session.signal({ type: 'offer', sdp: 'v=0' }))).toBe('bad-signal');
    expect(refusal(() => session.signal(candidate, 'rtp'))).toBe('candidate-before-offer');
    expect(refusal(() => session.signal({ type: 'answer', sdp: 'v=0' }, 'rtp'))).toBe('unexpected-answer');
    expect(session.tally()).toEqual({ probes: 0, rtpProbes: 0, badProbes: 0, witnessed: false });
    session.close('test over');
  });

  it('ends when no offer came within the offer timeout', async () => {
    const { closed } = echoSession({ offerTimeoutMs: 20 });
    expect(await closed).toBe('no echo offer within 20 ms');
  });

  it('ends at its maximum length whatever happened', async () => {
    const { session, closed } = echoSession({ maxSessionMs: 20 });
    expect(await closed).toBe('echo session outlived its maximum length');
    session.close('again'); // once only
  });
});

describe('EchoCore', () => {
  it('echoes every probe frame with its Opus frame, says the first echo once, and keeps no receipts', () => {
    let first = 0;
    const core = new EchoCore(() => first++);
    const opus = new Uint8Array([0xfc, 1, 2, 3]);
    for (let i = 0; i < 3; i++) {
      const out = core.onFrame(encodeRtpProbe({ probeSeq: i, sendMs: i * 10, opus }), 100 + i, () => 101 + i);
      expect(out.kind).toBe('echo');
    }
    expect(first).toBe(1);
    expect(core.received).toBe(3);
    expect(core.flush()).toBeNull();
  });
});
