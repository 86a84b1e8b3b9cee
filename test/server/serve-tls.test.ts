/**
 * `callprobe serve --tls-port` with a real certificate chain. A
 * throwaway root CA signs an intermediate that signs the server certificate (localhost,
 * 127.0.0.1, ::1); serve gets the leaf and the intermediate in --tls-cert. A client that
 * trusts only the root completes a TURN Allocate over TLS, by IP and by name; a client that
 * trusts only Node's bundled roots, or asks for another name, is refused with a certificate
 * error, which the ladder's machine code calls 'tls-handshake'. A certificate and key that do
 * not belong together, or files that are not PEM or cannot be read, stop serve with a
 * one-line usage error (exit 3) before anything listens. A client that aborts the handshake
 * with a certificate alert (Chromium does, and tells the page no more than "701") is counted, and the
 * page's timed-out TLS rung learns from GET /api/tls-check that its browser refused it.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rungError } from '../../src/analysis/grade/connectivity.js';
import type { TlsCheck } from '../../src/protocol/api.js';
import { explainTlsTimeout } from '../../src/session/net/port-check.js';
import { TurnClient } from '../../server/turn/client/turn-client.js';
import { mintRestCredential } from '../../server/turn/credentials.js';
import { formatIp } from '../../src/protocol/ip.js';
import { freePorts } from '../kit/net.js';
import { waitFor } from '../kit/wait.js';
import { makeTestPki, type TestPki } from '../kit/pki.js';
import { serveProcess, type ServeProcess } from '../kit/callprobe.js';
import { cliPath } from '../kit/paths.js';
import { needBuilt, skipReason } from '../kit/requires.js';

const CLI = cliPath;
const built = skipReason('serve --tls-port', [needBuilt(CLI)]) === null;
const SECRET = 'tls-chain';

/** Connects over TLS with the given trust and allocates; the allocation's relayed address, or the error's code and message. */
async function allocateOverTls(
  port: number,
  host: string,
  verify: { ca?: string; servername?: string },
): Promise<{ relayed: string } | { code: string; message: string }> {
  const c = mintRestCredential(SECRET, 'tls', 600, Date.now());
  let client: TurnClient;
  try {
    client = await TurnClient.connect({ host, port, transport: 'tls', verify, username: c.username, password: c.credential });
  } catch (err) {
    return { code: (err as NodeJS.ErrnoException).code ?? '', message: (err as Error).message };
  }
  try {
    const a = await client.allocate();
    return { relayed: formatIp(a.relayed.ip) };
  } finally {
    await client.close();
  }
}

describe.skipIf(!built)('serve --tls-port with a certificate chain from a local CA', () => {
  let pki: TestPki;
  let server: ServeProcess;
  let tlsPort: number;

  beforeAll(async () => {
    pki = makeTestPki();
    const [turnPort = 0, port = 0] = await freePorts(2);
    tlsPort = port;
    server = await serveProcess({
      turnPorts: turnPort,
      relayPorts: '32200-32299',
      tls: { port: tlsPort, certPath: pki.chainPath, keyPath: pki.keyPath },
      secret: SECRET,
      extra: ['--metrics-listen', '127.0.0.1:0'],
    });
  }, 30_000);

  const tlsCheck = async (): Promise<TlsCheck> => (await (await fetch(`${server.url}/api/tls-check`)).json()) as TlsCheck;
  const tlsFailures = async (): Promise<string[]> => {
    const url = /metrics on (\S+)/.exec(server.proc.output())?.[1] ?? '';
    const text = await (await fetch(url)).text();
    return text.split('\n').filter((l) => l.startsWith('callprobe_turn_tls_handshake_failures_total'));
  };

  afterAll(async () => {
    await server?.stop();
    pki?.remove();
  });

  it('offers turns: in /api/config', async () => {
    const config = (await (await fetch(`${server.url}/api/config`)).json()) as { turn: { url: string; transport: string }[]; notOffered: unknown[] };
    expect(config.turn.filter((e) => e.transport === 'tls').map((e) => e.url)).toEqual([`turns:127.0.0.1:${tlsPort}?transport=tcp`]);
    expect(config.notOffered).toEqual([]);
  });

  it('a client trusting only the local root CA allocates over TLS, by IP address and by name', async () => {
    expect(await allocateOverTls(tlsPort, '127.0.0.1', { ca: pki.caPem })).toEqual({ relayed: '127.0.0.1' });
    expect(await allocateOverTls(tlsPort, '127.0.0.1', { ca: pki.caPem, servername: 'localhost' })).toEqual({ relayed: '127.0.0.1' });
  });

  it('a client that does not trust the CA is refused with a certificate error: tls-handshake on the ladder', async () => {
    const untrusted = await allocateOverTls(tlsPort, '127.0.0.1', {});
    expect(untrusted).toMatchObject({ code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' });
    const wrongName = await allocateOverTls(tlsPort, '127.0.0.1', { ca: pki.caPem, servername: 'relay.example.org' });
    expect(wrongName).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    for (const refused of [untrusted, wrongName]) {
      if (!('message' in refused)) throw new Error('expected a refusal');
      expect(rungError({ reachable: false, error: refused.message })).toBe('tls-handshake');
    }
    // The refused handshakes cost the listener nothing: a trusting client still allocates.
    expect(await allocateOverTls(tlsPort, '127.0.0.1', { ca: pki.caPem })).toEqual({ relayed: '127.0.0.1' });
  });

  it('a client that aborts the handshake with a certificate alert (as Chromium does) is counted, and the page can learn it refused the certificate', async () => {
    // Node verifies after its handshake completed and sends no alert: the relay saw nothing.
    expect(await tlsCheck()).toEqual({ certificateRefused: null });
    const timedOut = {
      transport: 'tls' as const,
      port: tlsPort,
      url: `turns:127.0.0.1:${tlsPort}?transport=tcp`,
      reachable: false,
      allocateMs: null,
      error: 'timeout',
    };
    expect(await explainTlsTimeout(timedOut, server.url)).toEqual(timedOut);
    // OpenSSL verifies inside the handshake and aborts it with alert 48 (unknown_ca), RFC 8446 §6.2.
    const s = spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${tlsPort}`, '-verify_return_error'], { input: '', encoding: 'utf8', timeout: 10_000 });
    expect(s.status, s.stdout + s.stderr).not.toBe(0);
    expect(s.stdout + s.stderr).toMatch(/unable to get local issuer certificate/);
    const check = await waitFor(async () => (await tlsCheck()).certificateRefused, { timeoutMs: 5_000, what: 'the relay to record the alert' });
    expect(check).toEqual({ alert: 'unknown_ca' });
    // (The Node clients above, which closed mid-handshake without an alert, are counted as 'other'.)
    expect(await tlsFailures()).toContain(`callprobe_turn_tls_handshake_failures_total{transport="tls",port="${tlsPort}",reason="certificate-refused"} 1`);
    // The page's timed-out TLS rung becomes a refused certificate: 'tls-handshake' on the ladder.
    const explained = await explainTlsTimeout(timedOut, server.url);
    expect(explained.error).toBe("tls: this browser refused the relay's certificate (TLS alert unknown_ca)");
    expect(rungError(explained)).toBe('tls-handshake');
    // What Chromium's check says on the way (its 701 is a timeout to the ladder) is explained too.
    const chromium701 = { ...timedOut, error: '701 Failed to establish connection' };
    expect(rungError(await explainTlsTimeout(chromium701, server.url))).toBe('tls-handshake');
    // Only a timed-out TLS rung is explained.
    for (const other of [
      { ...timedOut, transport: 'tcp' as const },
      { ...timedOut, error: '486 Allocation Quota Reached' },
    ]) {
      expect(await explainTlsTimeout(other, server.url)).toEqual(other);
    }
  });
});

describe.skipIf(!built)('serve refuses a TLS certificate and key it cannot use (exit 3, one line)', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makeTestPki();
  });
  afterAll(() => pki?.remove());

  function serveWith(cert: string, key: string): { code: number | null; stderr: string } {
    // Bounded: each case must end on its own (a serve that starts would be a failure).
    const r = spawnSync(
      process.execPath,
      [
        CLI,
        'serve',
        '--host',
        '127.0.0.1',
        '--http-port',
        '0',
        '--turn-ports',
        '0',
        '--tls-port',
        '25349',
        '--tls-cert',
        cert,
        '--tls-key',
        key,
        '--secret',
        SECRET,
        '--no-store',
      ],
      {
        encoding: 'utf8',
        // Starting serve takes 5-8 s of a starved core in npm test's low-weight lane; still bounded.
        timeout: 45_000,
      },
    );
    return { code: r.status, stderr: r.stderr };
  }

  it.each([
    [
      "a key that is not the certificate's",
      () => [pki.chainPath, pki.otherKeyPath],
      /^callprobe: --tls-cert \S+chain\.pem and --tls-key \S+other\.key do not match: the key is not the certificate's$/,
    ],
    ['a certificate given as the key', () => [pki.chainPath, pki.chainPath], /^callprobe: --tls-key \S+chain\.pem: not a PEM private key/],
    ['a key given as the certificate', () => [pki.keyPath, pki.keyPath], /^callprobe: --tls-cert \S+server\.key: not a PEM certificate/],
    ['a missing key file', () => [pki.chainPath, `${pki.dir}/absent.key`], /^callprobe: --tls-key \S+absent\.key: cannot read it \(ENOENT\)$/],
    ['a directory as the certificate', () => [pki.dir, pki.keyPath], /^callprobe: --tls-cert \S+: cannot read it \(EISDIR\)$/],
  ] as const)(
    '%s',
    (_what, files, message) => {
      const [cert = '', key = ''] = files();
      const r = serveWith(cert, key);
      expect(r.code, r.stderr).toBe(3);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(message);
    },
    60_000,
  );
});
