/**
 * The core has no randomness of its own: RESERVATION-TOKENs and Data indication transaction
 * IDs come from CoreConfig.random, so the same inputs give the same bytes.
 */
import { describe, expect, it } from 'vitest';
import { Attr, MessageClass, Method, TRANSPORT_UDP, decodeStun, findAttr } from '../../../../server/turn/codec/index.js';
import { buildAllocate, buildCreatePermission, buildRequest, type ClientAuth } from '../../../../server/turn/client/requests.js';
import { randomPortAllocator } from '../../../../server/turn/core/index.js';
import { REALM, T0, cred, fromPeer, makeHarness, mulberry32, peer, seededBytes } from '../helpers/core-harness.js';

/** Allocate with EVEN-PORT R=1, a permission, one datagram from the peer: every byte sent to the client. */
function scenario(seed: number): Buffer[] {
  const h = makeHarness({ allowPeers: ['127.0.0.1/32'], portAllocator: randomPortAllocator(50000, 50999, mulberry32(5)), random: seededBytes(seed) });
  const c = h.client(56001);
  const tid = (n: number): Buffer => Buffer.alloc(12, n);
  const auth: ClientAuth = { ...cred(), realm: REALM, nonce: h.core.nonces.issue(c.ip, T0) };
  const sent: Buffer[] = [];
  const collect = (actions: ReturnType<typeof h.core.handleClient>): typeof actions => {
    for (const a of actions) if (a.kind === 'send-client') sent.push(a.data);
    return actions;
  };
  collect(h.core.handleClient(c, buildAllocate(null, { transactionId: tid(1) }), T0));
  const evenR = buildRequest(
    Method.Allocate,
    auth,
    (w) => {
      w.addUint32(Attr.RequestedTransport, TRANSPORT_UDP << 24);
      w.add(Attr.EvenPort, Buffer.from([0x80]));
    },
    { transactionId: tid(2) },
  );
  const open = collect(h.core.handleClient(c, evenR, T0)).find((a) => a.kind === 'open-relay');
  if (open?.kind !== 'open-relay') throw new Error('no open-relay');
  collect(h.core.relayOpened(open.relayId, open.port, T0));
  collect(h.core.handleClient(c, buildCreatePermission(auth, [peer('127.0.0.1', 7000)], { transactionId: tid(3) }), T0));
  collect(fromPeer(h, open.relayId, '127.0.0.1', 7000, Buffer.from('one'), T0 + 1));
  collect(fromPeer(h, open.relayId, '127.0.0.1', 7000, Buffer.from('two'), T0 + 2));
  return sent;
}

describe('determinism (CoreConfig.random)', () => {
  it('gives the same bytes for the same seed and inputs, other tokens and IDs for another seed', () => {
    const a = scenario(1);
    const b = scenario(1);
    const other = scenario(2);
    expect(a).toHaveLength(5); // 401, Allocate success, CreatePermission success, two Data indications
    expect(b.map((x) => x.toString('hex'))).toEqual(a.map((x) => x.toString('hex')));
    const token = (msgs: Buffer[]): string => {
      const m = decodeStun(msgs[1] ?? Buffer.alloc(0));
      const t = findAttr(m, Attr.ReservationToken);
      return t ? m.raw.subarray(t.valueOffset, t.valueOffset + t.length).toString('hex') : '';
    };
    expect(token(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(token(other)).not.toBe(token(a));
    const indications = (msgs: Buffer[]): string[] =>
      msgs.slice(3).map((x) => {
        const m = decodeStun(x);
        expect([m.method, m.cls]).toEqual([Method.Data, MessageClass.Indication]);
        return m.transactionId.toString('hex');
      });
    const [first, second] = indications(a);
    // Unique per indication: one random base, a counter in the last 4 bytes.
    expect(first?.slice(0, 16)).toBe(second?.slice(0, 16));
    expect(first).not.toBe(second);
    expect(indications(other)[0]).not.toBe(first);
  });
});
