/**
 * A port check on a machine with several network interfaces: the browser gathers one relay
 * candidate per interface, so one interface's refusal is not the port's answer while another's
 * allocation succeeds, and the connection stays open until every interface's allocation has
 * answered (a close while one is in flight leaves it on the relay for its lifetime).
 */
import { describe, expect, it } from 'vitest';
import { checkPort } from '../../../src/session/net/port-check.js';
import type { TurnServerEntry } from '../../../src/protocol/api.js';
import { waitFor } from '../../kit/wait.js';

const ENTRY: TurnServerEntry = { url: 'turn:10.79.1.1:3479?transport=udp', transport: 'udp', port: 3479 };
const CRED = { username: '1700000000:page', credential: 'c' };

/** RTCPeerConnection as a port check uses it: events dispatched by the test. */
class FakePeerConnection extends EventTarget {
  static last: FakePeerConnection | null = null;
  iceGatheringState: RTCIceGatheringState = 'new';
  closed = false;
  offered = false;
  constructor(readonly config: RTCConfiguration) {
    super();
    FakePeerConnection.last = this;
  }
  createDataChannel(): RTCDataChannel {
    return {} as RTCDataChannel;
  }
  createOffer(): Promise<RTCSessionDescriptionInit> {
    return Promise.resolve({ type: 'offer', sdp: '' });
  }
  setLocalDescription(): Promise<void> {
    this.offered = true;
    this.iceGatheringState = 'gathering';
    return Promise.resolve();
  }
  close(): void {
    this.closed = true;
  }
  relay(): void {
    this.dispatchEvent(Object.assign(new Event('icecandidate'), { candidate: { type: 'relay' } }));
  }
  error(errorCode: number, errorText: string): void {
    this.dispatchEvent(Object.assign(new Event('icecandidateerror'), { errorCode, errorText }));
  }
  complete(): void {
    this.iceGatheringState = 'complete';
    this.dispatchEvent(new Event('icegatheringstatechange'));
  }
}

async function started(): Promise<FakePeerConnection> {
  return waitFor(() => (FakePeerConnection.last?.offered === true ? FakePeerConnection.last : null), { timeoutMs: 2_000, what: 'the check to offer' });
}

function check(timeoutMs: number, errorSettleMs: number): Promise<Awaited<ReturnType<typeof checkPort>>> {
  FakePeerConnection.last = null;
  return checkPort(ENTRY, CRED, timeoutMs, { createPeerConnection: (c) => new FakePeerConnection(c), errorSettleMs });
}

describe('checkPort with one relay candidate per interface', () => {
  it("answers reachable when one interface's allocation is refused and another's succeeds", async () => {
    const result = check(10_000, 10_000);
    const pc = await started();
    expect(pc.config.iceTransportPolicy).toBe('relay');
    pc.error(486, 'Allocation Quota Reached');
    pc.relay();
    expect(await result).toMatchObject({ reachable: true, error: null, port: 3479 });
  });

  it('answers the refusal once gathering is complete with no relay candidate from any interface', async () => {
    const result = check(10_000, 10_000);
    const pc = await started();
    pc.error(486, 'Allocation Quota Reached');
    pc.error(701, 'no response');
    pc.complete();
    expect(await result).toMatchObject({ reachable: false, error: '486 Allocation Quota Reached' });
  });

  it('answers the refusal after the settle time when gathering never completes (Chromium on loopback)', async () => {
    const result = check(10_000, 30);
    const pc = await started();
    pc.error(401, 'Unauthorized');
    expect(await result).toMatchObject({ reachable: false, error: '401 Unauthorized' });
    expect(pc.closed).toBe(false);
  });

  it("closes the connection only once every interface's allocation answered, not at the first relay candidate", async () => {
    const result = check(10_000, 10_000);
    const pc = await started();
    pc.relay();
    expect((await result).reachable).toBe(true);
    // The answer is in, other interfaces' allocations may still be in flight: still open.
    expect(pc.closed).toBe(false);
    pc.complete();
    await waitFor(() => pc.closed, { timeoutMs: 2_000, what: 'the close after gathering completed' });
  });

  it('closes at its timeout when gathering never completes', async () => {
    const result = check(60, 10_000);
    const pc = await started();
    pc.relay();
    expect((await result).reachable).toBe(true);
    await waitFor(() => pc.closed, { timeoutMs: 2_000, what: 'the close at the timeout' });
  });

  it('times out with no answer at all', async () => {
    const result = check(40, 10_000);
    await started();
    expect(await result).toMatchObject({ reachable: false, error: 'timeout' });
  });
});
