/**
 * The hub's registry of its edges as this instance knows it: the edges heard from within
 * `silentAfterMs`, read from the store every `refreshMs` (another hub instance on the same store
 * may have heard a beat) and updated at once by each beat this instance takes. It answers, without
 * a store round trip, what the page's configuration (`ServerConfig.edges`: each ready edge heard
 * within `offeredWithinMs`, credentials minted with its own secret, its relay check as evidence,
 * the busy line it offers), GET /api/edges, the page's Content-Security-Policy and the hub's
 * /metrics (a few series per edge) need.
 */
import type { Registry } from 'prom-client';
import { readCounter, readGauge } from '../metrics/registry.js';
import { randomUUID } from 'node:crypto';
import type { EdgeOffer, ServerConfig } from '../../src/protocol/api.js';
import type { EdgeState, EdgeView } from '../../src/protocol/api-edges.js';
import { relayCheckEvidenceOf } from '../../src/protocol/could-not-finish.js';
import { mintRestCredential } from '../turn/credentials.js';
import type { EdgeRecord, EdgesRepository } from '../store/edges/types.js';

export interface EdgeRegistrySettings {
  /** An edge not heard from for this long is no longer listed (DEFAULTS.edges.silentAfterMs). */
  silentAfterMs: number;
  /** Pages are offered an edge only while heard within this (DEFAULTS.edges.offeredWithinMs); absent: silentAfterMs. */
  offeredWithinMs?: number;
  /** The store is read again this often (DEFAULTS.edges.registryRefreshMs). */
  refreshMs: number;
  /** The lifetime of the TURN credentials minted for a page (serve --credential-ttl). */
  credentialTtlS: number;
}

/** An edge's last relay check on the hub's clock: when it ran, whether every advertised port answered, and those that did not. */
interface RelayCheckOnHub {
  atMs: number;
  ok: boolean;
  failed: { transport: 'udp' | 'tcp' | 'tls'; port: number; error: string }[];
}

/** An edge's last relay check, dated on the hub's clock (its beat says how long before the beat it ran); null when its beats carry none. */
function relayCheckOf(r: EdgeRecord): RelayCheckOnHub | null {
  const c = r.beat.relayCheck;
  if (c === undefined) return null;
  const failed = c.ports.filter((p) => !p.ok).map((p) => ({ transport: p.transport, port: p.port, error: p.error ?? 'no answer' }));
  return { atMs: r.lastBeatMs - c.ageMs, ok: failed.length === 0, failed };
}

/** Each state as the number /metrics gives it (the edge id is the series' only label). */
const STATE_NUMBER: { readonly [S in EdgeState]: number } = { ready: 1, full: 2, 'relay-down': 3, draining: 4 };

export class EdgeRegistry {
  private known = new Map<string, EdgeRecord>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly store: Pick<EdgesRepository, 'heardSince'>,
    private readonly settings: EdgeRegistrySettings,
    private readonly nowMs: () => number,
    private readonly warn: (message: string) => void,
  ) {}

  private get offeredWithinMs(): number {
    return this.settings.offeredWithinMs ?? this.settings.silentAfterMs;
  }

  /** Reads the store once now, then every refreshMs (the timer never keeps the process alive). */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.settings.refreshMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Reads the edges heard within silentAfterMs from the store (one read at a time); a failed read keeps what was known, and says so. */
  refresh(): Promise<void> {
    this.refreshing ??= this.store
      .heardSince(this.nowMs() - this.settings.silentAfterMs)
      .then(
        (records) => {
          this.known = new Map(records.map((r) => [r.id, r]));
        },
        (err: Error) => this.warn(`edges: could not read the registry from the store (kept what was known): ${err.message}`),
      )
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  /** A beat this instance took (already in the store); a change to or from `relay-down` is said once, with the ports that did not answer. */
  heard(record: EdgeRecord): void {
    const before = this.known.get(record.id)?.beat.state;
    this.known.set(record.id, record);
    const now = record.beat.state;
    if (now === 'relay-down' && before !== 'relay-down') {
      const failed = relayCheckOf(record)?.failed ?? [];
      const ports = failed.map((f) => `${f.transport.toUpperCase()} ${f.port}: ${f.error}`).join(', ');
      this.warn(
        `edges: ${record.id} (${record.beat.azureRegion}) is relay-down: its relay did not answer its own check (${ports || 'no port answered'}); not offered to pages until a check passes`,
      );
    } else if (before === 'relay-down' && now !== 'relay-down') {
      this.warn(`edges: ${record.id} (${record.beat.azureRegion}) passed its relay check again: ${now}`);
    }
  }

  /** A revoked token's edge leaves at once (the store dropped its row). */
  forgetToken(tokenId: string): void {
    for (const [id, r] of this.known) if (r.tokenId === tokenId) this.known.delete(id);
  }

  /** The edges heard from within silentAfterMs and not stopping, by id. */
  listed(): EdgeRecord[] {
    const since = this.nowMs() - this.settings.silentAfterMs;
    return [...this.known.values()].filter((r) => r.lastBeatMs >= since && r.beat.state !== 'draining').sort((a, b) => a.id.localeCompare(b.id));
  }

  /** GET /api/edges: the listed edges, never their secrets. */
  views(): EdgeView[] {
    return this.listed().map((r) => {
      const check = relayCheckOf(r);
      return {
        id: r.id,
        azureRegion: r.beat.azureRegion,
        state: r.beat.state,
        lastHeartbeatAt: new Date(r.lastBeatMs).toISOString(),
        version: r.beat.version,
        load: r.beat.load,
        urls: r.beat.urls,
        relayCheck: check === null ? null : { checkedAt: new Date(check.atMs).toISOString(), ok: check.ok, failed: check.failed },
      };
    });
  }

  /**
   * The edges a page is offered: ready (not full, not relay-down, not stopping) and heard within
   * offeredWithinMs (an edge that missed two beats is not offered: its tests would wait on it).
   */
  private offered(): EdgeRecord[] {
    const since = this.nowMs() - this.offeredWithinMs;
    return this.listed().filter((r) => r.beat.state === 'ready' && r.lastBeatMs >= since);
  }

  /** What a page gets of each offered edge: a configuration of its own, its credential minted now with that edge's secret. */
  offers(): EdgeOffer[] {
    const nowMs = this.nowMs();
    return this.offered().map((r) => ({ id: r.id, azureRegion: r.beat.azureRegion, config: this.configOf(r, nowMs) }));
  }

  /**
   * The origins the hub's page may connect to: each listed edge's signalling origin (ws: or wss:),
   * and the HTTP origin of each that offers the busy line (its load sink and source).
   */
  connectSources(): string[] {
    const out = new Set<string>();
    for (const r of this.listed()) {
      const signal = r.beat.urls.signal;
      if (signal !== null) {
        const u = new URL(signal);
        out.add(`${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}`);
      }
      if (r.beat.busyLine !== undefined && r.beat.busyLine !== null) out.add(new URL(r.beat.urls.http).origin);
    }
    return [...out];
  }

  /** Registers each edge's families in `registry` (the edge id the only label): state, offered, last beat, relay check, tests started, sessions. */
  registerMetrics(registry: Registry): void {
    const heard = (): EdgeRecord[] => {
      const since = this.nowMs() - this.settings.silentAfterMs;
      return [...this.known.values()].filter((r) => r.lastBeatMs >= since).sort((a, b) => a.id.localeCompare(b.id));
    };
    const seconds = (ms: number): number => Math.round(Math.max(0, ms) / 100) / 10;
    const family = (name: string, type: 'gauge' | 'counter', help: string, value: (r: EdgeRecord, nowMs: number) => number | null): void => {
      const read = (): Array<readonly [{ edge: string }, number]> => {
        const nowMs = this.nowMs();
        return heard().flatMap((r) => {
          const v = value(r, nowMs);
          return v === null ? [] : [[{ edge: r.id }, v] as const];
        });
      };
      if (type === 'gauge') readGauge(registry, { name, help, labelNames: ['edge'], read });
      else readCounter(registry, { name, help, labelNames: ['edge'], read });
    };
    family(
      'callprobe_edge_state',
      'gauge',
      "Each edge's state: 1 ready, 2 full, 3 relay-down (its relay failed its own check), 4 draining.",
      (r) => STATE_NUMBER[r.beat.state],
    );
    family('callprobe_edge_offered', 'gauge', 'Whether pages are offered each edge now (ready and heard lately).', (r, nowMs) =>
      r.beat.state === 'ready' && r.lastBeatMs >= nowMs - this.offeredWithinMs ? 1 : 0,
    );
    family('callprobe_edge_last_beat_age_seconds', 'gauge', "Seconds since each edge's last beat.", (r, nowMs) => seconds(nowMs - r.lastBeatMs));
    family(
      'callprobe_edge_relay_check_ok',
      'gauge',
      "Whether each edge's last relay check had every advertised TURN port answer an Allocate (absent: none told).",
      (r) => {
        const c = relayCheckOf(r);
        return c === null ? null : c.ok ? 1 : 0;
      },
    );
    family('callprobe_edge_relay_check_age_seconds', 'gauge', "Seconds since each edge's last relay check ran.", (r, nowMs) => {
      const c = relayCheckOf(r);
      return c === null ? null : seconds(nowMs - c.atMs);
    });
    family(
      'callprobe_edge_tests_started_total',
      'counter',
      'Tests each edge started since it started (absent: an older edge).',
      (r) => r.beat.load.started ?? null,
    );
    family('callprobe_edge_sessions', 'gauge', 'Reflector sessions each edge has open, as of its last beat.', (r) => r.beat.load.sessions);
  }

  private configOf(r: EdgeRecord, nowMs: number): ServerConfig {
    const b = r.beat;
    const cred = mintRestCredential(b.turnSecret, randomUUID().slice(0, 8), this.settings.credentialTtlS, nowMs);
    return {
      callprobeVersion: b.version,
      username: cred.username,
      credential: cred.credential,
      credentialExpiresAtMs: cred.expiresAtMs,
      turn: b.urls.turn,
      notOffered: b.notOffered,
      reflectorPath: b.urls.signal,
      rtpReflector: b.rtpReflector,
      relay: b.relay,
      signalProtocol: b.signalProtocol,
      // The busy line on the edge's own load sink and source (its own book), so load and probes share the path the test measures; none from an edge that offers none.
      load: b.busyLine === undefined || b.busyLine === null ? null : { ...b.busyLine, url: b.urls.http },
      // Its relay allocated on every advertised port from outside its process lately: a test that reaches none of them is told it is its network.
      relayEvidence: relayCheckEvidenceOf(relayCheckOf(r), nowMs),
    };
  }
}
