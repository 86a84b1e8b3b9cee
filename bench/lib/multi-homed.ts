/**
 * A multi-homed client, made for one test: two network namespaces, `client` and `server`, joined
 * by `interfaces` veth pairs, each its own subnet (10.79.k.0/24, and fd79:0:0:k::/64 with
 * `families: 'dual'`). The server's address is on the first pair (10.79.1.1, fd79:0:0:1::1);
 * the client's default routes point there, like a laptop's Wi-Fi beside its Ethernet, a VPN or
 * a Docker adapter: a socket bound to any client address reaches the server (it leaves by the
 * default route with its own source address and the answer comes back on its own interface).
 * Addresses exist only inside these two namespaces, and the default route ends in `server`,
 * which has no other interface: nothing can leave them. Used by the allocations bench and its e2e
 * test. Needs root and `ip netns`.
 */
import { execFileSync } from 'node:child_process';
import { spawnBounded, type ProcessHandle, type SpawnBoundedOptions } from './process.js';
import { deleteNamespacesOnInterrupt } from './interrupt.js';

export type Families = 'ipv4' | 'dual';

class MultiHomedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MultiHomedError';
  }
}

const ip = (...args: string[]): void => {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
};

/** Why namespaces cannot be made here, or null when they can (root and `ip netns`). */
function netnsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root: cannot add network namespaces';
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
  } catch {
    return "no 'ip netns' (iproute2)";
  }
  return null;
}

export class MultiHomed {
  /** The server's addresses: where it listens and relays. */
  readonly serverV4 = '10.79.1.1';
  readonly serverV6: string | null;
  /** Every client address, one per interface and family. */
  readonly clientAddresses: string[];

  /** Undoes this topology if the bench is interrupted (./interrupt.ts); dropped by `delete`. */
  private forgetInterrupt: () => void = () => undefined;

  private constructor(
    readonly client: string,
    readonly server: string,
    readonly interfaces: number,
    readonly families: Families,
  ) {
    this.serverV6 = families === 'dual' ? 'fd79:0:0:1::1' : null;
    this.clientAddresses = Array.from({ length: interfaces }, (_, i) => [
      `10.79.${String(i + 1)}.2`,
      ...(families === 'dual' ? [`fd79:0:0:${String(i + 1)}::2`] : []),
    ]).flat();
  }

  /** Makes both namespaces (names unique to this process) and the `interfaces` pairs (1-8). */
  static create(tag: string, interfaces: number, families: Families): MultiHomed {
    const why = netnsUnavailable();
    if (why !== null) throw new MultiHomedError(why);
    if (!Number.isInteger(interfaces) || interfaces < 1 || interfaces > 8) throw new MultiHomedError(`interfaces must be 1-8, not ${String(interfaces)}`);
    const id = `${String(process.pid % 100000)}-${String(Math.floor(Math.random() * 1e6))}`;
    const t = new MultiHomed(`cp-${tag}-c-${id}`, `cp-${tag}-s-${id}`, interfaces, families);
    const made: string[] = [];
    try {
      for (const ns of [t.client, t.server]) {
        ip('netns', 'add', ns);
        made.push(ns);
        ip('-n', ns, 'link', 'set', 'lo', 'up');
        // Answers come back on the client's own interface, requests may leave by another: no reverse-path filter.
        for (const conf of ['all', 'default']) t.exec(ns, 'sysctl', ['-qw', `net.ipv4.conf.${conf}.rp_filter=0`]);
      }
      for (let k = 1; k <= interfaces; k++) t.addPair(k);
      ip('-n', t.client, 'route', 'add', 'default', 'via', t.serverV4, 'dev', 'mh1');
      if (t.serverV6 !== null) ip('-n', t.client, '-6', 'route', 'add', 'default', 'via', t.serverV6, 'dev', 'mh1');
      t.forgetInterrupt = deleteNamespacesOnInterrupt([t.client, t.server]);
      return t;
    } catch (err) {
      for (const ns of made) ip('netns', 'delete', ns);
      throw err;
    }
  }

  /** Pair k: `mh<k>` in the client, `mhs<k>` in the server, both up with their addresses. */
  private addPair(k: number): void {
    const c = `mh${String(k)}`;
    const s = `mhs${String(k)}`;
    // Made inside the two namespaces directly: the names exist only there.
    ip('link', 'add', c, 'netns', this.client, 'type', 'veth', 'peer', 'name', s, 'netns', this.server);
    for (const [ns, dev, host] of [
      [this.client, c, '2'],
      [this.server, s, '1'],
    ] as const) {
      // No IPv6 link-local address appearing a second later: browsers take it for a network change.
      ip('-n', ns, 'link', 'set', 'dev', dev, 'addrgenmode', 'none');
      ip('-n', ns, 'addr', 'add', `10.79.${String(k)}.${host}/24`, 'dev', dev);
      if (this.families === 'dual') ip('-n', ns, 'addr', 'add', `fd79:0:0:${String(k)}::${host}/64`, 'dev', dev, 'nodad');
      this.exec(ns, 'sysctl', ['-qw', `net.ipv4.conf.${dev}.rp_filter=0`]);
      ip('-n', ns, 'link', 'set', dev, 'up');
    }
    // The server answers from its one address whichever pair a client address is on, as a
    // single-homed server would (a socket bound to the wildcard address, as `--host ::` binds,
    // otherwise answers from the pair's own address, which a TURN client drops).
    if (k > 1) {
      ip('-n', this.server, 'route', 'replace', `10.79.${String(k)}.0/24`, 'dev', s, 'src', this.serverV4);
      if (this.serverV6 !== null) ip('-n', this.server, '-6', 'route', 'replace', `fd79:0:0:${String(k)}::/64`, 'dev', s, 'src', this.serverV6);
    }
  }

  /**
   * Resolves once every pair is operationally up in both namespaces: Node (libuv) lists an
   * interface's addresses only when it is running, which the kernel reports up to a second after
   * the link came up.
   */
  async up(timeoutMs = 5_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.operUp(this.client) < this.interfaces || this.operUp(this.server) < this.interfaces) {
      if (performance.now() > deadline) throw new MultiHomedError(`the veth pairs of ${this.client} did not come up within ${String(timeoutMs)} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** How many of this topology's interfaces in `ns` are operationally up. */
  private operUp(ns: string): number {
    const prefix = ns === this.client ? 'mh' : 'mhs';
    const devs = Array.from({ length: this.interfaces }, (_, k) => `/sys/class/net/${prefix}${String(k + 1)}/operstate`);
    return this.exec(ns, 'cat', devs)
      .split('\n')
      .filter((s) => s.trim() === 'up').length;
  }

  exec(ns: string, cmd: string, args: string[]): string {
    return execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8' });
  }

  spawn(ns: string, cmd: string, args: readonly string[], opts: SpawnBoundedOptions): ProcessHandle {
    return spawnBounded('ip', ['netns', 'exec', ns, cmd, ...args], opts);
  }

  delete(): void {
    this.forgetInterrupt();
    for (const ns of [this.client, this.server]) ip('netns', 'delete', ns);
  }
}
