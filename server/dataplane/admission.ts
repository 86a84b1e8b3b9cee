/**
 * Admission: whether the server takes one more test now. A test past the server's capacity is
 * refused at signalling, before any probe is sent, with `server-busy` and SERVER_BUSY_WORDS
 * (src/protocol/api.ts): its most tests at once (DEFAULTS.maxSessions, `serve --max-tests`: the
 * signalling limiter's total door and its reserve), or its data plane's event loop running late
 * now (this file), which would spoil the tests already running before it spoiled the new one.
 * Pure: the plane's last report and the time are handed in.
 */
import { CONSTANTS } from '../../src/protocol/defaults.js';

/** The plane's last lateness report (server/common/data-plane.ts `loop-late`) and when it came, on the HTTP process's monotonic clock. */
export interface LoopLateReport {
  /** The worst lateness of each bin of the plane's last window (CONSTANTS.admission.windowMs), oldest first. */
  lateMs: readonly number[];
  atMs: number;
}

/** When a plane is busy (CONSTANTS.admission, its `busyLateMs` from `serve --refuse-late-ms`). */
export type AdmissionBounds = { readonly [K in keyof (typeof CONSTANTS)['admission']]: number };

/** CONSTANTS.admission with the operator's lateness (`serve --refuse-late-ms`; absent: the default). */
export function admissionBounds(refuseLateMs?: number): AdmissionBounds {
  return { ...CONSTANTS.admission, busyLateMs: refuseLateMs ?? CONSTANTS.admission.busyLateMs };
}

/**
 * Whether the data plane is too busy for a new test: its last report is fresh (at most `staleMs`
 * old) and `busyBins` of its bins were late by `busyLateMs` or more. No report (a plane just
 * started, or none that reports) and a stale one judge nothing: a plane that stopped is refused by
 * its own door (the reflector starting again). `busyLateMs` 0 judges nothing either (`serve
 * --refuse-late-ms 0`: the operator turned this half of admission off).
 */
export function planeBusy(report: LoopLateReport | null, nowMs: number, o: AdmissionBounds): boolean {
  if (o.busyLateMs <= 0 || report === null || nowMs - report.atMs > o.staleMs) return false;
  return report.lateMs.filter((ms) => ms >= o.busyLateMs).length >= o.busyBins;
}
