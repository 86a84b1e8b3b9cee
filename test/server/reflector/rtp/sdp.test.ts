import { describe, expect, it } from 'vitest';
import { mediaKinds, withAudioPtime } from '../../../../server/reflector/rtp/sdp.js';
import { parseSdpLines } from '../../../../server/reflector/sdp-lines.js';

const answer = [
  'v=0',
  'o=- 1 0 IN IP4 0.0.0.0',
  's=-',
  't=0 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=rtpmap:111 opus/48000/2',
  'a=ptime:20',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'a=sctp-port:5000',
  '',
].join('\r\n');

describe('RTP leg SDP', () => {
  it('sets a=ptime:10 in the audio section only, replacing its ptime', () => {
    const out = withAudioPtime(answer, 10).split('\r\n');
    expect(out.filter((l) => l.startsWith('a=ptime'))).toEqual(['a=ptime:10']);
    const at = out.indexOf('a=ptime:10');
    expect(at).toBeGreaterThan(out.indexOf('m=audio 9 UDP/TLS/RTP/SAVPF 111'));
    expect(at).toBeLessThan(out.indexOf('m=application 9 UDP/DTLS/SCTP webrtc-datachannel'));
    expect(out[out.length - 1]).toBe('');
  });

  it('adds it at the end of a last audio section and keeps the trailing CRLF', () => {
    const sdp = ['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=rtpmap:111 opus/48000/2', ''].join('\r\n');
    expect(withAudioPtime(sdp, 10)).toBe(['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=rtpmap:111 opus/48000/2', 'a=ptime:10', ''].join('\r\n'));
  });

  it('lists media kinds', () => {
    expect(mediaKinds(parseSdpLines(answer))).toEqual(['audio', 'application']);
    expect(mediaKinds(parseSdpLines('v=0\r\n'))).toEqual([]);
  });
});
