/** Loopback fixtures for transport tests: an echo peer, a self-signed certificate, waiting helpers. */
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EchoPeer {
  port: number;
  received: number;
  close(): Promise<void>;
}

/** A UDP echo server on 127.0.0.1 (ephemeral port). */
export async function startEchoPeer(host = '127.0.0.1'): Promise<EchoPeer> {
  const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve) => s.bind(0, host, () => resolve()));
  const peer: EchoPeer = {
    port: s.address().port,
    received: 0,
    close: () => new Promise((resolve) => s.close(() => resolve())),
  };
  s.on('message', (m, r) => {
    peer.received++;
    s.send(m, r.port, r.address);
  });
  return peer;
}

/** A throwaway self-signed P-256 certificate for localhost. */
export function selfSignedCert(): { certPem: string; keyPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'callprobe-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { certPem: readFileSync(join(dir, 'cert.pem'), 'utf8'), keyPem: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Resolves with the first value `get` returns that is not undefined, polling on a short interval. */
export async function waitFor<T>(get: () => T | undefined, what: string, timeoutMs = 3000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Collects `n` messages from a client's onData, or fails after `timeoutMs`. */
export function nextData(count: number, register: (cb: (d: Buffer) => void) => void, timeoutMs = 3000): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const got: Buffer[] = [];
    const t = setTimeout(() => reject(new Error(`got ${got.length}/${count} messages`)), timeoutMs);
    register((d) => {
      got.push(Buffer.from(d));
      if (got.length === count) {
        clearTimeout(t);
        resolve(got);
      }
    });
  });
}
