/**
 * A verdict that comes with a caution, as a fact; the verdict itself is unchanged.
 *
 * - `fallback-path`: media that got through only over a fallback (every UDP port tried timed out
 *   while TCP or TLS connected, and the graded stream ran over one of them) meets the targets on
 *   this test, yet calls here depend on that fallback: over TCP or TLS a lost packet is resent and
 *   arrives late, so loss turns into delay. A pass only; the caution says why it is not a plain
 *   one. A test told to use TCP (`?turn=tcp`, `run --relay tcp`) says nothing about UDP and gets
 *   no caution. It changes `run`'s exit code (5).
 * - `device-busy`: this computer was too busy during the test (deviceTooBusy): the network's
 *   verdict stands, but calls break up on a busy computer too, whatever the network. Any verdict
 *   of a test that finished; `fallback-path` first where both hold (the attribution's
 *   `deviceTooBusy` still says it). It changes no exit code.
 */
import type { Caution, HintCode, PathTransport, Report, Verdict } from '../schema/report-schema.js';

/**
 * A busy device is said on top when this share of a direction's evaluable 200 ms windows or
 * more were its busy time (measure/attribution.ts busyDeviceSpans: a hidden page is not a busy
 * computer)...
 */
const DEVICE_BUSY_SHARE = 0.1;
/** ...or when one stretch of it lasted this long or more, ms: a 200 ms gap is an audible cut in a call. */
const DEVICE_BUSY_STRETCH_MS = 200;

/** One direction's busy time, as the caution reads it. */
export interface DeviceBusyCount {
  /** Evaluable 200 ms windows (the grades' positions), and how many touched this device's busy time. */
  evaluable200ms: number;
  busy200ms: number;
  /** The longest stretch of this device's busy time (recovery apart), ms; 0 without one. */
  longestBusyMs: number;
}

/** Whether this computer was too busy during the test to say nothing (DEVICE_BUSY_SHARE, DEVICE_BUSY_STRETCH_MS). */
export function deviceTooBusy(directions: readonly DeviceBusyCount[]): boolean {
  return directions.some((d) => d.longestBusyMs >= DEVICE_BUSY_STRETCH_MS || (d.evaluable200ms > 0 && d.busy200ms >= DEVICE_BUSY_SHARE * d.evaluable200ms));
}

/** The caution of a finished test: a pass only over a fallback path first, else a device too busy (`deviceBusy`), else none. */
export function cautionOf(verdict: Verdict, hintCodes: readonly HintCode[], transport: PathTransport, deviceBusy = false): Caution | null {
  if (verdict === 'pass' && hintCodes.includes('udp-blocked') && (transport === 'tcp' || transport === 'tls')) return 'fallback-path';
  return deviceBusy ? 'device-busy' : null;
}

/**
 * Whether the answer says on top that this computer was too busy: the report's caution, or (a
 * pass only over a fallback path, whose caution goes first) its attribution's `deviceTooBusy`.
 */
export function deviceBusyCautioned(r: Pick<Report, 'summary' | 'outcome'> & { attribution?: Report['attribution'] }): boolean {
  if (r.outcome) return false;
  return r.summary.caution === 'device-busy' || r.attribution?.deviceTooBusy === true;
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
