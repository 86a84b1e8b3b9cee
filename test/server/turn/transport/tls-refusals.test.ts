/** Which TLS handshake failures are a refused certificate, and the bounded memory of who refused. */
import { describe, expect, it } from 'vitest';
import { classifyTlsFailure, TlsRefusals } from '../../../../server/turn/transport/tls-refusals.js';

const nodeError = (code: string, message: string): Error & { code: string } => Object.assign(new Error(message), { code });

describe('classifyTlsFailure', () => {
  it('reads the certificate alerts of RFC 8446 §6.2 from what Node reports', () => {
    // Chromium distrusting the certificate (measured: alert 46); OpenSSL's s_client (48).
    expect(
      classifyTlsFailure(
        nodeError(
          'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
          'error:0A000416:SSL routines:ssl3_read_bytes:sslv3 alert certificate unknown:SSL alert number 46\n',
        ),
      ),
    ).toEqual({ reason: 'certificate-refused', alert: 'certificate_unknown' });
    expect(classifyTlsFailure(nodeError('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'tlsv1 alert unknown ca:SSL alert number 48'))).toEqual({
      reason: 'certificate-refused',
      alert: 'unknown_ca',
    });
    expect(classifyTlsFailure(nodeError('ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED', 'SSL alert number 45'))).toEqual({
      reason: 'certificate-refused',
      alert: 'certificate_expired',
    });
  });

  it('anything else is a timeout or other, never a refused certificate', () => {
    expect(classifyTlsFailure(nodeError('ERR_TLS_HANDSHAKE_TIMEOUT', 'TLS handshake timeout'))).toEqual({ reason: 'timeout', alert: null });
    expect(classifyTlsFailure(nodeError('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'SSL alert number 70'))).toEqual({ reason: 'other', alert: null });
    expect(classifyTlsFailure(nodeError('ECONNRESET', 'read ECONNRESET'))).toEqual({ reason: 'other', alert: null });
  });
});

describe('TlsRefusals', () => {
  it('answers for one address within the window only', () => {
    const r = new TlsRefusals();
    r.record('192.0.2.1', 'unknown_ca', 1_000);
    expect(r.latest('192.0.2.1', 61_000, 60_000)).toEqual({ alert: 'unknown_ca', atMs: 1_000 });
    expect(r.latest('192.0.2.1', 61_001, 60_000)).toBeNull();
    expect(r.latest('192.0.2.2', 1_000, 60_000)).toBeNull();
  });

  it('keeps at most its bound of addresses, forgetting the least recently refused first', () => {
    const r = new TlsRefusals(3);
    for (const [i, ip] of ['192.0.2.1', '192.0.2.2', '192.0.2.3'].entries()) r.record(ip, 'unknown_ca', i);
    r.record('192.0.2.1', 'certificate_unknown', 10); // refreshed: now the newest
    r.record('192.0.2.4', 'unknown_ca', 11);
    expect(r.size).toBe(3);
    expect(r.latest('192.0.2.2', 11, 60_000)).toBeNull();
    expect(r.latest('192.0.2.1', 11, 60_000)?.alert).toBe('certificate_unknown');
    expect(r.latest('192.0.2.4', 11, 60_000)?.alert).toBe('unknown_ca');
  });
});
