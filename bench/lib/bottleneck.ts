/**
 * A real bottleneck queue between network namespaces this process makes: `client` and `server`,
 * with a `router` between them (two veth pairs, forwarding on) whose egress toward each side
 * holds that direction's token-bucket filter (tc-tbf). A small rate with a large queue limit is
 * a bloated line (packets wait, up to seconds); the same rate with a shallow limit drops instead
 * of delaying. The kernel here has tbf, pfifo and htb but neither netem, fq_codel nor cake.
 *
 * The queues sit in the router, as a line's sit in its modem, and not on the senders' own
 * interfaces: a sender whose own queue is full is told so (TCP backs off at once on a local
 * drop; a UDP send can fail with ENOBUFS and be tried again), which no sender behind a modem
 * is. With the queue on the browser's own interface, irtt lost 14-20 % of its probes in a
 * window where the browser's probes lost 1 %.
 *
 * Addresses (10.232.x.x) exist only inside these namespaces: nothing is ever sent anywhere else.
 *
 *   client 10.232.0.1 ==veth== 10.232.0.254 router [tbf up] 10.232.1.254 ==veth== 10.232.1.2 server
 *                                              [tbf down toward the client]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { deleteNamespacesOnInterrupt } from './interrupt.js';
import { BenchError } from './processes.js';

/** One direction's queue: tbf rate (kbit/s) and queue limit (bytes); null: no shaping (the veth's own speed, `shape`). */
type QueueSpec = { rateKbit: number; limitBytes: number } | null;

export interface BottleneckSpec {
  /** client -> server (the router's egress toward the server). */
  up: QueueSpec;
  /** server -> client (the router's egress toward the client). */
  down: QueueSpec;
}

export class Bottleneck {
  static readonly clientIp = '10.232.0.1';
  static readonly serverIp = '10.232.1.2';
  private static readonly clientGateway = '10.232.0.254';
  private static readonly serverGateway = '10.232.1.254';

  /** Undoes this bottleneck if the bench is interrupted (./interrupt.ts); dropped by `delete`. */
  private forgetInterrupt: () => void = () => undefined;

  private constructor(
    readonly client: string,
    readonly router: string,
    readonly server: string,
  ) {}

  /** Whether this process may make namespaces and queues (root, `ip` and `tc`). */
  static available(): boolean {
    try {
      execFileSync('tc', ['-V'], { stdio: 'ignore' });
      return process.getuid?.() === 0;
    } catch {
      return false;
    }
  }

  static create(tag: string, spec: BottleneckSpec): Bottleneck {
    const id = `${process.pid % 100000}${Math.floor(Math.random() * 1000)}`;
    const b = new Bottleneck(`cp-${tag}-c-${id}`, `cp-${tag}-r-${id}`, `cp-${tag}-s-${id}`);
    const made: string[] = [];
    try {
      for (const ns of [b.client, b.router, b.server]) {
        execFileSync('ip', ['netns', 'add', ns]);
        made.push(ns);
        execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      }
      // cpbn0 (client) - cpbn1 (router), cpbn2 (router) - cpbn3 (server).
      execFileSync('ip', ['link', 'add', 'cpbn0', 'netns', b.client, 'type', 'veth', 'peer', 'name', 'cpbn1', 'netns', b.router]);
      execFileSync('ip', ['link', 'add', 'cpbn2', 'netns', b.router, 'type', 'veth', 'peer', 'name', 'cpbn3', 'netns', b.server]);
      const up = (ns: string, dev: string, ip: string): void => {
        execFileSync('ip', ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', dev]);
        // No IPv6 link-local address appearing later (Chromium would see a network change).
        execFileSync('ip', ['-n', ns, 'link', 'set', 'dev', dev, 'addrgenmode', 'none']);
        execFileSync('ip', ['-n', ns, 'link', 'set', dev, 'up']);
      };
      up(b.client, 'cpbn0', Bottleneck.clientIp);
      up(b.router, 'cpbn1', Bottleneck.clientGateway);
      up(b.router, 'cpbn2', Bottleneck.serverGateway);
      up(b.server, 'cpbn3', Bottleneck.serverIp);
      execFileSync('ip', ['netns', 'exec', b.router, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
      // The kernel reports a veth up a moment after `link set up`: until then the server's
      // address is missing from its interface list (serve refuses a --host it lacks), and a
      // route through it cannot be added.
      for (const [ns, dev] of [
        [b.client, 'cpbn0'],
        [b.router, 'cpbn1'],
        [b.router, 'cpbn2'],
        [b.server, 'cpbn3'],
      ] as const)
        waitLinkUp(ns, dev);
      execFileSync('ip', ['-n', b.client, 'route', 'add', 'default', 'via', Bottleneck.clientGateway]);
      execFileSync('ip', ['-n', b.server, 'route', 'add', 'default', 'via', Bottleneck.serverGateway]);
      b.shape(spec);
      b.forgetInterrupt = deleteNamespacesOnInterrupt([b.client, b.router, b.server]);
      return b;
    } catch (err) {
      for (const ns of made) execFileSync('ip', ['netns', 'delete', ns]);
      throw err;
    }
  }

  /**
   * Puts (or changes) the queues: tbf with an 8 kB burst, or when null a tbf far faster than the
   * veth (10 Gbit/s, a 10 MB burst and limit), which never holds a packet: the veth's own speed.
   *
   * Always a tbf, so that shaping while a test streams changes the queue in place. Replacing the
   * root queue by one of another kind grafts a new one: the kernel deactivates the interface for
   * the swap, and what the router forwards meanwhile is dropped. That loss is the testbed's, not
   * the line's: on a busy machine, a pfifo replaced by a tbf lost 2-4 of 3,000 datagrams sent at
   * 1,000 a second in 3 runs of 4; a tbf changed in place lost none in 10; and a test's idle window
   * once lost two echoes in a row there, failing its idle verdict.
   */
  shape(spec: BottleneckSpec): void {
    const one = (ns: string, dev: string, q: QueueSpec): void => {
      const [rate, burst, limit] = q === null ? ['10gbit', '10mb', '10mb'] : [`${q.rateKbit}kbit`, '8kb', String(q.limitBytes)];
      execFileSync('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'replace', 'dev', dev, 'root', 'tbf', 'rate', rate, 'burst', burst, 'limit', limit]);
    };
    one(this.router, 'cpbn2', spec.up);
    one(this.router, 'cpbn1', spec.down);
  }

  /**
   * Polices UDP going up (client to server) at `kbit` in the router, TCP left alone: an nftables
   * rule in the router's forward hook that drops UDP past the rate (a firewall's policer, not a
   * queue: nothing waits). Removed with the namespaces.
   */
  policeUdpUp(kbit: number): void {
    const nft = (...args: string[]): void => {
      execFileSync('ip', ['netns', 'exec', this.router, 'nft', ...args]);
    };
    nft('add', 'table', 'inet', 'cppolice');
    nft('add', 'chain', 'inet', 'cppolice', 'udp_up', '{ type filter hook forward priority 0; policy accept; }');
    // kbytes/second as nft counts them: 1 Mbit/s is 125 kbytes/s; a burst of 16 kB (about 11 full packets).
    nft(
      'add',
      'rule',
      'inet',
      'cppolice',
      'udp_up',
      'iifname',
      'cpbn1',
      'meta',
      'l4proto',
      'udp',
      'limit',
      'rate',
      'over',
      `${Math.round(kbit / 8)}`,
      'kbytes/second',
      'burst',
      '16',
      'kbytes',
      'drop',
    );
  }

  /** Removes the UDP policer (policeUdpUp), when there is one. */
  unpoliceUdp(): void {
    const tables = execFileSync('ip', ['netns', 'exec', this.router, 'nft', 'list', 'tables'], { encoding: 'utf8' });
    if (tables.includes('cppolice')) execFileSync('ip', ['netns', 'exec', this.router, 'nft', 'delete', 'table', 'inet', 'cppolice']);
  }

  /** Starts `cmd` inside one of the namespaces. */
  spawn(where: 'client' | 'server', cmd: string, args: readonly string[], opts: { cwd?: string } = {}): ChildProcess {
    return spawn('ip', ['netns', 'exec', where === 'client' ? this.client : this.server, cmd, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    });
  }

  /** The tbf statistics of a direction (bytes sent, dropped, overlimits), for the record. */
  queueStats(direction: 'up' | 'down'): string {
    return execFileSync('ip', ['netns', 'exec', this.router, 'tc', '-s', 'qdisc', 'show', 'dev', direction === 'up' ? 'cpbn2' : 'cpbn1'], { encoding: 'utf8' });
  }

  delete(): void {
    this.forgetInterrupt();
    for (const ns of [this.client, this.router, this.server]) execFileSync('ip', ['netns', 'delete', ns]);
  }
}

/** Waits (up to 5 s, checking every 10 ms) until `dev` in namespace `ns` is operationally up. */
function waitLinkUp(ns: string, dev: string): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const until = Date.now() + 5000;
  for (;;) {
    const [link] = JSON.parse(execFileSync('ip', ['-n', ns, '-j', 'link', 'show', 'dev', dev], { encoding: 'utf8' })) as { operstate?: string }[];
    if (link?.operstate === 'UP') return;
    if (Date.now() > until) throw new BenchError(`${dev} in ${ns} is still ${link?.operstate ?? 'absent'} 5 s after it was set up`);
    Atomics.wait(pause, 0, 0, 10);
  }
}
