/**
 * EVEN-PORT reservations count against the same quotas as allocations
 * and end with the allocation that made them. (One IP held 499 ports with them, and every
 * EVEN-PORT request then got 508 for 30 s.)
 *
 * Failed on the starting code (the commit before this test): the second client's Allocate was
 * granted (the reservation counted for nothing), and the reservation outlived its owner.
 */
import { describe, expect, it } from 'vitest';
import { Attr, Method, readText, TRANSPORT_UDP } from '../../../../server/turn/codec/index.js';
import { buildAllocate, buildRefresh, buildRequest } from '../../../../server/turn/client/requests.js';
import { randomPortAllocator } from '../../../../server/turn/core/index.js';
import { must, T0, cred, errorCodeOf, makeHarness, mulberry32, reply, REALM } from '../helpers/core-harness.js';

function evenPortAllocation(quotas: { maxAllocationsPerSourceIp?: number; maxAllocationsTotal?: number }) {
  const h = makeHarness({ portAllocator: randomPortAllocator(50000, 50999, mulberry32(5)), quotas });
  const c1 = h.client(54101);
  const challenge = reply(h.core.handleClient(c1, buildAllocate(null), T0));
  const auth = { ...cred(), realm: REALM, nonce: must(readText(challenge, Attr.Nonce)) };
  const open = h.core
    .handleClient(
      c1,
      buildRequest(Method.Allocate, auth, (w) => {
        w.addUint32(Attr.RequestedTransport, TRANSPORT_UDP << 24);
        w.add(Attr.EvenPort, Buffer.from([0x80]));
      }),
      T0,
    )
    .find((a) => a.kind === 'open-relay');
  if (open?.kind !== 'open-relay') throw new Error('no open-relay');
  h.core.relayOpened(open.relayId, open.port, T0);
  return { h, c1, auth, port: open.port };
}

describe('EVEN-PORT reservations and the quotas (finding 8)', () => {
  it('count against the per-IP quota', () => {
    const { h, auth } = evenPortAllocation({ maxAllocationsPerSourceIp: 2 });
    expect(h.core.census().reservations).toBe(1);
    // One allocation and one reservation from this IP: a second allocation would be the third.
    const c2 = h.client(54102);
    expect(errorCodeOf(reply(h.core.handleClient(c2, buildAllocate(auth), T0 + 10)))).toBe(486);
  });

  it('count against the total', () => {
    const { h, auth } = evenPortAllocation({ maxAllocationsTotal: 2 });
    const other = h.client(54103, '127.0.0.9');
    const nonce = must(readText(reply(h.core.handleClient(other, buildAllocate(null), T0 + 5)), Attr.Nonce));
    expect(errorCodeOf(reply(h.core.handleClient(other, buildAllocate({ ...auth, nonce }), T0 + 10)))).toBe(508);
  });

  it('end with the allocation that made them', () => {
    const { h, c1, auth, port } = evenPortAllocation({});
    expect(h.core.isPortHeld(4, port + 1)).toBe(true);
    h.core.handleClient(c1, buildRefresh(auth, 0), T0 + 10);
    expect(h.core.census().reservations).toBe(0);
    expect(h.core.isPortHeld(4, port + 1)).toBe(false);
  });
});
