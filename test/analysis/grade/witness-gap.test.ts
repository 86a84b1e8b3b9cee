/**
 * witness-gap.ts and its place in the report: what the relay's witness saw beside what our
 * reflector counted. A reflector that counted none of the probes the relay carried is ours (never
 * "your uploads lose everything"), and a failing loss partly past the relay is not graded as the
 * network's. Hand-built witness figures over the recorded inputs.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/analysis/report/analyze.js';
import { conclusionProblem } from '../../../src/analysis/report/consistency.js';
import { answerView } from '../../../src/analysis/present/answer.js';
import { OURS_MIN_PCT, witnessGaps } from '../../../src/analysis/grade/witness-gap.js';
import type { AnalysisInput } from '../../../src/analysis/schema/input.js';
import { reflectorInput } from '../report/inputs.js';

type Stream = NonNullable<AnalysisInput['witness']>['upstream'];
const stream = (packets: number, lost: number): Stream => ({
  ssrc: 1,
  packets,
  paddingPackets: 0,
  expected: packets + lost,
  lost,
  lossPct: (lost / (packets + lost)) * 100,
  duplicates: 0,
  reordered: 0,
  jitterMs: 1,
  ipdvMeanAbsMs: 0.5,
  maxIpdvMs: 3,
  ssrcs: 1,
});
const onRtp = (input: AnalysisInput, witness: AnalysisInput['witness']): AnalysisInput => ({
  ...input,
  probe: { path: 'rtp', reason: 'the audio stream carried the probes' },
  witness,
});

describe("the relay's witness against our reflector", () => {
  it('a reflector that counted none of the probes the relay carried is ours: no verdict, its figures said, never network loss', () => {
    // 1,609 probes sent, the relay carried 1,571 of them (2.36 % lost on the way), the reflector counted none.
    const input = onRtp(reflectorInput({ count: 1609, up: { lost: () => true } }), { source: 'relay', upstream: stream(1571, 38), downstream: null });
    const r = analyze(input);
    expect(r.outcome).toMatchObject({ reason: 'reflector-silent', side: 'server' });
    expect(r.summary).toMatchObject({ verdict: 'insufficient', insufficientCause: 'could-not-finish' });
    const a = answerView(r);
    expect(a.sentence).toBe(
      "The test server's reflector did not answer: the relay carried 1,571 of the 1,609 probes on the way out, but the reflector counted none. This says nothing about your network.",
    );
    expect(a.advice.map((x) => x.id)).toEqual(['run-again']);
    // Teams' dashboard would not call this stream poor from our loss: the upstream loss is not the network's.
    expect(r.teamsPoorStream.classification).not.toBe('poor');
    expect(r.explanation.join(' ')).not.toMatch(/loses packets|Pause uploads/);
    expect(conclusionProblem(r)).toBeNull();
    // At the door: the same report claiming a network fail is refused.
    expect(conclusionProblem({ ...r, outcome: null, summary: { ...r.summary, verdict: 'fail', insufficientCause: null } })).toMatch(
      /^\/outcome is null, but the relay carried 1571 probes upstream and the reflector counted none: reflector-silent$/,
    );
    // On the data channel the witness reads the audio, not the probes: no such claim.
    expect(witnessGaps('datachannel', input.witness, { packetsSent: 1609, packetsReceived: 0, neverArrived: 1609, lossPct: 100 }, null).silent).toBeNull();
  });

  it('a failing loss partly past the relay is ours (server-missed); one the relay saw too is the network’s', () => {
    const lossy = reflectorInput({ count: 1500, up: { lost: (i) => i % 20 === 0 } }); // 5 % lost at the reflector
    // The relay saw 0.1 % lost upstream: 4.9 points were ours.
    const ours = analyze(onRtp(lossy, { source: 'relay', upstream: stream(1998, 2), downstream: stream(2000, 0) }));
    const up = ours.grades.filter((g) => g.direction === 'up' && g.target === 'loss-15s');
    expect(up.map((g) => [g.status, g.reason])).toEqual([['insufficient', 'server-missed']]);
    expect(ours.summary).toMatchObject({ verdict: 'insufficient', insufficientCause: 'server-missed' });
    expect(up[0]?.sentence).toMatch(/part of its loss happened past the relay, in the test server's reflector/);
    expect(conclusionProblem(ours)).toBeNull();
    expect(conclusionProblem({ ...ours, grades: ours.grades.map((g) => (g === up[0] ? { ...g, status: 'fail', reason: null } : g)) })).toMatch(
      /server-missed$/,
    );
    // The relay saw the same 5 % lost: the network's, a fail.
    const network = analyze(onRtp(lossy, { source: 'relay', upstream: stream(1900, 100), downstream: stream(2000, 0) }));
    expect(network.grades.find((g) => g.direction === 'up' && g.target === 'loss-15s')?.status).toBe('fail');
    expect(network.summary.verdict).toBe('fail');
    expect(OURS_MIN_PCT).toBe(0.5);
  });

  it('probes that never left this device are its own (device-busy): the relay saw no gap and our reflector received all it carried', () => {
    // A browser too busy to send its audio: 5 % of the probes the page counted never went out in a
    // packet. The relay saw 0.1 % lost upstream, and our reflector received every packet it carried.
    const lossy = reflectorInput({ count: 1500, up: { lost: (i) => i % 20 === 0 } });
    const carried = 1998;
    const device = analyze(onRtp(lossy, { source: 'relay', upstream: stream(carried, 2), downstream: stream(2000, 0), reflectorPackets: carried }));
    const up = device.grades.filter((g) => g.direction === 'up' && g.target === 'loss-15s');
    expect(up.map((g) => [g.status, g.reason])).toEqual([['insufficient', 'device-busy']]);
    expect(up[0]?.sentence).toBe(
      "Upstream (you to the relay) packet loss could not be judged: about 4.9% of the probes never left this device, which was too busy to send them (the audio reached the relay with no gap where they belonged, and our server received everything the relay passed on), so that loss is not your network's.",
    );
    expect(device.summary).toMatchObject({ verdict: 'insufficient', insufficientCause: 'device-busy' });
    expect(answerView(device).sentence).not.toMatch(/reflector|test server/);
    expect(device.teamsPoorStream.classification).not.toBe('poor');
    expect(conclusionProblem(device)).toBeNull();
    expect(conclusionProblem({ ...device, grades: device.grades.map((g) => (g === up[0] ? { ...g, status: 'fail', reason: null } : g)) })).toMatch(
      /never sent by this device \(the relay and our reflector lost none of it\): device-busy$/,
    );
    // Our reflector received 2 % fewer than the relay carried: the hop past the relay lost them, ours.
    const hop = analyze(onRtp(lossy, { source: 'relay', upstream: stream(carried, 2), downstream: stream(2000, 0), reflectorPackets: 1958 }));
    expect(hop.grades.find((g) => g.direction === 'up' && g.target === 'loss-15s')?.reason).toBe('server-missed');
    // The relay itself saw 2 % lost upstream, over the 1 % target: that fail is the network's, whatever this device did not send.
    const both = analyze(onRtp(lossy, { source: 'relay', upstream: stream(1960, 40), downstream: stream(2000, 0), reflectorPackets: 1960 }));
    expect(both.grades.find((g) => g.direction === 'up' && g.target === 'loss-15s')?.status).toBe('fail');
    expect(both.summary.verdict).toBe('fail');

    const upFacts = { packetsSent: 1500, packetsReceived: 1425, neverArrived: 75, lossPct: 5 };
    const relay = (upstream: Stream, reflectorPackets?: number): AnalysisInput['witness'] => ({
      source: 'relay',
      upstream,
      downstream: null,
      ...(reflectorPackets === undefined ? {} : { reflectorPackets }),
    });
    // Just under the line (0.45 % short) is still no loss of ours: the device's.
    expect(witnessGaps('rtp', relay(stream(2000, 0), 1991), upFacts, null)).toEqual({ silent: null, ours: [], unsent: { pct: 5 }, relayUpLossPct: 0 });
    // A network duplicate is no packet of ours received: the reflector counts duplicates as the relay does, so 10 of them make up for no loss of ours.
    expect(witnessGaps('rtp', relay({ ...stream(2000, 0), packets: 2010, duplicates: 10 }, 1960), upFacts, null).ours).toEqual([{ direction: 'up', pct: 5 }]);
    // A server that does not report what its reflector received: the excess stays ours, as before.
    expect(witnessGaps('rtp', relay(stream(2000, 0)), upFacts, null)).toEqual({
      silent: null,
      ours: [{ direction: 'up', pct: 5 }],
      unsent: null,
      relayUpLossPct: 0,
    });
    // The probes counted lost all arrived, too late (a delay spike on the path): neither ours nor this device's; the network's, graded.
    const late = witnessGaps('rtp', relay(stream(2000, 0), 2000), { ...upFacts, neverArrived: 0 }, null);
    expect([late.ours, late.unsent]).toEqual([[], null]);
  });
});
