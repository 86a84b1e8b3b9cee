/**
 * TLS handshakes that failed on the relay's TLS listeners, and which client addresses refused
 * the relay's certificate. A browser that does not trust the certificate aborts the handshake
 * with a certificate alert (RFC 8446 §6.2) and tells the page no more than for a closed port
 * (Chromium, measured: "701 Failed to establish connection", or nothing), so only the relay
 * can say "your browser refused my certificate". Memory is bounded: the most recent
 * MAX_SOURCES addresses.
 */

/** Why a TLS handshake did not complete (a metrics label). */
export type TlsFailureReason = 'certificate-refused' | 'timeout' | 'other';

/** RFC 8446 §6.2 alerts a client sends when it does not accept the server's certificate. */
const CERTIFICATE_ALERTS: Readonly<Record<number, string>> = {
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  48: 'unknown_ca',
};

/** Addresses remembered at most (the oldest is forgotten first). */
const MAX_SOURCES = 4096;

/** A Node tlsClientError as a reason and, for a refused certificate, the alert's name. */
export function classifyTlsFailure(err: Error & { code?: string }): { reason: TlsFailureReason; alert: string | null } {
  if (err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT') return { reason: 'timeout', alert: null };
  const n = Number(/SSL alert number (\d+)/.exec(err.message)?.[1]);
  const alert = CERTIFICATE_ALERTS[n];
  return alert !== undefined ? { reason: 'certificate-refused', alert } : { reason: 'other', alert: null };
}

export interface CertificateRefusal {
  /** The alert's name, e.g. 'certificate_unknown'. */
  alert: string;
  atMs: number;
}

export class TlsRefusals {
  private readonly bySource = new Map<string, CertificateRefusal>();

  constructor(private readonly maxSources = MAX_SOURCES) {}

  record(ip: string, alert: string, atMs: number): void {
    this.bySource.delete(ip);
    this.bySource.set(ip, { alert, atMs });
    if (this.bySource.size > this.maxSources) {
      const oldest = this.bySource.keys().next().value;
      if (oldest !== undefined) this.bySource.delete(oldest);
    }
  }

  /** The latest refusal from `ip` no older than `windowMs` at `nowMs`, or null. */
  latest(ip: string, nowMs: number, windowMs: number): CertificateRefusal | null {
    const r = this.bySource.get(ip);
    return r !== undefined && nowMs - r.atMs <= windowMs ? r : null;
  }

  get size(): number {
    return this.bySource.size;
  }
}
