/**
 * TURN over TLS on port 443 without running as root, the way the
 * systemd unit in docs/operate.md does it (User= an unprivileged account, AmbientCapabilities=
 * CAP_NET_BIND_SERVICE): `setpriv` gives the process exactly what systemd gives it (user
 * nobody, no groups, CAP_NET_BIND_SERVICE in the ambient set and nothing else). Each case runs
 * in a network namespace made by the test (only loopback; its own
 * net.ipv4.ip_unprivileged_port_start, 1024 in a fresh namespace), so 443 is free and the
 * test sends nowhere else. The TURN client runs inside the namespace too and trusts only the
 * test's root CA.
 *
 * Cases: with the capability, serve binds 443 as nobody and an Allocate over TLS succeeds;
 * without it, serve stops with a one-line usage error (exit 3) saying why; the documented
 * alternative for containers (the namespace's ip_unprivileged_port_start lowered to 443)
 * works with no capability at all.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNetns } from '../../e2e/fixtures/netns.js';
import { cliPath, repoRoot } from '../kit/paths.js';
import { needBuilt, netnsNeeds, skipReason } from '../kit/requires.js';
import { makeTestPki, type TestPki } from '../kit/pki.js';
import { runProcess, type ProcessHandle } from '../kit/process.js';

const CLI = cliPath;
const SECRET = 'port-443';
const NOBODY = 65534;
/** CAP_NET_BIND_SERVICE is capability 10 (linux/capability.h). */
const CAP_NET_BIND_SERVICE = 1n << 10n;

const why = skipReason('serve on port 443', [...netnsNeeds(), needBuilt(CLI)]);

/** The Allocate, run inside the namespace by a Node process that trusts only the test CA. */
const ALLOCATE_SCRIPT = `
import { readFileSync } from 'node:fs';
const [dist, host, port, caPath, secret] = process.argv.slice(1);
const { TurnClient } = await import(dist + '/server/turn/client/turn-client.js');
const { mintRestCredential } = await import(dist + '/server/turn/credentials.js');
const { formatIp } = await import(dist + '/src/protocol/ip.js');
const c = mintRestCredential(secret, 'p443', 600, Date.now());
const client = await TurnClient.connect({ host, port: Number(port), transport: 'tls', verify: { ca: readFileSync(caPath, 'utf8'), servername: 'localhost' }, username: c.username, password: c.credential });
const a = await client.allocate();
await client.close();
process.stdout.write(JSON.stringify({ relayed: formatIp(a.relayed.ip) + ':' + a.relayed.port }));
`;

function serveArgs(pki: TestPki): string[] {
  return [
    CLI,
    'serve',
    '--host',
    '127.0.0.1',
    '--http-port',
    '8080',
    '--turn-ports',
    '3478',
    '--tcp-ports',
    '443',
    '--tls-port',
    '443',
    '--tls-cert',
    pki.chainPath,
    '--tls-key',
    pki.keyPath,
    '--secret',
    SECRET,
    '--no-store',
    '--log-level',
    'warn',
  ];
}

/** `setpriv` arguments that run node as nobody (no groups); `caps` adds CAP_NET_BIND_SERVICE as systemd's AmbientCapabilities= does. */
function asNobody(caps: boolean): string[] {
  return [
    '--reuid=nobody',
    '--regid=nogroup',
    '--clear-groups',
    ...(caps ? ['--inh-caps=+net_bind_service', '--ambient-caps=+net_bind_service'] : []),
    process.execPath,
  ];
}

/** Uid and effective capabilities of a running process. */
function identity(pid: number): { uid: number; capEff: bigint } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
  const capEff = BigInt(`0x${/^CapEff:\s+([0-9a-f]+)/m.exec(status)?.[1] ?? '0'}`);
  return { uid, capEff };
}

describe.skipIf(why !== null)('serve on port 443 as an unprivileged user (in a test-made namespace)', () => {
  let pki: TestPki;
  let ns: TestNetns | null = null;
  let serve: ProcessHandle | null = null;

  beforeAll(() => {
    pki = makeTestPki();
  });

  afterAll(() => {
    pki?.remove();
  });

  async function inNamespace<T>(tag: string, body: (n: TestNetns) => Promise<T>): Promise<T> {
    ns = TestNetns.create(tag);
    try {
      return await body(ns);
    } finally {
      await serve?.stop();
      serve = null;
      ns.delete();
      ns = null;
    }
  }

  async function allocate(n: TestNetns): Promise<{ relayed: string }> {
    const r = await runProcess(
      'ip',
      ['netns', 'exec', n.name, process.execPath, '--input-type=module', '-e', ALLOCATE_SCRIPT, join(repoRoot, 'dist'), '127.0.0.1', '443', pki.caPath, SECRET],
      { timeoutMs: 15_000 },
    );
    expect(r.code, r.output).toBe(0);
    return JSON.parse(r.stdout) as { relayed: string };
  }

  it('with CAP_NET_BIND_SERVICE as its only capability, nobody serves TLS on 443 and a client trusting the CA allocates', async () => {
    await inNamespace('p443cap', async (n) => {
      expect(n.exec('sysctl', ['-n', 'net.ipv4.ip_unprivileged_port_start']).trim()).toBe('1024');
      serve = n.spawn('setpriv', [...asNobody(true), ...serveArgs(pki)], { deadlineMs: 60_000, cwd: repoRoot });
      const line = await serve.waitForLine(/callprobe serving http:\/\//, { timeoutMs: 20_000, what: 'serve to listen on 443' });
      // Plain TURN/TCP and TLS share 443 (told apart by the first byte), as the unit in docs/operate.md has it.
      expect(line).toContain('tcp/443 tls/443');
      const pid = serve.pid ?? 0;
      const who = identity(pid);
      expect(who.uid).toBe(NOBODY);
      expect(who.capEff).toBe(CAP_NET_BIND_SERVICE);
      expect((await allocate(n)).relayed).toMatch(/^127\.0\.0\.1:\d+$/);
    });
  }, 60_000);

  it('without the capability, serve stops at once: exit 3, one line saying 443 needs privileges', async () => {
    await inNamespace('p443nocap', async (n) => {
      serve = n.spawn('setpriv', [...asNobody(false), ...serveArgs(pki)], { deadlineMs: 30_000, cwd: repoRoot });
      const status = await serve.exited;
      expect(status.code, serve.output()).toBe(3);
      const lines = serve
        .stderr()
        .trimEnd()
        .split('\n')
        .filter((l) => !l.startsWith('TURN secret'));
      expect(lines).toEqual(['callprobe: TURN relay: permission denied (ports below 1024 need privileges) (127.0.0.1:443)']);
    });
  }, 40_000);

  it('or, in a container or namespace of its own, with ip_unprivileged_port_start lowered to 443 and no capability', async () => {
    await inNamespace('p443sysctl', async (n) => {
      n.exec('sysctl', ['-q', '-w', 'net.ipv4.ip_unprivileged_port_start=443']);
      serve = n.spawn('setpriv', [...asNobody(false), ...serveArgs(pki)], { deadlineMs: 60_000, cwd: repoRoot });
      await serve.waitForLine(/callprobe serving http:\/\/.*tls\/443/, { timeoutMs: 20_000, what: 'serve to listen on 443' });
      expect(identity(serve.pid ?? 0)).toEqual({ uid: NOBODY, capEff: 0n });
      expect((await allocate(n)).relayed).toMatch(/^127\.0\.0\.1:\d+$/);
    });
  }, 60_000);
});
