/**
 * A pass that comes with a caution, as a fact. Media that got through only over a fallback
 * (every UDP port tried timed out while TCP or TLS connected, and the graded stream ran over
 * one of them) meets the targets on this test, yet calls here depend on that fallback: over
 * TCP or TLS a lost packet is resent and arrives late, so loss turns into delay. The verdict
 * stays `pass`; the caution says why it is not a plain one. A test told to use TCP
 * (`?turn=tcp`, `run --relay tcp`) says nothing about UDP and gets no caution.
 */
import type { Caution, HintCode, PathTransport, Report, Verdict } from '../schema/report-schema.js';

export function cautionOf(verdict: Verdict, hintCodes: readonly HintCode[], transport: PathTransport): Caution | null {
  if (verdict !== 'pass') return null;
  if (!hintCodes.includes('udp-blocked')) return null;
  return transport === 'tcp' || transport === 'tls' ? 'fallback-path' : null;
}

/** The caution of a report: stored in its summary, or (a report stored before it existed) derived as analyze derives it. */
export function cautionOfReport(r: Pick<Report, 'summary' | 'hints' | 'path' | 'outcome'>): Caution | null {
  if (r.outcome) return null;
  return (
    r.summary.caution ??
    cautionOf(
      r.summary.verdict,
      r.hints.map((h) => h.code),
      r.path.transport,
    )
  );
}
