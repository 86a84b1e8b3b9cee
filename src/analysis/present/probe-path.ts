/**
 * The page's one line on the probe path, in its own module so that only the lazily
 * loaded verdict view carries it (the page's first-load JS budget, test/web/bundle-size.test.ts).
 */
import type { Report } from '../schema/report-schema.js';
import { EN, type Messages } from './catalogue.js';

/**
 * Which probe stream the grades rest on, in one plain line. On the RTP path SRTP
 * replay protection drops duplicated packets before the page or the reflector sees them: only
 * the relay could count them, and the line says so.
 */
export function probePathLine(r: Pick<Report, 'probe'>, m: Messages = EN): string {
  if (r.probe.path === 'rtp') return m.t('it.probe.rtp');
  // The reason is the report's own English words: another language says the path alone.
  return m.lang === 'en' ? `Measured on a data channel, not on an audio stream: ${r.probe.reason}.` : m.t('it.probe.datachannel');
}
