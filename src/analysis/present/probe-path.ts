/**
 * The page's one line on the probe path, in its own module so that only the lazily
 * loaded verdict view carries it (the page's first-load JS budget, test/web/bundle-size.test.ts).
 */
import type { Report } from '../schema/report-schema.js';

/**
 * Which probe stream the grades rest on, in one plain line. On the RTP path SRTP
 * replay protection drops duplicated packets before the page or the reflector sees them: only
 * the relay could count them, and the line says so.
 */
export function probePathLine(r: Pick<Report, 'probe'>): string {
  if (r.probe.path === 'rtp') {
    return 'Measured on an audio stream (RTP), the way a call sends its voice. Duplicated packets are visible only at the relay, so they are not counted here.';
  }
  return `Measured on a data channel, not on an audio stream: ${r.probe.reason}.`;
}
