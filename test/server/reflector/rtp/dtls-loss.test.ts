/**
 * The RTP leg's DTLS handshake under loss and reordering, between the reflector's werift leg and a
 * page whose DTLS is BoringSSL's (libwebrtc in @roamhq/wrtc, as in Chromium), through a real relay
 * in this process: the faults are put on the relay's hand-over to the leg, the one place every
 * datagram of the leg crosses. Whatever is lost or reordered, the leg comes up, our SRTP runs on
 * it, and the page's audio reaches it (the reflector says so: `rtp-live`); a leg that carries
 * none of the page's audio after DTLS is ended by the reflector within 2 s and opened once more
 * (`rtp-retry`). Once werift answered as the DTLS client, and a lost last flight of the browser's
 * left the page connected and sending to a leg whose SRTP never started (werift-dtls.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalData } from '../../../../src/protocol/api.js';
import { CONSTANTS } from '../../../../src/protocol/defaults.js';
import { parseControlMessage } from '../../../../src/protocol/wire.js';
import type { Relay } from '../../../../server/turn/index.js';
import { SetupError } from '../../../../src/session/net/errors.js';
import { startTestRelay } from '../../turn/helpers/relay.js';
import {
  faultyHandOver,
  openWrtcAudioLeg,
  pageIceServers,
  relaySession,
  type Crossing,
  type Fault,
  type RelayOf,
  type SessionTrace,
} from '../../../kit/rtp-leg.js';
import { waitFor } from '../../../kit/wait.js';

const SECRET = 'dtls-loss';
const RELAY_PORTS = { min: 31700, max: 31799 };
let relay: Relay;
let on: RelayOf;

beforeAll(async () => {
  relay = await startTestRelay({ tcpPorts: [], secret: SECRET, relayPortRange: RELAY_PORTS });
  on = { relay, secret: SECRET, relayPorts: RELAY_PORTS };
});

afterAll(async () => {
  await relay?.close();
});

/** The control messages' types the session sent, in order. */
const controlTypes = (trace: SessionTrace): string[] => trace.controls.map((c) => parseControlMessage(c).type);

/** The closing lines of the session's RTP legs, in order. */
const legClosings = (trace: SessionTrace): Record<string, unknown>[] => trace.lines.filter((l) => l.msg === 'rtp leg closed').map((l) => l.obj);

/**
 * A test's RTP leg opened by a wrtc page through `fault`; once its reflector leg carries the page's
 * audio (`rtp-live`), the session is closed and its trace returned. A `rtp-retry` makes the page
 * open its leg again, as the page does.
 */
async function legThrough(id: string, fault: Fault): Promise<SessionTrace> {
  let page: ReturnType<typeof openWrtcAudioLeg> | null = null;
  const { session, trace } = relaySession(on, {
    id,
    attachLocalPeer: faultyHandOver(relay, fault),
    sendSignal: (d) => page?.accept(d),
    sendControl: (m) => {
      if (typeof m === 'string' && parseControlMessage(m).type === 'rtp-retry') {
        page?.fail(new SetupError('cancelled', 'the reflector asked for the leg again'));
        page = open();
      }
    },
  });
  const open = (): ReturnType<typeof openWrtcAudioLeg> => {
    const leg = openWrtcAudioLeg({ iceServers: pageIceServers(relay, SECRET), sendSignal: (d: SignalData) => session.signal(d, 'rtp'), timeoutMs: 20_000 });
    leg.ready.catch(() => undefined);
    return leg;
  };
  page = open();
  try {
    await waitFor(() => controlTypes(trace).includes('rtp-live'), {
      timeoutMs: 15_000,
      what: `the leg to carry the page's audio (${id})`,
      state: () => trace.lines.map((l) => l.msg).join(', '),
    });
  } finally {
    session.close('test over');
    page.pc.close();
  }
  return trace;
}

const SERVER_HELLO = 2;
const CERTIFICATE = 11;

/** The handshake type of a datagram's first record when that is an unencrypted handshake record (RFC 6347 §4.1, §4.2.2), else null. */
function firstHandshake(d: Buffer): number | null {
  return d[0] === 22 && d.length > 13 && d.readUInt16BE(3) === 0 ? (d[13] ?? null) : null;
}

/** Drops each direction's first DTLS datagram led by a ChangeCipherSpec, and the encrypted Finished right after it: a lost last flight, whoever sends it. */
function lastFlightLost(): Fault {
  const state = { up: 'before', down: 'before' } as Record<'up' | 'down', 'before' | 'ccs' | 'done'>;
  return (c: Crossing) => {
    if (c.dtls === null) return 'pass';
    const s = state[c.dir];
    if (s === 'before' && c.data[0] === 20) {
      state[c.dir] = 'ccs';
      return 'drop';
    }
    if (s === 'ccs') {
      state[c.dir] = 'done';
      return c.data[0] === 22 && c.data.readUInt16BE(3) === 1 ? 'drop' : 'pass';
    }
    return 'pass';
  };
}

/** The leg came up on our SRTP, its DTLS handshake run as the server, and the page's audio took the short path. */
function expectCarried(trace: SessionTrace): void {
  const [closing] = legClosings(trace);
  expect(closing).toMatchObject({ srtp: 'ours', dtls: 'server', media: true, rtpPath: 'short' });
  expect(controlTypes(trace)).toEqual(['rtp-live']);
}

describe("the RTP leg's DTLS handshake through loss and reordering", () => {
  it('comes up with the first flight of either side dropped', async () => {
    expectCarried(await legThrough('first-up', (c) => (c.dir === 'up' && c.dtls === 0 ? 'drop' : 'pass')));
    expectCarried(await legThrough('first-down', (c) => (c.dir === 'down' && c.dtls === 0 ? 'drop' : 'pass')));
  });

  it('comes up with two flights reordered: a flight held past its retransmission, and two datagrams of one flight swapped', async () => {
    // The page's flight 5 (its Certificate first) held until its own retransmission passed: werift gets it twice, the copy last.
    let heldOnce = false;
    const twice = await legThrough('flight5-twice', (c) => {
      if (heldOnce || c.dir !== 'up' || firstHandshake(c.data) !== CERTIFICATE) return 'pass';
      heldOnce = true;
      return 'hold';
    });
    expectCarried(twice);
    expect(legClosings(twice)[0]?.['dtlsCopies']).toBeGreaterThan(0);
    // werift's ServerHello behind its Certificate (werift sends each message of its flight 4 in a datagram of its own).
    let swapped = false;
    expectCarried(
      await legThrough('flight4-swapped', (c) => {
        if (swapped || c.dir !== 'down' || firstHandshake(c.data) !== SERVER_HELLO) return 'pass';
        swapped = true;
        return 'hold';
      }),
    );
  });

  it('comes up when the last flight of the handshake is lost', async () => {
    expectCarried(await legThrough('last-lost', lastFlightLost()));
  });

  it(`is ended when none of the page's audio reaches it within ${CONSTANTS.rtp.mediaAfterDtlsMs} ms of DTLS, and opened once more`, async () => {
    // The first leg's media (RTP and RTCP: first byte 128-191) is lost on the way in; its DTLS is not.
    const trace = await legThrough('no-media', (c) => (c.leg === 1 && c.dir === 'up' && c.dtls === null && (c.data[0] ?? 0) >> 6 === 2 ? 'drop' : 'pass'));
    expect(controlTypes(trace)).toEqual(['rtp-retry', 'rtp-live']);
    const [first, second] = legClosings(trace);
    expect(first).toMatchObject({ reason: `no RTP from the page within ${CONSTANTS.rtp.mediaAfterDtlsMs} ms of DTLS`, srtp: 'ours', media: false });
    expect(second).toMatchObject({ srtp: 'ours', media: true, rtpPath: 'short' });
  });
});
