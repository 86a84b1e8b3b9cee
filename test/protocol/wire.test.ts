import { describe, expect, it } from 'vitest';
import {
  decodeEcho,
  decodeProbe,
  decodeBothReceipts,
  decodeReceipts,
  encodeBothReceipts,
  encodeEcho,
  encodeProbe,
  CONTROL_MIN_BYTES,
  encodeControlMessage,
  encodeReceipts,
  parseControlMessage,
  ProbeDecodeError,
  ProbeKind,
} from '../../src/protocol/wire.js';

describe('probe wire format', () => {
  it('round-trips a probe, keeping every datagram the same size', () => {
    const buf = new Uint8Array(160);
    encodeProbe({ seq: 0xfffffffe, sendMs: 1234.5678 }, buf);
    expect(buf.byteLength).toBe(160);
    expect(Array.from(buf.subarray(0, 4))).toEqual([0x43, 0x50, 1, 1]);
    expect(decodeProbe(buf)).toEqual({ seq: 0xfffffffe, sendMs: 1234.5678 });
  });

  it('round-trips an echo', () => {
    const echo = { upSeq: 7, clientSendMs: 10.25, downSeq: 3, reflectorRecvMs: 99.5, reflectorSendMs: 99.625, upReceived: 8 };
    expect(decodeEcho(encodeEcho(echo, new Uint8Array(160)))).toEqual(echo);
  });

  it('refuses what is not a probe, with a reason', () => {
    const buf = encodeProbe({ seq: 1, sendMs: 1 }, new Uint8Array(160));
    expect(() => decodeEcho(buf)).toThrow(expect.objectContaining({ reason: 'unexpected-kind' }));
    expect(() => decodeProbe(buf.subarray(0, 10))).toThrow(expect.objectContaining({ reason: 'too-short' }));
    const bad = buf.slice();
    bad[0] = 0;
    expect(() => decodeProbe(bad)).toThrow(ProbeDecodeError);
    expect(() => encodeProbe({ seq: 1, sendMs: 1 }, new Uint8Array(20))).toThrow(expect.objectContaining({ reason: 'bad-size' }));
  });

  it('round-trips receipt batches, including a failed echo (downSeq -1)', () => {
    const records = [
      { upSeq: 0xffffffff, reflectorRecvMs: 1.5, downSeq: 0, reflectorSendMs: 1.75, reflectorBufferedBytes: 0 },
      { upSeq: 0, reflectorRecvMs: 11.5, downSeq: -1, reflectorSendMs: 11.5, reflectorBufferedBytes: 4096 },
    ];
    const bytes = encodeReceipts(records);
    // Two records (64 bytes) are padded to the control minimum; 20 records (568 bytes) are not.
    expect(bytes.byteLength).toBe(CONTROL_MIN_BYTES);
    expect(decodeReceipts(bytes)).toEqual(records);
    expect(() => decodeReceipts(bytes.subarray(0, 20))).toThrow(expect.objectContaining({ reason: 'bad-size' }));
    expect(() => decodeReceipts(bytes.subarray(0, 8 + 2 * 28))).toThrow(expect.objectContaining({ reason: 'bad-size' }));
    const twenty = Array.from({ length: 20 }, (_, i) => ({ upSeq: i, reflectorRecvMs: 1.5, downSeq: i, reflectorSendMs: 1.75, reflectorBufferedBytes: 0 }));
    expect(encodeReceipts(twenty).byteLength).toBe(8 + 20 * 28);
    expect(decodeReceipts(encodeReceipts(twenty))).toEqual(twenty);
  });

  it('round-trips one flush of both streams in one batch, each record to its stream, padded like the others', () => {
    const dc = [{ upSeq: 7, reflectorRecvMs: 1.5, downSeq: 7, reflectorSendMs: 1.75, reflectorBufferedBytes: 320 }];
    const rtp = Array.from({ length: 25 }, (_, i) => ({
      upSeq: 100 + i,
      reflectorRecvMs: 10 * i,
      downSeq: i === 3 ? -1 : i,
      reflectorSendMs: 10 * i + 0.25,
      reflectorBufferedBytes: 0,
    }));
    const bytes = encodeBothReceipts(dc, rtp);
    expect(bytes[3]).toBe(ProbeKind.BothReceipts);
    // 12-byte header and 26 records of 28 bytes: 740 bytes, above the control minimum; one record each is padded to it.
    expect(bytes.byteLength).toBe(12 + 26 * 28);
    expect(decodeBothReceipts(bytes)).toEqual({ dataChannel: dc, rtp });
    expect(encodeBothReceipts(dc, rtp.slice(0, 1)).byteLength).toBe(CONTROL_MIN_BYTES);
    expect(decodeBothReceipts(encodeBothReceipts(dc, rtp.slice(0, 1)))).toEqual({ dataChannel: dc, rtp: rtp.slice(0, 1) });
    expect(() => decodeBothReceipts(bytes.subarray(0, 12 + 25 * 28))).toThrow(expect.objectContaining({ reason: 'bad-size' }));
    expect(() => decodeBothReceipts(encodeReceipts(dc))).toThrow(expect.objectContaining({ reason: 'unexpected-kind' }));
  });

  it('pads JSON control messages to the control minimum, and they still parse', () => {
    const text = encodeControlMessage({ type: 'final', upReceived: 3, upDuplicates: 0, downSent: 3 });
    expect(text.length).toBe(CONTROL_MIN_BYTES);
    expect(parseControlMessage(text)).toEqual({ type: 'final', upReceived: 3, upDuplicates: 0, downSent: 3 });
  });

  it('validates control messages field by field', () => {
    expect(parseControlMessage('{"type":"stop"}')).toEqual({ type: 'stop' });
    expect(parseControlMessage('{"type":"final","upReceived":3,"upDuplicates":0,"downSent":3}')).toEqual({
      type: 'final',
      upReceived: 3,
      upDuplicates: 0,
      downSent: 3,
    });
    expect(() => parseControlMessage('{"type":"final","upReceived":-1}')).toThrow(expect.objectContaining({ reason: 'bad-control' }));
    const stream = {
      ssrc: 0xffffffff,
      packets: 98,
      paddingPackets: 2,
      expected: 101,
      lost: 1,
      lossPct: 0.99,
      duplicates: 0,
      reordered: 3,
      jitterMs: 0.4,
      ipdvMeanAbsMs: null,
      maxIpdvMs: null,
      ssrcs: 1,
    };
    const relayWitness = { source: 'relay', upstream: stream, downstream: null } as const;
    const final = { type: 'final', upReceived: 3, upDuplicates: 0, downSent: 3, relayWitness } as const;
    expect(parseControlMessage(encodeControlMessage(final))).toEqual(final);
    for (const bad of [
      { ...relayWitness, source: 'page' },
      { ...relayWitness, upstream: { ...stream, lost: -1 } },
      { ...relayWitness, upstream: { ...stream, ssrc: 2 ** 32 } },
      { ...relayWitness, upstream: { ...stream, jitterMs: 'high' } },
      { ...relayWitness, downstream: 7 },
      'witness',
    ]) {
      expect(() => parseControlMessage(JSON.stringify({ ...final, relayWitness: bad }))).toThrow(expect.objectContaining({ reason: 'bad-control' }));
    }
    expect(() => parseControlMessage('nope')).toThrow(expect.objectContaining({ reason: 'bad-control' }));
    expect(() => parseControlMessage('{"type":"launch"}')).toThrow(/unknown control message type "launch"/);
  });

  it("carries the relay's DSCP counts of the upstream and the mark on its echoes in `final`, each checked", () => {
    const stream = { ssrc: 1, packets: 3, paddingPackets: 0, expected: 3, lost: 0, lossPct: 0, duplicates: 0, reordered: 0, jitterMs: 0 };
    const relayWitness = {
      source: 'relay' as const,
      upstream: { ...stream, ipdvMeanAbsMs: null, maxIpdvMs: null, ssrcs: 1 },
      downstream: null,
      upstreamDscp: { '46': 2, '0': 1 },
    };
    const final = { type: 'final', upReceived: 3, upDuplicates: 0, downSent: 3, relayWitness, echoDscp: 46 } as const;
    expect(parseControlMessage(encodeControlMessage(final))).toEqual(final);
    for (const upstreamDscp of [{ '64': 1 }, { '46': -1 }, { ef: 3 }, [3]]) {
      expect(() => parseControlMessage(JSON.stringify({ ...final, relayWitness: { ...relayWitness, upstreamDscp } }))).toThrow(
        expect.objectContaining({ reason: 'bad-control' }),
      );
    }
    for (const echoDscp of [64, -1, 4.5, 'ef']) {
      expect(() => parseControlMessage(JSON.stringify({ ...final, echoDscp }))).toThrow(expect.objectContaining({ reason: 'bad-control' }));
    }
  });

  it("carries the server's event-loop lateness in `final`, checked and bounded; a `final` without it is still read", () => {
    const tally = { type: 'final', upReceived: 3, upDuplicates: 0, downSent: 3 } as const;
    const serverLoop = {
      binMs: 200,
      bins: [
        [1000.5, 0],
        [1150, 42.3],
      ] as Array<[number, number]>,
    };
    expect(parseControlMessage(encodeControlMessage({ ...tally, serverLoop }))).toEqual({ ...tally, serverLoop });
    expect(parseControlMessage(encodeControlMessage(tally))).toEqual(tally);
    const most: Array<[number, number]> = Array.from({ length: 3600 }, (_, i) => [i * 200, 0]);
    expect(parseControlMessage(JSON.stringify({ ...tally, serverLoop: { binMs: 200, bins: most } }))).toEqual({
      ...tally,
      serverLoop: { binMs: 200, bins: most },
    });
    for (const bad of [
      'loop',
      { bins: [] },
      { binMs: 0, bins: [] },
      { binMs: 200, bins: {} },
      { binMs: 200, bins: [...most, [720_000, 0]] },
      { binMs: 200, bins: [[1, 2, 3]] },
      { binMs: 200, bins: [[1, -0.5]] },
      { binMs: 200, bins: [['1', 2]] },
      { binMs: 200, bins: [[null, 2]] },
    ]) {
      expect(() => parseControlMessage(JSON.stringify({ ...tally, serverLoop: bad }))).toThrow(expect.objectContaining({ reason: 'bad-control' }));
    }
  });
});
