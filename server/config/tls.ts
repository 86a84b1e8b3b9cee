/**
 * The TLS certificate and key of TURN over TLS (--tls-cert, --tls-key), read and checked when
 * `serve` starts, before anything listens.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../src/protocol/config-error.js';

function readPem(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError('bad-file', `${flag} ${path}: cannot read it (${code ?? (err as Error).message})`);
  }
}

/**
 * The TLS certificate and key, read and checked before anything listens: a certificate file
 * that is not PEM, a key that is not one, or a key that is not the certificate's is a usage
 * error naming both files (exit 3), not a relay that "could not bind". The certificate file
 * may hold a chain: the first certificate is the server's (RFC 8446 §4.4.2). A certificate
 * outside its validity is only warned about: clients will refuse it, but the other rungs work.
 */
export function readTlsPair(certPath: string, keyPath: string, nowMs: number, warn: (msg: string) => void): { certPem: string; keyPem: string } {
  const certPem = readPem(certPath, '--tls-cert');
  const keyPem = readPem(keyPath, '--tls-key');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    throw new ConfigError('bad-file', `--tls-cert ${certPath}: not a PEM certificate (${(err as Error).message})`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw new ConfigError('bad-file', `--tls-key ${keyPath}: not a PEM private key (${(err as Error).message})`);
  }
  if (!cert.checkPrivateKey(key)) {
    throw new ConfigError('bad-file', `--tls-cert ${certPath} and --tls-key ${keyPath} do not match: the key is not the certificate's`);
  }
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  if (nowMs < from || nowMs > to) warn(`--tls-cert ${certPath} is valid only from ${cert.validFrom} to ${cert.validTo}: TLS clients will refuse it`);
  return { certPem, keyPem };
}
