/**
 * SDP (RFC 8866) read line by line, the one way the reflector reads a description.
 *
 * RFC 8866 §5: a description is lines of the form `<type>=<value>`, the type exactly one
 * case-significant character, no whitespace around "="; a line ends with CRLF, and parsers
 * SHOULD also accept a line ended by a single LF. §9's ABNF: a value is a byte-string (any
 * byte but NUL, CR and LF), and `v=0` comes first.
 *
 * Both endings are accepted; a carriage return anywhere else, a control character in a value,
 * a line without its `<type>=`, an empty line or a last line without its ending makes the text
 * something other than SDP lines, and is refused. libwebrtc splits on LF alone: text that two
 * parsers might cut into different lines is never handed to a WebRTC stack. What the reflector
 * applies is always `serializeSdp` of parsed lines (CRLF endings), never the text it was sent.
 */
import { TypedError } from '../../src/protocol/typed-error.js';

/** Why signalling from the page was refused; the reason the page receives. */
export type SdpRefusal = 'bad-sdp' | 'bad-candidate' | 'candidate-not-relay' | 'too-many-candidates';

export class SdpError extends TypedError<SdpRefusal> {
  override readonly name = 'SdpError';
}

export interface SdpLine {
  /** One lower-case letter (RFC 8866 §9: every field's type is one of a-z). */
  readonly type: string;
  readonly value: string;
}

/**
 * Control characters no SDP value carries: C0 (CR and LF included), DEL, C1, and the Unicode
 * line and paragraph separators some parsers break lines on.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** What a control character is called in a refusal ("U+0009"; CR and LF by name). */
function describeControl(ch: string): string {
  if (ch === '\r') return 'a carriage return (CR) that does not end a line with LF';
  const code = ch.codePointAt(0) ?? 0;
  return `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Splits SDP text into its lines; throws SdpError('bad-sdp') naming the first line that is not one SDP line. */
export function parseSdpLines(text: string, what = 'the description'): SdpLine[] {
  if (text === '') throw new SdpError('bad-sdp', `${what} is empty`);
  const bareCr = /\r(?!\n)/.exec(text);
  if (bareCr) {
    const line = text.slice(0, bareCr.index).split('\n').length;
    throw new SdpError('bad-sdp', `${what}'s line ${line} is not one SDP line: it holds ${describeControl('\r')}`);
  }
  const pieces = text.split('\n');
  const last = pieces.pop();
  if (last !== '') throw new SdpError('bad-sdp', `${what}'s last line has no line ending (RFC 8866 §5: CRLF, or LF)`);
  const lines: SdpLine[] = [];
  pieces.forEach((piece, i) => {
    const line = piece.endsWith('\r') ? piece.slice(0, -1) : piece;
    const where = `${what}'s line ${i + 1}`;
    const bad = CONTROL.exec(line);
    if (bad) throw new SdpError('bad-sdp', `${where} is not one SDP line: it holds ${describeControl(bad[0])}`);
    if (!/^[a-z]=/.test(line)) {
      throw new SdpError('bad-sdp', `${where} is not one SDP line: it does not start with a type letter and "=" (RFC 8866 §5)`);
    }
    lines.push({ type: line.charAt(0), value: line.slice(2) });
  });
  if (lines[0]?.type !== 'v' || lines[0].value !== '0') throw new SdpError('bad-sdp', `${what} does not start with "v=0" (RFC 8866 §5.1)`);
  return lines;
}

/** The lines as SDP text, each ended by CRLF (RFC 8866 §5). */
export function serializeSdp(lines: readonly SdpLine[]): string {
  return lines.map((l) => `${l.type}=${l.value}\r\n`).join('');
}

/** The value of an `a=<name>:<value>` line, or null when `line` is another attribute or field. */
export function attributeValue(line: SdpLine, name: string): string | null {
  return line.type === 'a' && line.value.startsWith(`${name}:`) ? line.value.slice(name.length + 1) : null;
}
