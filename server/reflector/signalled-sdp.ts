/**
 * What the reflector takes from the page and what it gives back, on both legs.
 *
 * From the page: the offer is parsed line by line (sdp-lines.ts) and refused whole when any
 * line is not one SDP line, any candidate is malformed, or any candidate points anywhere but
 * the relay; what the WebRTC stack is handed is rebuilt from the parsed lines. A trickled
 * candidate is one RFC 8839 §5.1 candidate or it is refused; a well-formed one that does not
 * point at the relay is dropped (and counted).
 *
 * To the page: the answer the stack made, rebuilt with only the reflector's own UDP host
 * candidates on its address, and without the machine's other addresses in its c= lines and
 * m= ports (the placeholder 0.0.0.0 or ::, port 9, that a description without candidates
 * carries: ICE uses only the candidates).
 */
import { canonicalAddress, describeCandidate, isRelayCandidate, parseCandidate, type ParsedCandidate, type RelayEndpoints } from './candidates.js';
import { SdpError, attributeValue, parseSdpLines, serializeSdp, type SdpLine } from './sdp-lines.js';
import { BOUNDS } from '../../src/protocol/defaults.js';

/** One candidate, within BOUNDS.signalCandidateBytesMax (in an offer as when trickled), or null. */
function boundedCandidate(text: string): ParsedCandidate | null {
  return text.length <= BOUNDS.signalCandidateBytesMax ? parseCandidate(text) : null;
}

/** "127.0.0.1 ports 49152-65535" (or "any port" for an ephemeral range) for refusals. */
function describeRelay(relay: RelayEndpoints): string {
  const { min, max } = relay.portRange;
  const ports = min === 0 && max === 0 ? 'any port' : `ports ${min}-${max}`;
  return `${relay.addresses.join(', ')} (${ports})`;
}

function notRelay(c: ParsedCandidate, where: string, relay: RelayEndpoints): SdpError {
  return new SdpError(
    'candidate-not-relay',
    `${where} (${describeCandidate(c)}) does not point at the relay ${describeRelay(relay)}: the reflector is reached only through the relay`,
  );
}

export interface CheckedOffer {
  /** The SDP to apply: the parsed lines again, CRLF-terminated. */
  sdp: string;
  lines: SdpLine[];
  /** Candidate lines in the offer (all on the relay). */
  candidates: number;
  /** The relayed addresses they name (the IP canonical), each once: the relay pairs the data-channel leg registers. */
  endpoints: { address: string; port: number }[];
}

/**
 * The page's offer, checked: every line one SDP line, every candidate one RFC 8839 candidate
 * on the relay, at most `maxCandidates` of them. Throws SdpError with the reason.
 */
export function checkRemoteOffer(text: string, relay: RelayEndpoints, maxCandidates: number): CheckedOffer {
  const lines = parseSdpLines(text, 'the offer');
  let candidates = 0;
  const endpoints = new Map<string, { address: string; port: number }>();
  lines.forEach((line, i) => {
    const value = attributeValue(line, 'candidate');
    if (value === null) return;
    const where = `the offer's candidate on line ${i + 1}`;
    const c = boundedCandidate(`candidate:${value}`);
    if (c === null) throw new SdpError('bad-candidate', `${where} is not one ICE candidate (RFC 8839 §5.1) of at most ${BOUNDS.signalCandidateBytesMax} bytes`);
    if (!isRelayCandidate(c, relay)) throw notRelay(c, where, relay);
    if (++candidates > maxCandidates) throw new SdpError('too-many-candidates', `the offer lists more than ${maxCandidates} candidates`);
    const address = canonicalAddress(c.address) ?? c.address;
    endpoints.set(`${address}|${c.port}`, { address, port: c.port });
  });
  return { sdp: serializeSdp(lines), lines, candidates, endpoints: [...endpoints.values()] };
}

/**
 * A trickled candidate (RTCIceCandidate.candidate: "candidate:..."; werift leaves out the
 * "candidate:" prefix), checked. Returns the candidate to add, with its prefix, or null when
 * it is well formed but does not point at the relay (dropped). Throws SdpError('bad-candidate')
 * for anything that is not exactly one candidate.
 */
export function checkRemoteCandidate(text: string, relay: RelayEndpoints): string | null {
  const line = text.startsWith('candidate:') ? text : `candidate:${text}`;
  const c = boundedCandidate(line);
  if (c === null)
    throw new SdpError('bad-candidate', `the trickled candidate is not one ICE candidate (RFC 8839 §5.1) of at most ${BOUNDS.signalCandidateBytesMax} bytes`);
  return isRelayCandidate(c, relay) ? line : null;
}

/** The placeholder connection data of a description without candidates, per address type. */
function placeholderConnection(value: string): string {
  return value.startsWith('IN IP6 ') ? 'IN IP6 ::' : 'IN IP4 0.0.0.0';
}

/**
 * Our own stack's description, to send to the page: only the candidates `keep` keeps (the RTP
 * leg's UDP host candidate, the data-channel leg's relay candidates; returned, so the RTP leg
 * opens its own on the relay), c= lines and m= ports as placeholders, a=rtcp lines (an address
 * and port; rtcp-mux is always on) left out.
 */
export function localDescription(text: string, keep: (c: ParsedCandidate) => boolean): { sdp: string; candidates: ParsedCandidate[] } {
  const candidates: ParsedCandidate[] = [];
  const lines: SdpLine[] = [];
  for (const line of parseSdpLines(text, 'the local description')) {
    const value = attributeValue(line, 'candidate');
    if (value !== null) {
      const c = parseCandidate(`candidate:${value}`);
      if (c !== null && keep(c)) {
        candidates.push(c);
        lines.push(line);
      }
    } else if (line.type === 'c') {
      lines.push({ type: 'c', value: placeholderConnection(line.value) });
    } else if (line.type === 'm') {
      // Port 0 rejects a section (RFC 8866 §5.14): kept as it is.
      lines.push({ type: 'm', value: line.value.replace(/^(\S+) [1-9][0-9]*/, '$1 9') });
    } else if (attributeValue(line, 'rtcp') === null) {
      lines.push(line);
    }
  }
  return { sdp: serializeSdp(lines), candidates };
}
