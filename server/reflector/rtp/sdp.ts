/**
 * SDP edits of the RTP leg (issue 13). SDP is RFC 8866; media sections start at "m=" (§5.14).
 */

/** Media kinds of an SDP's m= lines, in order ("audio", "video", "application", ...). */
export function mediaKinds(sdp: string): string[] {
  return sdp
    .split(/\r?\n/)
    .filter((l) => l.startsWith('m='))
    .map((l) => l.slice(2).split(' ')[0] ?? '');
}

/**
 * Sets `a=ptime:<ms>` (RFC 8866 §6.4) in every audio section of `sdp`, replacing any ptime
 * there: Chromium then packs `ms` of audio per packet (10 ms: 100 packets/s).
 */
export function withAudioPtime(sdp: string, ptimeMs: number): string {
  const lines = sdp.split('\r\n');
  const out: string[] = [];
  let inAudio = false;
  const closeSection = (): void => {
    if (!inAudio) return;
    // Before the trailing empty string of a CRLF-terminated SDP.
    out.push(`a=ptime:${ptimeMs}`);
    inAudio = false;
  };
  lines.forEach((line, i) => {
    const last = i === lines.length - 1 && line === '';
    if (line.startsWith('m=') || last) closeSection();
    if (line.startsWith('m=')) inAudio = line.startsWith('m=audio ');
    if (inAudio && line.startsWith('a=ptime:')) return;
    out.push(line);
  });
  closeSection();
  return out.join('\r\n');
}
