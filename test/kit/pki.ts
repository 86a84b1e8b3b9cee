/**
 * A throwaway PKI made with `openssl` in a fresh temp dir: a root CA, an intermediate CA and a
 * server certificate for localhost, 127.0.0.1 and ::1 signed by the intermediate, as a public
 * CA issues them (the server sends its certificate and the intermediate; clients trust only
 * the root). Also a self-signed pair whose key matches nothing else, for mismatch cases.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  readonly dir: string;
  /** The root CA certificate (PEM file): what a client trusts. */
  readonly caPath: string;
  readonly caPem: string;
  /** The server certificate followed by the intermediate (a full chain, PEM). */
  readonly chainPath: string;
  /** The server certificate's private key (PEM). */
  readonly keyPath: string;
  /** A self-signed certificate and key of another key pair. */
  readonly otherCertPath: string;
  readonly otherKeyPath: string;
  /** Removes the directory. */
  remove(): void;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * A self-signed P-256 certificate for localhost, 127.0.0.1 and ::1 (valid one day), written into
 * `dir` as `<name>.pem` and `<name>.key`.
 */
export function writeSelfSigned(dir: string, name: string): { certPath: string; keyPath: string } {
  openssl(dir, [
    'req',
    '-x509',
    ...EC,
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
    '-days',
    '1',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
  ]);
  return { certPath: join(dir, `${name}.pem`), keyPath: join(dir, `${name}.key`) };
}

/** A self-signed certificate and key (as writeSelfSigned makes them) as PEM text; nothing is left on disk. */
export function selfSignedPem(): { certPem: string; keyPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'callprobe-cert-'));
  try {
    const { certPath, keyPath } = writeSelfSigned(dir, 'self');
    return { certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Makes the PKI; every file is world-readable (a test may run the server as another user). */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'callprobe-pki-'));
  const f = (name: string): string => join(dir, name);
  writeFileSync(f('ca.cnf'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  writeFileSync(f('server.cnf'), 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n');
  openssl(dir, [
    'req',
    '-x509',
    ...EC,
    '-subj',
    '/CN=callprobe test root',
    '-days',
    '2',
    '-keyout',
    'root.key',
    '-out',
    'root.pem',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  openssl(dir, ['req', ...EC, '-subj', '/CN=callprobe test intermediate', '-keyout', 'int.key', '-out', 'int.csr']);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'int.csr',
    '-CA',
    'root.pem',
    '-CAkey',
    'root.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'ca.cnf',
    '-out',
    'int.pem',
  ]);
  openssl(dir, ['req', ...EC, '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr']);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'int.pem',
    '-CAkey',
    'int.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    'server.cnf',
    '-out',
    'server.pem',
  ]);
  writeSelfSigned(dir, 'other');
  writeFileSync(f('chain.pem'), readFileSync(f('server.pem'), 'utf8') + readFileSync(f('int.pem'), 'utf8'));
  chmodSync(dir, 0o755);
  for (const name of ['root.pem', 'chain.pem', 'server.key', 'other.pem', 'other.key']) chmodSync(f(name), 0o644);
  return {
    dir,
    caPath: f('root.pem'),
    caPem: readFileSync(f('root.pem'), 'utf8'),
    chainPath: f('chain.pem'),
    keyPath: f('server.key'),
    otherCertPath: f('other.pem'),
    otherKeyPath: f('other.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
