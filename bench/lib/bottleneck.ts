/**
 * A real bottleneck queue between two network namespaces this process makes: `client` and
 * `server`, joined by one veth pair, with a token-bucket filter (tc-tbf) on each direction's
 * egress. A small rate with a large queue limit is a bloated line (packets wait, up to seconds);
 * the same rate with a shallow limit drops instead of delaying. The kernel here has tbf, pfifo
 * and htb but neither netem, fq_codel nor cake. Addresses (10.232.0.x) exist only inside these
 * namespaces: nothing is ever sent anywhere else.
 *
 *   client 10.232.0.1 [tbf up] ==veth== [tbf down] 10.232.0.2 server
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { BenchError } from './processes.js';

/** One direction's queue: tbf rate (kbit/s) and queue limit (bytes); null: no shaping (the veth's own speed). */
type QueueSpec = { rateKbit: number; limitBytes: number } | null;

export interface BottleneckSpec {
  /** client -> server (the client's egress). */
  up: QueueSpec;
  /** server -> client (the server's egress). */
  down: QueueSpec;
}

export class Bottleneck {
  static readonly clientIp = '10.232.0.1';
  static readonly serverIp = '10.232.0.2';

  private constructor(
    readonly client: string,
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
    const b = new Bottleneck(`cp-${tag}-c-${id}`, `cp-${tag}-s-${id}`);
    const made: string[] = [];
    try {
      for (const ns of [b.client, b.server]) {
        execFileSync('ip', ['netns', 'add', ns]);
        made.push(ns);
        execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      }
      execFileSync('ip', ['link', 'add', 'cpbn0', 'netns', b.client, 'type', 'veth', 'peer', 'name', 'cpbn1', 'netns', b.server]);
      const up = (ns: string, dev: string, ip: string): void => {
        execFileSync('ip', ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', dev]);
        // No IPv6 link-local address appearing later (Chromium would see a network change).
        execFileSync('ip', ['-n', ns, 'link', 'set', 'dev', dev, 'addrgenmode', 'none']);
        execFileSync('ip', ['-n', ns, 'link', 'set', dev, 'up']);
      };
      up(b.client, 'cpbn0', Bottleneck.clientIp);
      up(b.server, 'cpbn1', Bottleneck.serverIp);
      // The kernel reports a veth up a moment after `link set up`: until then the server's
      // address is missing from its interface list (serve refuses a --host it lacks).
      waitLinkUp(b.client, 'cpbn0');
      waitLinkUp(b.server, 'cpbn1');
      b.shape(spec);
      return b;
    } catch (err) {
      for (const ns of made) execFileSync('ip', ['netns', 'delete', ns]);
      throw err;
    }
  }

  /** Puts (or replaces) the queues: tbf with an 8 kB burst, or the default queue when null. */
  shape(spec: BottleneckSpec): void {
    const one = (ns: string, dev: string, q: QueueSpec): void => {
      if (q === null) {
        execFileSync('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'replace', 'dev', dev, 'root', 'pfifo', 'limit', '1000']);
        return;
      }
      execFileSync('ip', [
        'netns',
        'exec',
        ns,
        'tc',
        'qdisc',
        'replace',
        'dev',
        dev,
        'root',
        'tbf',
        'rate',
        `${q.rateKbit}kbit`,
        'burst',
        '8kb',
        'limit',
        String(q.limitBytes),
      ]);
    };
    one(this.client, 'cpbn0', spec.up);
    one(this.server, 'cpbn1', spec.down);
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
    const [ns, dev] = direction === 'up' ? [this.client, 'cpbn0'] : [this.server, 'cpbn1'];
    return execFileSync('ip', ['netns', 'exec', ns, 'tc', '-s', 'qdisc', 'show', 'dev', dev], { encoding: 'utf8' });
  }

  delete(): void {
    for (const ns of [this.client, this.server]) execFileSync('ip', ['netns', 'delete', ns]);
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
