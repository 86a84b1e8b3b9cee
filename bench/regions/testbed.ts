/**
 * A hub and its edges on loopback, each edge's relay reached through its own seeded impairment
 * proxy (bench/impair/) with its own round trip and loss: the truth a locate is held to.
 *
 * Layout: `callprobe serve` as the hub (an SQLite store, the operator token, no relay or reflector
 * of its own), an edge token per edge made through its API, then per edge a proxy (UDP, its
 * `rttMs` split evenly up and down, its loss on each crossing) in front of the edge's relay port,
 * and `callprobe serve --hub ... --advertise 127.0.0.1:<proxy>` so every page datagram to the
 * edge's relay crosses the proxy. `run` is `callprobe run --server <hub>` (headless Chromium); an
 * edge can be killed (SIGKILL) at the first datagram its proxy takes from a client.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startImpairProxy, type ImpairProxy } from '../impair/proxy.js';
import type { Truth } from '../impair/truth-types.js';
import { CLI, startServe, type Served } from '../lib/processes.js';
import { freePorts, spawnBounded } from '../lib/process.js';
import { EDGE_TOKENS_PATH, EDGES_PATH, type EdgeList, type EdgeTokenCreated } from '../../src/protocol/api-edges.js';

/** One edge of the testbed: where it stands and what its proxy does to each crossing. */
export interface EdgeSpec {
  id: string;
  azureRegion: string;
  /** Round trip added between client and relay (half up, half down), ms. */
  rttMs: number;
  /** Loss on each crossing of the proxy (up and down alike), percent. */
  lossPct: number;
}

export interface RegionsRun {
  /** Date.now() when `callprobe run` was started (the proxies' truth is on that clock too, through its startedAtEpochMs). */
  startedAtEpochMs: number;
  exitCode: number;
  /** What `run --json` printed: a report or a could-not-test record. */
  json: unknown;
  progress: { atMs: number; line: string }[];
  wallMs: number;
}

const ADMIN = 'regions-testbed-operator-0123456789';

/**
 * An edge's kill switch: armed, it kills the edge's process at its proxy's next client datagram;
 * blocking, its proxy drops every client datagram (a firewall in front of the edge's relay).
 */
interface KillSwitch {
  armed: boolean;
  killedAtMs: number | null;
  kill: (() => void) | null;
  blocking: boolean;
  /** Client datagrams dropped while blocking. */
  blocked: number;
}

interface Edge {
  spec: EdgeSpec;
  served: Served;
  proxy: ImpairProxy;
  kill: KillSwitch;
  /** Its /metrics (the testbed's `metrics` option), else null. */
  metricsUrl: string | null;
}

export class RegionsTestbed {
  /** Set by stop(): an edge whose start ends after it is stopped at once. */
  private stopped = false;

  private constructor(
    readonly hub: Served,
    private readonly edges: Edge[],
    private readonly proxies: { id: string; proxy: ImpairProxy }[],
    private readonly dir: string,
  ) {}

  /**
   * Starts the hub, its edges behind their proxies (two at a time), and waits until the hub lists
   * every edge. `seed` seeds every proxy. `hubNames`: other names the hub's pages may come from
   * (a browser told to resolve them to 127.0.0.1: a plain-http page, not a secure context), whose
   * pages the edges' signalling takes beside the hub's own (`--allowed-origins`). `onHub` is
   * given the testbed as soon as its hub runs, so a caller that gives up waiting (a hook's
   * timeout) can still stop what started.
   */
  static async start(
    specs: readonly EdgeSpec[],
    seed: string,
    o: {
      durationMs?: number;
      hubNames?: readonly string[];
      onHub?: (bed: RegionsTestbed) => void;
      /** Each edge serves /metrics on a loopback port of its own (edgeMetrics). */
      metrics?: boolean;
    } = {},
  ): Promise<RegionsTestbed> {
    const dir = mkdtempSync(join(tmpdir(), 'callprobe-regions-'));
    const [hubPort, ...ports] = await freePorts(1 + 4 * specs.length);
    const hub = await startServe(
      ['--db', join(dir, 'hub.db'), '--admin-token', ADMIN, '--external-turn', 'turn:127.0.0.1:9?transport=udp', '--no-reflector'],
      hubPort ?? 0,
    );
    const edges: Edge[] = [];
    // Proxies started before their edge: stopped with the testbed even when the edge did not start.
    const proxies: { id: string; proxy: ImpairProxy }[] = [];
    const bed = new RegionsTestbed(hub, edges, proxies, dir);
    o.onHub?.(bed);
    const startEdge = async (spec: EdgeSpec, i: number): Promise<void> => {
      const [httpPort = 0, turnPort = 0, proxyPort = 0, metricsPort = 0] = ports.slice(4 * i, 4 * i + 4);
      const p = spec.lossPct / 100;
      const kill: KillSwitch = { armed: false, killedAtMs: null, kill: null, blocking: false, blocked: 0 };
      const proxy = await startImpairProxy({
        pairs: [{ listen: { host: '127.0.0.1', port: proxyPort }, target: { host: '127.0.0.1', port: turnPort } }],
        scenario: {
          name: `${spec.id}-${spec.rttMs}ms-${spec.lossPct}pct`,
          up: { delayMs: spec.rttMs / 2, ...(p > 0 ? { loss: { probability: p } } : {}) },
          down: { delayMs: spec.rttMs / 2, ...(p > 0 ? { loss: { probability: p } } : {}) },
        },
        seed: `${seed}/${spec.id}`,
        durationMs: o.durationMs ?? 10 * 60_000,
        onClientDatagram: () => {
          if (kill.blocking) {
            kill.blocked++;
            return 'drop';
          }
          if (!kill.armed || kill.killedAtMs !== null) return undefined;
          kill.killedAtMs = performance.now();
          kill.kill?.();
          return undefined;
        },
      });
      proxies.push({ id: spec.id, proxy });
      const token = await bed.createToken(spec.id, spec.azureRegion);
      const names = o.hubNames ?? [];
      const origins = names.length === 0 ? [] : ['--allowed-origins', names.map((n) => `http://${n}:${hubPort ?? 0}`).join(',')];
      const served = await startServe(
        [
          '--turn-ports',
          String(turnPort),
          '--advertise',
          `127.0.0.1:${proxyPort}`,
          '--relay-ports',
          // 250 relayed ports an edge: twelve edges stay below Linux's ephemeral ports (32768 on).
          `${30000 + 250 * i}-${30249 + 250 * i}`,
          '--hub',
          hub.url,
          '--edge-id',
          spec.id,
          '--azure-region',
          spec.azureRegion,
          '--edge-token',
          token,
          ...origins,
          ...(o.metrics === true ? ['--metrics-listen', `127.0.0.1:${metricsPort}`] : []),
        ],
        httpPort,
        { readyTimeoutMs: 60_000 },
      );
      kill.kill = () => served.proc.child.kill('SIGKILL');
      if (bed.stopped) {
        await served.stop();
        throw new Error(`the testbed was stopped while edge ${spec.id} started`);
      }
      edges.push({ spec, served, proxy, kill, metricsUrl: o.metrics === true ? `http://127.0.0.1:${metricsPort}/metrics` : null });
    };
    try {
      const queue = [...specs.entries()];
      const worker = async (): Promise<void> => {
        for (let next = queue.shift(); next !== undefined; next = queue.shift()) await startEdge(next[1], next[0]);
      };
      const started = await Promise.allSettled(Array.from({ length: Math.min(2, specs.length) }, worker));
      const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
      await bed.waitListed(specs.map((s) => s.id));
      return bed;
    } catch (err) {
      await bed.stop();
      throw err;
    }
  }

  /** A token for edge `edge` in `azureRegion`, on loopback (the hub stands there too: a lab). */
  private async createToken(edge: string, azureRegion: string): Promise<string> {
    const res = await fetch(`${this.hub.url}${EDGE_TOKENS_PATH}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ edge, azureRegion, hosts: ['127.0.0.1'] }),
    });
    if (res.status !== 201) throw new Error(`edge token for ${edge}: HTTP ${res.status} ${await res.text()}`);
    return ((await res.json()) as EdgeTokenCreated).token;
  }

  /** The hub's address under another of its names (`hubNames`). */
  urlAs(name: string): string {
    const u = new URL(this.hub.url);
    u.hostname = name;
    return u.origin;
  }

  /** The edges the hub lists now. */
  async listed(): Promise<EdgeList['edges']> {
    return ((await (await fetch(`${this.hub.url}${EDGES_PATH}`)).json()) as EdgeList).edges;
  }

  private async waitListed(ids: readonly string[]): Promise<void> {
    const deadline = performance.now() + 20_000;
    for (;;) {
      const listed = new Set((await this.listed()).map((e) => e.id));
      if (ids.every((id) => listed.has(id))) return;
      if (performance.now() > deadline) throw new Error(`the hub lists ${[...listed].join(', ') || 'no edge'}, not all of ${ids.join(', ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The edge `id` is killed (SIGKILL) when its proxy takes the next datagram from a client (a page's locate). */
  killAtFirstDatagram(id: string): void {
    const edge = this.edges.find((e) => e.spec.id === id);
    if (!edge) throw new Error(`no edge ${id}`);
    edge.kill.armed = true;
  }

  /** Edge `id`'s /metrics text (started with the `metrics` option). */
  async edgeMetrics(id: string): Promise<string> {
    const url = this.edges.find((e) => e.spec.id === id)?.metricsUrl;
    if (url == null) throw new Error(`edge ${id} has no /metrics here: start the testbed with { metrics: true }`);
    return (await fetch(url)).text();
  }

  /**
   * Every edge's relay port drops what clients send from now on (`on`), as a site's firewall that
   * blocks UDP to them would; the edges' own relay checks, which go through the same proxies, are
   * dropped too, so an edge checked while it blocks is listed `relay-down`.
   */
  blockEveryRelay(on: boolean): void {
    for (const e of this.edges) e.kill.blocking = on;
  }

  /** Datagrams each edge's proxy dropped while blocking. */
  blockedDatagrams(): number {
    return this.edges.reduce((n, e) => n + e.kill.blocked, 0);
  }

  /** When `id` was killed (performance.now()), or null. */
  killedAtMs(id: string): number | null {
    return this.edges.find((e) => e.spec.id === id)?.kill.killedAtMs ?? null;
  }

  /** `callprobe run --server <hub> --json --no-save` with `args`, bounded by `timeoutMs`. */
  async run(args: readonly string[], timeoutMs: number): Promise<RegionsRun> {
    const t0 = performance.now();
    const startedAtEpochMs = Date.now();
    const progress: RegionsRun['progress'] = [];
    const p = spawnBounded(process.execPath, [CLI, 'run', '--server', this.hub.url, '--json', '--no-save', ...args], {
      deadlineMs: timeoutMs,
      onLine: (line, stream) => {
        if (stream === 'stderr') progress.push({ atMs: performance.now() - t0, line });
      },
    });
    const status = await p.exited;
    let json: unknown;
    try {
      json = JSON.parse(p.stdout());
    } catch {
      // Nothing printed (a run that could not start): the progress lines say why.
      json = null;
    }
    return { startedAtEpochMs, exitCode: status.code ?? -1, json, progress, wallMs: performance.now() - t0 };
  }

  /** Stops everything; every proxy's truth, by edge id. */
  async stop(): Promise<Map<string, Truth>> {
    this.stopped = true;
    const truths = new Map<string, Truth>();
    await Promise.all(this.edges.map((e) => e.served.stop()));
    for (const { id, proxy } of this.proxies) truths.set(id, await proxy.stop());
    await this.hub.stop();
    rmSync(this.dir, { recursive: true, force: true });
    return truths;
  }
}
