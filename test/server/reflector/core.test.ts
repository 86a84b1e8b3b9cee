import { describe, expect, it } from 'vitest';
import { ReflectorCore, strongestWitness } from '../../../server/reflector/core.js';
import { decodeEcho, decodeReceipts, encodeProbe, type RelayWitness } from '../../../src/protocol/wire.js';

const probe = (seq: number, sendMs: number): Uint8Array => encodeProbe({ seq, sendMs }, new Uint8Array(160));

describe('ReflectorCore', () => {
  it('echoes each probe with its own downstream numbering and honest hold time', () => {
    const core = new ReflectorCore(160);
    let now = 100;
    const e1 = decodeEcho(core.onProbe(probe(41, 5), 100, () => (now += 0.25)));
    expect(e1).toEqual({ upSeq: 41, clientSendMs: 5, downSeq: 0, reflectorRecvMs: 100, reflectorSendMs: 100.25, upReceived: 1 });
    const e2 = decodeEcho(core.onProbe(probe(43, 25), 120, () => 120.5));
    expect(e2.downSeq).toBe(1);
    expect(e2.upReceived).toBe(2);
  });

  it('reports every arrival, duplicates included, then a final tally', () => {
    const core = new ReflectorCore(160);
    core.onProbe(probe(1, 0), 10, () => 10);
    core.onProbe(probe(1, 0), 11, () => 11);
    core.onProbe(probe(2, 10), 20, () => 20);
    const batch = core.flush();
    expect(batch).not.toBeNull();
    expect(decodeReceipts(batch as Uint8Array).map((r) => [r.upSeq, r.downSeq])).toEqual([
      [1, 0],
      [1, 1],
      [2, 2],
    ]);
    expect(core.flush()).toBeNull();
    expect(core.final()).toEqual({ type: 'final', upReceived: 3, upDuplicates: 1, downSent: 3 });
  });

  it('marks a receipt whose echo could not be sent', () => {
    const core = new ReflectorCore(160);
    core.onProbe(probe(9, 0), 10, () => 10);
    core.echoFailed();
    expect(decodeReceipts(core.flush() as Uint8Array)[0]?.downSeq).toBe(-1);
  });

  it('refuses a datagram that is not a probe', () => {
    const core = new ReflectorCore(160);
    expect(() => core.onProbe(new Uint8Array(160), 1, () => 1)).toThrow(/bad-magic/);
    expect(core.final()).toEqual({ type: 'final', upReceived: 0, upDuplicates: 0, downSent: 0 });
  });

  it("adds the relay's witness and the server's loop lateness to the tally when given", () => {
    const core = new ReflectorCore(160);
    const serverLoop = { binMs: 200, bins: [[10, 0]] as Array<[number, number]> };
    expect(core.final(null, serverLoop)).toEqual({ type: 'final', upReceived: 0, upDuplicates: 0, downSent: 0, serverLoop });
  });
});

describe('strongestWitness', () => {
  const seen = (packets: number): RelayWitness => ({
    source: 'relay',
    upstream: {
      ssrc: packets,
      packets,
      paddingPackets: 0,
      expected: packets,
      lost: 0,
      lossPct: 0,
      duplicates: 0,
      reordered: 0,
      jitterMs: 0,
      ipdvMeanAbsMs: 0,
      maxIpdvMs: 0,
      ssrcs: 1,
    },
    downstream: null,
  });
  it('picks the endpoint whose upstream carried the most, asks about each endpoint once, and is null when the relay saw none', () => {
    const asked: string[] = [];
    const book: Record<string, RelayWitness | null> = { '10.0.0.1:1': seen(5), '10.0.0.1:2': null, '10.0.0.1:3': seen(9), '10.0.0.1:4': seen(9) };
    const at = (ip: string, port: number): RelayWitness | null => {
      asked.push(`${ip}:${port}`);
      return book[`${ip}:${port}`] ?? null;
    };
    const endpoints = [1, 2, 3, 4].map((port) => ({ ip: '10.0.0.1', port }));
    // A tie keeps the first.
    expect(strongestWitness(endpoints, at)).toBe(book['10.0.0.1:3']);
    expect(asked).toEqual(['10.0.0.1:1', '10.0.0.1:2', '10.0.0.1:3', '10.0.0.1:4']);
    expect(strongestWitness([{ ip: '10.0.0.1', port: 2 }], at)).toBeNull();
    expect(strongestWitness([], at)).toBeNull();
  });
});
