/**
 * SDP edits of the RTP leg, on parsed lines (../sdp-lines.ts). SDP is RFC 8866; media
 * sections start at "m=" (§5.14).
 */
import { parseSdpLines, serializeSdp, type SdpLine } from '../sdp-lines.js';

/** Media kinds of an SDP's m= lines, in order ("audio", "video", "application", ...). */
export function mediaKinds(lines: readonly SdpLine[]): string[] {
  return lines.filter((l) => l.type === 'm').map((l) => l.value.split(' ')[0] ?? '');
}

/**
 * Sets `a=ptime:<ms>` (RFC 8866 §6.4) in every audio section of `sdp`, replacing any ptime
 * there: Chromium then packs `ms` of audio per packet (10 ms: 100 packets/s).
 */
export function withAudioPtime(sdp: string, ptimeMs: number): string {
  const out: SdpLine[] = [];
  let inAudio = false;
  const closeSection = (): void => {
    if (inAudio) out.push({ type: 'a', value: `ptime:${ptimeMs}` });
    inAudio = false;
  };
  for (const line of parseSdpLines(sdp)) {
    if (line.type === 'm') {
      closeSection();
      inAudio = line.value.startsWith('audio ');
    }
    if (inAudio && line.type === 'a' && line.value.startsWith('ptime:')) continue;
    out.push(line);
  }
  closeSection();
  return serializeSdp(out);
}
