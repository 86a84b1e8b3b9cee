import { describe, expect, it } from 'vitest';
import { parseSdpLines, serializeSdp, SdpError } from '../../../server/reflector/sdp-lines.js';

const lines = ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel', 'a=mid:0'];

function refusal(text: string): string {
  try {
    parseSdpLines(text);
  } catch (err) {
    if (err instanceof SdpError) return `${err.reason}: ${err.message}`;
    throw err;
  }
  return 'accepted';
}

describe('SDP lines (RFC 8866 §5, §9)', () => {
  it('reads CRLF, LF and mixed endings into the same lines, and writes them back with CRLF', () => {
    const crlf = lines.map((l) => `${l}\r\n`).join('');
    const lf = lines.map((l) => `${l}\n`).join('');
    const mixed = lines.map((l, i) => `${l}${i % 2 ? '\n' : '\r\n'}`).join('');
    const parsed = parseSdpLines(crlf);
    expect(parsed[1]).toEqual({ type: 'o', value: '- 1 2 IN IP4 127.0.0.1' });
    expect(parseSdpLines(lf)).toEqual(parsed);
    expect(parseSdpLines(mixed)).toEqual(parsed);
    expect(serializeSdp(parseSdpLines(lf))).toBe(crlf);
  });

  it('keeps what a value may hold: spaces, a trailing space, UTF-8', () => {
    expect(parseSdpLines('v=0\r\ns=caf\u00e9 \r\na=x:1  2\r\n').slice(1)).toEqual([
      { type: 's', value: 'caf\u00e9 ' },
      { type: 'a', value: 'x:1  2' },
    ]);
  });

  it('refuses a bare CR, naming its line, wherever it is', () => {
    expect(refusal(lines.map((l) => `${l}\r`).join(''))).toBe(
      "bad-sdp: the description's line 1 is not one SDP line: it holds a carriage return (CR) that does not end a line with LF",
    );
    expect(refusal('v=0\r\na=mid:0\ra=candidate:x\r\n')).toMatch(/^bad-sdp: the description's line 2 .* carriage return/);
    expect(refusal('v=0\r\r\n')).toMatch(/line 1 .* carriage return/);
  });

  it('refuses every line that is not one SDP line', () => {
    expect(refusal('v=0\r\na=ok\ta\r\n')).toMatch(/line 2 .* U\+0009/);
    expect(refusal('v=0\r\na=ok\u0000\r\n')).toMatch(/line 2 .* U\+0000/);
    expect(refusal('v=0\r\na=ok\u2028a=candidate:x\r\n')).toMatch(/line 2 .* U\+2028/);
    expect(refusal('v=0\r\na=\u0085\r\n')).toMatch(/U\+0085/);
    expect(refusal('v=0\r\n\r\na=mid:0\r\n')).toMatch(/line 2 .* type letter/); // an empty line
    expect(refusal('v=0\r\na =mid:0\r\n')).toMatch(/line 2 .* type letter/);
    expect(refusal('v=0\r\nA=mid:0\r\n')).toMatch(/line 2 .* type letter/);
    expect(refusal('v=0\r\n candidate:1\r\n')).toMatch(/line 2 .* type letter/);
    expect(refusal('v=0\r\na=mid:0')).toMatch(/last line has no line ending/);
    expect(refusal('')).toMatch(/empty/);
    expect(refusal('s=-\r\nv=0\r\n')).toMatch(/does not start with "v=0"/);
  });

  it('reads a huge line as one line (the size is bounded by the signalling message)', () => {
    const huge = `v=0\r\na=x:${'y'.repeat(30_000)}\r\n`;
    expect(parseSdpLines(huge)[1]?.value.length).toBe(30_002);
  });
});
