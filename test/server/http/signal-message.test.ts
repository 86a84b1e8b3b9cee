import { describe, expect, it } from 'vitest';
import { parseClientSignal, SignalMessageError } from '../../../server/http/signal-message.js';

describe('signaling messages from the page', () => {
  it('accepts an offer and a candidate', () => {
    expect(parseClientSignal('{"type":"signal","data":{"type":"offer","sdp":"v=0"}}')).toEqual({ type: 'signal', data: { type: 'offer', sdp: 'v=0' } });
    const c = parseClientSignal('{"type":"signal","data":{"type":"candidate","candidate":{"candidate":"candidate:1","sdpMLineIndex":0,"sdpMid":"0"}}}');
    expect(c.data.candidate).toEqual({ candidate: 'candidate:1', sdpMLineIndex: 0, sdpMid: '0' });
  });

  it('keeps the RTP leg tag and refuses an unknown leg', () => {
    expect(parseClientSignal('{"type":"signal","leg":"rtp","data":{"type":"answer","sdp":"v=0"}}')).toEqual({
      type: 'signal',
      leg: 'rtp',
      data: { type: 'answer', sdp: 'v=0' },
    });
    const c = parseClientSignal('{"type":"signal","leg":"rtp","data":{"type":"candidate","candidate":{"candidate":"candidate:1"}}}');
    expect(c.leg).toBe('rtp');
    expect(() => parseClientSignal('{"type":"signal","leg":"video","data":{"type":"offer","sdp":"v=0"}}')).toThrow(/unknown signal leg "video"/);
  });

  it('refuses anything else with the reason', () => {
    expect(() => parseClientSignal('{')).toThrow(SignalMessageError);
    expect(() => parseClientSignal('{"type":"hello"}')).toThrow(/unknown message type "hello"/);
    expect(() => parseClientSignal('{"type":"signal","data":{"type":"offer"}}')).toThrow(/needs an sdp/);
    expect(() => parseClientSignal(JSON.stringify({ type: 'signal', data: { type: 'offer', sdp: 'x'.repeat(40000) } }))).toThrow(/under/);
    expect(() => parseClientSignal('{"type":"signal","data":{"type":"renegotiate"}}')).toThrow(/not supported/);
  });
});
